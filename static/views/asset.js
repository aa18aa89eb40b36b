// An asset: a preview of its current version, what it is for, what other
// reps said of it, the feedback form, and sharing it to a deal as a
// tracked link.
import { api, showError } from "/app/api.js";
import { el, stageNames } from "/app/views/format.js";
import { renderPdf } from "/app/views/pdf-view.js";

function preview(a) {
  const box = el("div", null, { class: "preview" });
  const v = a.current_version;
  if (a.url) {
    box.append(el("p", "A link: "), el("a", a.url, { href: a.url, rel: "noopener noreferrer", target: "_blank" }));
    return box;
  }
  if (!v) return box;
  const src = `/api/v1/assets/${a.id}/content`;
  if (v.mime.startsWith("image/")) {
    box.append(el("img", null, { src, alt: `Preview of ${a.title}` }));
  } else if (v.mime.startsWith("video/")) {
    box.append(el("video", null, { src, controls: "" }));
  } else if (v.mime === "application/pdf") {
    renderPdf(box, `${src}?version=${v.number}`, a.title);
  } else if (v.mime.startsWith("text/")) {
    const pre = el("pre", "Loading…");
    fetch(src, { credentials: "same-origin" }).then((r) => r.text()).then((t) => { pre.textContent = t; });
    box.append(pre);
  }
  box.append(el("p", null));
  box.lastChild.append(el("a", `Open ${v.filename}`, { href: src }), ` (${v.mime}, ${Math.ceil(v.size / 1024)} KB, version ${v.number})`);
  return box;
}

function feedbackForm(a) {
  const f = el("form", null, { class: "card" });
  f.innerHTML = `
    <h2>Your feedback</h2>
    <label class="inline"><input type="checkbox" name="useful_to_me"> Useful to me</label>
    <label class="inline"><input type="checkbox" name="useful_to_prospect"> Useful to my prospect</label>
    <label>Rating <select name="rating"><option value="">—</option><option>1</option><option>2</option><option>3</option><option>4</option><option>5</option></select></label>
    <label>Comment <textarea name="comment" rows="3"></textarea></label>
    <button type="submit">Send feedback</button>`;
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { useful_to_me: f.elements.useful_to_me.checked, useful_to_prospect: f.elements.useful_to_prospect.checked };
    if (f.elements.rating.value) body.rating = Number(f.elements.rating.value);
    if (f.elements.comment.value.trim()) body.comment = f.elements.comment.value.trim();
    try {
      await api("POST", `/assets/${a.id}/feedback`, body);
      f.querySelector("button").after(el("p", "Thank you: your answer is saved.", { role: "status" }));
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

async function shareForm(a) {
  const f = el("form", null, { class: "card" });
  const deals = (await api("GET", "/deals?limit=200")).items;
  f.append(el("h2", "Share"));
  const deal = el("select", null, { name: "deal_id" });
  deal.append(el("option", "No deal", { value: "" }));
  for (const d of deals) deal.append(el("option", d.name, { value: d.id }));
  const channel = el("select", null, { name: "channel" });
  for (const c of ["email", "link", "meeting", "social", "other"]) channel.append(el("option", c, { value: c }));
  const to = el("input", null, { name: "recipient_email", type: "email", autocomplete: "off" });
  for (const [text, input] of [["Deal", deal], ["Channel", channel], ["Recipient (optional)", to]]) {
    const l = el("label", text);
    l.append(input);
    f.append(l);
  }
  f.append(el("button", "Get a tracked link", { type: "submit" }));
  const out = el("div", null, { class: "shared", "aria-live": "polite" });
  f.append(out);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { asset_id: a.id, channel: channel.value };
    if (deal.value) body.deal_id = deal.value;
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
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

// Marketers: the asset's title, stages and status, saved by PATCH.
function editForm(a, stages) {
  const f = el("form", null, { class: "card" });
  f.append(el("h2", "Edit"));
  const title = el("input", null, { name: "title", value: a.title });
  const status = el("select", null, { name: "status" });
  for (const s of ["draft", "published", "archived"]) status.append(el("option", s, { value: s }));
  status.value = a.status;
  const box = el("fieldset");
  box.append(el("legend", "Stages"));
  for (const s of Object.values(stages).filter((s) => !s.outcome)) {
    const l = el("label", null, { class: "inline" });
    const c = el("input", null, { type: "checkbox", name: "stages", value: s.slug });
    c.checked = a.stages.includes(s.slug);
    l.append(c, s.name);
    box.append(l);
  }
  for (const [text, input] of [["Title", title], ["Status", status]]) {
    const l = el("label", text);
    l.append(input);
    f.append(l);
  }
  f.append(box, el("button", "Save", { type: "submit" }));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { title: title.value.trim(), status: status.value,
      stages: [...f.querySelectorAll("input[name=stages]:checked")].map((c) => c.value) };
    try {
      await api("PATCH", `/assets/${a.id}`, body);
      location.reload();
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

export async function show(main, session, params) {
  const [a, stages] = await Promise.all([api("GET", `/assets/${params.id}`), stageNames()]);
  main.append(el("p", null, { class: "crumbs" }));
  main.lastChild.append(el("a", "← Search", { href: "/app/search" }));
  main.append(el("h1", a.title));
  main.append(el("p", [a.kind.replace("_", " "), ...a.stages.map((s) => stages[s]?.name || s), ...a.personas].join(" · "), { class: "muted" }));
  if (a.description) main.append(el("p", a.description));
  main.append(preview(a));
  const fb = a.feedback || {};
  if (fb.answers) {
    main.append(el("h2", "What reps said"),
      el("p", `${fb.answers} answers · useful to their prospect: ${fb.useful_to_prospect || 0}${fb.rating_avg ? ` · rating ${Number(fb.rating_avg).toFixed(1)} of 5` : ""}`));
    const ul = el("ul");
    for (const c of fb.comments || []) ul.append(el("li", `“${c.comment}”`));
    main.append(ul);
  }
  const side = el("div", null, { class: "two" });
  side.append(a.status === "published" ? await shareForm(a) : el("p", "Only published content can be shared.", { class: "muted" }), feedbackForm(a));
  main.append(side);
  if (session.user.role !== "rep") main.append(editForm(a, stages));
}
