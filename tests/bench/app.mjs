// The web app's speed in a real browser, for scripts/bench.sh (scenarios
// app and app-upload): Debian's Chromium (/usr/bin/chromium, headless)
// driven by playwright-core from tests/e2e/node_modules (never a
// downloaded browser), against a server the bench started.
//
//   node tests/bench/app.mjs page ORIGIN     weight, keystrokes, loads
//   node tests/bench/app.mjs upload ORIGIN FILE
//
// Environment: APP_COOKIE (name=value: the session cookie of POST
// /api/v1/session, as the app's sign-in gets it; the bench signs in
// before, so that no password hash falls in what is measured), APP_KEYS
// (keystrokes measured, default 40), APP_LOADS (page loads of each kind,
// default 7), APP_UPLOAD_TIMEOUT_S (300).
//
// Prints "key value" lines on stdout (times in ms since the page's
// navigation start unless said otherwise), what it does on stderr. Every
// wait has a timeout, so a hang ends the run with an error.
import { createRequire } from "node:module";
import { statSync } from "node:fs";

const require = createRequire(new URL("../e2e/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const [mode, origin, file] = process.argv.slice(2);
const [cookieName, ...cookieValue] = (process.env.APP_COOKIE || "").split("=");
const KEYS = Number(process.env.APP_KEYS || 40);
const LOADS = Number(process.env.APP_LOADS || 7);
const UPLOAD_TIMEOUT_MS = 1000 * Number(process.env.APP_UPLOAD_TIMEOUT_S || 300);
// Words of the bench's 10,000 assets (topics, companies, industries:
// need_search_data in scripts/bench.sh), typed one key at a time.
const PHRASES = ["security", "cloud migration", "acme roi", "healthcare", "zero trust", "pricing"];
// The PDF renderer is not counted in the weight of the search page.
const EXCLUDED = "/app/vendor/pdf/";

const log = (...a) => console.error("app:", ...a);
const out = (k, v) => console.log(`${k} ${typeof v === "number" ? +v.toFixed(2) : v}`);

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN;
}
const median = (xs) => quantile(xs, 0.5);

// A fresh context (its own empty cache), signed in: the session cookie set.
async function signedIn(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: cookieName, value: cookieValue.join("="), url: origin,
    httpOnly: true, sameSite: "Lax" }]);
  return context;
}

// Runs in the page: once the first node of @selector that @ready accepts is
// in the document, the frame after it is painted sets window.__painted
// (requestAnimationFrame, then a message: the task after that frame's
// rendering). Also on the load event when @selector is null.
function paintedWhen({ selector }) {
  const after = () => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { window.__painted = performance.now(); };
    ch.port2.postMessage(null);
  });
  if (!selector) {
    addEventListener("load", after);
    return;
  }
  const mo = new MutationObserver(() => {
    if (!document.querySelector(selector)) return;
    mo.disconnect();
    after();
  });
  mo.observe(document, { childList: true, subtree: true });
}

// Loads @path in a new page of @context, or again in @page (a new document
// in the same tab), until window.__painted.
async function timedLoad(context, path, selector, again = null) {
  const page = again || await context.newPage();
  if (!again) await page.addInitScript(paintedWhen, { selector });
  await page.goto(`${origin}${path}`, { waitUntil: "commit", timeout: 15000 });
  await page.waitForFunction(() => window.__painted !== undefined, null, { timeout: 15000, polling: 50 });
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    return { painted: window.__painted, response: nav?.responseEnd, dcl: nav?.domContentLoadedEventEnd,
      fcp: fcp?.startTime, requests: performance.getEntriesByType("resource").length,
      waterfall: [["document", nav?.requestStart, nav?.responseEnd],
        ...performance.getEntriesByType("resource").map((e) => [e.name.replace(location.origin, ""), e.startTime, e.responseEnd])] };
  });
  return { page, t };
}

