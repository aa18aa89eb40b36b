// Stories: the editorial board (a board member retires an asset after
// confirming, its tracked link answers that it is retired, restoring it
// brings the link back; the demo year's queue with its evidence and
// filters) and the requests board (a rep's zero-result search becomes a
// request that a marketer plans and fulfils with an asset; the rep hears
// of it). Each story that writes runs on a server of its own, so the
// shared ones keep the data their stories count on.
import { readFile } from "node:fs/promises";
import { check, demoServer, fileAsset, marketerApi, password, signIn, snap, startServer, watchedPage }
  from "../harness.mjs";

const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const BOARD = "bea.board@e2e.test";

// A bearer token of @email's, made through a session as the app would.
async function tokenOf(origin, email) {
  const s = await fetch(`${origin}/api/v1/session`, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }) });
  check(s.ok, `signing in ${email}: ${s.status}`);
  const cookie = s.headers.get("set-cookie").split(";")[0];
  const t = await fetch(`${origin}/api/v1/tokens`, { method: "POST", body: JSON.stringify({ name: "e2e" }),
    headers: { Cookie: cookie, "Content-Type": "application/json", "X-Requested-With": "e2e" } });
  return (await t.json()).token;
}

// Calls the API with @token; the parsed answer (or an error unless @want).
async function call(origin, token, method, path, body, want = [200, 201]) {
  return marketerApi({ origin, token }, method, path, body, want);
}

// The prospect's own browser (a browser's User-Agent, no cookies of ours).
async function prospectOpens(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, userAgent: BROWSER_UA });
  const page = await context.newPage();
  return { context, page };
}

