// The requests board (marketers and admins): every content request in the
// column of where it stands (open, planned, in progress, fulfilled,
// declined); each can be assigned, moved on, fulfilled by picking the
// asset that answers it, or declined with a reason, in a dialog. The
// requester is told of each new status by the API (the bell).
import { api, showError } from "/app/api.js";
import { choice, day, el, field, kindName, stageNames } from "/app/views/format.js";

const COLUMNS = [["open", "Open"], ["planned", "Planned"], ["in_progress", "In progress"], ["fulfilled", "Fulfilled"],
  ["declined", "Declined"]];
const NAME = Object.fromEntries(COLUMNS);
// Where a request may go from where it is (the API's request_may_move()).
const NEXT = { open: ["planned", "in_progress", "fulfilled", "declined"], planned: ["in_progress", "fulfilled", "declined"],
  in_progress: ["fulfilled", "declined"], fulfilled: [], declined: [] };
const CLOSED_SHOWN = 20; // the latest fulfilled and declined ones; open work is shown whole (up to 200)

let seq = 0;

// The asset picker of the dialog: a search of the published library, the
// answers as radio buttons (the first one chosen).
function assetPicker(start) {
  const box = el("fieldset", null, { name: "asset_id", class: "pick" });
  box.append(el("legend", "The asset that answers it"));
  const q = el("input", null, { type: "search", name: "q", autocomplete: "off" });
  q.value = start;
  const list = el("ul", null, { class: "picks" });
  const said = el("p", null, { class: "muted", "aria-live": "polite" });
  box.append(field("Search the published library", q), said, list);
  let timer = 0, asked = 0;
  async function search() {
    const mine = ++asked;
    const p = new URLSearchParams({ status: "published", limit: "8" });
    if (q.value.trim()) p.set("q", q.value.trim());
    const body = await api("GET", `/assets?${p}`);
    if (mine !== asked) return; // an older query's answer
    list.replaceChildren();
    for (const [i, a] of body.items.entries()) {
      const li = el("li");
      const l = el("label", null, { class: "inline" });
      const r = el("input", null, { type: "radio", name: "asset_pick", value: a.id });
      r.checked = i === 0;
      l.append(r, `${a.title} (${kindName(a.kind)})`);
      li.append(l);
      list.append(li);
    }
    said.textContent = body.items.length ? `${body.total} found${body.total > body.items.length ? `; the first ${body.items.length} shown` : ""}.`
      : "Nothing matches: try other words.";
  }
  q.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 200); });
  q.addEventListener("keydown", (e) => { if (e.key === "Enter") e.preventDefault(); }); // Enter searches, not saves
  return { box, search, picked: () => box.querySelector("input[name=asset_pick]:checked")?.value };
}

// The dialog for request @q; resolves with the changed request, or null.
function update(q, people, me) {
  const id = `req-${++seq}`;
  const opener = document.activeElement;
  const dialog = el("dialog", null, { class: "request-dialog", "aria-labelledby": `${id}-h` });
  const form = el("form");
  form.append(el("h2", `“${q.title}”`, { id: `${id}-h` }),
    el("p", `Asked by ${q.requester_name} on ${day(q.created_at)}. ${q.requester_name} is told of each new status.`, { class: "muted" }));
  const status = choice("status", [[q.status, `${NAME[q.status]} (as now)`], ...NEXT[q.status].map((s) => [s, NAME[s]])], q.status);
  const assignee = choice("assignee", [["", "Nobody"], ...[...people].map(([pid, name]) => [pid, pid === me.id ? `Me (${name})` : name])],
    q.assignee || "");
  const closed = !NEXT[q.status].length;
  if (closed) { status.disabled = true; assignee.disabled = true; }
  form.append(field("Status", status), field("Assigned to", assignee));
  const picker = assetPicker(q.title);
  const reason = el("textarea", null, { name: "decline_reason", rows: "3", maxlength: "2000" });
  const why = field("Why not (the requester reads this)", reason);
  picker.box.hidden = true;
  why.hidden = true;
  form.append(picker.box, why);
  const ok = el("button", "Save", { type: "submit" });
  const cancel = el("button", closed ? "Close" : "Cancel", { type: "button", class: "secondary" });
  const row = el("div", null, { class: "dialog-actions" });
  if (!closed) row.append(ok);
  row.append(cancel);
  form.append(row);
  dialog.append(form);
  document.body.append(dialog);
  status.addEventListener("change", () => {
    picker.box.hidden = status.value !== "fulfilled";
    why.hidden = status.value !== "declined";
    if (!picker.box.hidden) picker.search();
  });

  return new Promise((resolve) => {
    let result = null;
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(result);
    });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = {};
      if (status.value !== q.status) body.status = status.value;
      if (assignee.value !== (q.assignee || "")) body.assignee = assignee.value || null;
      if (body.status === "fulfilled") {
        const asset = picker.picked();
        if (!asset) return showError(form, { field: "asset_id", message: "Pick the asset that answers the request." });
        body.asset_id = asset;
      }
      if (body.status === "declined") {
        if (!reason.value.trim()) return showError(form, { field: "decline_reason", message: "Say why: the requester reads it." });
        body.decline_reason = reason.value.trim();
      }
      if (!Object.keys(body).length) return dialog.close();
      ok.disabled = true;
      try {
        result = await api("PATCH", `/requests/${q.id}`, body);
        dialog.close();
      } catch (err) {
        ok.disabled = false;
        showError(form, err);
      }
    });
    dialog.showModal();
    (closed ? cancel : status).focus();
  });
}

