// Browser tier: the web app in a real Chromium (Debian's /usr/bin/chromium
// driven by playwright-core, never a downloaded browser) against the real
// binary ($NEXTSTAGE_BIN) and a database of its own in the test cluster
// ($NS_PG_URL). Prints "ok - e2e::story" / "not ok - e2e::story" lines; a
// story fails on any console error or failed request it did not expect.
// Screenshots go to build/e2e/ (look at them).
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { chromium } from "playwright-core";

const bin = process.env.NEXTSTAGE_BIN;
const base = process.env.NS_PG_URL;
const shots = "build/e2e";
const password = "e2e password 123";
mkdirSync(shots, { recursive: true });
mkdirSync("var/e2e", { recursive: true });

function psql(url, sql) {
  execFileSync("psql", [url, "-Xqc", sql], { env: { ...process.env, PGOPTIONS: "-c client_min_messages=warning" } });
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer() {
  psql(base, "DROP DATABASE IF EXISTS e2e");
  psql(base, "CREATE DATABASE e2e");
  const url = base.replace("dbname=nextstage", "dbname=e2e");
  const env = { ...process.env, NEXTSTAGE_DATABASE_URL: url };
  execFileSync(bin, ["migrate"], { env, stdio: "ignore" });
  const users = [["rep@e2e.test", "Rita Rep", "rep"], ["marketer@e2e.test", "Mark Eting", "marketer"]];
  for (const [email, name, role] of users)
    execFileSync(bin, ["user", "add", "--email", email, "--name", name, "--role", role],
      { env, input: password + "\n", stdio: ["pipe", "ignore", "ignore"] });
  const token = execFileSync(bin, ["token", "create", "--email", "marketer@e2e.test", "--name", "e2e"],
    { env }).toString().trim();
  const port = await freePort();
  const err = openSync("var/e2e/server.stderr", "w");
  const proc = spawn(bin, ["serve"], {
    env: { ...env, NEXTSTAGE_LISTEN: `127.0.0.1:${port}`, NEXTSTAGE_THREADS: "2",
      NEXTSTAGE_PUBLIC_URL: `http://127.0.0.1:${port}` },
    stdio: ["ignore", "ignore", err],
  });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return { proc, origin, token };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the server did not become healthy");
}

// A page that records what went wrong: console errors and failed requests,
// less those a story says it expects (@expected: regexps over "status url").
async function watchedPage(context, expected, cutShort = []) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    // A GET cut short because the page moved on (the bell's poll at a
    // navigation) is no failure a person sees; anything else is.
    const aborted = r.failure()?.errorText === "net::ERR_ABORTED";
    if (aborted && (r.method() === "GET" || cutShort.some((re) => re.test(`${r.method()} ${r.url()}`)))) return;
    problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    const line = `${r.status()} ${r.url()}`;
    if (r.status() >= 400 && !expected.some((re) => re.test(line))) problems.push(`HTTP ${line}`);
  });
  page.problems = () => problems.filter((p) => !(p.startsWith("console: Failed to load resource")
    && expected.length));
  return page;
}

function check(ok, what) {
  if (!ok) throw new Error(what);
}

async function signIn(page, origin, email) {
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
}

