// What the browser stories share: the server they run against (the real
// binary on a database of its own), pages that record what went wrong,
// signing in, and assets made through the API.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";

const bin = process.env.NEXTSTAGE_BIN;
const base = process.env.NS_PG_URL;
export const shots = "build/e2e";
export const password = "e2e password 123";
mkdirSync(shots, { recursive: true });
mkdirSync("var/e2e", { recursive: true });

// Runs @sql; its output (unaligned, tuples only).
export function psql(url, sql) {
  return execFileSync("psql", [url, "-XAtqc", sql],
    { env: { ...process.env, PGOPTIONS: "-c client_min_messages=warning" } }).toString().trim();
}

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// The real binary on a fresh database @db of the test cluster, with a rep,
// a marketer and an admin (password `password`) and a bearer token each
// for the marketer (token) and the admin (adminToken), and @env on top of
// the environment. stop() ends it.
export async function startServer(db = "e2e", extraEnv = {}) {
  psql(base, `DROP DATABASE IF EXISTS ${db}`);
  psql(base, `CREATE DATABASE ${db}`);
  const url = base.replace("dbname=nextstage", `dbname=${db}`);
  const env = { ...process.env, NEXTSTAGE_DATABASE_URL: url };
  execFileSync(bin, ["migrate"], { env, stdio: "ignore" });
  const users = [["rep@e2e.test", "Rita Rep", "rep"], ["marketer@e2e.test", "Mark Eting", "marketer"],
    ["admin@e2e.test", "Ada Admin", "admin"]];
  for (const [email, name, role] of users)
    execFileSync(bin, ["user", "add", "--email", email, "--name", name, "--role", role],
      { env, input: password + "\n", stdio: ["pipe", "ignore", "ignore"] });
  const tokenOf = (email) => execFileSync(bin, ["token", "create", "--email", email, "--name", "e2e"],
    { env }).toString().trim();
  const token = tokenOf("marketer@e2e.test"), adminToken = tokenOf("admin@e2e.test");
  const port = await freePort();
  const err = openSync(`var/e2e/${db}.stderr`, "w");
  const proc = spawn(bin, ["serve"], {
    env: { ...env, NEXTSTAGE_LISTEN: `127.0.0.1:${port}`, NEXTSTAGE_THREADS: "2",
      NEXTSTAGE_PUBLIC_URL: `http://127.0.0.1:${port}`, ...extraEnv },
    stdio: ["ignore", "ignore", err],
  });
  const origin = `http://127.0.0.1:${port}`;
  const stop = () => new Promise((resolve) => {
    if (proc.exitCode !== null) resolve();
    proc.on("exit", resolve);
    proc.kill("SIGTERM");
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return { proc, origin, url, token, adminToken, stop };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the server did not become healthy");
}

// A page that records what went wrong: console errors and failed requests,
// less those a story says it expects (@expected: regexps over "status url").
export async function watchedPage(context, expected, cutShort = []) {
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
  page.report = (problem) => problems.push(problem);
  page.problems = () => problems.filter((p) => !(p.startsWith("console: Failed to load resource")
    && expected.length));
  return page;
}

export function check(ok, what) {
  if (!ok) throw new Error(what);
}

export async function signIn(page, origin, email) {
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
}

// Calls the API as the marketer (bearer token); the parsed answer, or an
// error unless it answered @want.
export async function marketerApi(server, method, path, body, want = [200, 201]) {
  const init = { method, headers: { Authorization: `Bearer ${server.token}` } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(`${server.origin}/api/v1${path}`, init);
  if (!want.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

// Makes @body an asset through the API as the marketer (JSON: a link asset).
export function asset(server, body) {
  return marketerApi(server, "POST", "/assets",
    { kind: "guide", intent: "educational", status: "published", ...body }, [201]);
}

// Uploads @bytes (@type) as a published asset through the API, as the
// marketer (multipart: a `metadata` JSON part and a `file` part, as the
// library does); @meta adds to or overrides the metadata.
export async function fileAsset(server, meta, filename, type, bytes) {
  const form = new FormData();
  form.append("metadata", new Blob([JSON.stringify({ kind: "guide", intent: "educational",
    status: "published", ...meta })], { type: "application/json" }));
  form.append("file", new Blob([bytes], { type }), filename);
  const r = await fetch(`${server.origin}/api/v1/assets`, { method: "POST",
    headers: { Authorization: `Bearer ${server.token}` }, body: form });
  if (r.status !== 201) throw new Error(`upload: ${r.status} ${await r.text()}`);
  return r.json();
}

// Runs @sql in the e2e database (for what no API does: expiring a session).
export function sql(sqlText) {
  return psql(base.replace("dbname=nextstage", "dbname=e2e"), sqlText);
}

// axe-core (npm), injected into the pages it checks.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

// Saves a screenshot of @page as build/e2e/@name.png and checks the page
// with axe-core: each serious or critical violation of WCAG 2.1 A or AA
// becomes a problem of the story (@page from watchedPage).
export async function snap(page, name, options = {}) {
  await page.screenshot({ path: `${shots}/${name}.png`, ...options });
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(axeSource);
  const { violations } = await page.evaluate(() => window.axe.run(document,
    { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  for (const v of violations.filter((x) => x.impact === "serious" || x.impact === "critical"))
    page.report(`axe on ${name}: ${v.id} (${v.impact}): ${v.help} at `
      + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
}

// A server of its own with the demo loaded (scripts/demo-data.py through
// the API: a library, reps, a fictional year of deals, shares and opens)
// and the verdicts of the default next-stage test stored; loaded once for
// every story that asks for it, stopped by stopDemo().
let demo = null;
export async function demoServer() {
  if (demo) return demo;
  demo = await startServer("e2e_demo");
  execFileSync("python3", ["scripts/demo-data.py", demo.origin, demo.adminToken],
    { stdio: ["ignore", "ignore", "inherit"], timeout: 600000 });
  // The server stores them every 10 minutes; a marketer's request does it now.
  const r = await fetch(`${demo.origin}/api/v1/analytics/stage-test`,
    { headers: { Authorization: `Bearer ${demo.adminToken}` } });
  check(r.ok, `the stage test answered ${r.status}`);
  await r.arrayBuffer();
  return demo;
}

export async function stopDemo() {
  if (demo) await demo.stop();
}
