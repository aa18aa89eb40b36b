// Stories: a prospect reads a tracked PDF in the viewer (/s/{token}), and
// the rep sees what was read. The server is one of this story's own, its
// viewer beaconing every FLUSH_S seconds (NEXTSTAGE_VIEWER_FLUSH_S): the
// rep's page must show the pages and seconds within that delay, and what
// is read just before leaving arrives through the flush at pagehide.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { check, fileAsset, signIn, snap, startServer, watchedPage } from "../harness.mjs";

const FLUSH_S = 4;
// A person's Chromium: the headless one says HeadlessChrome, which the
// bot rules (rightly) take for automation. A context's userAgent is not
// enough: a beacon sent as the page goes away leaves with the browser's
// own, so the prospect's browser is launched with this one.
const PERSON_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
  + "Chrome/120.0.0.0 Safari/537.36";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// guide.pdf of tests/files/make_files.py: a real five-page PDF.
function guidePdf() {
  const dir = mkdtempSync(join(tmpdir(), "ns-viewer-"));
  execFileSync("python3", ["tests/files/make_files.py", dir], { stdio: "ignore" });
  return readFileSync(join(dir, "guide.pdf"));
}

// The server, with the viewer's beacon delay shortened.
async function viewerServer() {
  const saved = process.env.NEXTSTAGE_VIEWER_FLUSH_S;
  process.env.NEXTSTAGE_VIEWER_FLUSH_S = String(FLUSH_S);
  try {
    return await startServer("e2e_viewer");
  } finally {
    if (saved === undefined) delete process.env.NEXTSTAGE_VIEWER_FLUSH_S;
    else process.env.NEXTSTAGE_VIEWER_FLUSH_S = saved;
  }
}

// Calls the API as the rep, signed in on @page (its cookie).
function repApi(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const r = await fetch(`/api/v1${p}`, { method: m, headers: { "Content-Type": "application/json",
      "X-Requested-With": "fetch" }, body: b === undefined ? undefined : JSON.stringify(b) });
    return { status: r.status, body: await r.json() };
  }, [method, path, body]);
}

// Polls the rep's share until @ok(share) holds, for @ms at most.
async function shareOnceRead(page, share, ok, ms) {
  const until = Date.now() + ms;
  for (;;) {
    const { body } = await repApi(page, "GET", `/shares?deal=${share.deal_id}`);
    const s = body.items.find((x) => x.id === share.id);
    if (ok(s) || Date.now() > until) return s;
    await sleep(250);
  }
}

