// Content requests. A rep: what I asked marketing for, with where each
// stands (who works on it, the content that fulfilled it, why it was
// declined), and a form to ask for something new. Marketers and admins:
// the requests board (static/views/requests-board.js), then the same form.
import { api, showError } from "/app/api.js";
import { day, el, stageNames } from "/app/views/format.js";
import { show as showBoard } from "/app/views/requests-board.js";

const STATUS = { open: "Open", planned: "Planned", in_progress: "In progress", fulfilled: "Fulfilled", declined: "Declined" };

function askForm(stages, personas, heading = "Ask marketing for content") {
  const form = el("form", null, { class: "card ask" });
  form.append(el("h2", heading));
  const title = el("input", null, { name: "title", required: "" });
  const stage = el("select", null, { name: "stage" });
  stage.append(el("option", "Any stage", { value: "" }));
  for (const s of Object.values(stages).filter((s) => !s.outcome)) stage.append(el("option", s.name, { value: s.slug }));
  const persona = el("select", null, { name: "persona" });
  persona.append(el("option", "Any persona", { value: "" }));
  for (const p of personas) persona.append(el("option", p.name, { value: p.slug }));
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
  return form;
}

// Where a request stands, in words, with the content that fulfilled it.
function where(q) {
  const td = el("td", STATUS[q.status] || q.status);
  if (q.status === "fulfilled" && q.asset_id) {
    td.append(": ", el("a", q.asset_title || "see the content", { href: `/app/assets/${q.asset_id}` }));
  } else if (q.status === "declined" && q.decline_reason) {
    td.append(`: ${q.decline_reason}`);
  } else if (q.assignee_name) {
    td.append(el("span", ` · ${q.assignee_name} is on it`, { class: "muted" }));
  }
  return td;
}

export async function show(main, session) {
  const [stages, personaList] = await Promise.all([stageNames(), api("GET", "/personas")]);
  const personas = personaList.items || personaList;
  if (session.user.role !== "rep") {
    await showBoard(main, session);
    main.append(askForm(stages, personas, "Add a request"));
    return;
  }
  const page = await api("GET", "/requests?limit=200");
  main.append(el("h1", "My content requests"));
  const table = el("table", null, { class: "list requests" });
  table.append(el("thead"), el("tbody"));
  const head = el("tr");
  for (const h of ["Request", "Stage", "Status", "Asked"]) head.append(el("th", h, { scope: "col" }));
  table.tHead.append(head);
  for (const q of page.items) {
    const tr = el("tr");
    tr.append(el("td", q.title), el("td", q.stage ? stages[q.stage]?.name || q.stage : "—"), where(q), el("td", day(q.created_at)));
    table.tBodies[0].append(tr);
  }
  main.append(page.items.length ? table : el("p", "No requests yet.", { class: "muted" }), askForm(stages, personas));
}
