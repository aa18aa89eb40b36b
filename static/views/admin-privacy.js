// Erasing a person (a prospect, a lead; never a user) by e-mail: their
// leads and the page views recorded with them go, shares' recipients are
// cleared, and the address is replaced wherever else it was written. Typed
// twice, since nothing brings it back.
import { api, clearErrors, showError } from "/app/api.js";
import { el, field } from "/app/views/format.js";
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
}
