// Content requests: what I asked marketing for, with where each stands,
// and a form to ask for something new.
import { api, showError } from "/app/api.js";
import { day, el, stageNames } from "/app/views/format.js";

const STATUS = { open: "Open", planned: "Planned", in_progress: "In progress", fulfilled: "Fulfilled", declined: "Declined" };

export async function show(main, session) {
  const [page, stages, personas] = await Promise.all([api("GET", "/requests?limit=200"), stageNames(), api("GET", "/personas")]);
  main.append(el("h1", session.user.role === "rep" ? "My content requests" : "Content requests"));
  const form = el("form", null, { class: "card" });
  form.append(el("h2", "Ask marketing for content"));
  const title = el("input", null, { name: "title", required: "" });
  const stage = el("select", null, { name: "stage" });
  stage.append(el("option", "Any stage", { value: "" }));
  for (const s of Object.values(stages).filter((s) => !s.outcome)) stage.append(el("option", s.name, { value: s.slug }));
  const persona = el("select", null, { name: "persona" });
  persona.append(el("option", "Any persona", { value: "" }));
  for (const p of personas.items || personas) persona.append(el("option", p.name, { value: p.slug }));
  const detail = el("textarea", null, { name: "detail", rows: "3" });
  for (const [text, input] of [["What do you need?", title], ["For the stage", stage], ["For the persona", persona], ["Details", detail]]) {
    const l = el("label", text);
    l.append(input);
    form.append(l);
  }
  form.append(el("button", "Send the request", { type: "submit" }));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { title: title.value.trim() };
    for (const [k, input] of [["stage", stage], ["persona", persona], ["detail", detail]])
      if (input.value.trim()) body[k] = input.value.trim();
    try {
      await api("POST", "/requests", body);
      location.reload();
    } catch (err) {
      showError(form, err);
    }
  });
  const table = el("table", null, { class: "list" });
  table.append(el("thead"), el("tbody"));
  const head = el("tr");
  for (const h of ["Request", "Stage", "Status", "Asked"]) head.append(el("th", h, { scope: "col" }));
  table.tHead.append(head);
  for (const q of page.items) {
    const tr = el("tr");
    const what = el("td", q.title);
    if (q.asset_id) what.append(" · ", el("a", "see the content", { href: `/app/assets/${q.asset_id}` }));
    tr.append(what, el("td", q.stage ? stages[q.stage]?.name || q.stage : "—"),
      el("td", STATUS[q.status] || q.status), el("td", day(q.created_at)));
    table.tBodies[0].append(tr);
  }
  main.append(page.items.length ? table : el("p", "No requests yet.", { class: "muted" }), form);
}
