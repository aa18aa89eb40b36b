// Users (admins): every account with its role, its seat on the editorial
// board and whether it is active, each changed in place; and a form to add
// someone. Deactivating ends the person's sessions and revokes their
// tokens (the API does); it can be undone.
import { api, showError } from "/app/api.js";
import { choice, el, field } from "/app/views/format.js";
import { clearError, clearErrors, controlError, everything, section, status, table } from "/app/views/admin-area.js";

const ROLES = [["rep", "Rep"], ["marketer", "Marketer"], ["admin", "Admin"]];
const roleName = (r) => Object.fromEntries(ROLES)[r] || r;

export async function show(main, session) {
  if (!section(main, session, "/app/admin/users")) return;
  const said = status();
  const list = el("section", null, { "aria-labelledby": "users-heading" });
  const refresh = () => listUsers(list, session, said);
  main.append(said, list, addForm(said, refresh));
  await refresh();
}

function addForm(said, refresh) {
  const f = el("form", null, { class: "card add-user" });
  const name = el("input", null, { name: "name", required: "", autocomplete: "off" });
  const email = el("input", null, { name: "email", type: "email", required: "", autocomplete: "off" });
  const role = choice("role", ROLES, "rep");
  const board = el("input", null, { name: "board", type: "checkbox" });
  const password = el("input", null, { name: "password", type: "password", required: "", autocomplete: "new-password",
    minlength: "8", "aria-describedby": "password-hint" });
  const boardLabel = field("On the editorial board", board, { class: "inline" });
  boardLabel.prepend(board); // the box before its words
  f.append(el("h2", "Add a user"), field("Name", name), field("E-mail", email), field("Role", role), boardLabel,
    field("Password", password), el("p", "At least 8 characters. Give it to them in person; they sign in with it.",
      { class: "muted hint", id: "password-hint" }), el("button", "Add the user", { type: "submit" }));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const u = await api("POST", "/users", { name: name.value.trim(), email: email.value.trim(), role: role.value,
        board: board.checked, password: password.value });
      clearErrors(f);
      f.reset();
      said.textContent = `${u.name} can now sign in as ${u.email}.`;
      await refresh();
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

// Lists every user into @box; then @focus (a control's accessible name)
// gets the focus, so that a keyboard stays where it was.
async function listUsers(box, session, said, focus) {
  const users = await everything("/users");
  const { wrap, body } = table("Users", ["Name", "E-mail", "Role", "Editorial board", "Status"]);
  for (const u of users) body.append(row(u, session, said, (f) => listUsers(box, session, said, f)));
  box.replaceChildren(el("h2", `${users.length} ${users.length === 1 ? "user" : "users"}`, { id: "users-heading" }), wrap);
  if (focus) box.querySelector(`[aria-label="${CSS.escape(focus)}"]`)?.focus();
}

function row(u, session, said, refresh) {
  const tr = el("tr", null, u.active ? {} : { class: "inactive" });
  const self = u.id === session.user.id;
  const patch = async (control, body, done) => {
    try {
      clearError(control);
      const after = await api("PATCH", `/users/${u.id}`, body);
      Object.assign(u, after);
      said.textContent = done(after);
    } catch (err) {
      controlError(control, err);
      return false;
    }
    return true;
  };
  const role = choice("role", ROLES, u.role);
  role.setAttribute("aria-label", `Role of ${u.name}`);
  if (self) role.disabled = true; // an admin does not demote themselves by a slip
  role.addEventListener("change", async () => {
    if (!(await patch(role, { role: role.value }, (a) => `${a.name} is now ${roleName(a.role).toLowerCase()}.`))) role.value = u.role;
  });
  const board = el("input", null, { type: "checkbox", "aria-label": `${u.name} is on the editorial board` });
  board.checked = u.board;
  board.addEventListener("change", async () => {
    if (!(await patch(board, { board: board.checked },
      (a) => `${a.name} is ${a.board ? "now" : "no longer"} on the editorial board.`))) board.checked = u.board;
  });
  const state = el("td");
  if (self) {
    state.append("Active (you)");
  } else {
    const toggle = el("button", u.active ? "Deactivate" : "Reactivate",
      { type: "button", class: "small", "aria-label": `${u.active ? "Deactivate" : "Reactivate"} ${u.name}` });
    toggle.addEventListener("click", async () => {
      if (await patch(toggle, { active: !u.active }, (a) => (a.active ? `${a.name} can sign in again.`
        : `${a.name} is deactivated: signed out everywhere, their API tokens revoked.`)))
        await refresh(`${u.active ? "Deactivate" : "Reactivate"} ${u.name}`);
    });
    state.append(u.active ? "Active " : "Deactivated ", toggle);
  }
  const roleCell = el("td");
  roleCell.append(role);
  const boardCell = el("td");
  boardCell.append(board);
  tr.append(el("td", u.name), el("td", u.email), roleCell, boardCell, state);
  return tr;
}
