// Erasing a person (a prospect, a lead; never a user) by e-mail: their
// leads and the page views recorded with them go, shares' recipients are
// cleared, and the address is replaced wherever else it was written. Typed
// twice, since nothing brings it back. Below it, retention: how long old
// opens, page views, downloads and leads are kept, and a pass run now.
import { api, clearErrors, showError } from "/app/api.js";
import { day, el, field } from "/app/views/format.js";
import { section, status } from "/app/views/admin-area.js";

const COLUMN_WORDS = { "notifications.message": "notifications", "audit.before": "the audit trail",
  "audit.after": "the audit trail", "searches.q": "the search log", "feedback.comment": "feedback comments",
  "content_requests.detail": "content requests" };

function summary(got) {
  const n = (k, one, many) => `${got[k]} ${got[k] === 1 ? one : many}`;
  const places = {};
  for (const [col, rows] of Object.entries(got.replaced || {})) {
    const word = COLUMN_WORDS[col] || col;
    places[word] = (places[word] || 0) + rows;
  }
  const where = Object.entries(places).map(([w, rows]) => `${w} (${rows})`).join(", ");
  return `Erased: ${n("leads", "lead", "leads")}, ${n("page_views", "page view", "page views")}, `
    + `${n("share_recipients", "share recipient", "share recipients")}.`
    + (where ? ` The address was also replaced in ${where}.` : " The address was nowhere else.");
}

const plural = (n, one, many) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

// The periods in force, as a sentence.
function periods(p) {
  if (p.events_days === null && p.leads_days === null)
    return "Nothing is removed for its age: this server keeps opens of tracked links, page views, downloads and "
      + "leads forever (NEXTSTAGE_RETAIN_EVENTS_DAYS and NEXTSTAGE_RETAIN_LEADS_DAYS set how long to keep them).";
  const kept = (days, what) => (days === null ? `${what} are kept forever` : `${what} are removed after ${days} days`);
  const every = p.every_s % 3600 === 0 ? plural(p.every_s / 3600, "hour", "hours").replace(/^1 /, "")
    : plural(p.every_s, "second", "seconds");
  const when = p.every_s === 0 ? "The server does this only when an administrator asks, below."
    : `The server does this by itself every ${every}; you can also do it now.`;
  return `${kept(p.events_days, "Opens of tracked links, public page views and downloads")}; `
    + `${kept(p.leads_days, "leads")}. ${when} The numbers the dashboards, the next-stage `
    + "test and each asset show of them stay as they were.";
}

// What a pass removed, as a sentence.
function removed(got) {
  const r = got.removed;
  const parts = [plural(r.opens, "open", "opens"), plural(r.page_views, "page view", "page views"),
    plural(r.downloads, "download", "downloads"), plural(r.leads, "lead", "leads")];
  let text = `Removed ${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
  if (r.lead_deliveries > 0) text += ` (and ${plural(r.lead_deliveries, "webhook event", "webhook events")} of those leads)`;
  text += ".";
  const gone = [];
  if (got.events_before) gone.push(`opens, page views or downloads before ${day(got.events_before)}`);
  if (got.leads_before) gone.push(`leads before ${day(got.leads_before)}`);
  if (gone.length > 0) text += ` No ${gone.join(" and no ")} are left.`;
  if (got.partitions_dropped.length > 0)
    text += ` ${plural(got.partitions_dropped.length, "month of events was", "months of events were")} removed whole.`;
  if (got.partitions_postponed) text += " Whole months wait for the next pass: the tables were busy.";
  return text;
}

async function retention(main) {
  const card = el("section", null, { class: "card retention", "aria-labelledby": "retention-title" });
  card.append(el("h2", "Retention", { id: "retention-title" }));
  main.append(card);
  let p;
  try {
    p = await api("GET", "/retention");
  } catch (err) {
    card.append(el("p", `The retention periods could not be read: ${err.message}`, { class: "error", role: "alert" }));
    return;
  }
  card.append(el("p", periods(p)));
  if (p.events_days === null && p.leads_days === null) return;
  const run = el("button", "Remove old data now", { type: "button" });
  const said = status();
  run.addEventListener("click", async () => {
    said.textContent = "";
    run.disabled = true;
    try {
      said.textContent = removed(await api("POST", "/retention/run"));
    } catch (err) {
      said.textContent = `Nothing was removed: ${err.message}`;
    } finally {
      run.disabled = false;
    }
  });
  card.append(run, said);
}

export async function show(main, session) {
  if (!section(main, session, "/app/admin/privacy")) return;
  main.append(el("p", "Erase a prospect who asks to be forgotten: their leads (with or without consent), the page views "
    + "recorded with them and their address on shares; wherever else the address was written (notifications, the audit "
    + "trail, the search log, comments) it becomes “[erased]”. Files uploaded to the library are not searched. "
    + "The erasure is in the audit trail, without the address.", { class: "muted" }));
  const f = el("form", null, { class: "card erase" });
  const email = el("input", null, { name: "email", type: "email", required: "", autocomplete: "off" });
  const again = el("input", null, { name: "again", type: "email", required: "", autocomplete: "off" });
  const said = status();
  f.append(el("h2", "Erase a person"), field("Their e-mail address", email), field("The address again, to confirm", again),
    el("button", "Erase every trace", { type: "submit", class: "danger" }), said);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    said.textContent = "";
    if (email.value.trim().toLowerCase() !== again.value.trim().toLowerCase()) {
      showError(f, { field: "again", message: "The two addresses differ." });
      return;
    }
    try {
      said.textContent = summary(await api("POST", "/erasures", { email: email.value.trim() }));
      clearErrors(f);
      f.reset();
    } catch (err) {
      showError(f, err);
    }
  });
  main.append(f);
  await retention(main);
}
