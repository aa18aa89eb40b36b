// Unused content (GET /analytics/unused and /analytics/unused/trend): the
// unused percentage and how it moved, month by month or week by week, and
// every published asset with a problem and its reasons in words; the
// editorial board (/app/board) is where each is kept, refreshed or retired.
import { api, showError } from "/app/api.js";
import { day, el, field, kindName } from "/app/views/format.js";
import { drawChart } from "/app/views/charts.js";
import { chartBox, clearErrors, count, csvLink, dataTable, frame, plural, query } from "/app/views/dashboards.js";

// An unused reason as a marketer reads it, for item @a.
function reason(r, a, days) {
  switch (r) {
    case "never_shared": return `Never shared (published ${day(a.published_at)})`;
    case "stale": return `Not shared in the last ${days} days`;
    case "never_opened": return "Shared, but never opened by a prospect";
    case "fails_stage_test": return "Does not move deals (the next-stage test)";
    case "expired": return `Expired on ${day(a.expires_at)}`;
    default: return r;
  }
}

function periodName(p, group) {
  const d = new Date(`${p.period}T00:00:00Z`);
  const o = group === "month" ? { year: "numeric", month: "short" } : { year: "numeric", month: "short", day: "numeric" };
  const name = d.toLocaleDateString(undefined, { timeZone: "UTC", ...o });
  return group === "week" ? `Week of ${name}` : name;
}