// 1. The JS and CSS /app/search loads, as the browser received them.
async function weight(browser) {
  const context = await signedIn(browser);
  const page = await context.newPage();
  const seen = [];
  page.on("requestfinished", (req) => seen.push((async () => {
    const path = new URL(req.url()).pathname;
    const type = req.resourceType();
    if (type !== "script" && type !== "stylesheet" && !/\.(m?js|css)$/.test(path)) return null;
    const res = await req.response();
    const sizes = await req.sizes();
    const body = await res.body().catch(() => Buffer.alloc(0));
    return { path, status: res.status(), wire: sizes.responseBodySize, headers: sizes.responseHeadersSize,
      plain: body.length, encoding: (await res.allHeaders())["content-encoding"] || "identity" };
  })()));
  await page.goto(`${origin}/app/search`, { timeout: 15000 });
  await page.waitForSelector("#view ol.results > li", { timeout: 15000 });
  // Modules a view imports late would come now; the bell polls every 5 s.
  await page.waitForLoadState("networkidle", { timeout: 10000 }).catch(() => log("weight: network not idle"));
  const files = (await Promise.all(seen)).filter(Boolean);
  const counted = files.filter((f) => !f.path.startsWith(EXCLUDED));
  const sum = (fs, k) => fs.reduce((a, f) => a + f[k], 0);
  for (const f of files)
    log(`weight: ${f.path} ${f.status} ${f.encoding} ${f.wire} B on the wire (${f.plain} B)${
      f.path.startsWith(EXCLUDED) ? " excluded" : ""}`);
  out("weight_files", counted.length);
  out("weight_wire_bytes", sum(counted, "wire"));
  out("weight_header_bytes", sum(counted, "headers"));
  out("weight_plain_bytes", sum(counted, "plain"));
  out("weight_not_gzip", counted.filter((f) => f.encoding !== "gzip").map((f) => f.path).join(",") || "none");
  out("weight_not_200", counted.filter((f) => f.status !== 200).length);
  out("weight_excluded_bytes", sum(files.filter((f) => f.path.startsWith(EXCLUDED)), "wire"));
  return { context, page };
}

// In the page: marks the keydown that starts a measurement and the frame
// after the results list (ol.results) next changes.
function instrumentSearch() {
  const b = { armed: false, t0: null, changed: null, painted: null };
  window.__bench = b;
  performance.setResourceTimingBufferSize(10000);
  document.addEventListener("keydown", (e) => { if (b.armed && b.t0 === null) b.t0 = e.timeStamp; }, true);
  new MutationObserver(() => {
    if (!b.armed || b.changed !== null) return;
    b.changed = performance.now();
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { b.painted = performance.now(); };
      ch.port2.postMessage(null);
    });
  }).observe(document.querySelector("#view ol.results"), { childList: true });
}

function arm() {
  Object.assign(window.__bench, { armed: true, t0: null, changed: null, painted: null });
  performance.clearResourceTimings();
}

function harvest() {
  const b = window.__bench;
  b.armed = false;
  const search = performance.getEntriesByType("resource").filter((e) => /\/api\/v1\/assets(\?|$)/.test(e.name));
  const r = search[search.length - 1];
  const status = document.querySelector("#view p[aria-live]")?.textContent || "";
  return { t0: b.t0, changed: b.changed, painted: b.painted, requests: search.length,
    start: r?.startTime, end: r?.responseEnd, url: r?.name, total: parseInt(status, 10) };
}

// One change of the search box (a key, or clearing it), until painted.
async function change(page, act) {
  await page.evaluate(arm);
  await act();
  await page.waitForFunction(() => window.__bench.painted !== null, null, { timeout: 5000, polling: 20 });
  return page.evaluate(harvest);
}

