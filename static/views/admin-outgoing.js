// Outgoing webhooks (admins): the receivers that get nextstage's events
// (opens, sales-ready leads, requests, verdicts, board decisions, stage
// changes), how each is doing (failures in a row, the last error, when it
// is tried next), a test event, pausing; the deliveries that failed for
// good, with their error, sent again in one click.
import { api, showError } from "/app/api.js";
import { choice, el, field } from "/app/views/format.js";
import { clearErrors, section, shownOnce, status, table, when } from "/app/views/admin-area.js";

export const EVENTS = [
  ["share.opened", "A person opened a tracked link"],
  ["lead.sales_ready", "A sales-ready lead (agreed to follow-up)"],
  ["request.created", "A content request was made"],
  ["request.fulfilled", "A content request was fulfilled"],
  ["verdict.changed", "The next-stage test's verdict of an asset changed"],
  ["review.decided", "The editorial board decided about an asset"],
  ["deal.stage_changed", "A deal moved to another stage"],
];
const FORMATS = [["json", "JSON event (signed)"], ["slack", "Slack or Teams message ({\"text\": …})"]];

export async function show(main, session) {
  if (!section(main, session, "/app/admin/outgoing")) return;
  const ctx = { said: status(), out: el("div", null, { class: "shown", "aria-live": "polite" }),
    hooks: el("section", null, { "aria-labelledby": "hooks-heading" }),
    failed: el("section", null, { "aria-labelledby": "failed-heading" }), names: new Map() };
  ctx.refresh = async () => {
    await listHooks(ctx);
    await listFailed(ctx);
  };
  main.append(el("p", "Each event is posted to every active webhook that asks for it, at least once: a retry "
    + "carries the same X-Nextstage-Event-Id, so a receiver can drop duplicates. X-Nextstage-Signature is "
    + "sha256= and the HMAC-SHA256 of \"<X-Nextstage-Timestamp>.<body>\" under the webhook's secret. A receiver "
    + "that fails is tried again later and later; what still fails after the retry window is listed below.",
  { class: "muted" }), ctx.said, ctx.out, ctx.hooks, addForm(ctx), ctx.failed);
  await ctx.refresh();
}

