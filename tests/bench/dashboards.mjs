// How long each dashboard takes to be painted after a navigation, in
// Debian's Chromium (playwright-core from tests/e2e's lock file; never a
// downloaded browser), against a running server: from the navigation's
// start (performance.timeOrigin) to the first frame where the page shows
// its chart (or, for coverage, its matrix). make bench runs it on its
// analytics data set (scripts/bench.sh, bench_analytics).
//
//   node tests/bench/dashboards.mjs ORIGIN EMAIL PASSWORD [RUNS]
//   e.g. after make run (the demo's admin and data):
//   node tests/bench/dashboards.mjs http://127.0.0.1:8080 admin@example.com \
//        "$(cut -d' ' -f2 var/demo-login.txt)" 10
//
// Prints one line per dashboard, "KEY MEDIAN P90 WORST": the key
// (dash-stage-test, dash-usage, dash-coverage, dash-unused) and the median,
// p90 and worst of RUNS loads (default 10) after one warm-up load, in ms.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [origin, email, password, runsArg] = process.argv.slice(2);
if (!origin || !email || !password) {
  console.error("usage: node tests/bench/dashboards.mjs ORIGIN EMAIL PASSWORD [RUNS]");
  process.exit(2);
}
const runs = Number(runsArg || 10);
const require = createRequire(new URL("../e2e/package.json", import.meta.url));
const playwright = await import(require.resolve("playwright-core"));
const { chromium } = playwright.chromium ? playwright : playwright.default;

// Each dashboard and what it shows once painted (a chart, or the sentence
// that replaces it on a server without Chart.js).
const pages = [
  ["stage test", "/app/dashboards", ".chart.forest canvas[data-painted], .chart.no-chart, table.stage-test"],
  ["usage", "/app/dashboards/usage", ".chart.usage canvas[data-painted], .chart.no-chart"],
  ["coverage", "/app/dashboards/coverage", "table.heat"],
  ["unused", "/app/dashboards/unused", ".chart.trend canvas[data-painted], .chart.no-chart"],
];

const profile = mkdtempSync(join(tmpdir(), "ns-bench-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 900 },
});
try {
  const page = await context.newPage();
  await page.goto(`${origin}/app/sign-in`);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${origin}/app/`), page.click("button[type=submit]")]);
  // The stage test's first answer may run the test; one warm-up load each.
  const painted = async (path, selector) => {
    await page.goto(`${origin}${path}`, { waitUntil: "commit" });
    const at = await page.waitForFunction((sel) => document.querySelector(sel) && performance.now(), selector,
      { polling: "raf", timeout: 60000 });
    return at.jsonValue();
  };
  for (const [name, path, selector] of pages) {
    await painted(path, selector);
    const times = [];
    for (let i = 0; i < runs; i++) times.push(await painted(path, selector));
    times.sort((a, b) => a - b);
    const q = (f) => times[Math.min(times.length - 1, Math.ceil(f * times.length) - 1)];
    console.log(`dash-${name.replace(" ", "-")} ${q(0.5).toFixed(0)} ${q(0.9).toFixed(0)} ${times[times.length - 1].toFixed(0)}`);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
