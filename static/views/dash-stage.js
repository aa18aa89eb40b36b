// "Does it move deals?": the next-stage test per asset and stage (GET
// /analytics/stage-test) as a forest plot — each asset's lift, its
// plausible range against the 1× line, coloured and marked by verdict —
// with its numbers as a table, the answer's caveat once, filters by stage
// and persona, and the window and minimum sample as controls. Rows that
// cannot tell yet say so in words; they are never drawn as "no effect".
import { api, showError } from "/app/api.js";
import { el, field, stageNames } from "/app/views/format.js";
import { drawChart } from "/app/views/charts.js";
import { chartBox, clearErrors, count, csvLink, frame, plural, query, scroller, times, VERDICTS, verdictWords } from "/app/views/dashboards.js";

const ORDER = ["moves_deals", "hurts", "no_effect", "inconclusive", "insufficient_data", "unused"];
const DRAWN = new Set(["moves_deals", "hurts", "no_effect", "inconclusive"]);
const TICKS = [0.0625, 0.125, 0.25, 0.5, 1, 2, 4, 8, 16];
// Rows drawn and tabled at first, the most telling first (proven, then
// harmful, ...): a library of thousands would draw an unreadable plot
// and take seconds to paint; "Show all" paints every row.
const FIRST = 60;