function addForm(ctx) {
  const f = el("form", null, { class: "card add-webhook" });
  const label = el("input", null, { name: "label", required: "", maxlength: "200", autocomplete: "off" });
  const url = el("input", null, { name: "url", type: "url", required: "", placeholder: "https://…", autocomplete: "off" });
  const format = choice("format", FORMATS, "json");
  const secret = el("input", null, { name: "secret", autocomplete: "off", minlength: "16" });
  const events = el("fieldset", null, { class: "events" });
  events.append(el("legend", "Events"));
  for (const [value, text] of EVENTS) {
    const box = el("input", null, { type: "checkbox", name: "events", value });
    const l = el("label");
    l.append(box, " ", text);
    events.append(l);
  }
  f.append(el("h2", "Add a webhook"), field("Label", label), field("URL (redirects are not followed)", url), events,
    field("Body", format), field("Secret (optional: empty, the server makes one)", secret),
    el("button", "Add the webhook", { type: "submit" }));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const picked = [...events.querySelectorAll("input:checked")].map((b) => b.value);
    const body = { label: label.value.trim(), url: url.value.trim(), events: picked, format: format.value };
    if (secret.value) body.secret = secret.value;
    try {
      const w = await api("POST", "/webhooks", body);
      clearErrors(f);
      f.reset();
      ctx.out.replaceChildren(shownOnce(`Secret of ${w.label}`, w.secret,
        `The secret of “${w.label}”, shown this once: give it to the receiver so it can check signatures.`));
      ctx.said.textContent = `Webhook “${w.label}” added.`;
      await ctx.refresh();
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

function health(w) {
  if (!w.active) return "paused";
  if (!w.failures) return "delivering";
  return `failing (${w.failures} in a row): ${w.last_error}${w.held_until ? `; next try ${when(w.held_until)}` : ""}`;
}

function button(text, label, run) {
  const b = el("button", text, { type: "button", class: "small", "aria-label": label });
  b.addEventListener("click", run);
  return b;
}

async function listHooks(ctx) {
  const items = (await api("GET", "/webhooks")).items;
  ctx.names = new Map(items.map((w) => [w.id, w.label]));
  const { wrap, body } = table("Outgoing webhooks", ["Label", "URL", "Events", "Body", "State", "Waiting", "Failed",
    "Actions"], [5, 6]);
  const act = (w, what) => async () => {
    try {
      ctx.said.textContent = await what();
    } catch (err) {
      ctx.said.textContent = err.message;
    }
    await ctx.refresh();
  };
  for (const w of items) {
    const actions = el("td", null, { class: "actions" });
    actions.append(
      button("Send a test", `Send a test event to ${w.label}`, act(w, async () => {
        await api("POST", `/webhooks/${w.id}/ping`);
        return `A test event is on its way to “${w.label}”${w.active ? "" : " (it goes once the webhook is resumed)"}.`;
      })), " ",
      button(w.active ? "Pause" : "Resume", `${w.active ? "Pause" : "Resume"} ${w.label}`, act(w, async () => {
        await api("PATCH", `/webhooks/${w.id}`, { active: !w.active });
        return w.active ? `“${w.label}” is paused: its events wait.` : `“${w.label}” is delivering again.`;
      })), " ",
      button("Delete", `Delete ${w.label}`, act(w, async () => {
        await api("DELETE", `/webhooks/${w.id}`);
        return `“${w.label}” is deleted, with its deliveries.`;
      })));
    const tr = el("tr");
    tr.append(el("td", w.label), el("td", w.url, { class: "url" }), el("td", w.events.join(", ")),
      el("td", w.format === "slack" ? "Slack text" : "JSON"), el("td", health(w), { class: w.failures ? "warn" : "" }),
      el("td", String(w.pending), { class: "num" }), el("td", String(w.failed), { class: "num" }), actions);
    body.append(tr);
  }
  ctx.hooks.replaceChildren(el("h2", items.length ? `${items.length} ${items.length === 1 ? "webhook" : "webhooks"}`
    : "No webhooks yet", { id: "hooks-heading", tabindex: "-1" }), items.length ? wrap
    : el("p", "Add one below to send events to your marketing automation, Slack or Teams.", { class: "muted" }));
}

async function listFailed(ctx) {
  const items = (await api("GET", "/deliveries?state=failed&limit=50")).items;
  const { wrap, body } = table("Failed deliveries", ["Made", "Event", "To", "What", "Tries", "Last error", "Actions"], [4]);
  for (const d of items) {
    const again = button("Send again", `Send again: delivery ${d.id} (${d.kind})`, async () => {
      try {
        await api("POST", `/deliveries/${d.id}/redeliver`);
        ctx.said.textContent = `Delivery ${d.id} is sent again (same event id).`;
      } catch (err) {
        ctx.said.textContent = err.message;
      }
      await ctx.refresh();
    });
    const to = d.channel === "email" ? "e-mail" : (ctx.names.get(d.webhook_id) || "a webhook");
    const tr = el("tr");
    const actions = el("td", null, { class: "actions" });
    actions.append(again);
    tr.append(el("td", when(d.created_at)), el("td", d.kind), el("td", to), el("td", d.text),
      el("td", String(d.attempts), { class: "num" }), el("td", d.last_error || ""), actions);
    body.append(tr);
  }
  ctx.failed.replaceChildren(el("h2", items.length ? "Failed deliveries" : "No failed deliveries",
    { id: "failed-heading" }), items.length ? wrap
    : el("p", "Every event so far reached its receiver, or is still being tried.", { class: "muted" }));
}
