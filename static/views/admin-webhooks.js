// Webhook secrets (admins): the live keys that sign the CRM's webhook
// (kind crm) and HubSpot's (kind hubspot), by label; a new one (made by
// the server, or HubSpot's client secret given), shown this once; a
// rotation, during whose overlap both keys verify; a revocation, at once.
import { api, showError } from "/app/api.js";
import { choice, day, el, field } from "/app/views/format.js";
import { clearErrors, section, shownOnce, status, table, when } from "/app/views/admin-area.js";

const KINDS = [["crm", "CRM webhook (X-Nextstage-Signature)"], ["hubspot", "HubSpot app (its client secret)"]];

export async function show(main, session) {
  if (!section(main, session, "/app/admin/webhooks")) return;
  const said = status();
  const list = el("section", null, { "aria-labelledby": "secrets-heading" });
  const out = el("div", null, { class: "shown", "aria-live": "polite" });
  const ctx = { said, out, refresh: null, rotating: el("div") };
  ctx.refresh = () => listSecrets(list, ctx);
  main.append(el("p", "A webhook is accepted when a live secret of its kind verifies its signature. Values are shown "
    + "once, when made; a secret being rotated stays valid until the end of its overlap.", { class: "muted" }),
  said, out, list, ctx.rotating, addForm(ctx));
  await ctx.refresh();
}

function addForm(ctx) {
  const f = el("form", null, { class: "card add-secret" });
  const kind = choice("kind", KINDS, "crm");
  const label = el("input", null, { name: "label", required: "", maxlength: "100", autocomplete: "off" });
  const secret = el("input", null, { name: "secret", autocomplete: "off", "aria-describedby": "secret-hint" });
  const hint = el("p", null, { class: "muted hint", id: "secret-hint" });
  const explain = () => {
    hint.textContent = kind.value === "hubspot" ? "Required: the client secret HubSpot shows in the app's settings."
      : "Optional: leave it empty and the server makes one (whsec_…).";
    secret.required = kind.value === "hubspot";
  };
  kind.addEventListener("change", explain);
  explain();
  f.append(el("h2", "Add a secret"), field("Kind", kind), field("Label", label), field("Secret", secret), hint,
    el("button", "Add the secret", { type: "submit" }));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { kind: kind.value, label: label.value.trim() };
    if (secret.value) body.secret = secret.value;
    try {
      const w = await api("POST", "/webhook-secrets", body);
      clearErrors(f);
      f.reset();
      explain();
      ctx.out.replaceChildren(shownOnce(`Secret ${w.label}`, w.secret,
        `“${w.label}” (${w.kind}), shown this once: give it to the sender now.`));
      ctx.said.textContent = `Secret “${w.label}” added.`;
      await ctx.refresh();
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

function rotateForm(w, ctx) {
  const f = el("form", null, { class: "card rotate" });
  const hours = el("input", null, { name: "overlap_seconds", type: "number", min: "0", max: "720", value: "24" });
  const secret = el("input", null, { name: "secret", autocomplete: "off" });
  secret.required = w.kind === "hubspot";
  f.append(el("h2", `Rotate “${w.label}” (${w.kind})`), field("Both keys verify for (hours)", hours),
    field(w.kind === "hubspot" ? "The new client secret HubSpot gave" : "New value (optional: empty, the server makes one)", secret),
    el("button", "Rotate", { type: "submit" }));
  const cancel = el("button", "Cancel", { type: "button", class: "secondary" });
  cancel.addEventListener("click", () => ctx.rotating.replaceChildren());
  f.append(cancel);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { overlap_seconds: Math.round(Number(hours.value || 0) * 3600) };
    if (secret.value) body.secret = secret.value;
    try {
      const n = await api("POST", `/webhook-secrets/${w.id}/rotate`, body);
      ctx.rotating.replaceChildren();
      ctx.out.replaceChildren(shownOnce(`Secret ${n.label}`, n.secret, `The new “${n.label}” (${n.kind}), shown this `
        + `once. The old one verifies until ${when(n.previous.expires_at)}.`));
      ctx.said.textContent = `“${n.label}” rotated.`;
      await ctx.refresh();
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

async function listSecrets(box, ctx) {
  const items = (await api("GET", "/webhook-secrets")).items;
  const { wrap, body } = table("Webhook secrets", ["Label", "Kind", "Stored", "Made", "Valid until", "Actions"]);
  for (const w of items) {
    const tr = el("tr");
    const rotate = el("button", "Rotate", { type: "button", class: "small", "aria-label": `Rotate ${w.label} (${w.kind})` });
    rotate.addEventListener("click", () => {
      ctx.rotating.replaceChildren(rotateForm(w, ctx));
      ctx.rotating.querySelector("input").focus();
    });
    const revoke = el("button", "Revoke", { type: "button", class: "small", "aria-label": `Revoke ${w.label} (${w.kind})` });
    revoke.addEventListener("click", async () => {
      try {
        await api("DELETE", `/webhook-secrets/${w.id}`);
        ctx.said.textContent = `“${w.label}” (${w.kind}) is revoked: it verifies nothing any more.`;
      } catch (err) {
        ctx.said.textContent = err.message;
      }
      await ctx.refresh();
      box.querySelector("h2").focus();
    });
    const actions = el("td", null, { class: "actions" });
    if (!w.expires_at) actions.append(rotate, " ");
    actions.append(revoke);
    tr.append(el("td", w.label), el("td", w.kind), el("td", w.sealed ? "sealed" : "in clear"), el("td", day(w.created_at)),
      el("td", w.expires_at ? `${when(w.expires_at)} (rotated)` : "until revoked"), actions);
    body.append(tr);
  }
  const clear = items.some((w) => !w.sealed);
  box.replaceChildren(el("h2", items.length ? `${items.length} live ${items.length === 1 ? "secret" : "secrets"}`
    : "No live secrets", { id: "secrets-heading", tabindex: "-1" }), items.length ? wrap
    : el("p", "Without one, webhooks are refused (503) unless the server's environment gives a secret.", { class: "muted" }));
  if (clear) box.append(el("p", "Secrets “in clear” are readable by anyone who can read the database: set "
    + "NEXTSTAGE_SECRET_KEY on the server to seal new ones.", { class: "muted" }));
}
