// The editorial board: the review queue (published content that fails the
// question "does it help sales move the deal to the next stage?"), oldest
// problem first, each asset as a card with its evidence in plain words and
// the board's decisions (keep, refresh, archive, retire); filters by
// reason, persona, stage and owner; and the board's latest decisions, with
// a way back for what was archived or retired.
import { api } from "/app/api.js";
import { allowedFor, decisionButton, DECISIONS } from "/app/views/decide.js";
import { day, el, field, kindName, stageNames } from "/app/views/format.js";

const REASONS = [["never_shared", "Never shared"], ["stale", "Not shared lately"], ["never_opened", "Never opened"],
  ["fails_stage_test", "Fails the next-stage test"], ["hurts", "Hurts deals"], ["no_effect", "Makes no difference"],
  ["expired", "Expired"]];

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const daysSince = (t) => Math.max(0, Math.floor((Date.now() - Date.parse(t)) / 86400000));

// Why the asset is in the queue, one sentence per reason.
function reasonWords(item, stageName) {
  const ev = item.evidence;
  const failing = (verdict) => ev.verdicts.filter((v) => v.verdict === verdict).map((v) => stageName(v.stage)).join(", ");
  const words = {
    never_shared: `Never shared: published on ${day(ev.published_at)}, and no rep has sent it to anyone since.`,
    stale: `Not shared for more than 90 days: the last time was ${day(ev.last_shared_at)}.`,
    never_opened: `Shared ${plural(ev.shares, "time")}, and no prospect has opened it`
      + (ev.opens ? ` (the ${plural(ev.opens, "open")} recorded came from bots and link scanners).` : "."),
    fails_stage_test: "Fails the next-stage test: wherever there is enough data to judge, deals that got it did not move on more often.",
    hurts: `Deals that got it moved on less often than comparable deals, in ${failing("hurts")}.`,
    no_effect: `It makes no difference to whether deals move on, in ${failing("no_effect")}.`,
    expired: `Expired on ${day(ev.expires_at)}.`,
  };
  return item.reasons.map((r) => words[r] || r);
}

function lastDecisionWords(d) {
  let s = `${DECISIONS[d.decision]?.past || d.decision} by ${d.actor_name || "someone"} on ${day(d.created_at)}: “${d.note}”`;
  if (d.snoozed_until) s += ` Out of the queue until ${day(d.snoozed_until)}.`;
  return s;
}

