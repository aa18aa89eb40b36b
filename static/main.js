// The app's shell: who is signed in, the navigation their role allows,
// and the view of the current path (one module per view).
import { api } from "/app/api.js";

const routes = {
  "/app/sign-in": () => import("/app/views/sign-in.js"),
  "/app/": () => import("/app/views/home.js"),
};

export const session = { user: null };

function nav(user) {
  const el = document.getElementById("nav");
  el.replaceChildren();
  if (!user) return;
  const links = [["/app/", "Home"]];
  if (user.role === "marketer" || user.role === "admin") links.push(["/app/library", "Library"]);
  if (user.board || user.role === "admin") links.push(["/app/board", "Board"]);
  for (const [href, label] of links) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    if (location.pathname === href) a.setAttribute("aria-current", "page");
    el.append(a);
  }
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = `${user.name} (${user.role})`;
  const out = document.createElement("button");
  out.type = "button";
  out.textContent = "Sign out";
  out.addEventListener("click", async () => {
    await api("DELETE", "/session");
    location.assign("/app/sign-in");
  });
  el.append(who, out);
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
  const load = routes[path] || (() => import("/app/views/not-found.js"));
  const view = await load();
  const main = document.getElementById("view");
  main.replaceChildren();
  await view.show(main, session);
  main.focus();
}

render();
