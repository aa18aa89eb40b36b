// The app's shell: who is signed in, the navigation their role allows,
// and the view of the current path (one module per view).
import { api, leaving } from "/app/api.js";
import { bell } from "/app/bell.js";

// Paths to views: [pattern, module]; ":name" is one segment, a parameter.
const routes = [
  ["/app/sign-in", "/app/views/sign-in.js"],
  ["/app/", "/app/views/deals.js"],
  ["/app/deals/:id", "/app/views/deal.js"],
  ["/app/search", "/app/views/search.js"],
  ["/app/assets/:id", "/app/views/asset.js"],
  ["/app/requests", "/app/views/requests.js"],
  ["/app/library", "/app/views/library.js"],
  ["/app/dashboards", "/app/views/dash-stage.js"],
  ["/app/dashboards/usage", "/app/views/dash-usage.js"],
  ["/app/dashboards/coverage", "/app/views/dash-coverage.js"],
  ["/app/dashboards/unused", "/app/views/dash-unused.js"],
  ["/app/board", "/app/views/board.js"],
  ["/app/import", "/app/views/import.js"],
  ["/app/admin", "/app/views/admin.js"],
  ["/app/admin/users", "/app/views/admin-users.js"],
  ["/app/admin/tokens", "/app/views/admin-tokens.js"],
  ["/app/admin/webhooks", "/app/views/admin-webhooks.js"],
  ["/app/admin/outgoing", "/app/views/admin-outgoing.js"],
  ["/app/admin/personas", "/app/views/admin-personas.js"],
  ["/app/admin/stages", "/app/views/admin-stages.js"],
  ["/app/admin/aliases", "/app/views/admin-aliases.js"],
  ["/app/admin/privacy", "/app/views/admin-privacy.js"],
  ["/app/account", "/app/views/account.js"],
  ["/app/api", "/app/views/api-reference.js"],
];

function route(path) {
  for (const [pattern, module] of routes) {
    const names = [];
    const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, n) => { names.push(n); return "([^/]+)"; })}$`);
    const m = path.match(re);
    if (m) return { module, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
  }
  return { module: "/app/views/not-found.js", params: {} };
}

export const session = { user: null };

function nav(user) {
  const el = document.getElementById("nav");
  el.replaceChildren();
  if (!user) return;
  const links = [["/app/", user.role === "rep" ? "My deals" : "Deals"], ["/app/search", "Search"],
    ["/app/requests", "Requests"]];
  if (user.role === "marketer" || user.role === "admin") links.push(["/app/library", "Library"]);
  if (user.board || user.role === "admin") links.push(["/app/board", "Board"]);
  if (user.role === "marketer" || user.role === "admin") links.push(["/app/dashboards", "Dashboards"]);
  if (user.role !== "rep") links.push(["/app/import", "Import"], ["/app/admin", user.role === "admin" ? "Admin" : "Settings"]);
  for (const [href, label] of links) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    if (location.pathname === href) a.setAttribute("aria-current", "page");
    el.append(a);
  }
  const who = document.createElement("a");
  who.className = "who";
  who.href = "/app/account";
  who.textContent = `${user.name} (${user.role})`;
  if (location.pathname === who.pathname) who.setAttribute("aria-current", "page");
  const out = document.createElement("button");
  out.type = "button";
  out.textContent = "Sign out";
  out.addEventListener("click", async () => {
    leaving.now = true;
    await api("DELETE", "/session");
    location.assign("/app/sign-in");
  });
  el.append(bell(), who, out);
}

export async function render() {
  const path = location.pathname === "/" || location.pathname === "/app" ? "/app/" : location.pathname;
  if (path !== "/app/sign-in") {
    try {
      session.user = await api("GET", "/me");
    } catch {
      location.assign(`/app/sign-in?next=${encodeURIComponent(path + location.search)}`);
      return;
    }
  }
  nav(session.user);
  const { module, params } = route(path);
  const view = await import(module);
  const main = document.getElementById("view");
  main.replaceChildren();
  main.focus(); // a new page: focus starts at its content (a view may move it on)
  try {
    await view.show(main, session, params);
  } catch (err) {
    main.replaceChildren();
    const p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = err.status === 404 ? "There is nothing here (or it is not yours to see)." : err.message;
    main.append(p);
  }
}

render();