// Makes @body an asset through the API as the marketer (JSON: a link asset).
async function asset(server, body) {
  const r = await fetch(`${server.origin}/api/v1/assets`, {
    method: "POST", headers: { Authorization: `Bearer ${server.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ kind: "guide", intent: "educational", status: "published", ...body }) });
  if (r.status !== 201) throw new Error(`asset: ${r.status} ${await r.text()}`);
  return r.json();
}

const stories = {
  async a_marketer_uploads_three_files_publishes_one_and_a_rep_finds_it(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/library`);
    await signIn(page, origin, "marketer@e2e.test");
    await page.waitForURL(/\/app\/library$/);
    const text = (s) => Buffer.from(s.repeat(2000));
    await page.setInputFiles("input[type=file]", [
      { name: "objection-handling-notes.txt", mimeType: "text/plain", buffer: text("Pricing objections and answers. ") },
      { name: "renewal-checklist.md", mimeType: "text/markdown", buffer: text("# Renewal checklist\n- confirm usage\n") },
      { name: "pipeline-export.csv", mimeType: "text/csv", buffer: text("deal,stage\nacme,proposal\n") }]);
    await page.waitForFunction(() => document.querySelectorAll(".uploads a").length === 3, null, { timeout: 20000 });
    const bars = await page.evaluate(() => [...document.querySelectorAll(".uploads progress")].map((p) => p.value === p.max));
    check(bars.length === 3 && bars.every(Boolean), `progress bars ${JSON.stringify(bars)}`);
    await page.getByRole("heading", { name: "3 assets" }).waitFor(); // the list follows the uploads
    await page.screenshot({ path: `${shots}/marketer-uploads-1280.png` });
    await page.locator(".uploads li", { hasText: "renewal-checklist.md" }).getByRole("link").click();
    await page.getByRole("heading", { name: "renewal checklist" }).waitFor();
    await page.getByLabel("Status").selectOption("published");
    await page.getByLabel("Evaluation").check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForFunction(() => document.querySelector("select[name=status]")?.value === "published");
    await context.close();
    const rep = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const rp = await watchedPage(rep, [/^401 .*\/api\/v1\/me$/]);
    await rp.goto(`${origin}/app/search?q=renewal`);
    await signIn(rp, origin, "rep@e2e.test");
    await rp.getByRole("link", { name: "renewal checklist" }).waitFor();
    const boxWidth = await rp.getByRole("searchbox", { name: "Search content" }).evaluate((e) => e.offsetWidth);
    check(boxWidth > 200, `the search box is ${boxWidth} px wide at 390 px`);
    await rp.screenshot({ path: `${shots}/rep-finds-upload-390.png` });
    await rp.goto(`${origin}/app/library`);
    await rp.getByRole("heading", { name: "Library" }).waitFor();
    const said = await rp.locator("main").innerText();
    check(said.includes("managed by marketing") && !(await rp.locator("input[type=file]").count()),
      `a rep at /app/library sees: ${said}`);
    check(!(await rp.locator("#nav").innerText()).includes("Library"), "a rep's navigation shows the library");
    await rep.close();
    return [...page.problems(), ...rp.problems()];
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
    await page.screenshot({ path: `${shots}/rep-share-1280.png` });
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
    await page.screenshot({ path: `${shots}/rep-bell-1280.png` });
    await page.goto(`${origin}/app/deals/${deal.id}`);
    const share = page.locator(".shares li").first();
    await share.waitFor();
    const text = await share.innerText();
    check(text.includes(a.title) && text.includes("opened 1 time by people"), `the deal's share: ${text}`);
    await page.screenshot({ path: `${shots}/rep-deal-shared-1280.png` });
    await context.close();
    return page.problems();
  },

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
    await page.screenshot({ path: `${shots}/rep-search-1280.png` });
    await box.fill("zzqx renewal playbook");
    await page.getByRole("button", { name: "Ask marketing for this" }).click();
    await page.getByRole("status").waitFor();
    const asked = await page.evaluate(async () => (await (await fetch("/api/v1/requests")).json()).items);
    check(asked.some((q) => q.title === "zzqx renewal playbook" && q.stage === "evaluation"),
      `the rep's requests: ${JSON.stringify(asked)}`);
    await page.screenshot({ path: `${shots}/rep-search-ask-1280.png` });
    await page.getByRole("link", { name: "Requests" }).click();
    const row = page.getByRole("row", { name: /zzqx renewal playbook/ });
    await row.waitFor();
    check(/Evaluation.*Open/.test(await row.innerText()), `the request's row: ${await row.innerText()}`);
    await page.screenshot({ path: `${shots}/rep-requests-1280.png` });
    await context.close();
    return page.problems();
  },

  async a_rep_signs_in_sees_no_library_and_signs_out(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    // Chromium now and then reports the sign-out's DELETE as aborted by the
    // navigation that follows it; the check of /me below proves it was done.
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/], [/^DELETE .*\/api\/v1\/session$/]);
    await page.goto(`${origin}/app/`);
    await page.waitForURL(/\/app\/sign-in\?next=%2Fapp%2F$/);
    await page.screenshot({ path: `${shots}/sign-in-390.png` });
    await signIn(page, origin, "rep@e2e.test");
    await page.waitForURL(`${origin}/app/`);
    await page.getByRole("heading", { name: "My deals" }).waitFor();
    const nav = await page.locator("#nav").innerText();
    check(nav.includes("My deals") && !nav.includes("Library") && !nav.includes("Board"),
      `a rep's navigation: ${JSON.stringify(nav)}`);
    // A deal of the rep's, as the CRM would have made it: listed, and its page.
    const made = await page.evaluate(async () => {
      const r = await fetch("/api/v1/deals", { method: "POST", headers: {
        "Content-Type": "application/json", "X-Requested-With": "e2e" },
        body: JSON.stringify({ name: "Initech — invoice capture", account: "Initech", stage: "discovery", amount: 36000 }) });
      await r.json(); // read it all before the reload
      return r.status;
    });
    check(made === 201, `creating the rep's deal answered ${made}`);
    await page.reload();
    const row = page.getByRole("row", { name: /Initech — invoice capture/ });
    await row.waitFor();
    check((await row.innerText()).includes("Discovery"), `the row: ${await row.innerText()}`);
    await page.screenshot({ path: `${shots}/rep-deals-390.png` });
    await page.getByRole("link", { name: "Initech — invoice capture" }).click();
    await page.getByRole("heading", { name: "Initech — invoice capture" }).waitFor();
    const history = await page.locator(".timeline").innerText();
    check(history.includes("Discovery"), `the deal's history: ${history}`);
    await page.screenshot({ path: `${shots}/rep-deal-390.png` });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/app\/sign-in$/);
    const me = await page.evaluate(async () => (await fetch("/api/v1/me")).status);
    check(me === 401, `after sign-out /me answered ${me}`);
    await context.close();
    return page.problems();
  },

  async a_wrong_password_is_said_beside_the_form(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/(me|session)$/]);
    await page.goto(`${origin}/app/sign-in`);
    await page.fill("input[name=email]", "rep@e2e.test");
    await page.fill("input[name=password]", "not the password");
    await page.click("button[type=submit]");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    check(/password/i.test(await alert.innerText()), `the message: ${await alert.innerText()}`);
    check(page.url().endsWith("/app/sign-in"), `moved to ${page.url()}`);
    await page.screenshot({ path: `${shots}/sign-in-wrong-1280.png` });
    await context.close();
    return page.problems();
  },

  async a_deep_link_comes_back_after_sign_in_and_a_marketer_sees_the_library(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await watchedPage(context, [/^401 .*\/api\/v1\/me$/]);
    await page.goto(`${origin}/app/library`);
    await page.waitForURL(/\/app\/sign-in\?next=%2Fapp%2Flibrary$/);
    await signIn(page, origin, "marketer@e2e.test");
    await page.waitForURL(`${origin}/app/library`);
    await page.getByRole("heading", { name: "Library" }).waitFor(); // the view, not only its URL
    const nav = await page.locator("#nav").innerText();
    check(nav.includes("Library"), `a marketer's navigation: ${JSON.stringify(nav)}`);
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.tagName);
    check(["A", "BUTTON", "INPUT", "SELECT", "TEXTAREA"].includes(focused), `Tab reached ${focused}, no control`);
    await page.screenshot({ path: `${shots}/marketer-library-1280.png` });
    await context.close();
    return page.problems();
  },
};

const server = await startServer();
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = 0;
try {
  for (const [name, story] of Object.entries(stories)) {
    const t0 = Date.now();
    try {
      const problems = await story(browser, server.origin, server);
      if (problems.length) throw new Error(`unexpected: ${problems.join("; ")}`);
      console.log(`ok - e2e::${name} # ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    } catch (e) {
      failed++;
      console.log(`not ok - e2e::${name}`);
      for (const line of String(e.stack || e).split("\n").slice(0, 8)) console.log(`  # ${line}`);
    }
  }
} finally {
  await browser.close();
  server.proc.kill("SIGTERM");
  await new Promise((r) => server.proc.on("exit", r));
}
process.exit(failed ? 1 : 0);
