// Stories: the rep's workspace: search, share, the bell, requests.
import { asset, check, signIn, snap, watchedPage } from "../harness.mjs";

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

  async a_rep_shares_an_asset_to_a_deal_and_sees_the_prospect_open_it(browser, origin, server) {
    const a = await asset(server, { title: "Payback guide for finance teams", url: "https://example.com/payback",
      description: "How finance teams measure payback.", stages: ["proposal"] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/search?q=payback`);
    await signIn(page, origin, "rep@e2e.test");
    await page.waitForURL(/\/app\/search\?q=payback$/);
    await page.getByRole("link", { name: a.title }).click();
    await page.getByRole("heading", { name: a.title }).waitFor();
    const deal = await page.evaluate(async () => {
      const r = await fetch("/api/v1/deals", { method: "POST", headers: {
        "Content-Type": "application/json", "X-Requested-With": "e2e" },
        body: JSON.stringify({ name: "Umbrella — payments rollout", stage: "proposal" }) });
      return r.json();
    });
    await page.reload();
    await page.getByLabel("Deal").selectOption({ label: deal.name });
    await page.getByRole("button", { name: "Get a tracked link" }).click();
    const link = page.getByLabel("Tracked link");
    await link.waitFor();
    const url = await link.inputValue();
    check(/\/s\/[A-Za-z0-9_-]{40,}$/.test(url), `the tracked link ${url}`);
    await page.getByRole("button", { name: "Copy link" }).click();
    check(await page.evaluate(() => navigator.clipboard.readText()) === url, "the link was not copied");
    await snap(page, "rep-share-1280");
    // The prospect opens it in a browser of their own: a person's open.
    const token = url.slice(url.lastIndexOf("/") + 1);
    const opened = await fetch(`${origin}/s/${token}`, { redirect: "manual",
      headers: { "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36" } });
    check(opened.status === 302, `the prospect's open answered ${opened.status}`);
    // The rep's bell shows it without a reload (it polls every 5 s).
    await page.waitForFunction(() => document.querySelector(".bell .count")?.dataset.unread === "1",
      null, { timeout: 12000 });
    await page.getByRole("button", { name: /^Notifications/ }).click();
    const note = await page.locator("#bell-list li").first().innerText();
    check(/opened/i.test(note), `the notification: ${note}`);
    await snap(page, "rep-bell-1280");
    await page.goto(`${origin}/app/deals/${deal.id}`);
    const share = page.locator(".shares li").first();
    await share.waitFor();
    const text = await share.innerText();
    check(text.includes(a.title) && text.includes("opened 1 time by people"), `the deal's share: ${text}`);
    await snap(page, "rep-deal-shared-1280");
    await context.close();
    return page.problems();
  },
};
