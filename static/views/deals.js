// The deals a user works: a rep's own (the API shows reps theirs only),
// every deal for marketers; open ones first, newest activity first.
import { api } from "/app/api.js";
import { day, el, money, stageNames } from "/app/views/format.js";

export async function show(main, session) {
  const rep = session.user.role === "rep";
  main.append(el("h1", rep ? "My deals" : "Deals"));
  const [page, stages] = await Promise.all([api("GET", "/deals?limit=200"), stageNames()]);
  const deals = page.items;
  if (!deals.length) {
    main.append(el("p", rep ? "You have no deals yet. Deals come from the CRM or are added by marketing." : "No deals yet.", { class: "muted" }));
    return;
  }
  const closed = (d) => Boolean(stages[d.stage]?.outcome);
  deals.sort((a, b) => closed(a) - closed(b) || b.updated_at.localeCompare(a.updated_at));
  const table = el("table", null, { class: "list" });
  const head = el("tr");
  const columns = ["Deal", "Account", "Stage", "Amount", "Last activity", ...(rep ? [] : ["Owner"])];
  for (const h of columns) head.append(el("th", h, { scope: "col" }));
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  for (const d of deals) {
    const tr = el("tr");
    const name = el("td");
    name.append(el("a", d.name, { href: `/app/deals/${d.id}` }));
    tr.append(name, el("td", d.account || "—"), el("td", stages[d.stage]?.name || d.stage),
      el("td", money(d.amount), { class: "num" }), el("td", day(d.updated_at)));
    if (!rep) tr.append(el("td", d.owner_name || "no owner"));
    table.tBodies[0].append(tr);
  }
  main.append(table);
}
