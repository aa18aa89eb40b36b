// Stories: a marketer's evidence dashboards on the demo's fictional year
// of sales (scripts/demo-data.py, loaded through the API into a server of
// its own, verdicts stored): does each asset move deals, usage over time,
// the persona × stage coverage with the searches that found nothing, and
// the unused list; what a rep is told; and the tables without Chart.js.
import { check, demoServer, password, snap, watchedPage } from "../harness.mjs";

const MARKETER = "mara.marketer@ledgerline.example"; // made here: the demo has no marketer
const REP = "maya.okafor@ledgerline.example";
const REP_PASSWORD = "demo rep password"; // scripts/demo_history.py
const EXPECTED = [/^401 .*\/api\/v1\/me$/];

// Calls the demo server's API with its admin token: the parsed answer.
async function adminApi(demo, method, path, body, want = [200, 201]) {
  const init = { method, headers: { Authorization: `Bearer ${demo.adminToken}` } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(`${demo.origin}/api/v1${path}`, init);
  check(want.includes(r.status), `${method} ${path}: ${r.status}`);
  const type = r.headers.get("Content-Type") || "";
  return type.includes("json") ? r.json() : r.text();
}

// The demo server with a marketer (once, whichever story comes first).
let ready = null;
function demoWithMarketer() {
  ready ||= demoServer().then(async (demo) => {
    await adminApi(demo, "POST", "/users", { email: MARKETER, name: "Mara Marketer", role: "marketer", password },
      [201, 409]);
    return demo;
  });
  return ready;
}

// A page of a new context @width wide, signed in as @email at @path.
async function signedIn(browser, origin, width, path, email = MARKETER, pass = password, expected = []) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await watchedPage(context, [...EXPECTED, ...expected]);
  await page.goto(`${origin}/app/sign-in?next=${encodeURIComponent(path)}`);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", pass);
  await page.click("button[type=submit]");
  await page.waitForURL((u) => u.pathname === path.split("?")[0]);
  return { context, page };
}

// The API's answer to @path, fetched by @page with its session.
function pageApi(page, path) {
  return page.evaluate(async (p) => (await fetch(`/api/v1${p}`)).json(), path);
}

// The cells of the table @table (a locator), row by row, as text.
function cells(table) {
  return table.evaluate((t) => [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.innerText.trim())));
}

// What Chart.js drew in the canvas of @box: its labels and datasets.
function drawn(page, box) {
  return page.evaluate(async (sel) => {
    const { Chart } = await import("/app/vendor/chart/chart.esm.js"); // the page's own module instance
    const chart = Chart.getChart(document.querySelector(`${sel} canvas`));
    return { labels: chart.data.labels, data: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })) };
  }, box);
}