// One asset of the queue, with its evidence and the decisions it allows.
function card(item, stageName, personaName, onDecided) {
  const ev = item.evidence;
  const li = el("li", null, { class: "review" });
  const hid = `review-${item.asset_id}`;
  const h = el("h2", null, { id: hid });
  h.append(el("a", item.title, { href: `/app/assets/${item.asset_id}` }));
  li.append(h);
  const facts = [kindName(item.kind), ...item.stages.map(stageName), ...item.personas.map(personaName)];
  li.append(el("p", facts.join(" · "), { class: "muted" }));
  const since = el("p", null, { class: "since" });
  const days = daysSince(item.problem_since);
  since.append(el("strong", days ? `A problem for ${plural(days, "day")}` : "A problem since today"),
    ` (since ${day(item.problem_since)}) · owner: ${ev.owner?.name || "nobody"}`);
  li.append(since);
  if (item.new_evidence) li.append(el("p", "New evidence since the board last decided on it.", { class: "badge news" }));
  else if (item.snoozed) li.append(el("p", "Kept for now: out of the queue until its time is up.", { class: "badge" }));

  li.append(el("h3", "Why it is here"));
  const why = el("ul", null, { class: "reasons" });
  for (const w of reasonWords(item, stageName)) why.append(el("li", w));
  li.append(why);

  li.append(el("h3", "Usage"));
  const bots = ev.opens - ev.human_opens;
  li.append(el("p", ev.shares
    ? `Shared ${plural(ev.shares, "time")}, last on ${day(ev.last_shared_at)}; opened ${plural(ev.human_opens, "time")} by people`
      + (bots ? ` (and ${bots} by bots and link scanners, not counted).` : ".")
    : "Never shared."));

  li.append(el("h3", "Does it move deals?"));
  if (ev.verdicts.length) {
    const ul = el("ul", null, { class: "verdicts" });
    for (const v of ev.verdicts) {
      const vli = el("li", null, { class: `verdict ${v.verdict}` });
      vli.append(el("strong", `${stageName(v.stage)}: `), v.explanation || v.summary || "Not judged yet.");
      ul.append(vli);
    }
    li.append(ul);
  } else {
    li.append(el("p", "Not shared to a deal yet: no verdict either way.", { class: "muted" }));
  }

  li.append(el("h3", "What reps said"));
  const fb = ev.feedback || {};
  if (fb.answers) {
    const parts = [plural(fb.answers, "answer")];
    if (fb.useful_to_me || fb.not_useful_to_me) parts.push(`useful to them: ${fb.useful_to_me} yes, ${fb.not_useful_to_me} no`);
    if (fb.useful_to_prospect || fb.not_useful_to_prospect) parts.push(`useful to their prospect: ${fb.useful_to_prospect} yes, ${fb.not_useful_to_prospect} no`);
    if (fb.ratings) parts.push(`rated ${Number(fb.rating_avg).toFixed(1)} of 5`);
    if (fb.made_own) parts.push(`${fb.made_own} made their own instead`);
    li.append(el("p", `${parts.join("; ")}.`));
    const quotes = el("ul", null, { class: "quotes" });
    for (const c of (fb.comments || []).slice(0, 3)) quotes.append(el("li", `“${c.comment || c.made_own_text}”`));
    if (quotes.children.length) li.append(quotes);
  } else {
    li.append(el("p", "Nothing yet.", { class: "muted" }));
  }

  if (ev.fulfilled_requests.length) {
    li.append(el("h3", "Requests it answered"));
    const ul = el("ul");
    for (const q of ev.fulfilled_requests) ul.append(el("li", `“${q.title}”, on ${day(q.fulfilled_at)}`));
    li.append(ul);
  }

  li.append(el("h3", "Last decision"));
  li.append(el("p", item.last_decision ? lastDecisionWords(item.last_decision) : "None yet.",
    item.last_decision ? {} : { class: "muted" }));

  const actions = el("div", null, { class: "actions", role: "group", "aria-labelledby": hid });
  const target = { id: item.asset_id, title: item.title, shares: ev.shares, owner_name: ev.owner?.name };
  for (const decision of allowedFor(item.status)) actions.append(decisionButton(decision, target, onDecided));
  li.append(actions);
  return li;
}

