// Sharing an asset as a tracked link: to one of the rep's deals (picked
// here, or the deal whose page this is), by a channel, optionally to a
// recipient; the link comes back with a copy button and the note that its
// opens are tracked. @onShared(share) runs after each share.
import { api, showError } from "/app/api.js";
import { choice, el, field } from "/app/views/format.js";

const CHANNELS = ["email", "link", "meeting", "social", "other"];

export async function shareForm(asset, { deal = null, onShared = () => {} } = {}) {
  const f = el("form", null, { class: "card share" });
  f.append(el("h2", deal ? `Share “${asset.title}”` : "Share"));
  let pick = null;
  if (!deal) {
    const deals = (await api("GET", "/deals?limit=200")).items;
    pick = choice("deal_id", [["", "No deal"], ...deals.map((d) => [d.id, d.name])]);
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