export const stories = {
  async a_marketer_sees_which_assets_move_deals_and_opens_one_from_the_forest_plot(browser) {
    const { origin } = await demoWithMarketer();
    const { context, page } = await signedIn(browser, origin, 1280, "/app/dashboards", MARKETER, password,
      [/^400 .*\/api\/v1\/analytics\/stage-test\?.*window_days=400/]); // refused on purpose, below
    await page.getByRole("heading", { name: "Does it move deals?", level: 1 }).waitFor();
    check(await page.locator("#nav a[href='/app/dashboards']").innerText() === "Dashboards", "no Dashboards in the navigation");
    await page.locator(".chart.forest canvas[data-painted]").waitFor();
    const body = await pageApi(page, "/analytics/stage-test");
    // The caveat, once.
    check(await page.locator(".caveat").count() === 1 && (await page.locator(".caveat").innerText()).includes(body.caveat),
      "the association caveat is not shown once");
    const table = page.locator("table.stage-test");
    // A row that moves deals: its verdict, lift, interval and sentence as the API says.
    const moving = body.items.find((r) => r.verdict === "moves_deals");
    check(moving, "the demo has no row that moves deals");
    const line = table.locator("tbody tr:not(.says)").filter({ has: page.getByRole("link", { name: moving.title, exact: true }) })
      .filter({ hasText: "Moves deals on" });
    const text = await line.innerText();
    check(text.includes(`${moving.lift.toFixed(1)}×`) && text.includes(`${moving.ci_low.toFixed(1)}–${moving.ci_high.toFixed(1)}×`)
      && text.includes(String(moving.n)), `the moving row: ${text}`);
    const says = await line.evaluate((tr) => tr.nextElementSibling.innerText);
    check(says.includes(moving.summary), `the moving row's sentence: ${says}`);
    // An inconclusive one is said in words, never as "no effect".
    const unsure = body.items.find((r) => r.verdict === "inconclusive");
    check(unsure, "the demo has no inconclusive row");
    const uline = table.locator("tbody tr:not(.says)").filter({ has: page.getByRole("link", { name: unsure.title, exact: true }) })
      .filter({ hasText: "Too early to tell" });
    const utext = `${await uline.innerText()} ${await uline.evaluate((tr) => tr.nextElementSibling.innerText)}`;
    check(utext.includes(`Too early to tell: ${unsure.n} deals so far`) && !/no effect/i.test(utext), `the inconclusive row: ${utext}`);
    // The forest plot: the same rows, each with its interval and its verdict in its label.
    const plot = await drawn(page, ".chart.forest");
    const i = plot.labels.findIndex((l) => l.at(-1).endsWith("moves deals on") && moving.title.startsWith(l[0].replace(/…$/, "")));
    check(i >= 0 && Math.abs(plot.data[0].data[i][0] - moving.ci_low) < 1e-9 && Math.abs(plot.data[0].data[i][1] - moving.ci_high) < 1e-9,
      `the plot's interval for ${moving.title}: ${JSON.stringify(plot.data[0].data[i])}`);
    check(plot.labels.some((l) => l.at(-1).endsWith("too early to tell")) && !plot.labels.some((l) => /insufficient|inconclusive/.test(l.join(" "))),
      `the plot's labels: ${JSON.stringify(plot.labels)}`);
    check(plot.labels.length === body.items.filter((r) => ["moves_deals", "hurts", "no_effect", "inconclusive"].includes(r.verdict)).length,
      "the plot does not draw every judged row (and only those)");
    const csv = await page.getByRole("link", { name: "Download these numbers (CSV)" }).getAttribute("href");
    check(csv === "/api/v1/analytics/stage-test?window_days=30&min_sample=10&format=csv", `the CSV link ${csv}`);
    await snap(page, "marketer-dashboard-stage-test-1280", { fullPage: true });

    // Filters: a stage keeps that stage's rows; the address keeps them.
    await page.locator("form.controls select[name=stage]").selectOption({ label: "Evaluation" });
    await page.waitForURL(/stage=evaluation/);
    await page.waitForFunction(() => [...document.querySelectorAll("table.stage-test tbody th .stage")].every((e) => e.textContent === "Evaluation"));
    // A window the API refuses: its message beside the field.
    await page.getByLabel("Window (days)", { exact: true }).fill("400");
    await page.getByLabel("Window (days)", { exact: true }).evaluate((i) => { i.removeAttribute("max"); }); // past the browser's own check
    await page.getByRole("button", { name: "Show" }).click();
    await page.locator("form.controls .error").waitFor();
    check(await page.getByLabel("Window (days)", { exact: true }).getAttribute("aria-invalid") === "true", "the refused window is not marked");
    await page.getByLabel("Window (days)", { exact: true }).fill("30");
    await page.getByRole("button", { name: "Show" }).click();
    await page.locator("form.controls .error").waitFor({ state: "detached" });

    // A click on the plot's line opens the asset.
    await page.reload();
    await page.locator(".chart.forest canvas[data-painted]").waitFor();
    const target = await page.evaluate(async () => {
      const { Chart } = await import("/app/vendor/chart/chart.esm.js");
      const canvas = document.querySelector(".chart.forest canvas");
      const chart = Chart.getChart(canvas), bar = chart.getDatasetMeta(0).data[0], box = canvas.getBoundingClientRect();
      return { x: box.left + bar.x, y: box.top + bar.y, label: chart.data.labels[0] };
    });
    const first = body.items.filter((r) => r.stage === "evaluation" && r.lift !== null && r.n >= 10)
      .sort((a, b) => ["moves_deals", "hurts", "no_effect", "inconclusive"].indexOf(a.verdict)
        - ["moves_deals", "hurts", "no_effect", "inconclusive"].indexOf(b.verdict) || b.lift - a.lift)[0];
    await page.mouse.click(target.x, target.y);
    await page.waitForURL(`${origin}/app/assets/${first.asset_id}`);
    await page.getByRole("heading", { name: first.title, level: 1 }).waitFor();
    await context.close();
    return page.problems();
  },

  async the_usage_charts_numbers_are_the_apis_and_rep_adoption_names_every_rep(browser) {
    const { origin } = await demoWithMarketer();
    const { context, page } = await signedIn(browser, origin, 1280, "/app/dashboards/usage");
    await page.locator(".chart.usage canvas[data-painted]").waitFor();
    // By keyboard: the range and the grouping, then Show.
    const from = new Date(Date.now() - 364 * 86400000).toISOString().slice(0, 10);
    await page.getByLabel("From", { exact: true }).fill(from);
    await page.locator("form.controls select[name=group]").focus();
    await page.keyboard.press("ArrowDown"); // Week -> Month, applied at once
    await page.waitForURL(/group=month/);
    await page.waitForFunction((f) => location.search.includes(`from=${f}`), from);
    await page.getByRole("table", { name: "Shares and opens by month" }).waitFor();
    const to = new Date().toISOString().slice(0, 10);
    const body = await pageApi(page, `/analytics/usage?from=${from}&to=${to}&group=month`);
    const rows = await cells(page.getByRole("table", { name: "Shares and opens by month" }));
    const pct = (x) => (x === null ? "—" : `${(100 * x).toFixed(0)}%`);
    const want = body.periods.map((p) => [String(p.shares), String(p.human_opens), String(p.opens - p.human_opens),
      String(p.opened_shares), pct(p.share_to_open_rate)]);
    // The columns of shares and opens (read time, the last, is the viewer's: none in the demo).
    check(JSON.stringify(rows.map((r) => r.slice(1, 6).map((c) => c.replace(/[^\d%—]/g, "")))) === JSON.stringify(want),
      `the table ${JSON.stringify(rows)} is not the API's ${JSON.stringify(want)}`);
    check(body.periods.reduce((n, p) => n + p.shares, 0) > 100, "the demo year has few shares");
    const plot = await drawn(page, ".chart.usage");
    check(JSON.stringify(plot.data.map((d) => d.data)) === JSON.stringify([body.periods.map((p) => p.shares),
      body.periods.map((p) => p.human_opens), body.periods.map((p) => p.opens - p.human_opens)]), "the chart's numbers are not the API's");
    check(JSON.stringify(plot.data.map((d) => d.label)) === JSON.stringify(["Shares", "Opens by people", "Opens by bots"]), "the chart's series");
    // Who shares (the demo's eight reps) and who never does (the harness's
    // rep of startServer, who has no deal here).
    const ad = body.rep_adoption;
    const reps = await cells(page.getByRole("table", { name: "Every rep, by shares in this range" }));
    check(reps.length === ad.reps && ad.by_rep.filter((r) => r.shares > 0).length === 8, `rep adoption lists ${reps.length} reps`);
    check(JSON.stringify(reps.map((r) => [r[0], r[1]])) === JSON.stringify(ad.by_rep.map((r) => [r.name, String(r.shares)])),
      `the reps' table ${JSON.stringify(reps)}`);
    const said = await page.locator(".adoption").innerText();
    check(said.includes(`${ad.reps_sharing} of ${ad.reps} reps shared content`) && ad.reps_sharing === 8, `rep adoption says ${said}`);
    check(/Not sharing in this range: .*Rita Rep/.test(said) && reps.some((r) => r[0] === "Rita Rep" && r[3] === "never"),
      `the rep who never shares: ${said}`);
    const csv = await page.locator("a.csv").getAttribute("href");
    const lines = await page.evaluate(async (u) => (await (await fetch(u)).text()).trim().split("\r\n"), csv);
    check(lines.length === body.periods.length + 1 && lines[0].startsWith("period,shares"), `the CSV: ${lines.slice(0, 2)}`);
    await snap(page, "marketer-dashboard-usage-1280", { fullPage: true });
    await context.close();
    return page.problems();
  },

  async a_coverage_cell_opens_its_search_and_a_search_that_found_nothing_becomes_planned_content(browser) {
    const demo = await demoWithMarketer();
    const { origin } = demo;
    const words = `zqx e-invoicing mandate ${Date.now()}`;
    for (let i = 0; i < 2; i++) await adminApi(demo, "GET", `/assets?q=${encodeURIComponent(words)}`);
    for (let i = 0; i < 50; i++) { // the search log is written in the background
      const z = await adminApi(demo, "GET", "/analytics/coverage");
      if (z.zero_result_searches.some((s) => s.query === words)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const { context, page } = await signedIn(browser, origin, 1280, "/app/dashboards/coverage");
    const table = page.getByRole("table", { name: /Content per persona and stage/ });
    await table.waitFor();
    const body = await pageApi(page, "/analytics/coverage");
    const personas = new Set(body.cells.map((c) => c.persona)), stages = new Set(body.cells.map((c) => c.stage));
    check(await table.locator("tbody tr").count() === personas.size && await table.locator("thead th").count() === stages.size + 1,
      "the matrix is not persona × stage");
    const gaps = body.cells.filter((c) => c.assets === 0).length;
    check(gaps > 0 && await table.locator("td.gap").count() === gaps, `${gaps} gaps, marked: ${await table.locator("td.gap").count()}`);
    check((await table.locator("td.gap").first().innerText()).startsWith("Gap"), "a gap is not said in words");
    await snap(page, "marketer-dashboard-coverage-1280", { fullPage: true });
    // The fullest cell opens the search filtered to its persona and stage.
    const full = body.cells.reduce((a, c) => (c.assets > a.assets ? c : a));
    const link = table.locator(`a[href="/app/search?persona=${full.persona}&stage=${full.stage}"]`);
    check((await link.innerText()).startsWith(`${full.assets} assets`), `the fullest cell says ${await link.innerText()}`);
    await link.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`${origin}/app/search?persona=${full.persona}&stage=${full.stage}`);
    await page.locator(".chip[aria-pressed=true]", { hasText: full.stage_name }).waitFor();
    await page.locator(".chip[aria-pressed=true]", { hasText: full.persona_name }).waitFor();
    check(await page.locator(".result").count() >= full.assets, "the filtered search shows fewer assets than the cell");
    await page.goBack();
    // "Plan content for this": a request of the words, planned.
    const item = page.locator(".searches li", { hasText: words });
    await item.getByRole("button", { name: "Plan content for this" }).click();
    await item.getByRole("status").waitFor();
    check((await item.innerText()).includes("Planned"), `after planning: ${await item.innerText()}`);
    const planned = await pageApi(page, "/requests?status=planned&limit=200");
    check(planned.items.some((q) => q.title === words), "no planned request of the search's words");
    await page.reload();
    await page.locator(".searches li", { hasText: words }).getByText("Planned").waitFor();
    check(await page.locator(".searches li", { hasText: words }).getByRole("button").count() === 0,
      "a planned search still offers to plan it");
    await snap(page, "marketer-dashboard-coverage-planned-1280");
    await context.close();
    return page.problems();
  },

  async the_unused_list_says_why_with_its_percentage_and_trend(browser) {
    const { origin } = await demoWithMarketer();
    const { context, page } = await signedIn(browser, origin, 1280, "/app/dashboards/unused");
    await page.locator(".chart.trend canvas[data-painted]").waitFor();
    const body = await pageApi(page, "/analytics/unused");
    const trend = await pageApi(page, "/analytics/unused/trend");
    check(await page.locator(".figure").innerText() === `${body.summary.unused_pct.toFixed(1)}%`, "the unused percentage is not the API's");
    const list = await cells(page.getByRole("table", { name: /Unused and problem assets/ }));
    check(list.length === body.items.length && body.items.length > 0, `${list.length} rows for ${body.items.length} items`);
    const stale = body.items.find((i) => i.reasons.includes("stale"));
    check(stale && list.some((r) => r[0].startsWith(stale.title) && r[1].includes("Not shared in the last 90 days")), "the stale asset's reason");
    const failing = body.items.find((i) => i.reasons.includes("fails_stage_test"));
    check(failing && list.some((r) => r[0].startsWith(failing.title) && r[1].includes("Does not move deals")), "the failing asset's reason");
    const points = await cells(page.getByRole("table", { name: "The unused percentage by month" }));
    const last = trend.points[trend.points.length - 1];
    check(points.length === trend.points.length && points[points.length - 1][1] === "now"
      && points[points.length - 1][5] === `${last.unused_pct.toFixed(1)}%` && last.unused_pct === body.summary.unused_pct,
      `the trend's last row ${JSON.stringify(points[points.length - 1])}`);
    const plot = await drawn(page, ".chart.trend");
    check(JSON.stringify(plot.data[0].data) === JSON.stringify(trend.points.map((p) => p.unused_pct)), "the trend's line is not the API's");
    check(await page.getByRole("link", { name: "Open the board" }).getAttribute("href") === "/app/board", "no link to the board");
    await snap(page, "marketer-dashboard-unused-1280", { fullPage: true });
    await context.close();
    return page.problems();
  },

  async a_rep_and_a_board_member_are_told_the_dashboards_are_for_marketing(browser) {
    const demo = await demoWithMarketer();
    await adminApi(demo, "POST", "/users", { email: "bo.board@ledgerline.example", name: "Bo Board", role: "rep",
      board: true, password }, [201, 409]);
    const problems = [];
    for (const [email, pass] of [[REP, REP_PASSWORD], ["bo.board@ledgerline.example", password]]) {
      const { context, page } = await signedIn(browser, demo.origin, 390, "/app/dashboards/coverage", email, pass);
      await page.getByText("The dashboards are for marketing").waitFor();
      check(!(await page.locator("#nav").innerText()).includes("Dashboards"), `${email} is shown Dashboards`);
      check(await page.locator(".subnav, table, canvas").count() === 0, `${email} is shown a dashboard`);
      if (email === REP) await snap(page, "rep-dashboards-refused-390");
      problems.push(...page.problems());
      await context.close();
    }
    return problems;
  },

  async on_a_phone_and_without_chartjs_the_dashboards_show_their_tables(browser) {
    const { origin } = await demoWithMarketer();
    const { context, page } = await signedIn(browser, origin, 390, "/app/dashboards");
    await page.locator(".chart.forest canvas[data-painted]").waitFor();
    for (const path of ["/app/dashboards", "/app/dashboards/usage", "/app/dashboards/coverage", "/app/dashboards/unused"]) {
      if (path !== "/app/dashboards") await page.goto(`${origin}${path}`);
      await page.locator("table.data").first().waitFor();
      await page.waitForLoadState("networkidle");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 0, `${path} is ${overflow} px wider than a 390 px screen`);
    }
    await page.goto(`${origin}/app/dashboards`);
    await page.locator(".chart.forest canvas[data-painted]").waitFor();
    await snap(page, "marketer-dashboard-stage-test-390", { fullPage: true });
    await context.close();

    // The server without libjs-chart.js answers {} here (tests/api/suites/app.py).
    const bare = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await bare.route("**/app/vendor/mounts.json", (r) => r.fulfill({ json: {} }));
    const p = await watchedPage(bare, EXPECTED);
    await p.goto(`${origin}/app/sign-in?next=${encodeURIComponent("/app/dashboards/usage")}`);
    await p.fill("input[name=email]", MARKETER);
    await p.fill("input[name=password]", password);
    await p.click("button[type=submit]");
    await p.locator(".chart.no-chart").waitFor();
    check((await p.locator(".chart.no-chart").innerText()).includes("Chart.js, is not installed") && !(await p.locator("canvas").count()),
      "without Chart.js the page does not say so");
    check(await p.getByRole("table", { name: /Shares and opens by/ }).locator("tbody tr").count() > 0, "without Chart.js there is no table");
    await snap(p, "marketer-dashboard-usage-no-charts-1280");
    await bare.close();
    return [...page.problems(), ...p.problems()];
  },
};
