// Sign-in: single sign-on when the server offers it (GET /api/v1/sso),
// e-mail and password unless they are turned off, then back to the page
// that sent us here. A failed single sign-on comes back here with its
// code in ?sso_error=, said in words above the choices.
import { api, showError } from "/app/api.js";

const SSO_ERRORS = {
  sso_failed: "Single sign-on did not sign you in. Try again; if it keeps failing, ask an admin.",
  sso_provider_unavailable: "The sign-in service did not answer. Try again in a moment.",
  sso_not_configured: "Single sign-on is not set up on this server.",
};

export async function show(main) {
  const params = new URLSearchParams(location.search);
  const asked = params.get("next");
  const next = asked && asked.startsWith("/app/") ? asked : "/app/";
  let sso = { enabled: false, local_passwords: true, start_url: null };
  try {
    sso = await api("GET", "/sso");
  } catch {
    // an older server: passwords only
  }
  const form = document.createElement("form");
  form.className = "card narrow";
  form.innerHTML = `
    <h1>Sign in</h1>
    ${asked ? '<p class="muted">Sign in to go on to the page you asked for.</p>' : ""}`;
  const failed = params.get("sso_error");
  if (failed) {
    const p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = SSO_ERRORS[failed] || SSO_ERRORS.sso_failed;
    form.append(p);
  }
  if (sso.enabled) {
    const a = document.createElement("a");
    a.className = "button";
    a.id = "sso";
    a.href = `${sso.start_url}?next=${encodeURIComponent(next)}`;
    a.textContent = "Sign in with SSO";
    form.append(a);
  }
  if (sso.local_passwords) {
    if (sso.enabled) {
      const or = document.createElement("p");
      or.className = "muted";
      or.textContent = "Or with your e-mail and password:";
      form.append(or);
    }
    form.insertAdjacentHTML("beforeend", `
      <label>E-mail <input name="email" type="email" autocomplete="username" required></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Sign in</button>`);
  } else {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = "This organisation signs in through single sign-on only.";
    form.append(p);
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const { email, password } = Object.fromEntries(new FormData(form));
    try {
      await api("POST", "/session", { email, password });
      location.assign(next);
    } catch (err) {
      showError(form, err);
    }
  });
  main.append(form);
  (form.elements.email || form.querySelector("#sso"))?.focus();
}
