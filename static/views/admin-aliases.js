// Aliases (marketers and admins): what a CRM calls our stages (stage
// aliases: webhooks and imports resolve names through them) and the
// people who own deals (owner aliases: imports match owners by e-mail,
// full name, or one of these). Each listed with a way to remove it, and
// a form to add one.
import { api, showError } from "/app/api.js";
import { choice, el, field, stageNames } from "/app/views/format.js";
import { clearErrors, section, status, table } from "/app/views/admin-area.js";

export async function show(main, session) {
  if (!section(main, session, "/app/admin/aliases")) return;
  const said = status();
  const [stages, people] = await Promise.all([stageNames(), api("GET", "/people")]);
  const stageBox = el("section", null, { "aria-labelledby": "stage-aliases" });
  const ownerBox = el("section", null, { "aria-labelledby": "owner-aliases" });
  const stageList = el("div");
  const ownerList = el("div");
  const order = Object.values(stages).sort((a, b) => a.position - b.position);
  const refreshStages = () => listStageAliases(stageList, stages, said, refreshStages);
  const refreshOwners = () => listOwnerAliases(ownerList, said, refreshOwners);
  stageBox.append(el("h2", "Stage names in your CRM", { id: "stage-aliases" }),
    el("p", "A CRM's name for one of our stages, as webhooks and imports write it (case aside).", { class: "muted" }),
    stageList, aliasForm({ what: "stage", label: "Name in the CRM", pickLabel: "Our stage", path: "/stage-aliases",
      pick: choice("stage", order.map((s) => [s.slug, s.name])), key: "stage", said, refresh: refreshStages }));
  ownerBox.append(el("h2", "Owner names in your CRM", { id: "owner-aliases" }),
    el("p", "A deal owner as a CRM export writes them, when it is not their e-mail or full name here "
      + "(case and accents aside).", { class: "muted" }),
    ownerList, aliasForm({ what: "owner", label: "Name in the CRM", pickLabel: "Person", path: "/owner-aliases",
      pick: choice("user_id", [["", "Choose a person"], ...people.items.map((p) => [p.id, `${p.name} (${p.email})`])]),
      key: "user_id", said, refresh: refreshOwners }));
  main.append(said, stageBox, ownerBox);
  await Promise.all([refreshStages(), refreshOwners()]);
}

function aliasForm({ what, label, pickLabel, path, pick, key, said, refresh }) {
  const f = el("form", null, { class: `card add-alias add-${what}-alias` });
  const alias = el("input", null, { name: "alias", required: "", maxlength: what === "stage" ? "200" : "300", autocomplete: "off" });
  pick.required = true;
  f.append(el("h3", what === "stage" ? "Add a stage name" : "Add an owner name"), field(label, alias), field(pickLabel, pick),
    el("button", "Add", { type: "submit" }));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const chosen = pick.selectedOptions[0]?.textContent;
    try {
      const a = await api("POST", path, { alias: alias.value.trim(), [key]: pick.value });
      clearErrors(f);
      f.reset();
      said.textContent = `“${a.alias}” now means ${chosen}.`;
      await refresh();
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

function removeButton(text, path, said, refresh, box) {
  const b = el("button", "Remove", { type: "button", class: "small", "aria-label": `Remove ${text}` });
  b.addEventListener("click", async () => {
    try {
      await api("DELETE", path);
      said.textContent = `${text} removed.`;
    } catch (err) {
      said.textContent = err.message;
    }
    await refresh();
    box.closest("section").querySelector("h2").setAttribute("tabindex", "-1");
    box.closest("section").querySelector("h2").focus();
  });
  const td = el("td");
  td.append(b);
  return td;
}

async function listStageAliases(box, stages, said, refresh) {
  const items = (await api("GET", "/stage-aliases")).items;
  const { wrap, body } = table("Stage names", ["Name in the CRM", "Our stage", "Remove"]);
  for (const a of items) {
    const tr = el("tr");
    tr.append(el("td", a.alias), el("td", stages[a.stage]?.name || a.stage),
      removeButton(`the stage name “${a.alias}”`, `/stage-aliases?alias=${encodeURIComponent(a.alias)}`, said, refresh, box));
    body.append(tr);
  }
  box.replaceChildren(items.length ? wrap : el("p", "None.", { class: "muted" }));
}

async function listOwnerAliases(box, said, refresh) {
  const items = (await api("GET", "/owner-aliases")).items;
  const { wrap, body } = table("Owner names", ["Name in the CRM", "Person", "Remove"]);
  for (const a of items) {
    const tr = el("tr");
    tr.append(el("td", a.alias), el("td", `${a.user_name} (${a.user_email})`),
      removeButton(`the owner name “${a.alias}”`, `/owner-aliases?alias=${encodeURIComponent(a.alias)}`, said, refresh, box));
    body.append(tr);
  }
  box.replaceChildren(items.length ? wrap : el("p", "None yet: the import page offers to add one for each owner it cannot match.",
    { class: "muted" }));
}