// 2. Keystroke to results painted, and the API's latency for the same requests.
async function keystrokes(context, page) {
  await page.evaluate(instrumentSearch);
  const box = page.locator("#view input[type=search]");
  await box.focus();
  const keys = [];
  for (const phrase of PHRASES) {
    if (keys.length >= KEYS) break;
    if (await box.inputValue()) await change(page, () => box.fill(""));
    for (const ch of phrase) {
      if (keys.length >= KEYS) break;
      const k = await change(page, () => page.keyboard.press(ch === " " ? "Space" : ch));
      if (k.t0 === null || k.requests !== 1) throw new Error(`key ${ch}: ${JSON.stringify(k)}`);
      keys.push(k);
    }
  }
  const total = keys.map((k) => k.painted - k.t0);
  log(`keys: ${keys.map((k, i) => `${decodeURIComponent(new URL(k.url).search)}=${total[i].toFixed(0)}ms/${k.total}`).join(" ")}`);
  out("keys", keys.length);
  out("keys_with_results", keys.filter((k) => k.total > 0).length);
  out("key_median_ms", median(total));
  out("key_p95_ms", quantile(total, 0.95));
  out("key_max_ms", Math.max(...total));
  out("key_wait_median_ms", median(keys.map((k) => k.start - k.t0)));  // the debounce, mostly
  out("key_fetch_median_ms", median(keys.map((k) => k.end - k.start))); // in the browser
  out("key_render_median_ms", median(keys.map((k) => k.painted - k.end)));
  out("key_from_fetch_median_ms", median(keys.map((k) => k.painted - k.start)));
  out("key_from_fetch_p95_ms", quantile(keys.map((k) => k.painted - k.start), 0.95));

  // The reference: the same requests from node (keep-alive, the page's
  // cookie), each three times after one unmeasured, the median of each.
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const headers = { Cookie: cookie, "X-Requested-With": "nextstage-app", "Accept-Encoding": "gzip" };
  const api = [], first = [];
  for (const k of keys) {
    const runs = [];
    for (let i = 0; i < 4; i++) {
      const t = performance.now();
      const r = await fetch(k.url, { headers, signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`reference: ${k.url}: HTTP ${r.status}`);
      (i ? runs : first).push(performance.now() - t);
    }
    api.push(median(runs));
  }
  out("api_median_ms", median(api));
  out("api_p95_ms", quantile(api, 0.95));
  out("api_first_median_ms", median(first));
}

// 3. /app/ signed in: cold (a fresh context each time) and warm (again in
// the same tab); the reference, a fresh context loading /healthz.
async function loads(browser) {
  // The deals view's content: its table, or the sentence saying there is none.
  const content = "#view > h1 ~ table, #view > h1 + p";
  const cold = [], warm = [], floor = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await signedIn(browser);
    const { t } = await timedLoad(context, "/healthz", null);
    floor.push(t.painted);
    await context.close();
  }
  let detail = null;
  for (let i = 0; i < LOADS; i++) {
    const context = await signedIn(browser);
    const { t } = await timedLoad(context, "/app/", content);
    cold.push(t.painted);
    detail = t;
    await context.close();
  }
  // Warm: one tab, its first load not counted, then LOADS more in it.
  const context = await signedIn(browser);
  const { page } = await timedLoad(context, "/app/", content);
  let warmDetail = null;
  for (let i = 0; i < LOADS; i++) {
    const { t } = await timedLoad(context, "/app/", content, page);
    warm.push(t.painted);
    warmDetail = t;
  }
  const rows = await page.locator("#view table tbody tr").count();
  await context.close();
  for (const [what, d] of [["cold", detail], ["warm", warmDetail]])
    log(`loads: the last ${what} one: ${d.waterfall.map(([n, a, b]) => `${n} ${Math.round(a)}-${Math.round(b)}`).join(", ")
    }, painted ${Math.round(d.painted)}`);
  log(`loads: floor ${floor.map(Math.round)} cold ${cold.map(Math.round)} warm ${warm.map(Math.round)}`);
  out("load_floor_ms", median(floor));
  out("load_cold_ms", median(cold));
  out("load_cold_max_ms", Math.max(...cold));
  out("load_warm_ms", median(warm));
  out("load_runs", `${cold.length}/${warm.length}`);
  out("load_rows", rows);
  out("load_last_response_ms", detail.response);
  out("load_last_dcl_ms", detail.dcl);
  out("load_last_fcp_ms", detail.fcp ?? "-");
  out("load_last_requests", detail.requests);
}