function card(q, stages, personaName, onUpdate) {
  const li = el("li", null, { class: "req", "data-id": q.id, "data-assignee": q.assignee || "" });
  li.append(el("h3", q.title));
  const facts = [q.stage ? stages[q.stage]?.name || q.stage : null, q.persona ? personaName(q.persona) : null].filter(Boolean);
  li.append(el("p", `Asked by ${q.requester_name} on ${day(q.created_at)}${facts.length ? ` · ${facts.join(" · ")}` : ""}`, { class: "muted" }));
  if (q.detail) li.append(el("p", q.detail.length > 200 ? `${q.detail.slice(0, 200)}…` : q.detail));
  if (q.refreshes) {
    const p = el("p");
    p.append("Asked by the editorial board: a new edition of ", el("a", "this asset", { href: `/app/assets/${q.refreshes}` }), ".");
    li.append(p);
  }
  if (q.status === "fulfilled" && q.asset_id) {
    const p = el("p", "Fulfilled with ");
    p.append(el("a", q.asset_title || "the content", { href: `/app/assets/${q.asset_id}` }), ` on ${day(q.updated_at)}.`);
    li.append(p);
  }
  if (q.status === "declined") li.append(el("p", `Declined: ${q.decline_reason}`));
  li.append(el("p", q.assignee ? `Assigned to ${q.assignee_name}` : "Not assigned", { class: "who" }));
  const b = el("button", NEXT[q.status].length ? "Move or assign" : "Details", { type: "button", class: "secondary" });
  b.append(el("span", ` “${q.title}”`, { class: "vh" }));
  b.addEventListener("click", () => onUpdate(q));
  li.append(b);
  return li;
}

export async function show(main, session) {
  main.append(el("h1", "Content requests"));
  main.append(el("p", "What reps asked marketing for, by where it stands. Assign a request, move it on, fulfil it with the asset that answers it, or decline it with a reason: the requester is told at each step."));
  const [stages, personaList] = await Promise.all([stageNames(), api("GET", "/personas")]);
  const personas = personaList.items || personaList;
  const personaName = (slug) => personas.find((p) => p.slug === slug)?.name || slug;
  const whose = choice("whose", [["all", "Everyone's"], ["me", "Assigned to me"], ["nobody", "Not assigned"]]);
  const bar = el("form", null, { class: "filters", "aria-label": "Which requests" });
  bar.append(field("Show", whose));
  bar.addEventListener("submit", (e) => e.preventDefault());
  const status = el("p", null, { role: "status", class: "status", tabindex: "-1" });
  const columns = el("div", null, { class: "columns" });
  main.append(bar, status, columns);
  // Who may be assigned: the active marketers and admins.
  const people = new Map([[session.user.id, session.user.name]]);
  for (const u of (await api("GET", "/people")).items)
    if (u.role === "marketer" || u.role === "admin") people.set(u.id, u.name);

  async function paint(focusId) {
    const pages = await Promise.all(COLUMNS.map(([s]) => api("GET",
      `/requests?status=${s}&limit=${NEXT[s].length ? 200 : CLOSED_SHOWN}`)));
    for (const page of pages) for (const q of page.items) if (q.assignee) people.set(q.assignee, q.assignee_name);
    columns.replaceChildren();
    for (const [i, [s, name]] of COLUMNS.entries()) {
      const sec = el("section", null, { class: `column ${s}`, "aria-labelledby": `col-${s}` });
      const h = el("h2", null, { id: `col-${s}` });
      const count = el("span", "", { class: "count" });
      h.append(name, " ", count);
      const ol = el("ol");
      for (const q of pages[i].items) ol.append(card(q, stages, personaName, open));
      sec.append(h, ol);
      if (!NEXT[s].length && pages[i].next_cursor) sec.append(el("p", `The latest ${CLOSED_SHOWN} are shown.`, { class: "muted" }));
      columns.append(sec);
    }
    filter();
    if (focusId) columns.querySelector(`li[data-id="${focusId}"] button`)?.focus();
  }
  function filter() {
    for (const sec of columns.children) {
      let shown = 0;
      for (const li of sec.querySelectorAll("li.req")) {
        const a = li.dataset.assignee;
        li.hidden = (whose.value === "me" && a !== session.user.id) || (whose.value === "nobody" && a !== "");
        if (!li.hidden) shown++;
      }
      sec.querySelector(".count").textContent = `(${shown})`;
      let none = sec.querySelector("p.none");
      if (!shown && !none) sec.querySelector("ol").after(none = el("p", "None.", { class: "muted none" }));
      if (shown && none) none.remove();
    }
  }
  async function open(q) {
    const changed = await update(q, people, session.user);
    if (!changed) return;
    const moved = changed.status !== q.status;
    status.textContent = moved ? `“${changed.title}” is now ${NAME[changed.status].toLowerCase()}; ${changed.requester_name} is told.`
      : `“${changed.title}” is ${changed.assignee ? `assigned to ${changed.assignee_name}` : "not assigned"}.`;
    await paint(changed.id);
  }
  whose.addEventListener("change", filter);
  await paint();
}
