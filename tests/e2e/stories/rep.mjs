// Stories: the rep's workspace: search, share, the bell, requests.
import { readFile } from "node:fs/promises";
import { asset, check, fileAsset, password, signIn, snap, watchedPage } from "../harness.mjs";

export const stories = {
  async a_rep_finds_content_with_a_typo_filters_it_and_asks_for_what_is_missing(browser, origin, server) {
    await asset(server, { title: "ROI calculator for AP automation", url: "https://example.com/roi",
      description: "Work out payback from invoice volume.", stages: ["evaluation"] });
    await asset(server, { title: "Security overview", url: "https://example.com/sec", stages: ["proposal"] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/search`);
    await signIn(page, origin, "rep@e2e.test");
    await page.waitForURL(/\/app\/search$/);
    const box = page.getByRole("searchbox", { name: "Search content" });
    await box.pressSequentially("calculater", { delay: 30 }); // a typo, typed as a person types
    const titles = () => page.evaluate(() => [...document.querySelectorAll(".result h2")].map((e) => e.textContent));
    await page.waitForFunction(() => document.querySelector(".results")?.textContent.includes("ROI calculator"))
      .catch(() => {});
    await page.waitForTimeout(400); // the debounce and any answer to an older query
    check(JSON.stringify(await titles()) === JSON.stringify(["ROI calculator for AP automation"]),
      `the typo found ${JSON.stringify(await titles())}`);
    await page.getByRole("button", { name: /^Evaluation \(1\)$/ }).click();
    await page.waitForURL(/stage=evaluation/);
    await page.locator(".chip[aria-pressed=true]", { hasText: "Evaluation" }).waitFor(); // painted
    check(await page.locator(".result h2").count() === 1, "the stage filter left more than the asset");
    await snap(page, "rep-search-1280");
    await box.fill("zzqx renewal playbook");
    await page.getByRole("button", { name: "Ask marketing for this" }).click();
    await page.getByRole("status").waitFor();
    const asked = await page.evaluate(async () => (await (await fetch("/api/v1/requests")).json()).items);
    check(asked.some((q) => q.title === "zzqx renewal playbook" && q.stage === "evaluation"),
      `the rep's requests: ${JSON.stringify(asked)}`);
    await snap(page, "rep-search-ask-1280");
    await page.getByRole("link", { name: "Requests" }).click();
    const row = page.getByRole("row", { name: /zzqx renewal playbook/ });
    await row.waitFor();
    check(/Evaluation.*Open/.test(await row.innerText()), `the request's row: ${await row.innerText()}`);
    await snap(page, "rep-requests-1280");
    await context.close();
    return page.problems();
  },

  async a_rep_finds_an_asset_shares_it_to_a_deal_and_sees_the_prospect_open_it(browser, origin, server) {
    const text = "Payback guide for finance teams\n\nFinance teams measure payback in months, not years.\n";
    const a = await fileAsset(server, { title: "Payback guide for finance teams", stages: ["proposal"],
      description: "How finance teams measure payback." }, "payback-guide.txt", "text/plain", Buffer.from(text));
    await asset(server, { title: "Payback stories from manufacturing", url: "https://example.com/mfg",
      stages: ["negotiation"] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/search`);
    await signIn(page, origin, "rep@e2e.test");
    await page.waitForURL(/\/app\/search$/);
    const deal = await page.evaluate(async () => {
      const r = await fetch("/api/v1/deals", { method: "POST", headers: {
        "Content-Type": "application/json", "X-Requested-With": "e2e" },
        body: JSON.stringify({ name: "Umbrella — payments rollout", stage: "proposal" }) });
      return r.json();
    });
    // A typo, then the stage filter, then the asset.
    await page.getByRole("searchbox", { name: "Search content" }).pressSequentially("payback gide", { delay: 30 });
    await page.getByRole("button", { name: /^Proposal \(1\)$/ }).click();
    await page.locator(".chip[aria-pressed=true]", { hasText: "Proposal" }).waitFor();
    check(JSON.stringify(await page.locator(".result h2").allInnerTexts()) === JSON.stringify([a.title]),
      `the filtered search shows ${JSON.stringify(await page.locator(".result h2").allInnerTexts())}`);
    await page.getByRole("link", { name: a.title }).click();
    await page.getByRole("heading", { name: a.title }).waitFor();
    const share = page.locator("form.share");
    await share.getByLabel("Deal").selectOption({ label: deal.name });
    await share.getByLabel("Recipient (optional)").fill("cfo@umbrella.example");
    await share.getByRole("button", { name: "Get a tracked link" }).click();
    const link = page.getByLabel("Tracked link");
    await link.waitFor();
    const url = await link.inputValue();
    check(/\/s\/[A-Za-z0-9_-]{40,}$/.test(url), `the tracked link ${url}`);
    await page.getByRole("button", { name: "Copy link" }).click();
    check(await page.evaluate(() => navigator.clipboard.readText()) === url, "the link was not copied");
    await snap(page, "rep-share-1280");
    // The prospect opens it in a browser of their own: a person's open.
    const prospect = await browser.newContext({ viewport: { width: 1280, height: 800 },
      userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36" });
    const pp = await prospect.newPage();
    await pp.goto(url); // the viewer: a text file is a card with its download button
    const [file] = await Promise.all([pp.waitForEvent("download"),
      pp.getByRole("link", { name: /^Download payback-guide\.txt/ }).click()]);
    const got = (await readFile(await file.path())).toString();
    check(file.suggestedFilename() === "payback-guide.txt" && got === text,
      `the prospect downloaded ${file.suggestedFilename()}: ${got.slice(0, 100)}`);
    await prospect.close();
    // The rep's bell shows it without a reload (it polls every 5 s).
    await page.waitForFunction(() => document.querySelector(".bell .count")?.dataset.unread === "1",
      null, { timeout: 12000 });
    await page.getByRole("button", { name: /^Notifications/ }).click();
    const note = page.locator("#bell-list li").first();
    check(/opened/i.test(await note.innerText()), `the notification: ${await note.innerText()}`);
    await snap(page, "rep-bell-1280");
    await note.getByRole("button", { name: "Mark read" }).click();
    await page.waitForFunction(() => document.querySelector(".bell .count")?.dataset.unread === "0");
    await page.goto(`${origin}/app/deals/${deal.id}`);
    const line = page.locator(".shares li").first();
    await line.waitFor();
    const said = await line.innerText();
    check(said.includes(a.title) && said.includes("v1") && said.includes("opened 1 time by people"),
      `the deal's share: ${said}`);
    await snap(page, "rep-deal-shared-1280");
    await context.close();
    return page.problems();
  },

  async a_rep_finds_and_shares_an_asset_with_the_keyboard_alone(browser, origin, server) {
    const a = await asset(server, { title: "Keyboard shortcuts cheat sheet", url: "https://example.com/keys",
      stages: ["discovery"] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/search`);
    await page.waitForFunction(() => document.activeElement?.name === "email"); // sign-in focuses it
    await page.keyboard.type("rep@e2e.test");
    await page.keyboard.press("Tab");
    await page.keyboard.type(password);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/app\/search$/);
    await page.getByRole("searchbox", { name: "Search content" }).waitFor();
    await page.waitForFunction(() => document.activeElement?.type === "search"); // focus starts in the box
    await page.keyboard.type("cheat sheet");
    await page.waitForURL(/q=cheat(\+|%20)sheet$/); // the last query sent
    await page.locator(".result h2", { hasText: a.title }).waitFor();
    await page.waitForTimeout(400); // its answer painted over any to an older query
    // Tab on until the result's link has the focus (sort, chips, then results).
    const focusedText = () => page.evaluate(() => document.activeElement?.textContent || "");
    for (let i = 0; i < 30 && (await focusedText()) !== a.title; i++) await page.keyboard.press("Tab");
    const ring = await page.evaluate((title) => document.activeElement?.textContent === title
      && getComputedStyle(document.activeElement).outlineStyle, a.title);
    check(ring !== false, "Tab never reached the result");
    check(ring !== "none", `the focused link shows no focus ring (outline ${ring})`);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: a.title }).waitFor();
    for (let i = 0; i < 40 && (await focusedText()) !== "Get a tracked link"; i++) await page.keyboard.press("Tab");
    check((await focusedText()) === "Get a tracked link", "Tab never reached the share button");
    await page.keyboard.press("Enter");
    await page.getByLabel("Tracked link").waitFor();
    await snap(page, "rep-keyboard-share-1280");
    await context.close();
    return page.problems();
  },
};
