// Your account: your name, your password (with the current one; a new
// password signs you out everywhere else, and too many wrong current
// passwords make you wait, as at sign-in), and whether your notifications
// also come by e-mail (each one, or a daily digest).
import { api, clearErrors, showError } from "/app/api.js";
import { el, field } from "/app/views/format.js";

function form(title, inputs, button, submit) {
  const f = el("form", null, { class: "card" });
  const said = el("p", null, { role: "status" });
  f.append(el("h2", title), ...inputs, el("button", button, { type: "submit" }), said);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      said.textContent = await submit();
      clearErrors(f);
    } catch (err) {
      said.textContent = "";
      showError(f, err);
    }
  });
  return f;
}

const MAIL = [["none", "No e-mail: I read them in nextstage"], ["each", "An e-mail for each notification"],
  ["daily", "One e-mail a day with what happened"]];

function mailForm(session) {
  const group = el("fieldset", null, { class: "choices" });
  group.append(el("legend", "Notifications by e-mail"));
  for (const [value, text] of MAIL) {
    const radio = el("input", null, { type: "radio", name: "email_notifications", value });
    radio.checked = session.user.email_notifications === value;
    const l = el("label");
    l.append(radio, " ", text);
    group.append(l);
  }
  return form("E-mail", [group], "Save", async () => {
    const picked = group.querySelector("input:checked").value;
    session.user = await api("PATCH", "/me", { email_notifications: picked });
    return picked === "none" ? "Saved: no e-mail." : `Saved: e-mails go to ${session.user.email}.`;
  });
}

export async function show(main, session) {
  const me = session.user;
  main.append(el("h1", "Your account"), el("p", `${me.email} · ${me.role}${me.board ? " · editorial board" : ""}`, { class: "muted" }));
  const name = el("input", null, { name: "name", value: me.name, required: "", autocomplete: "name" });
  const naming = form("Name", [field("Your name, as colleagues see it", name)], "Save the name", async () => {
    const u = await api("PATCH", "/me", { name: name.value.trim() });
    session.user = u;
    document.querySelector("#nav .who").textContent = `${u.name} (${u.role})`;
    return "Saved.";
  });
  const current = el("input", null, { name: "current_password", type: "password", required: "", autocomplete: "current-password" });
  const next = el("input", null, { name: "password", type: "password", required: "", minlength: "8", autocomplete: "new-password" });
  const changing = form("Password", [field("Current password", current), field("New password (at least 8 characters)", next)],
    "Change the password", async () => {
      await api("PATCH", "/me", { current_password: current.value, password: next.value });
      current.value = next.value = "";
      return "Changed. You stay signed in here; every other session of yours has ended.";
    });
  main.append(el("div", null, { class: "two" }));
  main.lastChild.append(naming, changing);
  main.append(mailForm(session));
  const apiLink = el("p", "Scripts and integrations: ");
  apiLink.append(el("a", "the API's reference", { href: "/app/api" }), ".");
  main.append(apiLink);
}
