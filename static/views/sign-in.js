// Sign-in: e-mail and password, then back to the page that sent us here.
import { api, showError } from "/app/api.js";

export async function show(main) {
  const form = document.createElement("form");
  form.className = "card narrow";
  form.innerHTML = `
    <h1>Sign in</h1>
    ${new URLSearchParams(location.search).get("next") ? '<p class="muted">Sign in to go on to the page you asked for.</p>' : ""}
    <label>E-mail <input name="email" type="email" autocomplete="username" required></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
    <button type="submit">Sign in</button>`;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const { email, password } = Object.fromEntries(new FormData(form));
    try {
      await api("POST", "/session", { email, password });
      const next = new URLSearchParams(location.search).get("next");
      location.assign(next && next.startsWith("/app/") ? next : "/app/");
    } catch (err) {
      showError(form, err);
    }
  });
  main.append(form);
  form.elements.email.focus();
}
