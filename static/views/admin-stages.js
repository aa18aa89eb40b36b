// Stages (marketers and admins): the deal stages in order, each renamed,
// moved (up, down, or to a position: the others shift) or given an
// outcome (won, lost); and a new stage, appended unless a position is
// given. Stages are never deleted: deals' histories refer to them.
import { api, showError } from "/app/api.js";
import { choice, el, field } from "/app/views/format.js";
import { clearErrors, section, status } from "/app/views/admin-area.js";

const OUTCOMES = [["", "None (an open stage)"], ["won", "Won"], ["lost", "Lost"]];

export async function show(main, session) {
  if (!section(main, session, "/app/admin/stages")) return;
  const said = status();
  const list = el("section", null, { "aria-labelledby": "stages-heading" });
  const refresh = (focus) => listStages(list, said, refresh, focus);
  main.append(said, list, addForm(said, refresh));
  await refresh();
}

function addForm(said, refresh) {
  const f = el("form", null, { class: "card add-stage" });
  const name = el("input", null, { name: "name", required: "", maxlength: "200" });
  const slug = el("input", null, { name: "slug", required: "", pattern: "[a-z0-9][a-z0-9_\\-]{0,63}", "aria-describedby": "stage-slug-hint" });
  const position = el("input", null, { name: "position", type: "number", min: "1", max: "1000" });
  const outcome = choice("outcome", OUTCOMES, "");
  f.append(el("h2", "Add a stage"), field("Name", name), field("Slug (in the API and imports)", slug),
    el("p", "Lowercase letters, digits, - and _; it cannot change later.", { class: "muted hint", id: "stage-slug-hint" }),
    field("Position (optional: last if empty)", position), field("Outcome", outcome), el("button", "Add the stage", { type: "submit" }));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { slug: slug.value.trim(), name: name.value.trim(), outcome: outcome.value || null };
    if (position.value) body.position = Number(position.value);
    try {
      const s = await api("POST", "/stages", body);
      clearErrors(f);
      f.reset();
      said.textContent = `Stage “${s.name}” added at position ${s.position}.`;
      await refresh();
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

async function listStages(box, said, refresh, focus) {
  const items = (await api("GET", "/stages")).items.sort((a, b) => a.position - b.position);
  const ol = el("ol", null, { class: "editable stages" });
  for (const s of items) {
    const f = el("form", null, { class: "card stage", "aria-label": `Stage ${s.name}` });
    const name = el("input", null, { name: "name", required: "", maxlength: "200", value: s.name });
    const position = el("input", null, { name: "position", type: "number", min: "1", max: "1000", value: String(s.position) });
    const outcome = choice("outcome", OUTCOMES, s.outcome || "");
    const save = async (body, what, focusName) => {
      try {
        const after = await api("PATCH", `/stages/${s.slug}`, body);
        clearErrors(f);
        said.textContent = what(after);
        await refresh(focusName);
      } catch (err) {
        showError(f, err);
      }
    };
    const up = el("button", "Move up", { type: "button", class: "secondary", "aria-label": `Move up: ${s.name}` });
    const down = el("button", "Move down", { type: "button", class: "secondary", "aria-label": `Move down: ${s.name}` });
    up.disabled = s.position === 1;
    down.disabled = s.position === items.length;
    up.addEventListener("click", () => save({ position: s.position - 1 }, (a) => `${a.name} moved up to position ${a.position}.`, `Move up: ${s.name}`));
    down.addEventListener("click", () => save({ position: s.position + 1 }, (a) => `${a.name} moved down to position ${a.position}.`, `Move down: ${s.name}`));
    f.addEventListener("submit", (e) => {
      e.preventDefault();
      save({ name: name.value.trim(), position: Number(position.value), outcome: outcome.value || null },
        (a) => `Stage “${a.name}” saved (position ${a.position}).`);
    });
    const tag = s.outcome ? ` · ${s.outcome}` : "";
    const h = el("h3", `${s.position}. ${s.name} `);
    h.append(el("span", `${s.slug}${tag}`, { class: "muted slug" }));
    f.append(h, el("div", null, { class: "fields" }));
    f.lastChild.append(field("Name", name), field("Position", position), field("Outcome", outcome));
    f.append(el("button", "Save", { type: "submit", "aria-label": `Save the stage ${s.name}` }), " ", up, " ", down);
    const li = el("li");
    li.append(f);
    ol.append(li);
  }
  box.replaceChildren(el("h2", `${items.length} stages, in order`, { id: "stages-heading", tabindex: "-1" }), ol);
  if (focus) {
    const b = box.querySelector(`[aria-label="${CSS.escape(focus)}"]`);
    (b && !b.disabled ? b : box.querySelector("h2")).focus();
  }
}