export const stories = {
  async a_board_member_retires_an_asset_after_confirming_its_link_says_so_and_restore_brings_it_back(browser) {
    const server = await startServer("e2e_board");
    const { origin } = server;
    try {
      await call(origin, server.adminToken, "POST", "/users",
        { email: BOARD, name: "Bea Board", role: "rep", board: true, password }, [201]);
      const text = "Price list 2024\n\nStarter 400 a month, Growth 900 a month.\n";
      const old = await fileAsset(server, { title: "Price list 2024", intent: "sales", stages: ["proposal"],
        description: "Last year's prices." }, "price-list-2024.txt", "text/plain", Buffer.from(text));
      const webinar = await fileAsset(server, { title: "Webinar: the 2023 product tour", kind: "webinar", stages: ["discovery"],
        expires_at: "2025-06-30T00:00:00Z" }, "webinar-2023.txt", "text/plain", Buffer.from("Webinar notes.\n"));
      // A rep sends the price list to a prospect, who has not opened it yet.
      const repToken = await tokenOf(origin, "rep@e2e.test");
      const share = await call(origin, repToken, "POST", "/shares",
        { asset_id: old.id, channel: "email", recipient_email: "cfo@prospect.example" }, [201]);

      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
      await page.goto(`${origin}/app/board`);
      await signIn(page, origin, BOARD);
      await page.getByRole("heading", { name: "Editorial board", level: 1 }).waitFor();
      check(await page.locator("#nav a[aria-current=page]").innerText() === "Board", "the navigation does not mark Board");
      const cards = page.locator(".queue > li");
      await cards.first().waitFor();
      const titles = await page.locator(".queue h2").allInnerTexts();
      check(JSON.stringify(titles) === JSON.stringify(["Webinar: the 2023 product tour", "Price list 2024"]),
        `the queue, oldest problem first: ${JSON.stringify(titles)}`);
      const card = cards.filter({ hasText: "Price list 2024" });
      const said = await card.innerText();
      check(said.includes("Shared 1 time, and no prospect has opened it.") && said.includes("owner: Mark Eting")
        && said.includes("None yet."), `the card says: ${said}`);
      check((await cards.first().innerText()).includes("Expired on"), "the webinar's card does not say it expired");
      await snap(page, "board-queue-1280", { fullPage: true });

      // Retire: Escape first (nothing happens), then confirmed by keyboard.
      const retire = card.getByRole("button", { name: "Retire “Price list 2024”" });
      await retire.focus();
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: "Retire “Price list 2024”?" });
      await dialog.waitFor();
      const warning = await dialog.locator(".warning").innerText();
      check(/tracked links will stop working: its 1 tracked link will answer prospects that the content has been retired/.test(warning),
        `the warning: ${warning}`);
      check(await page.evaluate(() => document.activeElement?.name) === "note", "the dialog does not focus its note");
      await snap(page, "board-retire-confirm-1280");
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      check(await retire.evaluate((b) => b === document.activeElement), "focus did not go back to Retire");
      check((await call(origin, server.token, "GET", `/assets/${old.id}`)).status === "published", "Escape retired it");
      await page.keyboard.press("Enter");
      await dialog.waitFor();
      await page.keyboard.press("Tab");
      await page.keyboard.press("Enter"); // no note: refused beside the field, nothing sent
      await dialog.locator(".error").waitFor();
      check(/note/i.test(await dialog.locator(".error").innerText()), "no error beside an empty note");
      check(await page.evaluate(() => document.activeElement?.name) === "note", "the error does not focus the note");
      await page.keyboard.type("2024 prices: replaced by the 2026 list.");
      await page.keyboard.press("Tab");
      check(await page.evaluate(() => document.activeElement?.textContent) === "Retire it and end its links",
        "Tab from the note does not reach the confirmation");
      const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      check(ring !== "none", `the focused confirmation shows no focus ring (${ring})`);
      const [posted] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"),
        page.keyboard.press("Enter")]);
      check(posted.status() === 201, `the decision answered ${posted.status()}`);
      await page.getByRole("status").filter({ hasText: "Retired: “Price list 2024”." }).waitFor();
      check(await page.locator(".queue h2").count() === 1, "the retired asset is still in the queue");
      const latest = page.locator(".recent li").first();
      check((await latest.innerText()).includes("Retired by Bea Board") && (await latest.innerText()).includes("replaced by the 2026 list"),
        `the latest decision: ${await latest.innerText()}`);
      await latest.getByRole("button", { name: "Restore “Price list 2024”" }).waitFor();
      await snap(page, "board-after-retire-1280", { fullPage: true });

      // Refresh the webinar: its owner is asked for a new edition, and it
      // leaves the queue for the days chosen (shown again on demand).
      await cards.first().getByRole("button", { name: "Refresh “Webinar: the 2023 product tour”" }).click();
      const ask = page.getByRole("dialog", { name: "Refresh “Webinar: the 2023 product tour”?" });
      check((await ask.innerText()).includes("Its owner, Mark Eting, gets a content request"), `the refresh dialog: ${await ask.innerText()}`);
      await ask.getByLabel(/^Note/).fill("Record the 2026 tour.");
      await ask.getByLabel("Out of the queue for (days)").fill("30");
      await ask.getByRole("button", { name: "Ask for a refresh" }).click();
      await page.getByRole("status").filter({ hasText: "Sent for a refresh: “Webinar: the 2023 product tour”. Nothing to review" }).waitFor();
      await page.getByLabel("Also show what the board kept for now").check();
      await page.waitForURL(/snoozed=1/);
      const kept = page.locator(".queue > li", { hasText: "Webinar: the 2023 product tour" });
      await kept.waitFor();
      check(/Kept for now[\s\S]*Sent for a refresh by Bea Board on .*: “Record the 2026 tour\.” Out of the queue until /.test(await kept.innerText()),
        `the kept card: ${await kept.innerText()}`);
      const asked = (await marketerApi(server, "GET", "/requests?status=open")).items;
      check(asked.length === 1 && asked[0].title === "Refresh: Webinar: the 2023 product tour"
        && asked[0].assignee_name === "Mark Eting" && asked[0].refreshes === webinar.id && asked[0].detail === "Record the 2026 tour.",
        `the refresh's request: ${JSON.stringify(asked)}`);

      // The prospect's tracked link now says the content was retired.
      const prospect = await prospectOpens(browser);
      const gone = await prospect.page.goto(share.url);
      check(gone.status() === 410, `the retired link answered ${gone.status()}`);
      const page410 = await prospect.page.locator("body").innerText();
      check(/retired/i.test(page410), `the retired link's page: ${page410}`);
      await prospect.page.screenshot({ path: "build/e2e/board-prospect-retired-link-1280.png" });
      await prospect.context.close();

      // The asset's page: its decisions and its trail; restore from there.
      await page.goto(`${origin}/app/assets/${old.id}`);
      const section = page.locator("section.asset-board");
      await section.waitFor();
      const history = await section.locator("ul.decisions li").allInnerTexts();
      check(history.length === 1 && history[0].startsWith("Retired by Bea Board") && history[0].includes("(published → retired)")
        && history[0].includes("Decided on: 1 share, 0 opens by people"), `the decisions: ${JSON.stringify(history)}`);
      const trail = await section.locator("table.trail tbody tr").allInnerTexts();
      check(trail[0].includes("Bea Board") && trail[0].includes("status: published → retired")
        && trail.at(-1).includes("Created it, published."), `the trail: ${JSON.stringify(trail)}`);
      check((await section.locator(".standing").innerText()).startsWith("Retired"), "the page does not say it is retired");
      await snap(page, "board-asset-retired-1280", { fullPage: true });
      await section.getByRole("button", { name: "Restore “Price list 2024”" }).click();
      const restore = page.getByRole("dialog", { name: "Restore “Price list 2024”?" });
      await restore.getByLabel(/^Note/).fill("Customers on the 2024 contract still need it.");
      await Promise.all([page.waitForEvent("load"), restore.getByRole("button", { name: "Restore it" }).click()]);
      await section.waitFor();
      check((await section.locator("ul.decisions li").first().innerText()).startsWith("Restored by Bea Board"),
        "the restore is not the latest decision");
      check((await section.locator(".standing").innerText()).startsWith("Published"), "the page does not say it is published");

      // The link works again: the prospect gets the file.
      const again = await prospectOpens(browser);
      await again.page.goto(share.url); // the viewer, with its download button
      const [file] = await Promise.all([again.page.waitForEvent("download"),
        again.page.getByRole("link", { name: /^Download / }).click()]);
      const got = (await readFile(await file.path())).toString();
      check(got === text, `the restored link gave: ${got.slice(0, 80)}`);
      await again.context.close();
      await context.close();
      return page.problems();
    } finally {
      await server.stop();
    }
  },

  async the_board_reads_the_demo_years_queue_with_its_evidence_and_filters_it(browser) {
    const { origin } = await demoServer();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/board`);
    await signIn(page, origin, "admin@e2e.test"); // admins see the board
    await page.getByRole("heading", { name: "Editorial board", level: 1 }).waitFor();
    await page.locator(".queue > li").first().waitFor();
    const n = await page.locator(".queue > li").count();
    check(n >= 3, `the demo's queue has ${n} cards`);
    const all = await page.locator(".queue").innerText();
    check(all.includes("Why it is here") && all.includes("Does it move deals?") && all.includes("What reps said"),
      "the cards do not show their evidence");
    await snap(page, "board-demo-1280", { fullPage: true });
    // The demo has an asset that hurts: the reason filter keeps it, in words.
    await page.getByRole("combobox", { name: "Reason" }).selectOption({ label: "Hurts deals" });
    await page.waitForURL(/reason=hurts/);
    await page.waitForFunction(() => [...document.querySelectorAll(".queue > li")].length > 0
      && [...document.querySelectorAll(".queue > li")].every((li) => li.textContent.includes("moved on less often")));
    const verdict = await page.locator(".queue .verdict.hurts").first().innerText();
    check(/^[A-Z][a-z]+: Deals that got it moved on less often\. Of \d+ deals/.test(verdict), `the verdict: ${verdict}`);
    await page.getByRole("combobox", { name: "Reason" }).selectOption("");
    await page.getByRole("combobox", { name: "Stage" }).selectOption({ label: "Evaluation" });
    await page.waitForURL(/^[^?]*\?stage=evaluation$/);
    await page.waitForFunction(() => [...document.querySelectorAll(".queue > li")]
      .every((li) => li.textContent.includes("Evaluation")));
    await context.close();

    const small = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const sp = await watchedPage(small, [/^401 .*\/api\/v1\/me$/]);
    await sp.goto(`${origin}/app/board`);
    await signIn(sp, origin, "admin@e2e.test");
    await sp.locator(".queue > li").first().waitFor();
    const overflow = await sp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `the board is ${overflow} px wider than a 390 px screen`);
    await snap(sp, "board-demo-390", { fullPage: true });
    await small.close();
    return [...page.problems(), ...sp.problems()];
  },

  async a_reps_empty_search_becomes_a_request_that_a_marketer_plans_and_fulfils_and_the_rep_hears_it(browser) {
    const server = await startServer("e2e_requests");
    const { origin } = server;
    try {
      // Other requests, so the board has something in each column.
      const repToken = await tokenOf(origin, "rep@e2e.test");
      const ask = (title, more = {}) => call(origin, repToken, "POST", "/requests", { title, ...more }, [201]);
      const move = (id, body) => marketerApi(server, "PATCH", `/requests/${id}`, body);
      const battle = await ask("Battlecard against Spendwise", { stage: "evaluation", detail: "They undercut us on price." });
      await move(battle.id, { status: "planned" });
      const hotel = await ask("Case study from a hotel group", { stage: "proposal" });
      await move(hotel.id, { status: "in_progress" });
      const spanish = await ask("The ROI guide in Spanish");
      await move(spanish.id, { status: "declined", decline_reason: "No Spanish-speaking market this year." });

      const rep = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const rp = await watchedPage(rep, [/^401 .*\/api\/v1\/me$/]);
      await rp.goto(`${origin}/app/search`);
      await signIn(rp, origin, "rep@e2e.test");
      await rp.waitForURL(/\/app\/search$/);
      await rp.getByRole("searchbox", { name: "Search content" }).fill("renewal playbook for hotels");
      await rp.getByRole("button", { name: "Ask marketing for this" }).click();
      await rp.getByRole("status").filter({ hasText: "Asked." }).waitFor();

      const mkt = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await watchedPage(mkt, [/^401 .*\/api\/v1\/me$/]);
      await page.goto(`${origin}/app/requests`);
      await signIn(page, origin, "marketer@e2e.test");
      await page.getByRole("heading", { name: "Content requests", level: 1 }).waitFor();
      const column = (name) => page.getByRole("region", { name: new RegExp(`^${name} \\(\\d+\\)$`) });
      const wanted = column("Open").locator("li.req", { hasText: "renewal playbook for hotels" });
      await wanted.waitFor();
      check((await wanted.innerText()).includes("Asked by Rita Rep"), `the card: ${await wanted.innerText()}`);
      for (const [name, title] of [["Planned", "Battlecard"], ["In progress", "hotel group"], ["Declined", "Spanish"]])
        check((await column(name).innerText()).includes(title), `the ${name} column lacks ${title}`);
      await snap(page, "requests-board-1280", { fullPage: true });

      // Plan it and take it, by keyboard.
      await wanted.getByRole("button", { name: /^Move or assign/ }).focus();
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: "“renewal playbook for hotels”" });
      await dialog.waitFor();
      check(await page.evaluate(() => document.activeElement?.name) === "status", "the dialog does not focus Status");
      await dialog.getByRole("combobox", { name: "Status" }).selectOption({ label: "Planned" });
      await dialog.getByRole("combobox", { name: "Assigned to" }).selectOption({ label: "Me (Mark Eting)" });
      await dialog.getByRole("button", { name: "Save" }).focus();
      await page.keyboard.press("Enter");
      await page.getByRole("status").filter({ hasText: "is now planned; Rita Rep is told." }).waitFor();
      const planned = column("Planned").locator("li.req", { hasText: "renewal playbook for hotels" });
      check((await planned.innerText()).includes("Assigned to Mark Eting"), `planned: ${await planned.innerText()}`);
      check(await planned.getByRole("button").evaluate((b) => b === document.activeElement),
        "focus is not on the moved card");
      await page.getByRole("combobox", { name: "Show" }).selectOption({ label: "Assigned to me" });
      check(await page.locator("li.req:not([hidden])").count() === 1, "Assigned to me shows others' requests");
      await page.getByRole("combobox", { name: "Show" }).selectOption({ label: "Everyone's" });

      // Marketing makes the asset and fulfils the request with it.
      const made = await fileAsset(server, { title: "Renewal playbook: hotel groups", kind: "guide", stages: ["negotiation"] },
        "renewal-playbook.txt", "text/plain", Buffer.from("Renewing hotel groups, step by step.\n"));
      await planned.getByRole("button", { name: /^Move or assign/ }).click();
      await dialog.getByRole("combobox", { name: "Status" }).selectOption({ label: "Fulfilled" });
      const search = dialog.getByLabel("Search the published library");
      await search.fill("renewal playbook");
      const pick = dialog.getByLabel("Renewal playbook: hotel groups (guide)");
      await pick.waitFor();
      await pick.check();
      await snap(page, "requests-fulfil-dialog-1280");
      await dialog.getByRole("button", { name: "Save" }).click();
      await page.getByRole("status").filter({ hasText: "is now fulfilled" }).waitFor();
      const done = column("Fulfilled").locator("li.req", { hasText: "renewal playbook for hotels" });
      await done.getByRole("link", { name: made.title }).waitFor();
      const stored = (await call(origin, repToken, "GET", "/requests?status=fulfilled")).items;
      check(stored.length === 1 && stored[0].asset_id === made.id, `the fulfilled request: ${JSON.stringify(stored)}`);
      await snap(page, "requests-board-fulfilled-1280", { fullPage: true });

      // The rep's bell has both steps, without a reload; her list says it is fulfilled.
      // Three notes of the other requests' moves came before; these two follow.
      await rp.waitForFunction(() => document.querySelector(".bell .count")?.dataset.unread === "5", null, { timeout: 12000 });
      await rp.getByRole("button", { name: /^Notifications/ }).click();
      const notes = await rp.locator("#bell-list li").allInnerTexts();
      check(notes.some((t) => t.includes("\"renewal playbook for hotels\" is now fulfilled"))
        && notes.some((t) => t.includes("\"renewal playbook for hotels\" is now planned")), `the bell: ${JSON.stringify(notes)}`);
      await snap(rp, "rep-bell-request-fulfilled-1280");
      await rp.getByRole("link", { name: "Requests" }).click();
      const row = rp.getByRole("row", { name: /renewal playbook for hotels/ });
      await row.waitFor();
      check((await row.innerText()).includes("Fulfilled: Renewal playbook: hotel groups"), `the rep's row: ${await row.innerText()}`);
      await row.getByRole("link", { name: made.title }).waitFor();
      await snap(rp, "rep-requests-fulfilled-1280");
      await rep.close();
      await mkt.close();

      const small = await browser.newContext({ viewport: { width: 390, height: 800 } });
      const sp = await watchedPage(small, [/^401 .*\/api\/v1\/me$/]);
      await sp.goto(`${origin}/app/requests`);
      await signIn(sp, origin, "marketer@e2e.test");
      await sp.locator("li.req").first().waitFor();
      const overflow = await sp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 0, `the requests board is ${overflow} px wider than a 390 px screen`);
      await snap(sp, "requests-board-390", { fullPage: true });
      await small.close();
      return [...page.problems(), ...rp.problems(), ...sp.problems()];
    } finally {
      await server.stop();
    }
  },
};
