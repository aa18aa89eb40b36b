// The administration area's shell: its sections and who may open each
// (users, webhook secrets, outgoing webhooks and privacy: admins; API tokens: a marketer's own,
// everyone's for an admin; personas, stages, aliases and the CRM import:
// marketers too, as the API lets them), the area's navigation, and the
// small helpers its pages share.
import { api } from "/app/api.js";
import { el } from "/app/views/format.js";

export const SECTIONS = [
  { href: "/app/admin/users", title: "Users", who: "admin", what: "Accounts, roles, the editorial board, deactivation." },
  { href: "/app/admin/tokens", title: "API tokens", who: "marketer", what: "Tokens for integrations: when each was last used; revoke them." },
  { href: "/app/admin/webhooks", title: "Webhook secrets", who: "admin", what: "The keys that sign the CRM's and HubSpot's webhooks: create, rotate, revoke." },
  { href: "/app/admin/outgoing", title: "Outgoing webhooks", who: "admin", what: "Send events (opens, sales-ready leads, requests, verdicts, decisions, stage changes) to other tools or Slack; failed deliveries, sent again." },
  { href: "/app/admin/personas", title: "Personas", who: "marketer", what: "The buyer personas content is tagged with." },
  { href: "/app/admin/stages", title: "Stages", who: "marketer", what: "The deal stages, their order and outcomes." },
  { href: "/app/admin/aliases", title: "Aliases", who: "marketer", what: "What your CRM calls our stages and your people." },
  { href: "/app/admin/privacy", title: "Privacy", who: "admin", what: "Erase a prospect who asks to be forgotten, everywhere; how long old opens and leads are kept." },
  { href: "/app/import", title: "CRM import", who: "marketer", what: "Deals and their stage history from a CSV export." },
  { href: "/app/api", title: "API", who: "marketer", what: "Every route of the API for integrations: parameters, answers, error codes, who may call it." },
];

export function allowed(user, who) {
  return user.role === "admin" || (who === "marketer" && user.role === "marketer");
}

// Starts the page of section @href in @main: its heading and the area's
// navigation; or, for a user whose role may not use it, a sentence saying
// whose it is. False when refused.
export function section(main, session, href) {
  const s = SECTIONS.find((x) => x.href === href);
  main.append(el("h1", s.title));
  if (!allowed(session.user, s.who)) {
    main.append(el("p", s.who === "admin" ? `${s.title}: this page is for administrators.`
      : `${s.title}: this page is for marketing and administrators.`, { class: "muted refused" }));
    return false;
  }
  main.append(areaNav(session.user, href));
  return true;
}

export function areaNav(user, current) {
  const nav = el("nav", null, { class: "area-nav", "aria-label": user.role === "admin" ? "Administration" : "Settings" });
  for (const s of SECTIONS.filter((x) => allowed(user, x.who))) {
    const a = el("a", s.title, { href: s.href });
    if (s.href === current) a.setAttribute("aria-current", "page");
    nav.append(a);
  }
  return nav;
}

// A polite live region for what a page's actions did.
export function status() {
  return el("p", null, { class: "status", role: "status" });
}

// Shows @err from the API beside @control (a control outside a form, in a
// row of a table), which takes the focus.
export function controlError(control, err) {
  const next = control.parentElement.querySelector(".error");
  if (next) next.remove();
  control.setAttribute("aria-invalid", "true");
  const p = el("p", err.message, { class: "error", role: "alert" });
  control.insertAdjacentElement("afterend", p);
  control.focus();
}

// Takes away what showError put in form @f.
export { clearErrors } from "/app/api.js";

export function clearError(control) {
  control.removeAttribute("aria-invalid");
  control.parentElement.querySelector(".error")?.remove();
}

// A table in a region that scrolls sideways on a narrow screen (focusable,
// so a keyboard can scroll it), with the header row @heads; the columns
// at the indexes @numeric hold numbers (aligned right).
export function table(label, heads, numeric = []) {
  const wrap = el("div", null, { class: "scroll", role: "region", "aria-label": label, tabindex: "0" });
  const t = el("table", null, { class: "data" });
  t.append(el("thead"), el("tbody"));
  const tr = el("tr");
  for (const [i, h] of heads.entries()) tr.append(el("th", h, numeric.includes(i) ? { scope: "col", class: "num" } : { scope: "col" }));
  t.tHead.append(tr);
  wrap.append(t);
  return { wrap, body: t.tBodies[0] };
}

// A value shown this once (a new token, a webhook secret): read-only, with
// a copy button and the sentence @note.
export function shownOnce(label, value, note) {
  const box = el("div", null, { class: "once" });
  const input = el("input", null, { value, readonly: "", "aria-label": label });
  const copy = el("button", "Copy", { type: "button" });
  copy.addEventListener("click", async () => {
    await navigator.clipboard.writeText(value);
    copy.textContent = "Copied";
  });
  box.append(el("p", note, { class: "muted" }), input, copy);
  return box;
}

// Every item of a paged list at @path (following next_cursor).
export async function everything(path) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await api("GET", `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export function when(rfc3339) {
  if (!rfc3339) return "never";
  return new Date(rfc3339).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
