// An import's report as tables: what it would do (a dry run) or did; the
// owners that match nobody, each mapped to a person in one form (saved as
// owner aliases); the stages nobody knows, each aliased to one of ours;
// and the refused lines and warnings, line by line. @onMapped runs once
// mappings are saved (the page checks the file again).
import { api } from "/app/api.js";
import { choice, el } from "/app/views/format.js";
import { clearError, controlError, table } from "/app/views/admin-area.js";

export function report(rep, { dry, people, stages, onMapped }) {
  const box = el("section", null, { class: "import-report" });
  box.append(el("h2", dry ? "What the import would do" : "What the import did", { tabindex: "-1" }));
  const { wrap, body } = table("Summary", ["What", "Count"], [1]);
  const rows = [["Rows read", rep.rows], ["Lines skipped (blank, or the report's own lines)", rep.skipped],
    [dry ? "Deals to create" : "Deals created", rep.created], [dry ? "Deals to update" : "Deals updated", rep.updated],
    [dry ? "Stage changes to add" : "Stage changes added", rep.transitions], ["Rows that change nothing", rep.unchanged],
    ["Errors (refused)", rep.error_count], ["Warnings", rep.warning_count]];
  for (const [what, n] of rows) {
    const tr = el("tr");
    tr.append(el("th", what, { scope: "row" }), el("td", n.toLocaleString(), { class: "num" }));
    body.append(tr);
  }
  box.append(wrap);
  if (rep.owners_unmatched.length) box.append(ownersForm(rep.owners_unmatched, people, dry, onMapped));
  if (rep.stages_unknown.length) box.append(stagesForm(rep.stages_unknown, stages, dry, onMapped));
  box.append(lines("Refused", rep.errors, rep.error_count), lines("Warnings", rep.warnings, rep.warning_count));
  return box;
}

// One form of names the file uses and a choice for each; saving POSTs
// @path {alias, [key]: choice} for each one chosen.
function mapForm({ cls, title, intro, heads, items, name, options, none, path, key, button, onMapped }) {
  const f = el("form", null, { class: `card ${cls}` });
  const { wrap, body } = table(title, heads, [1]);
  const picks = [];
  for (const [i, it] of items.entries()) {
    const pick = choice(`${key}-${i}`, [["", none], ...options]);
    pick.setAttribute("aria-label", `${heads[2]}: ${it[name]}`);
    picks.push([it[name], pick]);
    const tr = el("tr");
    const cell = el("td");
    cell.append(pick);
    tr.append(el("td", it[name]), el("td", String(it.count), { class: "num" }), cell);
    body.append(tr);
  }
  const said = el("p", null, { role: "status" });
  f.append(el("h3", title), el("p", intro, { class: "muted" }), wrap, el("button", button, { type: "submit" }), said);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    let saved = 0;
    for (const [alias, pick] of picks) {
      if (!pick.value) continue;
      try {
        clearError(pick);
        await api("POST", path, { alias, [key]: pick.value });
        saved++;
      } catch (err) {
        controlError(pick, err);
        return;
      }
    }
    if (!saved) {
      said.textContent = "Choose at least one first.";
      return;
    }
    said.textContent = `${saved} saved: checking the file again…`;
    onMapped();
  });
  return f;
}

function ownersForm(owners, people, dry, onMapped) {
  return mapForm({ cls: "map-owners", title: "Owners who match nobody here", items: owners, name: "owner",
    intro: (dry ? "Their new deals would have no owner. " : "Their new deals have no owner. ")
      + "Say who each is: it is saved as an owner alias (Settings › Aliases), so later files match too.",
    heads: ["Owner in the file", "Lines", "Is"], none: "Nobody here (no owner)",
    options: people.map((p) => [p.id, `${p.name} (${p.email})`]), path: "/owner-aliases", key: "user_id",
    button: "Save and check again", onMapped });
}

function stagesForm(unknown, stages, dry, onMapped) {
  const order = Object.values(stages).sort((a, b) => a.position - b.position);
  return mapForm({ cls: "map-stages", title: "Stages nobody knows", items: unknown, name: "stage",
    intro: `Their lines ${dry ? "would be" : "were"} refused. Say which of our stages each is: it is saved as a stage alias.`,
    heads: ["Stage in the file", "Lines", "Our stage"], none: "Not one of ours",
    options: order.map((s) => [s.slug, s.name]), path: "/stage-aliases", key: "stage",
    button: "Save and check again", onMapped });
}

// The lines of @items ({line, column, field, message}), @count in all.
function lines(title, items, count) {
  const box = el("div", null, { class: "lines" });
  box.append(el("h3", `${title} (${count.toLocaleString()})`));
  if (!items.length) {
    box.append(el("p", "None.", { class: "muted" }));
    return box;
  }
  const { wrap, body } = table(title, ["Line", "Column", "What"], [0]);
  for (const p of items) {
    const tr = el("tr");
    tr.append(el("td", String(p.line), { class: "num" }), el("td", p.column || p.field || "—"), el("td", p.message));
    body.append(tr);
  }
  box.append(wrap);
  if (count > items.length) box.append(el("p", `The first ${items.length.toLocaleString()} are listed.`, { class: "muted" }));
  return box;
}