export async function show(main, session) {
  if (!frame(main, session, "/app/dashboards", "Does it move deals?")) return;
  const [stages, personas] = await Promise.all([stageNames(), api("GET", "/personas")]);
  const url = new URL(location.href);
  const form = el("form", null, { class: "controls" });
  const stage = el("select", null, { name: "stage" });
  stage.append(el("option", "All stages", { value: "" }));
  for (const s of Object.values(stages).filter((s) => !s.outcome)) stage.append(el("option", s.name, { value: s.slug }));
  const persona = el("select", null, { name: "persona" });
  persona.append(el("option", "All personas", { value: "" }));
  for (const p of personas.items || personas) persona.append(el("option", p.name, { value: p.slug }));
  const days = el("input", null, { name: "window_days", type: "number", min: "1", max: "365", required: "", inputmode: "numeric" });
  const minimum = el("input", null, { name: "min_sample", type: "number", min: "1", required: "", inputmode: "numeric" });
  stage.value = url.searchParams.get("stage") || "";
  persona.value = url.searchParams.get("persona") || "";
  days.value = url.searchParams.get("window_days") || "30";
  minimum.value = url.searchParams.get("min_sample") || "10";
  form.append(field("Stage", stage), field("Persona", persona), field("Window (days)", days),
    field("Deals needed", minimum), el("button", "Show", { type: "submit" }));
  const results = el("div", null, { "aria-live": "polite" });
  main.append(el("p", "When reps gave an asset to deals in a stage, did those deals move on to a later stage within the window more often than comparable deals that had not been given it?", { class: "lede" }),
    form, results);

  async function run() {
    const p = query(form);
    history.replaceState(null, "", `/app/dashboards${p.toString() ? `?${p}` : ""}`);
    let body;
    try {
      body = await api("GET", `/analytics/stage-test?${p}`);
    } catch (err) {
      showError(form, err);
      return;
    }
    clearErrors(form);
    paint(results, body, stages, p, FIRST);
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
  for (const s of [stage, persona]) s.addEventListener("change", run);
  await run();
}

function paint(box, body, stages, p, limit) {
  const stageName = (s) => (s ? stages[s]?.name || s : "—");
  const items = body.items.slice().sort((a, b) => ORDER.indexOf(a.verdict) - ORDER.indexOf(b.verdict)
    || (b.lift ?? 0) - (a.lift ?? 0) || a.title.localeCompare(b.title));
  const tested = items.filter((r) => r.verdict !== "unused");
  const drawn = tested.filter((r) => DRAWN.has(r.verdict) && r.lift !== null);
  const unused = items.filter((r) => r.verdict === "unused");
  const caveat = el("p", null, { class: "caveat" });
  caveat.append(el("strong", "Read with care: "), body.caveat);

  const plot = chartBox("forest");
  const legend = el("ul", null, { class: "legend", "aria-label": "How to read the chart" });
  for (const v of ["moves_deals", "hurts", "no_effect", "inconclusive"]) {
    const li = el("li");
    li.append(el("span", VERDICTS[v].mark, { class: `mark ${v}`, "aria-hidden": "true" }), VERDICTS[v].name);
    legend.append(li);
  }
  legend.append(el("li", "Bars: the plausible range (95%). The 1× line: as often as comparable deals."));

  // Rows of assets tagged with a stage but not yet given to a deal there
  // say nothing but "not yet": they are listed apart, by name.
  const untried = tested.filter((r) => r.n === 0 && r.pending === 0);
  const notYet = new Set(untried);
  const all = tested.filter((r) => !notYet.has(r));
  const rows = all.slice(0, limit);
  const table = testTable(`The next-stage test, ${rows.length < all.length ? `the first ${rows.length} of ` : ""}`
    + `${plural(all.length, "row", "rows")} (window ${body.window_days} days, ${count(body.min_sample)} deals needed)`,
    rows, body, stageName);
  const more = el("button", `Show all ${all.length} rows`, { type: "button", class: "secondary" });
  more.addEventListener("click", () => paint(box, body, stages, p, Infinity));

  const untriedList = names(`${plural(untried.length, "asset is", "assets are")} tagged with a stage but not given to a deal there yet: too early to tell`,
    untried, (r) => `${r.title} (${stageName(r.stage)})`);
  const never = names(`${plural(unused.length, "asset was", "assets were")} never shared`, unused, (r) => r.title);

  const csv = csvLink(`/analytics/stage-test?${p}`);
  box.replaceChildren(caveat);
  if (drawn.length) box.append(legend, plot);
  else box.append(el("p", "No asset has enough deals to judge with these settings yet: every row below is too early to tell.", { class: "muted" }));
  box.append(table);
  if (rows.length < all.length) box.append(more);
  box.append(csv);
  if (untried.length) box.append(untriedList);
  if (unused.length) box.append(never);
  const shown = new Set(rows);
  if (drawn.length) forest(plot, drawn.filter((r) => shown.has(r)), stageName);
}

// The chart's numbers: per asset and stage (the row's heading) its
// verdict, lift, plausible range, deals and pending deals, and under them
// what it says in sentences.
function testTable(caption, rows, body, stageName) {
  const judged = (r) => r.n >= body.min_sample;
  const table = el("table", null, { class: "data stage-test" });
  table.append(el("caption", caption), el("thead"), el("tbody"));
  const head = el("tr");
  for (const [h, kind] of [["Asset and stage"], ["Verdict"], ["Lift", "num"], ["Plausible range", "num"], ["Deals", "num"], ["Pending", "num"]])
    head.append(el("th", h, { scope: "col", ...(kind ? { class: kind } : {}) }));
  table.tHead.append(head);
  for (const r of rows) {
    const first = el("tr"), second = el("tr", null, { class: "says" });
    const name = el("th", null, { scope: "row", rowspan: "2" });
    name.append(el("a", r.title, { href: `/app/assets/${r.asset_id}` }), el("span", stageName(r.stage), { class: "stage" }));
    const verdict = el("td");
    const v = el("span", null, { class: `verdict-name ${r.verdict}` });
    v.append(el("span", VERDICTS[r.verdict].mark, { class: `mark ${r.verdict}`, "aria-hidden": "true" }), VERDICTS[r.verdict].name);
    verdict.append(v);
    first.append(name, verdict, el("td", judged(r) ? times(r.lift) : "—", { class: "num" }),
      el("td", judged(r) && r.ci_low !== null ? `${r.ci_low.toFixed(1)}–${r.ci_high.toFixed(1)}×` : "—", { class: "num" }),
      el("td", count(r.n), { class: "num" }), el("td", count(r.pending), { class: "num" }));
    second.append(el("td", verdictWords(r, body.min_sample, body.window_days), { colspan: "5" }));
    table.tBodies[0].append(first, second);
  }
  return scroller(table, caption);
}

// A list of @rows (links to their assets, named by @name) that opens
// under @summary.
function names(summary, rows, name) {
  const d = el("details", null, { class: "never" });
  d.append(el("summary", summary));
  const ul = el("ul");
  for (const r of rows) {
    const li = el("li");
    li.append(el("a", name(r), { href: `/app/assets/${r.asset_id}` }));
    ul.append(li);
  }
  d.append(ul);
  return d;
}

// The forest plot of @rows into @box: one line per asset and stage, its
// plausible range as a bar and its lift as a mark, on a log scale (2× and
// 0.5× as far from 1× either way); a click on a line opens the asset.
function forest(box, rows, stageName) {
  const lo = Math.min(...rows.map((r) => r.ci_low || r.lift), 0.8);
  const hi = Math.max(...rows.map((r) => r.ci_high), 1.25);
  const min = TICKS.find((t, i) => TICKS[i + 1] > lo) || TICKS[0];
  const max = TICKS.find((t) => t >= hi) || TICKS[TICKS.length - 1];
  const clamp = (x) => Math.min(max, Math.max(min, x || min));
  const colour = (r) => VERDICTS[r.verdict].colour;
  const narrow = box.clientWidth < 560; // a phone: shorter labels, smaller type
  const cut = narrow ? 22 : 42;
  const short = (t) => (t.length > cut ? `${t.slice(0, cut - 1)}…` : t);
  const marks = { // the lift's mark, by verdict: shape as well as colour
    id: "lifts",
    afterDatasetsDraw(chart) {
      const { ctx, chartArea: area, scales: { x } } = chart;
      ctx.save();
      const one = x.getPixelForValue(1);
      ctx.strokeStyle = "#1f262b";
      ctx.lineWidth = 1.5;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(one, area.top);
      ctx.lineTo(one, area.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      chart.getDatasetMeta(0).data.forEach((bar, i) => {
        const r = rows[i], px = x.getPixelForValue(clamp(r.lift)), py = bar.y, s = 7;
        ctx.fillStyle = ctx.strokeStyle = colour(r);
        ctx.lineWidth = 2;
        ctx.beginPath();
        if (r.verdict === "moves_deals") { ctx.moveTo(px, py - s); ctx.lineTo(px + s, py + s * 0.8); ctx.lineTo(px - s, py + s * 0.8); }
        else if (r.verdict === "hurts") { ctx.moveTo(px, py + s); ctx.lineTo(px + s, py - s * 0.8); ctx.lineTo(px - s, py - s * 0.8); }
        else ctx.arc(px, py, s * 0.8, 0, 2 * Math.PI);
        ctx.closePath();
        if (r.verdict === "inconclusive") { ctx.fillStyle = "#fff"; ctx.fill(); ctx.stroke(); } else ctx.fill();
      });
      ctx.restore();
    },
  };
  const at = (chart, e) => chart.getElementsAtEventForMode(e, "y", { intersect: false }, false)[0];
  drawChart(box, `Forest plot of ${rows.length} lifts with their plausible ranges against the 1× line; the table below has the numbers.`, {
    type: "bar",
    data: {
      labels: rows.map((r) => (narrow ? [short(r.title), stageName(r.stage), VERDICTS[r.verdict].name.toLowerCase()]
        : [short(r.title), `${stageName(r.stage)} · ${VERDICTS[r.verdict].name.toLowerCase()}`])),
      datasets: [{
        label: "Plausible range (95%)",
        data: rows.map((r) => [clamp(r.ci_low), clamp(r.ci_high)]),
        backgroundColor: rows.map((r) => `${colour(r)}33`),
        borderColor: rows.map(colour),
        borderWidth: 1.5,
        borderSkipped: false,
        barPercentage: 0.3,
        categoryPercentage: 1,
      }],
    },
    options: {
      indexAxis: "y",
      layout: { padding: { right: 16 } },
      scales: {
        x: {
          type: "logarithmic", min, max,
          title: { display: true, text: narrow ? "Lift (1× = as often as comparable deals)" : "Lift: how many times as often deals moved on (1× = as often as comparable deals)" },
          afterBuildTicks: (axis) => { axis.ticks = TICKS.filter((t) => t >= min && t <= max).map((value) => ({ value })); },
          ticks: { callback: (v) => `${v}×`, maxRotation: 0 },
        },
        y: { ticks: { autoSkip: false, font: { size: narrow ? 11 : 13 } }, grid: { display: false } },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => rows[items[0].dataIndex].title,
            label: (item) => {
              const r = rows[item.dataIndex];
              return [`${VERDICTS[r.verdict].name}: about ${times(r.lift)} (plausibly ${r.ci_low.toFixed(1)}–${r.ci_high.toFixed(1)}×)`,
                `${plural(r.n, "deal", "deals")} in ${stageName(r.stage)}`];
            },
          },
        },
      },
      onClick: (e, _, chart) => {
        const hit = at(chart, e);
        if (hit) location.assign(`/app/assets/${rows[hit.index].asset_id}`);
      },
      onHover: (e, _, chart) => { e.native.target.style.cursor = at(chart, e) ? "pointer" : "default"; },
    },
    plugins: [marks],
  }, 70 + (narrow ? 56 : 46) * rows.length);
}