function personBrowser() {
  return chromium.launch({ executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", `--user-agent=${PERSON_UA}`] });
}

// The prospect's viewer of @url in a fresh context (no cookie) of
// @browser, beaconing every @flush seconds (the server's when not given:
// the page as served is changed). The page is watched like the app's.
async function prospect(browser, url, flush, viewport = { width: 1100, height: 900 }) {
  const context = await browser.newContext({ viewport });
  if (flush) {
    await context.route(url, async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace(/data-flush="\d+"/, `data-flush="${flush}"`);
      await route.fulfill({ response, body });
    });
  }
  const page = await watchedPage(context, []);
  await page.goto(url);
  if (await page.locator("#viewer[data-kind=pdf]").count())
    await page.locator('.pdf canvas[data-page="1"]').waitFor({ timeout: 20000 });
  return { context, page };
}

async function nextPage(page, n) {
  await page.getByRole("button", { name: "Next page" }).click();
  await page.locator(`.pdf canvas[data-page="${n}"]`).waitFor({ timeout: 20000 });
}

export const stories = {
  async a_prospect_reads_pages_1_to_3_and_the_rep_sees_pages_and_seconds(browser) {
    const server = await viewerServer();
    const person = await personBrowser();
    const problems = [];
    try {
      const guide = guidePdf();
      const a = await fileAsset(server, { title: "Pricing guide" }, "guide.pdf", "application/pdf", guide);
      // The rep signs in, makes a deal and shares the guide to it.
      const repContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const rep = await watchedPage(repContext, [/^401 .*\/api\/v1\/me$/]);
      await rep.goto(`${server.origin}/app/`);
      await signIn(rep, server.origin, "rep@e2e.test");
      await rep.getByRole("heading", { name: "My deals" }).waitFor();
      const deal = await repApi(rep, "POST", "/deals", { name: "Acme renewal", external_id: "acme-1", stage: "evaluation" });
      check(deal.status === 201, `deal: ${JSON.stringify(deal)}`);
      const made = await repApi(rep, "POST", "/shares", { asset_id: a.id, deal_id: deal.body.id, channel: "email",
        recipient_email: "dana@acme.test" });
      check(made.status === 201, `share: ${JSON.stringify(made)}`);
      const share = made.body;
      execFileSync("psql", [process.env.NS_PG_URL.replace("dbname=nextstage", "dbname=e2e_viewer"), "-XAtqc",
        `UPDATE shares SET created_at = created_at - interval '1 minute' WHERE id = '${share.id}'`]); // out of the burst window

      // A curl open of the same link still gets the bytes.
      const curl = await fetch(share.url, { headers: { "User-Agent": "curl/8.5.0", Accept: "*/*" } });
      const bytes = Buffer.from(await curl.arrayBuffer());
      check(curl.status === 200 && bytes.equals(guide), `curl: ${curl.status}, ${bytes.length} bytes`);

      // The prospect reads pages 1, 2 and 3, about 2.5 s each.
      const { context, page } = await prospect(person, share.url);
      check(await page.getByRole("link", { name: /Download guide\.pdf/ }).isVisible(), "no download button");
      await sleep(2500);
      await nextPage(page, 2);
      await sleep(2500);
      await nextPage(page, 3);
      await snap(page, "prospect-viewer-page-3");
      await sleep(2500);
      // Still reading: within the beacon delay the rep's share has it all.
      const readAt = Date.now();
      const s = await shareOnceRead(rep, share, (x) => x?.read?.pages_viewed === 3
        && x.read.per_page["3"] >= 1.5, (FLUSH_S + 3) * 1000);
      const waited = (Date.now() - readAt) / 1000;
      check(s?.read?.pages_viewed === 3, `after ${waited} s the share says ${JSON.stringify(s?.read)}`);
      const per = s.read.per_page;
      for (const p of ["1", "2", "3"])
        check(per[p] >= 1.5 && per[p] <= 8, `page ${p}: ${per[p]} s in view, want about 2.5`);
      check(s.read.pages === 5 && !("4" in per), `read ${JSON.stringify(s.read)}`);
      check(s.opens === 2 && s.human_opens === 1, `opens ${s.opens}, by people ${s.human_opens} (the viewer and curl)`);

      // The rep's deal page says so, and the notification too.
      await rep.goto(`${server.origin}/app/deals/${deal.body.id}`);
      const line = rep.locator(".shares .read");
      await line.waitFor();
      const text = await line.textContent();
      check(/^read 3 of 5 pages, \d+ s \(page 1: \d+ s, page 2: \d+ s, page 3: \d+ s\)$/.test(text), `the deal page says ${text}`);
      await snap(rep, "prospect-viewer-rep-deal");
      const notes = (await repApi(rep, "GET", "/notifications")).body.items.filter((n) => n.share_id === share.id);
      check(notes.length === 1 && /^dana@acme\.test opened Pricing guide: read 3 of 5 pages, \d+ s$/.test(notes[0].message),
        `notification: ${JSON.stringify(notes.map((n) => n.message))}`);

      // What is read just before leaving arrives through the flush at
      // pagehide: a second view, whose beacons would be due only after
      // 300 s, reads page 5 and leaves.
      const second = await prospect(person, share.url, 300);
      await second.page.locator(".pdf canvas").focus();
      await second.page.keyboard.press("End");
      await second.page.locator('.pdf canvas[data-page="5"]').waitFor();
      await sleep(1200);
      await second.page.goto("about:blank");
      const after = await shareOnceRead(rep, share, (x) => x?.reads?.length === 2, 5000);
      const last = after.reads?.[0];
      check(after.reads?.length === 2 && last.per_page["5"] >= 0.8 && last.per_page["5"] <= 4,
        `after leaving: ${JSON.stringify(after.reads)}`);
      check(after.read.pages_viewed === 4, `read over both views ${JSON.stringify(after.read)}`);
      // A file the page does not show is a card with its download button.
      const callNotes = await fileAsset(server, { title: "Call notes" }, "notes.txt", "text/plain",
        Buffer.from("What the buyer asked on the call.\n".repeat(20)));
      const card = await repApi(rep, "POST", "/shares", { asset_id: callNotes.id, deal_id: deal.body.id, channel: "email" });
      const third = await prospect(person, card.body.url);
      check(await third.page.getByRole("link", { name: /^Download notes\.txt/ }).isVisible()
        && /^notes\.txt cannot be shown in the page: download it to open it\.$/.test(await third.page.locator(".frame").innerText()), "the file's card");
      await snap(third.page, "prospect-viewer-card");
      // On a phone: the page fits the screen, the download button too.
      const phone = await prospect(person, share.url, undefined, { width: 390, height: 800 });
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 0, `the viewer is ${overflow} px wider than a 390 px screen`);
      check(await phone.page.getByRole("link", { name: /^Download guide\.pdf/ }).isVisible(), "no download button on a phone");
      await snap(phone.page, "prospect-viewer-390");
      problems.push(...page.problems(), ...second.page.problems(), ...third.page.problems(), ...phone.page.problems(),
        ...rep.problems());
      await phone.context.close();
      await third.context.close();
      await context.close();
      await second.context.close();
      await repContext.close();
    } finally {
      await person.close();
      await server.stop();
    }
    return problems;
  },
};
