// One deal: where it stands and how it got there (its stage history).
import { api } from "/app/api.js";
import { day, el, money, stageNames } from "/app/views/format.js";

export async function show(main, session, params) {
  const [deal, stages] = await Promise.all([api("GET", `/deals/${params.id}`), stageNames()]);
  const name = (slug) => stages[slug]?.name || slug;
  main.append(el("p", null, { class: "crumbs" }));
  main.lastChild.append(el("a", "← Deals", { href: "/app/" }));
  main.append(el("h1", deal.name));
  const facts = el("dl", null, { class: "facts" });
  for (const [k, v] of [["Account", deal.account || "—"], ["Stage", name(deal.stage)],
    ["Amount", money(deal.amount)], ["Since", day(deal.created_at)]]) {
    facts.append(el("dt", k), el("dd", v));
  }
  main.append(facts, el("h2", "Stage history"));
  const list = el("ol", null, { class: "timeline" });
  for (const h of deal.history) {
    const li = el("li");
    li.append(el("time", day(h.at), { datetime: h.at }), ` ${h.from ? `${name(h.from)} → ` : ""}${name(h.to)}`);
    list.append(li);
  }
  main.append(list, el("h2", "Shared with this deal"));
  const shares = (await api("GET", `/shares?deal=${deal.id}`)).items;
  if (!shares.length) {
    main.append(el("p", "Nothing shared yet: find content in Search and share it to this deal.", { class: "muted" }));
    return;
  }
  const ul = el("ul", null, { class: "shares" });
  for (const s of shares) {
    const li = el("li");
    li.append(el("a", s.asset_title, { href: `/app/assets/${s.asset_id}` }),
      ` · ${s.channel} · ${day(s.created_at)} by ${s.rep_name} · `,
      el("span", `opened ${s.human_opens} ${s.human_opens === 1 ? "time" : "times"} by people`, { class: "opens" }),
      ` (${s.opens - s.human_opens} by bots and scanners)`);
    if (s.revoked_at) li.append(" · revoked");
    ul.append(li);
  }
  main.append(ul);
}
