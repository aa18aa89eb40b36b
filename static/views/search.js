// Search: answers as you type (debounced; never more than one request in
// flight; an answer to an older query is dropped), facet chips with their
// counts, the API's sorts, each result with its thumbnail and, for words
// found inside its file, the page and the excerpt (search-snippet.js), and,
// when nothing matches, a content request to marketing pre-filled with the
// words and filters.
import { api, showError } from "/app/api.js";
import { el, kindName, stageNames } from "/app/views/format.js";
import { snippet, thumbnail } from "/app/views/search-snippet.js";

const FACETS = [["stage", "Stage"], ["persona", "Persona"], ["kind", "Kind"], ["intent", "Intent"]];
// The pause after the last key before searching: long enough that a word
// typed at speed is one search, short enough to feel like it answers as you
// type (the search itself takes tens of ms).
const PAUSE_MS = 80;
const SORTS = [["relevance", "Best match"], ["recent", "Newest"], ["shares", "Most shared"], ["lift", "Moves deals"]];

export async function show(main) {
  const url = new URL(location.href);
  const state = { q: url.searchParams.get("q") || "", sort: url.searchParams.get("sort") || "",
    filters: Object.fromEntries(FACETS.map(([f]) => [f, url.searchParams.getAll(f)])) };
  const [stages, personas] = await Promise.all([stageNames(), api("GET", "/personas")]);
  const label = {
    stage: (v) => stages[v]?.name || v,
    persona: (v) => (personas.items || personas).find((p) => p.slug === v)?.name || v,
    kind: kindName, intent: (v) => v,
  };

  main.append(el("h1", "Find content"));
  const form = el("form", null, { role: "search", class: "searchbar" });
  const box = el("input", null, { type: "search", name: "q", "aria-label": "Search content",
    placeholder: "ROI calculator, security, case study…", autocomplete: "off" });
  box.value = state.q;
  const sort = el("select", null, { name: "sort", "aria-label": "Sort by" });
  for (const [v, t] of SORTS) sort.append(el("option", t, { value: v }));
  sort.value = state.sort || (state.q ? "relevance" : "recent");
  form.append(box, sort);
  const chips = el("div", null, { class: "chips", role: "group", "aria-label": "Filters" });
  const status = el("p", null, { class: "muted", "aria-live": "polite" });
  const results = el("ol", null, { class: "results" });
  main.append(form, chips, status, results);
  form.addEventListener("submit", (e) => e.preventDefault());

  let inFlight = false, queued = false, seq = 0, timer = 0;
  function query() {
    const p = new URLSearchParams();
    if (state.q) p.set("q", state.q);
    if (state.sort) p.set("sort", state.sort);
    for (const [f, vs] of Object.entries(state.filters)) for (const v of vs) p.append(f, v);
    return p;
  }
  async function run() {
    if (inFlight) { queued = true; return; }
    inFlight = true;
    if (!state.sort) sort.value = state.q ? "relevance" : "recent"; // the API's default
    const mine = ++seq, p = query();
    history.replaceState(null, "", `/app/search${p.toString() ? `?${p}` : ""}`);
    try {
      const body = await api("GET", `/assets?${p}`);
      if (mine === seq && !queued) paint(body);
    } catch (err) {
      status.textContent = err.message;
    } finally {
      inFlight = false;
      if (queued) { queued = false; run(); }
    }
  }
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(run, PAUSE_MS);
  }
  box.addEventListener("input", () => { state.q = box.value.trim(); soon(); });
  sort.addEventListener("change", () => { state.sort = sort.value; run(); });

  function paint(body) {
    chips.replaceChildren();
    for (const [f, name] of FACETS) {
      const counts = body.facets?.[f] || {};
      const values = new Set([...Object.keys(counts), ...state.filters[f]]);
      if (!values.size) continue;
      const group = el("div", null, { class: "chip-group", role: "group", "aria-label": name });
      group.append(el("span", name, { class: "chip-label" }));
      for (const v of values) {
        const on = state.filters[f].includes(v);
        const b = el("button", `${label[f](v)} (${counts[v] || 0})`, { type: "button", class: "chip", "aria-pressed": String(on) });
        b.addEventListener("click", () => {
          state.filters[f] = on ? state.filters[f].filter((x) => x !== v) : [...state.filters[f], v];
          run();
        });
        group.append(b);
      }
      chips.append(group);
    }
    results.replaceChildren();
    status.textContent = `${body.total} ${body.total === 1 ? "result" : "results"}`;
    for (const a of body.items) {
      const li = el("li", null, { class: "result with-thumb" });
      const h = el("h2");
      h.append(el("a", a.title, { href: `/app/assets/${a.id}` }));
      if (a.audience === "internal") // read it, don't send it (the asset page says why)
        h.append(" ", el("span", "Internal", { class: "badge internal", title: "For the team only: never sent to a prospect" }));
      li.append(thumbnail(a), h, el("p", [kindName(a.kind), ...a.stages.map(label.stage), ...a.personas.map(label.persona)].join(" · "),
        { class: "muted" }));
      if (a.description) li.append(el("p", a.description.length > 220 ? `${a.description.slice(0, 220)}…` : a.description));
      const found = snippet(a.snippet);
      if (found) li.append(found);
      for (const v of a.verdicts || []) { // what the next-stage test found, in its own sentence
        const p = el("p", null, { class: `verdict ${v.verdict}` });
        p.append(el("strong", `${label.stage(v.stage)}: `), v.explanation);
        li.append(p);
      }
      results.append(li);
    }
    if (body.total === 0 && state.q) results.append(askMarketing());
  }

  function askMarketing() {
    const li = el("li", null, { class: "result ask" });
    const f = el("form");
    f.append(el("p", `Nothing matches “${state.q}”. Ask marketing for it:`),
      el("button", "Ask marketing for this", { type: "submit" }));
    f.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { title: state.q, detail: `Searched for “${state.q}” and found nothing.` };
      if (state.filters.stage.length === 1) body.stage = state.filters.stage[0];
      if (state.filters.persona.length === 1) body.persona = state.filters.persona[0];
      try {
        await api("POST", "/requests", body);
        f.replaceChildren(el("p", "Asked. You will be notified when marketing answers.", { role: "status" }));
      } catch (err) {
        showError(f, err);
      }
    });
    li.append(f);
    return li;
  }

  await run();
  box.focus();
}
