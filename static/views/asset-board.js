// The editorial board's part of an asset's page (board members, marketers
// and admins): where it stands, the decisions the board may make on it
// now (board members and admins), every decision made on it with its note,
// and its audit trail: who changed what, and when.
import { api } from "/app/api.js";
import { allowedFor, decisionButton, DECISIONS } from "/app/views/decide.js";
import { day, el } from "/app/views/format.js";

const STANDING = {
  draft: "A draft: not published yet, so not the board's to review.",
  published: "Published: reps find it and may share it.",
  archived: "Archived: reps no longer find it or get it recommended; links already shared still work.",
  retired: "Retired: reps no longer find it, and its tracked links tell prospects it has been retired.",
};

// The fields of an asset row that a person reads, in words; others are left out.
const FIELDS = { title: "title", description: "description", kind: "kind", intent: "intent", status: "status",
  personas: "personas", stages: "stages", tags: "tags", public: "public page", gated: "gated",
  disclosure: "disclosure", owner: "owner", expires_at: "expiry", source: "source", url: "address",
  current_version: "current version" };

function value(v, key) {
  if (v === null || v === undefined || (Array.isArray(v) && !v.length)) return "none";
  if (Array.isArray(v)) return v.join(", ");
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (key === "expires_at") return day(v);
  const s = String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

// What one audit entry changed, in words.
function change(entry, people) {
  if (entry.action === "create") return `Created it, ${value(entry.after?.status)}.`;
  if (entry.action === "delete") return "Deleted it.";
  const parts = [];
  for (const [key, name] of Object.entries(FIELDS)) {
    const b = entry.before?.[key], a = entry.after?.[key];
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    if (key === "current_version") parts.push(`current version: v${a}`);
    else if (key === "owner") parts.push(`owner: ${people.get(b) || "someone"} → ${people.get(a) || "someone"}`);
    else if (key === "description" || key === "disclosure") parts.push(`${name} rewritten`);
    else parts.push(`${name}: ${value(b, key)} → ${value(a, key)}`);
  }
  return parts.length ? `Changed ${parts.join("; ")}.` : "Changed it.";
}

function decisionLine(d) {
  const li = el("li");
  li.append(el("strong", `${DECISIONS[d.decision]?.past || d.decision}`),
    ` by ${d.actor_name || "someone"} on ${day(d.created_at)}`,
    d.status_before !== d.status_after ? ` (${d.status_before} → ${d.status_after})` : "", `: “${d.note}”`);
  const ev = d.evidence || {};
  const count = (n, one) => `${n ?? 0} ${n === 1 ? one : `${one}s`}`;
  const facts = [count(ev.shares, "share"), `${count(ev.human_opens, "open")} by people`];
  const failing = (ev.verdicts || []).filter((v) => v.verdict === "hurts" || v.verdict === "no_effect").length;
  if (failing) facts.push(`failing the next-stage test in ${failing} ${failing === 1 ? "stage" : "stages"}`);
  li.append(el("span", ` Decided on: ${facts.join(", ")}.`, { class: "muted" }));
  if (d.request) li.append(el("span", ` Refresh asked of ${d.request.assignee_name || "its owner"}: ${d.request.status.replace("_", " ")}.`, { class: "muted" }));
  if (d.snoozed_until) li.append(el("span", ` Out of the queue until ${day(d.snoozed_until)}.`, { class: "muted" }));
  return li;
}

export async function boardSection(a, session) {
  const box = el("section", null, { class: "asset-board", "aria-labelledby": "asset-board-h" });
  box.append(el("h2", "Editorial board", { id: "asset-board-h" }), el("p", STANDING[a.status] || a.status, { class: "standing" }));
  const [decisions, trail] = await Promise.all([api("GET", `/reviews/decisions?asset=${a.id}&limit=50`),
    api("GET", `/audit?entity=assets&id=${a.id}&limit=50`)]);
  if (session.user.board || session.user.role === "admin") {
    const allowed = allowedFor(a.status);
    if (allowed.length) {
      const actions = el("div", null, { class: "actions", role: "group", "aria-label": "Board decisions" });
      const target = { id: a.id, title: a.title, shares: a.usage?.shares || 0, owner_name: a.owner_name };
      for (const d of allowed) actions.append(decisionButton(d, target, () => location.reload()));
      box.append(actions);
    }
  }
  box.append(el("h3", "Decisions"));
  if (decisions.items.length) {
    const ul = el("ul", null, { class: "decisions" });
    for (const d of decisions.items) ul.append(decisionLine(d));
    box.append(ul);
  } else {
    box.append(el("p", "The board has not decided on it yet.", { class: "muted" }));
  }
  box.append(el("h3", "Audit trail"));
  const people = new Map(trail.items.filter((e) => e.actor).map((e) => [e.actor, e.actor_name]));
  if (a.owner) people.set(a.owner, a.owner_name);
  const table = el("table", null, { class: "list trail" });
  const head = el("tr");
  for (const h of ["When", "Who", "What"]) head.append(el("th", h, { scope: "col" }));
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  for (const e of trail.items) {
    const tr = el("tr");
    tr.append(el("td", new Date(e.at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })),
      el("td", e.actor_name || "the system"), el("td", change(e, people)));
    table.tBodies[0].append(tr);
  }
  box.append(trail.items.length ? table : el("p", "No changes recorded.", { class: "muted" }));
  if (trail.next_cursor) box.append(el("p", "The 50 latest changes are shown.", { class: "muted" }));
  return box;
}
