// Usage (GET /analytics/usage): shares and opens over time, by day, week
// or month over the range the user picks, with opens by people and by
// bots (link unfurlers, mail scanners) apart; the most shared assets; and
// rep adoption: who shares, and who does not. Read time is what prospects
// read of tracked links in the viewer, by the day they opened them.
import { api, showError } from "/app/api.js";
import { day, el, field } from "/app/views/format.js";
import { drawChart } from "/app/views/charts.js";
import { readTime } from "/app/views/share.js";
import { chartBox, clearErrors, count, csvLink, dataTable, frame, percent, plural, query } from "/app/views/dashboards.js";

const GROUPS = [["day", "Day"], ["week", "Week"], ["month", "Month"]];

// How a period (its first day, YYYY-MM-DD) reads, by @group.
function periodName(period, group) {
  const d = new Date(`${period}T00:00:00Z`);
  const f = (o) => d.toLocaleDateString(undefined, { timeZone: "UTC", ...o });
  if (group === "month") return f({ year: "numeric", month: "short" });
  const date = f({ year: "numeric", month: "short", day: "numeric" });
  return group === "week" ? `Week of ${date}` : date;
}

export async function show(main, session) {
  if (!frame(main, session, "/app/dashboards/usage", "Usage")) return;
  const url = new URL(location.href);
  const form = el("form", null, { class: "controls" });
  const from = el("input", null, { name: "from", type: "date", required: "" });
  const to = el("input", null, { name: "to", type: "date", required: "" });
  const group = el("select", null, { name: "group" });
  for (const [v, t] of GROUPS) group.append(el("option", t, { value: v }));
  form.append(field("From", from), field("To", to), field("By", group), el("button", "Show", { type: "submit" }));
  const results = el("div", null, { "aria-live": "polite" });
  main.append(el("p", "How often reps share content, and how often prospects open what they were sent.", { class: "lede" }),
    form, results);

  async function run(p) {
    let body;
    try {
      body = await api("GET", `/analytics/usage?${p}`);
    } catch (err) {
      showError(form, err);
      return;
    }
    clearErrors(form);
    from.value = body.from;
    to.value = body.to;
    group.value = body.group;
    const q = new URLSearchParams({ from: body.from, to: body.to, group: body.group });
    history.replaceState(null, "", `/app/dashboards/usage?${q}`);
    paint(results, body, q);
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); run(query(form)); });
  group.addEventListener("change", () => run(query(form)));
  const first = new URLSearchParams();
  for (const k of ["from", "to", "group"]) if (url.searchParams.get(k)) first.set(k, url.searchParams.get(k));
  await run(first); // without parameters: the API's default, the last 90 days by week
}

