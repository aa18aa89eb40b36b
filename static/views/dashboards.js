// What the four dashboards share: who may see them (marketers and admins),
// their sub-navigation, tables of a chart's numbers (with scope'd headers),
// CSV links (the API's ?format=csv) and how numbers and verdicts are said.
import { el } from "/app/views/format.js";

const PAGES = [["/app/dashboards", "Does it move deals?"], ["/app/dashboards/usage", "Usage"],
  ["/app/dashboards/coverage", "Coverage"], ["/app/dashboards/unused", "Unused"]];

// Starts a dashboard page in @main: the heading @title and the
// sub-navigation with @path current. False (with a sentence saying so)
// when the user may not see dashboards.
export function frame(main, session, path, title) {
  const { role } = session.user;
  if (role !== "marketer" && role !== "admin") {
    main.append(el("h1", "Dashboards"),
      el("p", "The dashboards are for marketing: ask a marketer for what they show.", { class: "muted" }));
    return false;
  }
  const nav = el("nav", null, { class: "subnav", "aria-label": "Dashboards" });
  for (const [href, text] of PAGES) {
    const a = el("a", text, { href });
    if (href === path) a.setAttribute("aria-current", "page");
    nav.append(a);
  }
  main.classList.add("wide"); // tables and charts take the width there is
  main.append(nav, el("h1", title));
  return true;
}

const counts = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
export const count = (n) => (n === null || n === undefined ? "—" : counts.format(n));
export const times = (x) => (x === null || x === undefined ? "—" : `${x.toFixed(1)}×`);
// @x a fraction (0.42) as "42%"; @digits after the point.
export const percent = (x, digits = 0) => (x === null || x === undefined ? "—" : `${(100 * x).toFixed(digits)}%`);
export const plural = (n, one, many) => `${count(n)} ${n === 1 ? one : many}`;

// A table of @rows with a caption: @columns are [heading, (row) => text or
// node, "num" for a number column]; the first column heads each row.
export function dataTable(caption, columns, rows, attrs = {}) {
  const table = el("table", null, { class: "data", ...attrs });
  table.append(el("caption", caption), el("thead"), el("tbody"));
  const head = el("tr");
  for (const [h, , kind] of columns) head.append(el("th", h, { scope: "col", ...(kind ? { class: kind } : {}) }));
  table.tHead.append(head);
  for (const r of rows) {
    const tr = el("tr");
    columns.forEach(([, cell, kind], i) => {
      const td = el(i === 0 ? "th" : "td", null, i === 0 ? { scope: "row" } : {});
      if (kind) td.className = kind;
      const v = cell(r);
      td.append(v instanceof Node ? v : String(v ?? "—"));
      tr.append(td);
    });
    table.tBodies[0].append(tr);
  }
  return scroller(table, caption);
}

// @node in a box that scrolls sideways on a narrow screen, reachable and
// scrollable by keyboard, named @label.
export function scroller(node, label) {
  const box = el("div", null, { class: "scroll", tabindex: "0", role: "region", "aria-label": label });
  box.append(node);
  return box;
}

// A link that downloads @path (an analytics URL) as CSV.
export function csvLink(path, text = "Download these numbers (CSV)") {
  const url = `/api/v1${path}${path.includes("?") ? "&" : "?"}format=csv`;
  return el("a", text, { href: url, download: "", class: "csv" });
}

// A chart's box (sized in style.css by @kind) and the box its table goes in.
export function chartBox(kind) {
  return el("div", null, { class: `chart ${kind}` });
}

// The next-stage test's verdicts as a marketer reads them: a short name and
// the colour and mark of the chart (colour is never alone: the name goes
// with it everywhere).
export const VERDICTS = {
  moves_deals: { name: "Moves deals on", mark: "▲", colour: "#1d6b2f" },
  hurts: { name: "Holds deals back", mark: "▼", colour: "#a8201a" },
  no_effect: { name: "No effect either way", mark: "●", colour: "#44515c" },
  inconclusive: { name: "Too early to tell", mark: "○", colour: "#7a5a00" },
  insufficient_data: { name: "Too early to tell", mark: "○", colour: "#5c666e" },
  unused: { name: "Never shared", mark: "–", colour: "#5c666e" },
};

// What a row of the test says, in sentences, as the stored verdicts say
// it (server/analytics/stage_words.c): why it cannot tell yet ("Too early
// to tell: 14 deals so far."), the row's summary, and its pending deals.
export function verdictWords(r, minSample, windowDays) {
  const deals = (n) => plural(n, "deal", "deals");
  const s = [];
  if (r.verdict === "inconclusive") s.push(`Too early to tell: ${deals(r.n)} so far, and the plausible range still spans a real effect either way.`);
  else if (r.verdict === "insufficient_data") s.push(r.n > 0 ? `Too early to tell: ${deals(r.n)} so far, ${count(minSample)} needed.` : `Too early to tell: no deals yet, ${count(minSample)} needed.`);
  else if (r.verdict === "unused") s.push("Never shared.");
  if (r.summary) s.push(r.summary);
  if (r.pending > 0) s.push(`${count(r.pending)} ${r.n > 0 ? "more " : ""}${r.pending === 1 ? "deal" : "deals"} got this; ${r.pending === 1 ? "its" : "their"} ${windowDays} days are not over.`);
  return s.join(" ");
}

export { clearErrors } from "/app/api.js";

// A form's values as a query string (empty ones left out).
export function query(form) {
  const p = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (String(v).trim()) p.set(k, String(v).trim());
  return p;
}
