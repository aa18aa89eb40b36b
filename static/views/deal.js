// One deal: where it stands and how it got there (its stage history),
// moving it to another stage, what to send next (the recommendations,
// proven first, the slot for an untested asset marked, each shareable
// from here), and what was shared with it, with its opens.
import { api, showError } from "/app/api.js";
import { choice, day, el, field, money, stageNames } from "/app/views/format.js";
import { readDetail, shareForm } from "/app/views/share.js";

const EVIDENCE = { proven: "Proven", untested: "New: not proven yet", no_effect: "No effect", hurts: "Hurts" };

function moveForm(deal, stages) {
  const f = el("form", null, { class: "card move" });
  const order = Object.values(stages).sort((a, b) => a.position - b.position).filter((s) => s.slug !== deal.stage);
  const here = stages[deal.stage]?.position ?? 0;
  const next = order.find((s) => s.position > here && !s.outcome) || order.find((s) => s.position > here);
  const stage = choice("stage", order.map((s) => [s.slug, s.name]), next?.slug); // the next stage, by default
  const at = el("input", null, { name: "at", type: "date" });
  f.append(el("h2", "Move to stage"), field("Stage", stage), field("On (optional: today if empty)", at),
    el("button", "Move the deal", { type: "submit" }));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { stage: stage.value };
    if (at.value) body.at = new Date(`${at.value}T12:00:00`).toISOString();
    try {
      await api("POST", `/deals/${deal.id}/stage`, body);
      location.reload();
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

async function recommendations(deal, stages, onShared) {
  const box = el("section", null, { class: "recommended" });
  box.append(el("h2", `What to send next (${stages[deal.stage]?.name || deal.stage})`));
  const items = (await api("GET", `/deals/${deal.id}/recommendations?limit=6`)).items;
  if (!items.length) {
    box.append(el("p", "Nothing more for this stage: everything published for it was shared, or nothing is tagged with it.",
      { class: "muted" }));
    return box;
  }
  const ul = el("ul", null, { class: "recs" });
  for (const a of items) {
    const li = el("li", null, { class: `rec ${a.evidence}` });
    const h = el("h3");
    h.append(el("a", a.title, { href: `/app/assets/${a.id}` }));
    const share = el("button", "Share to this deal", { type: "button", "aria-expanded": "false" });
    const slot = el("div");
    share.addEventListener("click", async () => {
      if (slot.firstChild) { slot.replaceChildren(); share.setAttribute("aria-expanded", "false"); return; }
      slot.append(await shareForm(a, { deal, onShared }));
      share.setAttribute("aria-expanded", "true");
      slot.querySelector("select, input")?.focus();
    });
    li.append(el("span", EVIDENCE[a.evidence] || a.evidence, { class: "badge" }), h, el("p", a.reason), share, slot);
    ul.append(li);
  }
  box.append(ul);
  return box;
}

async function shares(deal) {
  const box = el("section");
  box.append(el("h2", "Shared with this deal"));
  const items = (await api("GET", `/shares?deal=${deal.id}`)).items;
  if (!items.length) {
    box.append(el("p", "Nothing shared yet: share one of the recommendations above, or find content in Search.",
      { class: "muted" }));
    return box;
  }
  const ul = el("ul", null, { class: "shares" });
  for (const s of items) {
    const li = el("li");
    li.append(el("a", s.asset_title, { href: `/app/assets/${s.asset_id}` }),
      ` · ${s.version ? `v${s.version}` : "link"} · ${s.channel} · ${day(s.created_at)} by ${s.rep_name} · `,
      el("span", `opened ${s.human_opens} ${s.human_opens === 1 ? "time" : "times"} by people`, { class: "opens" }),
      ` (${s.opens - s.human_opens} by bots and scanners) · `,
      el("span", readDetail(s), { class: "read" }));
    if (s.revoked_at) li.append(" · revoked");
    ul.append(li);
  }
  box.append(ul);
  return box;
}

export async function show(main, session, params) {
  const [deal, stages] = await Promise.all([api("GET", `/deals/${params.id}`), stageNames()]);
  const name = (slug) => stages[slug]?.name || slug;
  main.append(el("p", null, { class: "crumbs" }));
  main.lastChild.append(el("a", "← Deals", { href: "/app/" }));
  main.append(el("h1", deal.name));
  const facts = el("dl", null, { class: "facts" });
  for (const [k, v] of [["Account", deal.account || "—"], ["Stage", name(deal.stage)],
    ["Amount", money(deal.amount)], ["Owner", deal.owner_name || "—"], ["Since", day(deal.created_at)]]) {
    facts.append(el("dt", k), el("dd", v));
  }
  main.append(facts);
  const history = el("section");
  history.append(el("h2", "Stage history"));
  const list = el("ol", null, { class: "timeline" });
  for (const h of deal.history) {
    const li = el("li");
    li.append(el("time", day(h.at), { datetime: h.at }), ` ${h.from ? `${name(h.from)} → ` : ""}${name(h.to)}`);
    list.append(li);
  }
  history.append(list);
  const shared = el("div");
  const refresh = async () => shared.replaceChildren(await shares(deal));
  const side = el("div", null, { class: "two" });
  side.append(history, moveForm(deal, stages));
  main.append(side, await recommendations(deal, stages, refresh), shared);
  await refresh();
}