export async function show(main, session) {
  main.append(el("h1", "Editorial board"));
  if (!session.user.board && session.user.role !== "admin") {
    main.append(el("p", "The review queue is the editorial board's. Ask an admin to add you to the board.", { class: "muted" }));
    return;
  }
  const [stages, personaList, everything] = await Promise.all([stageNames(), api("GET", "/personas"),
    api("GET", "/reviews?snoozed=1&limit=200")]);
  const personas = personaList.items || personaList;
  const stageName = (s) => stages[s]?.name || s;
  const personaName = (slug) => personas.find((p) => p.slug === slug)?.name || slug;
  main.append(el("p", "Published content that fails the question every asset must pass: does it help sales move the deal to the next stage? Oldest problem first. Each decision is recorded with its note, and archived or retired content can be restored."));

  // Filters, kept in the address so a reload or a shared link keeps them.
  const url = new URL(location.href);
  const owners = new Map([[session.user.id, `Me (${session.user.name})`]]);
  for (const i of everything.items) if (i.evidence.owner) owners.set(i.evidence.owner.id, owners.get(i.evidence.owner.id) || i.evidence.owner.name);
  const select = (name, any, options) => {
    const s = el("select", null, { name });
    s.append(el("option", any, { value: "" }));
    for (const [v, t] of options) s.append(el("option", t, { value: v }));
    s.value = url.searchParams.get(name) || "";
    return s;
  };
  const filters = el("form", null, { class: "filters", "aria-label": "Filter the queue" });
  const reason = select("reason", "Any reason", REASONS);
  const persona = select("persona", "Any persona", personas.map((p) => [p.slug, p.name]));
  const stage = select("stage", "Any stage", Object.values(stages).filter((s) => !s.outcome).map((s) => [s.slug, s.name]));
  const owner = select("owner", "Anyone", [...owners]);
  const kept = el("input", null, { type: "checkbox", name: "snoozed" });
  kept.checked = url.searchParams.get("snoozed") === "1";
  const keptLabel = el("label", null, { class: "inline" });
  keptLabel.append(kept, "Also show what the board kept for now");
  filters.append(field("Reason", reason), field("Persona", persona), field("Stage", stage), field("Owner", owner), keptLabel);
  const status = el("p", null, { class: "status", role: "status", tabindex: "-1" });
  const queue = el("ol", null, { class: "queue" });
  const more = el("button", "Show more", { type: "button", class: "secondary", hidden: "" });
  const recent = el("section", null, { class: "recent", "aria-labelledby": "recent-h" });
  main.append(filters, status, queue, more, recent);
  filters.addEventListener("submit", (e) => e.preventDefault());

  let cursor = null, said = "", asked = 0;
  const query = () => {
    const p = new URLSearchParams();
    for (const s of [reason, persona, stage, owner]) if (s.value) p.set(s.name, s.value);
    if (kept.checked) p.set("snoozed", "1");
    return p;
  };
  async function load(append = false) {
    const p = query();
    history.replaceState(null, "", `/app/board${p.toString() ? `?${p}` : ""}`);
    if (append && cursor) p.set("cursor", cursor);
    p.set("limit", "20");
    const mine = ++asked;
    const page = await api("GET", `/reviews?${p}`);
    if (mine !== asked) return; // filters changed meanwhile: a newer answer follows
    if (!append) queue.replaceChildren();
    for (const item of page.items) queue.append(card(item, stageName, personaName, decided));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    const n = queue.children.length;
    status.textContent = `${said}${n ? `${plural(n, "asset")}${cursor ? " so far" : ""} to review.` : "Nothing to review: every asset that matches passes."}`;
    said = "";
  }
  async function decided(made, asset) {
    said = `${DECISIONS[made.decision].past}: “${asset.title}”. `;
    await Promise.all([load(), paintRecent()]);
    status.focus(); // the card is gone: say what happened, from where the queue starts
  }
  for (const s of [reason, persona, stage, owner, kept]) s.addEventListener("change", () => load());
  more.addEventListener("click", () => load(true));

  // The latest decisions; for content archived or retired by its latest
  // decision, the way back.
  async function paintRecent() {
    const page = await api("GET", "/reviews/decisions?limit=10");
    recent.replaceChildren(el("h2", "Latest decisions", { id: "recent-h" }));
    if (!page.items.length) {
      recent.append(el("p", "No decisions yet.", { class: "muted" }));
      return;
    }
    const ul = el("ul", null, { class: "decisions" });
    const seen = new Set();
    for (const d of page.items) {
      const li = el("li");
      li.append(el("a", d.asset_title, { href: `/app/assets/${d.asset_id}` }), `: ${lastDecisionWords(d)}`);
      const latest = !seen.has(d.asset_id);
      seen.add(d.asset_id);
      if (latest && d.status_after === d.asset_status && allowedFor(d.asset_status).includes("restore")) {
        li.append(" ", decisionButton("restore", { id: d.asset_id, title: d.asset_title, shares: d.evidence?.shares || 0,
          owner_name: d.evidence?.owner?.name }, decided));
      }
      ul.append(li);
    }
    recent.append(ul);
  }
  await Promise.all([load(), paintRecent()]);
}
