// The notifications bell: the unread count, kept current by polling every
// 5 s while the page is visible (a prospect's open shows within seconds).
// Polling, not server-sent events: one short request per open tab costs
// the server nothing between polls, where an event stream would hold one
// of its few worker threads per tab.
import { api } from "/app/api.js";
import { el } from "/app/views/format.js";

const EVERY_MS = 5000;

export function bell() {
  const wrap = el("div", null, { class: "bell" });
  const button = el("button", "Notifications", { type: "button", "aria-expanded": "false", "aria-controls": "bell-list" });
  const count = el("span", "0", { class: "count", "aria-label": "unread" });
  button.append(" ", count);
  const list = el("ul", null, { id: "bell-list", class: "bell-list", hidden: "" });
  wrap.append(button, list);
  let items = [];

  async function refresh() {
    if (document.visibilityState !== "visible") return;
    try {
      const page = await api("GET", "/notifications?limit=20");
      items = page.items;
      count.textContent = String(page.unread);
      count.dataset.unread = String(page.unread);
      if (!list.hidden) paint();
    } catch { /* signed out, or the server restarts: the next poll tries again */ }
  }

  function paint() {
    list.replaceChildren();
    if (!items.length) list.append(el("li", "Nothing yet.", { class: "muted" }));
    for (const n of items) {
      const li = el("li", null, { class: n.read ? "read" : "unread" });
      li.append(el("span", n.message));
      if (!n.read) {
        const b = el("button", "Mark read", { type: "button" });
        b.addEventListener("click", async () => {
          await api("POST", `/notifications/${n.id}/read`);
          await refresh();
          paint();
        });
        li.append(" ", b);
      }
      list.append(li);
    }
  }

  button.addEventListener("click", () => {
    list.hidden = !list.hidden;
    button.setAttribute("aria-expanded", String(!list.hidden));
    if (!list.hidden) paint();
  });
  refresh();
  setInterval(refresh, EVERY_MS);
  document.addEventListener("visibilitychange", refresh);
  return wrap;
}