export async function show(main, session) {
  if (!frame(main, session, "/app/dashboards/unused", "Unused content")) return;
  const url = new URL(location.href);
  const form = el("form", null, { class: "controls" });
  const days = el("input", null, { name: "days", type: "number", min: "1", max: "3650", required: "", inputmode: "numeric" });
  const grace = el("input", null, { name: "grace_days", type: "number", min: "0", max: "3650", required: "", inputmode: "numeric" });
  const group = el("select", null, { name: "group" });
  for (const [v, t] of [["month", "Month"], ["week", "Week"]]) group.append(el("option", t, { value: v }));
  days.value = url.searchParams.get("days") || "90";
  grace.value = url.searchParams.get("grace_days") || "30";
  group.value = url.searchParams.get("group") === "week" ? "week" : "month";
  form.append(field("Days without a share", days), field("Grace days after publishing", grace),
    field("Trend by", group), el("button", "Show", { type: "submit" }));
  const results = el("div", null, { "aria-live": "polite" });
  const board = el("p", "The editorial board reviews each of these with its evidence: keep, refresh, archive or retire. ");
  board.append(el("a", "Open the board", { href: "/app/board" }));
  main.append(el("p", "Published content that nobody uses, and why.", { class: "lede" }), form, results, board);

  async function run() {
    const p = query(form);
    const list = new URLSearchParams({ days: p.get("days") || "", grace_days: p.get("grace_days") || "" });
    let body, trend;
    try {
      [body, trend] = await Promise.all([api("GET", `/analytics/unused?${list}`), api("GET", `/analytics/unused/trend?${p}`)]);
    } catch (err) {
      showError(form, err);
      return;
    }
    clearErrors(form);
    history.replaceState(null, "", `/app/dashboards/unused?${p}`);
    paint(results, body, trend, list, p);
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
  group.addEventListener("change", run);
  await run();
}

function paint(box, body, trend, list, p) {
  const s = body.summary;
  const head = el("section", null, { class: "summary" });
  head.append(el("p", `${s.unused_pct.toFixed(1)}%`, { class: "figure" }),
    el("p", `of the ${plural(s.published, "published asset", "published assets")} are unused: `
      + `${count(s.never_shared)} never shared (published more than ${plural(body.grace_days, "day", "days")} ago) and `
      + `${count(s.stale)} not shared in the last ${body.days} days.`));
  const reasons = el("ul", null, { class: "reasons", "aria-label": "Assets by reason" });
  for (const [k, t] of [["never_opened", "Shared but never opened by a prospect"], ["fails_stage_test", "Does not move deals (the next-stage test)"],
    ["expired", "Expired"]]) reasons.append(el("li", `${t}: ${count(s[k])}`));
  head.append(el("p", `Counting these problems too, ${plural(s.unused, "asset is", "assets are")} listed below:`), reasons);

  const points = trend.points;
  const label = (pt) => periodName(pt, trend.group);
  const chart = chartBox("trend");
  const trendTable = dataTable(`The unused percentage by ${trend.group}`, [
    [trend.group === "month" ? "Month" : "Week", label],
    ["As of", (pt) => (pt === points[points.length - 1] && Date.parse(pt.at) > Date.now() - 86400000 ? "now" : day(pt.at))],
    ["Published", (pt) => count(pt.published), "num"],
    ["Never shared", (pt) => count(pt.never_shared), "num"],
    [`Not shared in ${trend.days} days`, (pt) => count(pt.stale), "num"],
    ["Unused", (pt) => (pt.unused_pct === null ? "nothing published" : `${pt.unused_pct.toFixed(1)}%`), "num"],
  ], points, { class: "data trend" });
  const over = el("section");
  over.append(el("h2", "How it moved"), chart, trendTable, csvLink(`/analytics/unused/trend?${p}`),
    el("p", "Before an asset was published here it counts from its first share, if that came earlier; assets archived or retired since are not counted.", { class: "muted" }));

  const items = el("section");
  items.append(el("h2", `${plural(body.items.length, "asset", "assets")} with a problem`));
  items.append(body.items.length ? dataTable("Unused and problem assets, oldest publication first", [
    ["Asset", (a) => {
      const f = document.createDocumentFragment();
      f.append(el("a", a.title, { href: `/app/assets/${a.asset_id}` }), el("span", kindName(a.kind), { class: "stage" }));
      return f;
    }],
    ["Why", (a) => {
      const ul = el("ul", null, { class: "reasons" });
      for (const r of a.reasons) ul.append(el("li", reason(r, a, body.days)));
      return ul;
    }],
    ["Shares", (a) => count(a.shares), "num"],
    ["Opens by people", (a) => count(a.human_opens), "num"],
    ["Last shared", (a) => (a.last_shared_at ? day(a.last_shared_at) : "never")],
    ["What reps said", (a) => (a.feedback_answers
      ? `${plural(a.feedback_answers, "answer", "answers")}${a.rating_avg === null ? "" : `, rated ${a.rating_avg.toFixed(1)} of 5`}${a.made_own ? `; ${count(a.made_own)} made their own` : ""}`
      : "nothing yet")],
  ], body.items, { class: "data unused" }) : el("p", "No published asset has a problem.", { class: "muted" }), csvLink(`/analytics/unused?${list}`));
  box.replaceChildren(head, over, items);

  drawChart(chart, `Line chart of the unused percentage by ${trend.group}, with the published assets as bars; the table below has the numbers.`, {
    data: {
      labels: points.map((pt) => (trend.group === "month" ? periodName(pt, "month")
        : new Date(`${pt.period}T00:00:00Z`).toLocaleDateString(undefined, { timeZone: "UTC", month: "short", day: "numeric" }))),
      datasets: [
        { type: "line", label: "Unused (%)", data: points.map((pt) => pt.unused_pct), yAxisID: "pct", borderColor: "#a8201a",
          backgroundColor: "#a8201a", borderWidth: 2.5, pointStyle: "circle", pointRadius: 3.5, spanGaps: false, order: 0 },
        { type: "bar", label: "Published assets", data: points.map((pt) => pt.published), yAxisID: "n",
          backgroundColor: "#c9dfe2", borderColor: "#7fb7bd", borderWidth: 1, order: 1 },
      ],
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: {
        pct: { type: "linear", position: "left", beginAtZero: true, suggestedMax: 20, title: { display: true, text: "Unused (%)" },
          ticks: { callback: (v) => `${v}%` } },
        n: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 },
          title: { display: true, text: "Published assets" } },
        x: { ticks: { maxRotation: 0, autoSkipPadding: 12 } },
      },
      plugins: { legend: { position: "top", align: "start", labels: { usePointStyle: true, boxWidth: 9, boxHeight: 9 } } },
    },
  });
}
