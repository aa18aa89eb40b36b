// Personas (marketers and admins): the buyer personas content and deals
// are tagged with. Each can be renamed and described; one no asset uses
// can be deleted (the API refuses the others, and says so beside it).
import { api, showError } from "/app/api.js";
import { el, field } from "/app/views/format.js";
import { clearErrors, section, status } from "/app/views/admin-area.js";

export async function show(main, session) {
  if (!section(main, session, "/app/admin/personas")) return;
  const said = status();
  const list = el("section", null, { "aria-labelledby": "personas-heading" });
  const refresh = () => listPersonas(list, said, refresh);
  main.append(said, list, addForm(said, refresh));
  await refresh();
}

function addForm(said, refresh) {
  const f = el("form", null, { class: "card add-persona" });
  const name = el("input", null, { name: "name", required: "", maxlength: "200" });
  const slug = el("input", null, { name: "slug", required: "", pattern: "[a-z0-9][a-z0-9_\\-]{0,63}", "aria-describedby": "slug-hint" });
  const description = el("textarea", null, { name: "description", rows: "2" });
  let typed = false;
  slug.addEventListener("input", () => { typed = true; });
  name.addEventListener("input", () => {
    if (!typed) slug.value = name.value.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
  });
  f.append(el("h2", "Add a persona"), field("Name", name), field("Slug (in addresses and the API)", slug),
    el("p", "Lowercase letters, digits, - and _; it cannot change later.", { class: "muted hint", id: "slug-hint" }),
    field("Description (optional)", description), el("button", "Add the persona", { type: "submit" }));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const p = await api("POST", "/personas", { slug: slug.value.trim(), name: name.value.trim(),
        description: description.value.trim() || null });
      clearErrors(f);
      f.reset();
      typed = false;
      said.textContent = `Persona “${p.name}” added.`;
      await refresh();
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

async function listPersonas(box, said, refresh) {
  const items = (await api("GET", "/personas")).items;
  const ul = el("ul", null, { class: "editable" });
  for (const p of items) {
    const f = el("form", null, { class: "card persona", "aria-label": `Persona ${p.name}` });
    const name = el("input", null, { name: "name", required: "", maxlength: "200", value: p.name });
    const description = el("textarea", null, { name: "description", rows: "2" });
    description.value = p.description || "";
    const del = el("button", "Delete", { type: "button", class: "secondary", "aria-label": `Delete the persona ${p.name}` });
    const h = el("h3", `${p.name} `);
    h.append(el("span", p.slug, { class: "muted slug" }));
    f.append(h, field("Name", name),
      field("Description", description), el("button", "Save", { type: "submit", "aria-label": `Save the persona ${p.name}` }), " ", del);
    f.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const after = await api("PATCH", `/personas/${p.slug}`, { name: name.value.trim(), description: description.value.trim() || null });
        clearErrors(f);
        said.textContent = `Persona “${after.name}” saved.`;
        f.querySelector("h3").firstChild.textContent = `${after.name} `;
      } catch (err) {
        showError(f, err);
      }
    });
    del.addEventListener("click", async () => {
      try {
        await api("DELETE", `/personas/${p.slug}`);
        said.textContent = `Persona “${p.name}” deleted.`;
        await refresh();
        box.querySelector("h2").focus();
      } catch (err) {
        showError(f, err);
      }
    });
    const li = el("li");
    li.append(f);
    ul.append(li);
  }
  box.replaceChildren(el("h2", `${items.length} ${items.length === 1 ? "persona" : "personas"}`,
    { id: "personas-heading", tabindex: "-1" }), items.length ? ul : el("p", "None yet: add the first below.", { class: "muted" }));
}
