// Sharing an asset as a tracked link: to one of the rep's deals (picked
// here, or the deal whose page this is), by a channel, optionally to a
// recipient; the link comes back with a copy button and the note that its
// opens are tracked. @onShared(share) runs after each share.
import { api, showError } from "/app/api.js";
import { choice, el, field } from "/app/views/format.js";

const CHANNELS = ["email", "link", "meeting", "social", "other"];

// A duration as a person reads it (as the notifications say it, in
// schema/functions/open_message.sql): "40 s", "4 min", "1 h 5 min".
export function readTime(seconds) {
  if (seconds < 59.5) return `${Math.round(seconds)} s`;
  const min = Math.round(seconds / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

// What the prospect read of share @s in the viewer, in words: "read 3 of
// 5 pages, 12 s" (one page: "viewed for 12 s"), or "not read in the viewer".
export function readText(s) {
  const r = s.read;
  if (!r || !(r.seconds > 0)) return "not read in the viewer";
  return r.pages > 1 ? `read ${r.pages_viewed} of ${r.pages} pages, ${readTime(r.seconds)}`
    : `viewed for ${readTime(r.seconds)}`;
}

// readText with the time per page of a document of several pages:
// "read 2 of 5 pages, 52 s (page 1: 12 s, page 2: 40 s)".
export function readDetail(s) {
  const pages = Object.entries(s.read?.per_page || {});
  const per = s.read?.pages > 1 && pages.length
    ? ` (${pages.map(([p, sec]) => `page ${p}: ${readTime(sec)}`).join(", ")})` : "";
  return readText(s) + per;
}

export async function shareForm(asset, { deal = null, onShared = () => {} } = {}) {
  const f = el("form", null, { class: "card share" });
  f.append(el("h2", deal ? `Share “${asset.title}”` : "Share"));
  let pick = null;
  if (!deal) {
    const first = await api("GET", "/deals?limit=200");
    const options = (deals) => [["", "No deal"], ...deals.map((d) => [d.id, d.name])];
    pick = choice("deal_id", options(first.items));
    if (first.next_cursor) { // more than 200: the list names the newest; a search finds the others
      const find = el("input", null, { type: "search", name: "deal_q", autocomplete: "off" });
      let timer = null, asked = 0;
      find.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(async () => {
          const q = find.value.trim(), mine = ++asked;
          const found = q ? (await api("GET", `/deals?limit=200&q=${encodeURIComponent(q)}`)).items : first.items;
          if (mine !== asked) return; // typed on meanwhile
          pick.replaceChildren(...options(found).map(([v, t]) => el("option", t, { value: v })));
          if (found.length) pick.value = found[0].id;
        }, 200);
      });
      find.addEventListener("keydown", (e) => { if (e.key === "Enter") e.preventDefault(); }); // not a share
      f.append(field("Find a deal (name, account or CRM id)", find));
    }
    f.append(field("Deal", pick));
  }
  const channel = choice("channel", CHANNELS);
  const to = el("input", null, { name: "recipient_email", type: "email", autocomplete: "off" });
  f.append(field("Channel", channel), field("Recipient (optional)", to),
    el("button", "Get a tracked link", { type: "submit" }));
  const out = el("div", null, { class: "shared", "aria-live": "polite" });
  f.append(out);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { asset_id: asset.id, channel: channel.value };
    const dealId = deal ? deal.id : pick.value;
    if (dealId) body.deal_id = dealId;
    if (to.value.trim()) body.recipient_email = to.value.trim();
    try {
      const s = await api("POST", "/shares", body);
      const link = el("input", null, { value: s.url, readonly: "", "aria-label": "Tracked link" });
      const copy = el("button", "Copy link", { type: "button" });
      copy.addEventListener("click", async () => {
        await navigator.clipboard.writeText(s.url);
        copy.textContent = "Copied";
      });
      out.replaceChildren(link, copy, el("p", "Opens of this link are tracked: you will be told when your prospect opens it.", { class: "muted" }));
      onShared(s);
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}
