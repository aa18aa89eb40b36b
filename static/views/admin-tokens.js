// API tokens: by label, with when each was made and last used (the server
// records a use within a minute), each revocable at once; a new one for
// yourself, shown this once. Admins see everyone's, or one person's;
// marketers their own.
import { api, showError } from "/app/api.js";
import { day, el, field } from "/app/views/format.js";
import { clearErrors, everything, section, shownOnce, status, table, when } from "/app/views/admin-area.js";

export async function show(main, session) {
  if (!section(main, session, "/app/admin/tokens")) return;
  const admin = session.user.role === "admin";
  const said = status();
  const list = el("section", null, { "aria-labelledby": "tokens-heading" });
  let whose = admin ? "all=1" : "";
  const refresh = (focus) => listTokens(list, whose, admin, said, refresh, focus);
  main.append(el("p", "A token lets a script or an integration call the API as its owner "
    + "(Authorization: Bearer …). Revoke the ones nobody uses: a revoked token stops working at once.", { class: "muted" }));
  if (admin) {
    const people = await everything("/users");
    const pick = el("select", null, { name: "whose" });
    pick.append(el("option", "Everyone's", { value: "all=1" }));
    for (const u of people) pick.append(el("option", u.id === session.user.id ? `${u.name} (you)` : u.name, { value: `user=${u.id}` }));
    pick.addEventListener("change", () => { whose = pick.value; refresh(); });
    main.append(field("Whose tokens", pick, { class: "whose" }));
  }
  main.append(said, list, makeForm(said, refresh));
  await refresh();
}

function makeForm(said, refresh) {
  const f = el("form", null, { class: "card make-token" });
  const name = el("input", null, { name: "name", required: "", maxlength: "200", autocomplete: "off" });
  const out = el("div", null, { "aria-live": "polite" });
  f.append(el("h2", "Make a token for yourself"), field("Label (what it is for)", name),
    el("button", "Make the token", { type: "submit" }), out);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const t = await api("POST", "/tokens", { name: name.value.trim() });
      clearErrors(f);
      out.replaceChildren(shownOnce("New token", t.token,
        `The token “${t.name}”, shown this once: copy it now and keep it where the integration reads it.`));
      f.reset();
      said.textContent = `Token “${t.name}” made.`;
      await refresh();
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

async function listTokens(box, whose, admin, said, refresh, focus) {
  const tokens = await everything(`/tokens${whose ? `?${whose}` : ""}`);
  const heads = admin ? ["Label", "Owner", "Made", "Last used", "Revoke"] : ["Label", "Made", "Last used", "Revoke"];
  const { wrap, body } = table("API tokens", heads);
  for (const t of tokens) {
    const tr = el("tr");
    const revoke = el("button", "Revoke", { type: "button", class: "small",
      "aria-label": `Revoke the token “${t.name}” of ${t.user_name}` });
    revoke.addEventListener("click", async () => {
      try {
        await api("DELETE", `/tokens/${t.id}`);
        said.textContent = `The token “${t.name}” of ${t.user_name} is revoked: it no longer works.`;
      } catch (err) {
        said.textContent = err.status === 404 ? `The token “${t.name}” was revoked already.` : err.message;
      }
      await refresh();
      box.querySelector("h2")?.focus();
    });
    const cell = el("td");
    cell.append(revoke);
    tr.append(el("td", t.name));
    if (admin) tr.append(el("td", t.user_name));
    tr.append(el("td", day(t.created_at)), el("td", when(t.last_used_at), { class: "last-used" }), cell);
    body.append(tr);
  }
  const n = tokens.length;
  box.replaceChildren(el("h2", n ? `${n} live ${n === 1 ? "token" : "tokens"}` : "No live tokens",
    { id: "tokens-heading", tabindex: "-1" }), n ? wrap : el("p", "Nothing to revoke.", { class: "muted" }));
  if (focus) box.querySelector("h2").focus();
}
