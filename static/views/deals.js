// The deals a user works: a rep's own (the API shows reps theirs only),
// every deal for marketers; found by words of the name or account or by
// the CRM id, filtered by stage (and, for marketers, owner); the newest
// 200 at a time, open ones first, newest activity first. The filters are
// in the address, so a list can be bookmarked or sent.
import { api } from "/app/api.js";
import { choice, day, el, field, money, stageNames } from "/app/views/format.js";

const PAGE = 200;

function row(d, stages, rep) {
  const tr = el("tr");
  const name = el("td");
  name.append(el("a", d.name, { href: `/app/deals/${d.id}` }));
  tr.append(name, el("td", d.account || "—"), el("td", stages[d.stage]?.name || d.stage),
    el("td", money(d.amount), { class: "num" }), el("td", day(d.updated_at)));
  if (!rep) tr.append(el("td", d.owner_name || "no owner"));
  return tr;
}

export async function show(main, session) {
  const rep = session.user.role === "rep";
  main.append(el("h1", rep ? "My deals" : "Deals"));
  const url = new URL(location.href);
  const stages = await stageNames();
  const filters = el("form", null, { class: "filters", role: "search", "aria-label": "Find deals" });
  const q = el("input", null, { name: "q", type: "search", value: url.searchParams.get("q") || "", autocomplete: "off" });
  const stage = choice("stage", [["", "Any stage"], ...Object.values(stages).map((s) => [s.slug, s.name])],
    url.searchParams.get("stage") || "");
  const owner = choice("owner", [["", "Anyone"], ["me", "Mine"]], url.searchParams.get("owner") || "");
  filters.append(field("Name, account or CRM id", q), field("Stage", stage));
  if (!rep) filters.append(field("Owner", owner));
  filters.append(el("button", "Find", { type: "submit" }));
  const status = el("p", null, { class: "status", role: "status" });
  const table = el("table", null, { class: "list", hidden: "" });
  const head = el("tr");
  for (const h of ["Deal", "Account", "Stage", "Amount", "Last activity", ...(rep ? [] : ["Owner"])]) {
    head.append(el("th", h, { scope: "col" }));
  }
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  const more = el("button", `Show ${PAGE} more`, { type: "button", class: "secondary", hidden: "" });
  main.append(filters, status, table, more);

  const closed = (d) => Boolean(stages[d.stage]?.outcome);
  const filtered = () => Boolean(q.value.trim() || stage.value || (!rep && owner.value));
  let cursor = null, asked = 0;
  async function load(append = false) {
    const p = new URLSearchParams();
    if (q.value.trim()) p.set("q", q.value.trim());
    if (stage.value) p.set("stage", stage.value);
    if (!rep && owner.value) p.set("owner", owner.value);
    history.replaceState(null, "", `${location.pathname}${p.toString() ? `?${p}` : ""}`);
    if (append && cursor) p.set("cursor", cursor);
    p.set("limit", String(PAGE));
    const mine = ++asked;
    const page = await api("GET", `/deals?${p}`);
    if (mine !== asked) return; // the filters changed meanwhile: a newer answer follows
    if (!append) table.tBodies[0].replaceChildren();
    const items = page.items.sort((a, b) => closed(a) - closed(b) || b.updated_at.localeCompare(a.updated_at));
    for (const d of items) table.tBodies[0].append(row(d, stages, rep));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    const n = table.tBodies[0].rows.length;
    table.hidden = n === 0;
    if (n === 0) {
      status.textContent = filtered() ? "No deal matches." : rep
        ? "You have no deals yet. Deals come from the CRM or are added by marketing." : "No deals yet.";
    } else {
      status.textContent = cursor
        ? `The ${n} newest ${filtered() ? "matching " : ""}deals, open ones first: more are older.`
        : `${n} ${filtered() ? "matching " : ""}deal${n === 1 ? "." : "s, open ones first."}`;
    }
  }
  filters.addEventListener("submit", (e) => {
    e.preventDefault();
    load();
  });
  for (const s of [stage, owner]) s.addEventListener("change", () => load());
  more.addEventListener("click", () => load(true));
  await load();
}