// In the page: long tasks, a 50 ms heartbeat's worst delay and the upload's
// progress, from the file input's change until its row has no Cancel button.
function instrumentUpload() {
  const b = { t0: null, done: null, first: null, progress: 0, beatMax: 0, tasks: [], text: "" };
  window.__bench = b;
  new PerformanceObserver((l) => { for (const e of l.getEntries()) b.tasks.push([e.startTime, e.duration]); })
    .observe({ type: "longtask", buffered: true });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (b.t0 !== null && b.done === null) b.beatMax = Math.max(b.beatMax, now - last - 50);
    last = now;
  }, 50);
  document.querySelector("input[type=file]").addEventListener("change", () => { b.t0 = performance.now(); }, true);
  const list = document.querySelector("#view ul.uploads");
  new MutationObserver((records) => {
    for (const r of records) if (r.type === "attributes" && r.target.localName === "progress") {
      b.progress++;
      if (b.first === null) b.first = performance.now();
    }
    const li = list.querySelector("li");
    if (b.done === null && li && !li.querySelector("button")) {
      b.done = performance.now();
      b.text = li.lastElementChild?.textContent || "";
    }
  }).observe(list, { childList: true, subtree: true, attributes: true, attributeFilter: ["value"] });
}

// 4. A file uploaded from /app/library (the marketer's), as a person picks it.
async function upload(browser) {
  const bytes = statSync(file).size;
  const context = await signedIn(browser);
  const page = await context.newPage();
  await page.goto(`${origin}/app/library`, { timeout: 15000 });
  await page.waitForSelector("#view section h2", { timeout: 15000 });
  await page.evaluate(instrumentUpload);
  log(`upload: ${bytes} bytes from ${file}`);
  await page.setInputFiles("input[type=file]", file, { timeout: 30000 });
  await page.waitForFunction(() => window.__bench.done !== null, null, { timeout: UPLOAD_TIMEOUT_MS, polling: 250 });
  await page.waitForTimeout(1000); // the list that follows the upload, in the tasks too
  const b = await page.evaluate(() => window.__bench);
  await context.close();
  if (!b.text.startsWith("uploaded")) throw new Error(`upload: the row says "${b.text}"`);
  const during = b.tasks.filter(([s]) => s >= b.t0 && s <= b.done);
  const after = b.tasks.filter(([s]) => s > b.done);
  const s = (b.done - b.t0) / 1000;
  out("upload_bytes", bytes);
  out("upload_s", s);
  out("upload_mibps", bytes / 1048576 / s);
  out("upload_first_progress_ms", b.first - b.t0);
  out("upload_progress_events", b.progress);
  out("upload_longtasks", during.length);
  out("upload_longest_ms", Math.max(0, ...during.map(([, d]) => d)));
  out("upload_after_longest_ms", Math.max(0, ...after.map(([, d]) => d)));
  out("upload_heartbeat_max_ms", b.beatMax);
}

if (!cookieName || !cookieValue.length) throw new Error("APP_COOKIE (name=value) is not set");
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  timeout: 30000,
});
// Each part on its own: one that fails leaves the others' figures.
let rc = 0;
async function part(name, f) {
  try {
    await f();
  } catch (e) {
    log(`${name}: ${e.stack || e}`);
    rc = 1;
  }
}
try {
  if (mode === "page") {
    await part("weight and keystrokes", async () => {
      const { context, page } = await weight(browser);
      await keystrokes(context, page);
      await context.close();
    });
    await part("loads", () => loads(browser));
  } else if (mode === "upload") {
    await part("upload", () => upload(browser));
  } else {
    log("usage: app.mjs page|upload ORIGIN [FILE]");
    rc = 2;
  }
} finally {
  await browser.close();
}
process.exit(rc);