function paint(box, body, q) {
  const by = { day: "day", week: "week", month: "month" }[body.group];
  const t = body.totals;
  const bots = (x) => x.opens - x.human_opens;
  const totals = el("p", `From ${day(`${body.from}T00:00:00Z`)} to ${day(`${body.to}T00:00:00Z`)}: ${plural(t.shares, "share", "shares")}, `
    + `${plural(t.human_opens, "open", "opens")} by people and ${count(bots(t))} by bots; `
    + `${t.share_to_open_rate === null ? "no share to open" : `${percent(t.share_to_open_rate)} of the shares were opened by a person`}; `
    + `${t.reads ? `prospects read for ${readTime(t.read_seconds)} in the viewer (${plural(t.reads, "view", "views")})` : "nothing was read in the viewer"}.`, { class: "totals" });

  const chart = chartBox("usage");
  const rows = body.periods;
  const table = dataTable(`Shares and opens by ${by}`, [
    [by[0].toUpperCase() + by.slice(1), (p) => periodName(p.period, body.group)],
    ["Shares", (p) => count(p.shares), "num"],
    ["Opens by people", (p) => count(p.human_opens), "num"],
    ["Opens by bots", (p) => count(bots(p)), "num"],
    ["Shares opened by a person", (p) => count(p.opened_shares), "num"],
    ["Opened", (p) => percent(p.share_to_open_rate), "num"],
    ["Read time", (p) => (p.read_seconds ? readTime(p.read_seconds) : "—"), "num"],
  ], rows, { class: "data usage" });

  const top = body.top_assets.length
    ? dataTable("The most shared assets", [
      ["Asset", (a) => el("a", a.title, { href: `/app/assets/${a.asset_id}` })],
      ["Shares", (a) => count(a.shares), "num"],
      ["Opens by people", (a) => count(a.human_opens), "num"],
      ["Opens by bots", (a) => count(bots(a)), "num"],
      ["Read time", (a) => (a.read_seconds ? readTime(a.read_seconds) : "—"), "num"],
    ], body.top_assets)
    : el("p", "Nothing was shared in this range.", { class: "muted" });

  const ad = body.rep_adoption;
  const idle = ad.by_rep.filter((r) => r.shares === 0);
  const adoption = el("section", null, { class: "adoption" });
  adoption.append(el("h2", "Rep adoption"), el("p", ad.reps
    ? `${count(ad.reps_sharing)} of ${plural(ad.reps, "rep", "reps")} shared content in this range (${percent(ad.rate)}).`
    : "There are no active reps yet.", { class: "figure-line" }));
  if (idle.length) {
    const never = idle.filter((r) => !r.last_shared_at);
    const p = el("p");
    p.append(el("strong", "Not sharing in this range: "), idle.map((r) => r.name).join(", "), ".");
    if (never.length) p.append(` ${never.length === idle.length ? (never.length === 1 ? "Never shared anything." : "None of them ever shared anything.") : `Never shared anything: ${never.map((r) => r.name).join(", ")}.`}`);
    adoption.append(p);
  }
  if (ad.by_rep.length) adoption.append(dataTable("Every rep, by shares in this range", [
    ["Rep", (r) => r.name],
    ["Shares", (r) => count(r.shares), "num"],
    ["Opens by people", (r) => count(r.human_opens), "num"],
    ["Last share (ever)", (r) => (r.last_shared_at ? day(r.last_shared_at) : "never")],
  ], ad.by_rep));

  const topSection = el("section");
  topSection.append(el("h2", "Top assets"), top);
  const over = el("section");
  over.append(el("h2", `Over time, by ${by}`), chart, table, csvLink(`/analytics/usage?${q}`));
  box.replaceChildren(totals, over, topSection, adoption);

  const labels = rows.map((p) => (body.group === "month" ? periodName(p.period, "month")
    : new Date(`${p.period}T00:00:00Z`).toLocaleDateString(undefined, { timeZone: "UTC", month: "short", day: "numeric" })));
  drawChart(chart, `Line chart of shares, opens by people and opens by bots by ${by}, from ${body.from} to ${body.to}; the table below has the numbers.`, {
    type: "line",
    data: {
      labels,
      datasets: [
        { label: "Shares", data: rows.map((p) => p.shares), borderColor: "#0b515b", backgroundColor: "#0b515b", pointStyle: "circle", borderWidth: 2.5 },
        { label: "Opens by people", data: rows.map((p) => p.human_opens), borderColor: "#b34700", backgroundColor: "#b34700", pointStyle: "rect", borderWidth: 2.5 },
        { label: "Opens by bots", data: rows.map(bots), borderColor: "#6b747b", backgroundColor: "#6b747b", pointStyle: "triangle", borderDash: [6, 4], borderWidth: 2 },
      ],
    },
    options: {
      interaction: { mode: "index", intersect: false },
      elements: { point: { radius: rows.length > 60 ? 0 : 3.5, hoverRadius: 5 } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Count" } },
        x: { ticks: { maxRotation: 0, autoSkipPadding: 12 } } },
      plugins: { legend: { position: "top", align: "start", labels: { usePointStyle: true, boxWidth: 9, boxHeight: 9 } } },
    },
  });
}
