// Browser tier: the web app in a real Chromium (Debian's /usr/bin/chromium
// driven by playwright-core, never a downloaded browser) against the real
// binary ($NEXTSTAGE_BIN) and a database of its own in the test cluster
// ($NS_PG_URL). Runs the stories of every module in stories/ (each exports
// `stories`: name -> async (browser, origin, server) -> unexpected problems).
// Prints "ok - e2e::story" / "not ok - e2e::story" lines; a story fails on
// any console error or failed request it did not expect. Screenshots go to
// build/e2e/ (look at them).
import { readdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { startServer, stopDemo } from "./harness.mjs";

const dir = new URL("./stories/", import.meta.url);
const stories = {};
for (const f of readdirSync(dir).filter((f) => f.endsWith(".mjs")).sort())
  Object.assign(stories, (await import(new URL(f, dir))).stories);
const only = process.argv.slice(2); // story names, or all

const server = await startServer();
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = 0;
try {
  for (const [name, story] of Object.entries(stories)) {
    if (only.length && !only.includes(name)) continue;
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
  await server.stop();
  await stopDemo();
}
process.exit(failed ? 1 : 0);
