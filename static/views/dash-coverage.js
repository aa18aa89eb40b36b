// Coverage (GET /analytics/coverage): the persona × stage matrix as a heat
// map — a table whose cells are shaded by the measure chosen (published
// assets, shared ones, ones that move deals, open requests) and say their
// numbers in words; a cell without content is marked as a gap, and each
// cell opens the search filtered to it. Beside it, the searches of the
// last 30 days that found nothing, each with "Plan content for this" (a
// content request, then planned).
import { api, showError } from "/app/api.js";
import { day, el, field } from "/app/views/format.js";
import { count, csvLink, frame, plural, scroller } from "/app/views/dashboards.js";

const MEASURES = [["assets", "Published assets"], ["shared_assets", "Assets shared"],
  ["moving_assets", "Assets proven to move deals"], ["open_requests", "Open content requests"]];
const STATUS = { open: "Requested", planned: "Planned", in_progress: "In progress", fulfilled: "Fulfilled" };

export async function show(main, session) {
  if (!frame(main, session, "/app/dashboards/coverage", "Coverage")) return;
  const body = await api("GET", "/analytics/coverage");
  const url = new URL(location.href);
  const measure = el("select", null, { name: "measure" });
  for (const [v, t] of MEASURES) measure.append(el("option", t, { value: v }));
  measure.value = MEASURES.some(([v]) => v === url.searchParams.get("measure")) ? url.searchParams.get("measure") : "assets";
  const form = el("form", null, { class: "controls" });
  form.append(field("Shade by", measure));
  form.addEventListener("submit", (e) => e.preventDefault());
  const matrix = el("div");
  const grid = el("div", null, { class: "dash-grid" });
  const left = el("section", null, { "aria-label": "The persona × stage matrix" });
  left.append(form, matrix, csvLink("/analytics/coverage"));
  grid.append(left, searches(body.zero_result_searches));
  main.append(el("p", "Which buyer personas have content for each deal stage, and where there is none: in each cell, the published assets, how many of them were shared, how many are proven to move deals on (the next-stage test) and the open content requests. A cell opens the search for its persona and stage.", { class: "lede" }), grid);
  const paint = () => {
    matrix.replaceChildren(...heatMap(body.cells, measure.value));
    history.replaceState(null, "", measure.value === "assets" ? "/app/dashboards/coverage" : `/app/dashboards/coverage?measure=${measure.value}`);
  };
  measure.addEventListener("change", paint);
  paint();
}

// The matrix of @cells shaded by @key: [its legend, the table].
function heatMap(cells, key) {
  const personas = [], stages = [], at = {};
  for (const c of cells) {
    if (!personas.some((p) => p.slug === c.persona)) personas.push({ slug: c.persona, name: c.persona_name });
    if (!stages.some((s) => s.slug === c.stage)) stages.push({ slug: c.stage, name: c.stage_name });
    at[`${c.persona} ${c.stage}`] = c;
  }
  const max = Math.max(0, ...cells.map((c) => c[key]));
  const level = (v) => (v === 0 || max === 0 ? 0 : Math.min(4, Math.ceil((4 * v) / max)));
  const name = MEASURES.find(([v]) => v === key)[1].toLowerCase();

  const legend = el("ul", null, { class: "swatches", "aria-label": "Shades" });
  const swatch = (cls, text) => {
    const li = el("li");
    li.append(el("span", null, { class: cls, "aria-hidden": "true" }), text);
    legend.append(li);
  };
  swatch("gap", "Gap: no published asset");
  for (let k = 1; k <= 4 && max > 0; k++) {
    const lo = Math.floor((max * (k - 1)) / 4) + 1, hi = Math.floor((max * k) / 4);
    if (hi >= lo) swatch(`heat-${k}`, `${lo === hi ? lo : `${lo}–${hi}`} ${name}`);
  }

  const table = el("table", null, { class: "data heat" });
  const caption = `Content per persona and stage, shaded by ${name}`;
  table.append(el("caption", caption), el("thead"), el("tbody"));
  const head = el("tr");
  head.append(el("th", "Persona", { scope: "col" }));
  for (const s of stages) head.append(el("th", s.name, { scope: "col" }));
  table.tHead.append(head);
  for (const p of personas) {
    const tr = el("tr");
    tr.append(el("th", p.name, { scope: "row" }));
    for (const s of stages) {
      const c = at[`${p.slug} ${s.slug}`];
      const gap = c.assets === 0;
      const td = el("td", null, { class: gap ? "gap" : `heat-${level(c[key])}` });
      const a = el("a", null, { href: `/app/search?persona=${encodeURIComponent(p.slug)}&stage=${encodeURIComponent(s.slug)}` });
      const lines = { assets: plural(c.assets, "asset", "assets"), shared_assets: `${count(c.shared_assets)} shared`,
        moving_assets: `${count(c.moving_assets)} proven`, open_requests: plural(c.open_requests, "request", "requests") };
      if (gap) {
        a.append(el("span", "Gap", { class: "big" }), el("span", "no content", { class: "small" }));
        if (c.open_requests) a.append(el("span", lines.open_requests, { class: "small" }));
      } else {
        a.append(el("span", lines[key], { class: "big" }));
        for (const [k] of MEASURES) if (k !== key) a.append(el("span", lines[k], { class: "small" }));
      }
      td.append(a);
      tr.append(td);
    }
    table.tBodies[0].append(tr);
  }
  return [legend, scroller(table, caption)];
}

// The frequent searches that found nothing, each with what was done about it.
function searches(list) {
  const box = el("section", null, { class: "zero" });
  box.append(el("h2", "Searches that found nothing"), el("p", "The most frequent of the last 30 days.", { class: "muted" }));
  if (!list.length) {
    box.append(el("p", "Every search of the last 30 days found something."));
    return box;
  }
  const ul = el("ul", null, { class: "searches" });
  list.forEach((z, i) => {
    const li = el("li");
    const what = el("p", null, { id: `zero-${i}` });
    what.append(el("q", z.query), ` ${z.searches === 1 ? "once" : `${count(z.searches)} times`}, last on ${day(z.last_searched_at)}`);
    li.append(what);
    const r = z.request && z.request.status !== "declined" ? z.request : null;
    li.append(r ? done(r.status) : plan(z, what.id));
    ul.append(li);
  });
  box.append(ul);
  return box;
}

function done(status) {
  const p = el("p", `${STATUS[status] || status}: `, { class: "planned" });
  p.append(el("a", "see the requests", { href: "/app/requests" }));
  return p;
}

// "Plan content for this": a content request of the search's words, then
// planned (the marketer asking is the one planning it).
function plan(z, describedBy) {
  const f = el("form");
  f.append(el("button", "Plan content for this", { type: "submit", "aria-describedby": describedBy }));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = f.querySelector("button");
    button.disabled = true;
    try {
      const r = await api("POST", "/requests", { title: z.query,
        detail: `Searched ${z.searches === 1 ? "once" : `${z.searches} times`} in the last 30 days and found nothing (from the coverage dashboard).` });
      await api("PATCH", `/requests/${r.id}`, { status: "planned" });
      const p = done("planned");
      p.setAttribute("role", "status");
      f.replaceWith(p);
    } catch (err) {
      button.disabled = false;
      showError(f, err);
    }
  });
  return f;
}
