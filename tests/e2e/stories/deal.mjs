// Stories: a rep working a deal, on the demo's fictional year of sales
// (scripts/demo-data.py, loaded through the API into a server of its own):
// what to send next, sharing it from the deal, moving the deal on.
import { check, demoServer, signIn, snap, watchedPage } from "../harness.mjs";

const REP = "maya.okafor@ledgerline.example";
const REP_PASSWORD = "demo rep password"; // scripts/demo_history.py

async function signInAt(page, origin, path) {
  await page.goto(`${origin}/app/sign-in?next=${encodeURIComponent(path)}`);
  await page.fill("input[name=email]", REP);
  await page.fill("input[name=password]", REP_PASSWORD);
  await page.click("button[type=submit]");
}

export const stories = {
  async a_marketer_finds_a_deal_among_the_demos_300_by_its_crm_id_and_filters_by_stage_and_owner(browser) {
    const { origin } = await demoServer();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/`);
    await signIn(page, origin, "marketer@e2e.test");
    await page.getByRole("heading", { name: "Deals", level: 1 }).waitFor();
    const rows = page.locator("table.list tbody tr");
    await rows.first().waitFor();
    check(await rows.count() === 200, `the first page has ${await rows.count()} deals`);
    const status = page.getByRole("status");
    check(/^The 200 newest deals, open ones first: more are older\.$/.test(await status.innerText()), `the status: ${await status.innerText()}`);
    await page.getByRole("button", { name: "Show 200 more" }).click();
    await page.waitForFunction(() => document.querySelectorAll("table.list tbody tr").length > 200);
    const all = await rows.count();
    check(all >= 300 && await page.getByRole("button", { name: "Show 200 more" }).isHidden(), `after more: ${all} deals, and a button to show more`);
    check(/^\d+ deals, open ones first\.$/.test(await status.innerText()), `the status after more: ${await status.innerText()}`);

    // The CRM id, pasted whole, finds its deal alone.
    const wanted = await page.evaluate(async () => (await (await fetch("/api/v1/deals?limit=1&q=demo-0042")).json()).items[0]);
    check(wanted?.external_id === "demo-0042", "the demo has no deal demo-0042");
    await page.getByLabel("Name, account or CRM id").fill("demo-0042");
    await page.getByRole("button", { name: "Find" }).click();
    await page.waitForURL(/\/app\/\?q=demo-0042$/);
    await page.waitForFunction(() => document.querySelectorAll("table.list tbody tr").length === 1);
    check((await rows.first().innerText()).startsWith(wanted.name), `the row found: ${await rows.first().innerText()}`);
    check(await status.innerText() === "1 matching deal.", `the status: ${await status.innerText()}`);
    await snap(page, "marketer-deals-found-1280", { fullPage: true });

    // Words of the account; then a stage; the address keeps them all.
    await page.getByLabel("Name, account or CRM id").fill("");
    await page.getByLabel("Stage").selectOption({ label: "Closed lost" });
    await page.waitForURL(/\?stage=closed_lost$/);
    await page.waitForFunction(() => {
      const r = [...document.querySelectorAll("table.list tbody tr")];
      return r.length > 0 && r.every((tr) => tr.cells[2].textContent === "Closed lost");
    });
    await page.getByLabel("Owner").selectOption({ label: "Mine" });
    await page.waitForURL(/\?stage=closed_lost&owner=me$/);
    await page.getByText("No deal matches.").waitFor(); // the marketer owns none
    check(await page.locator("table.list").isHidden(), "an empty table is shown");
    await page.reload();
    await page.getByText("No deal matches.").waitFor();
    check(await page.getByLabel("Stage").inputValue() === "closed_lost" && await page.getByLabel("Owner").inputValue() === "me",
      "the filters were lost on reload");

    // Sharing from an asset's page: past the newest 200, the deal is found by a search.
    const asset = await page.evaluate(async () =>
      (await (await fetch("/api/v1/assets?status=published&limit=1")).json()).items[0]);
    await page.goto(`${origin}/app/assets/${asset.id}`);
    const form = page.locator("form.share");
    await form.getByLabel("Find a deal (name, account or CRM id)").fill("demo-0042");
    await page.keyboard.press("Enter"); // searches, shares nothing
    await page.waitForFunction((id) => document.querySelector("form.share select[name=deal_id]").value === id, wanted.id);
    check(await form.getByLabel("Tracked link").count() === 0, "Enter in the deal search made a share");
    await form.getByRole("button", { name: "Get a tracked link" }).click();
    await form.getByLabel("Tracked link").waitFor();
    await snap(page, "marketer-share-found-deal-1280");
    const shares = await page.evaluate(async (id) => (await (await fetch(`/api/v1/shares?deal=${id}`)).json()).items, wanted.id);
    check(shares.some((s) => s.asset_id === asset.id), `the share did not go to deal demo-0042: ${JSON.stringify(shares).slice(0, 300)}`);
    await context.close();
    return page.problems();
  },

  async a_rep_shares_what_a_deal_needs_next_from_its_page_and_moves_it_on(browser) {
    const { origin } = await demoServer();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await signInAt(page, origin, "/app/");
    await page.getByRole("heading", { name: "My deals" }).waitFor();
    // One of her open deals whose first recommendation is proven.
    const target = await page.evaluate(async () => {
      const get = async (p) => (await fetch(`/api/v1${p}`)).json();
      for (const d of (await get("/deals?limit=200")).items) {
        if (!["discovery", "evaluation"].includes(d.stage)) continue;
        const recs = (await get(`/deals/${d.id}/recommendations?limit=6`)).items;
        if (recs[0]?.evidence === "proven" && recs.some((r) => r.evidence === "untested")) return { deal: d, recs };
      }
      return null;
    });
    check(target, "no open deal of the rep's has a proven recommendation and an untested one");
    await page.locator(`#view a[href="/app/deals/${target.deal.id}"]`).click(); // names may repeat
    await page.getByRole("heading", { name: target.deal.name, level: 1 }).waitFor();
    const cards = page.locator(".recs .rec");
    await cards.first().waitFor();
    const first = await cards.first().innerText();
    check(first.startsWith("Proven") && first.includes(target.recs[0].title) && first.includes("Moves deals on."),
      `the first recommendation: ${first}`);
    const untested = page.locator(".recs .rec.untested").first();
    check((await untested.innerText()).startsWith("New: not proven yet"), `the untested slot: ${await untested.innerText()}`);
    await snap(page, "rep-deal-recommended-1280", { fullPage: true });

    // Share the proven one from here.
    await cards.first().getByRole("button", { name: "Share to this deal" }).click();
    const form = cards.first().locator("form.share");
    await form.getByLabel("Recipient (optional)").fill("cfo@prospect.example");
    await form.getByRole("button", { name: "Get a tracked link" }).click();
    const link = form.getByLabel("Tracked link");
    await link.waitFor();
    check(/\/s\/[A-Za-z0-9_-]{40,}$/.test(await link.inputValue()), `the tracked link ${await link.inputValue()}`);
    await form.getByRole("button", { name: "Copy link" }).click();
    check(await page.evaluate(() => navigator.clipboard.readText()) === await link.inputValue(), "the link was not copied");
    const shared = page.locator(".shares li", { hasText: target.recs[0].title });
    await shared.waitFor();
    check(/ · (v\d+|link) · email · /.test(await shared.innerText()), `the share's line: ${await shared.innerText()}`);
    await snap(page, "rep-deal-shared-from-deal-1280", { fullPage: true });

    // Move the deal to the next stage; its history and what to send follow.
    const next = target.deal.stage === "discovery" ? "Evaluation" : "Proposal";
    await page.locator("form.move").getByLabel("Stage").selectOption({ label: next });
    await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "Move the deal" }).click()]);
    await page.getByRole("heading", { name: `What to send next (${next})` }).waitFor();
    const history = await page.locator(".timeline li").last().innerText();
    check(history.endsWith(`→ ${next}`), `the last entry of the history: ${history}`);
    check((await page.locator(".facts").innerText()).includes(next), "the deal's facts do not say its new stage");
    await context.close();

    const small = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const sp = await watchedPage(small, [/^401 .*\/api\/v1\/me$/]);
    await signInAt(sp, origin, `/app/deals/${target.deal.id}`);
    await sp.getByRole("heading", { name: target.deal.name, level: 1 }).waitFor();
    await sp.locator(".recs .rec").first().waitFor();
    const overflow = await sp.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `the deal page is ${overflow} px wider than a 390 px screen`);
    await snap(sp, "rep-deal-demo-390", { fullPage: true });
    await small.close();
    return [...page.problems(), ...sp.problems()];
  },

  async a_rep_reads_the_battlecard_before_a_call_but_cannot_send_it_to_the_prospect(browser) {
    const { origin } = await demoServer();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/, /^409 .*\/api\/v1\/shares$/]);
    await signInAt(page, origin, "/app/search?q=tallyforge");
    const result = page.locator(".result", { hasText: "vs. Tallyforge" }).first();
    await result.waitFor();
    check(await result.locator("h2 .badge.internal").innerText() === "Internal", "the result is not marked internal");
    await result.locator("a").first().click();
    await page.getByRole("heading", { level: 1, name: /vs\. Tallyforge$/ }).waitFor();
    const note = page.locator(".internal-note");
    await note.waitFor();
    check(/^Internal\s+For the team only/.test(await note.innerText()), `the note: ${await note.innerText()}`);
    check(await page.locator("form.share").count() === 0, "an internal asset offers a tracked link");
    check(/never sent to a prospect/.test(await page.locator(".two").innerText()), "no word on why it can't be shared");
    await snap(page, "rep-internal-battlecard-1280", { fullPage: true });
    // The API says the same to a rep who tries anyway.
    const refused = await page.evaluate(async () => {
      const id = location.pathname.split("/").pop();
      const r = await fetch("/api/v1/shares", { method: "POST", headers: { "Content-Type": "application/json",
        "X-Requested-With": "fetch" }, body: JSON.stringify({ asset_id: id, channel: "email" }) });
      return [r.status, (await r.json()).code];
    });
    check(refused[0] === 409 && refused[1] === "internal_only", `sharing it anyway: ${refused}`);
    return page.problems();
  },
};
