// An asset: a preview of its current version, what it is for, what the
// next-stage test says of it, what other reps said, the feedback form,
// sharing it as a tracked link, its shares (with the version each used)
// and its versions; marketers also edit its metadata and upload a new
// version; the editorial board's decisions on it and its audit trail are
// shown to board members and marketers (static/views/asset-board.js).
import { api, showError } from "/app/api.js";
import { boardSection } from "/app/views/asset-board.js";
import { bytes, choice, day, el, field, INTENTS, KINDS, kindName, stageNames } from "/app/views/format.js";
import { readDetail, shareForm } from "/app/views/share.js";
import { uploadFile } from "/app/views/upload.js";
import { renderPdf } from "/app/views/pdf-view.js";
import { textStatus } from "/app/views/asset-text.js";

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
    const pre = el("pre", "Loading…", { tabindex: "0", "aria-label": `Text of ${a.title}` }); // scrolls: keyboard-reachable
    fetch(src, { credentials: "same-origin" }).then((r) => r.text()).then((t) => { pre.textContent = t; });
    box.append(pre);
  } else if (a.thumbnail) { // a deck, a document...: its first page
    box.append(el("img", null, { class: "preview-thumb", src: a.thumbnail, alt: `First page of ${a.title}` }));
  }
  // the current version as the version list tells it (text_status, pages, text_reason)
  const cur = (a.versions || []).find((x) => x.number === v.number) || v;
  const text = textStatus({ ...cur, text_status: cur.text_status || a.text_status });
  if (text) box.append(text);
  box.append(el("p", null));
  box.lastChild.append(el("a", `Open ${v.filename}`, { href: src }), ` (${v.mime}, ${Math.ceil(v.size / 1024)} KB, version ${v.number})`);
  return box;
}

// What an internal asset's page says first: read it, don't send it.
function internalNote() {
  const p = el("p", null, { class: "internal-note" });
  p.append(el("span", "Internal", { class: "badge internal" }),
    " For the team only: read it before a call; it cannot be shared or made public.");
  return p;
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

// What the next-stage test says, stage by stage, in its own sentences.
function evidence(a, stages) {
  const box = el("section", null, { class: "evidence" });
  box.append(el("h2", "Does it move deals?"));
  const verdicts = a.usage?.verdicts || [];
  if (!verdicts.length) {
    box.append(el("p", a.audience === "internal" ? "Internal content is never sent to a deal, so this question is not asked of it."
      : "Not shared to a deal yet: there is no evidence either way.", { class: "muted" }));
    return box;
  }
  const ul = el("ul", null, { class: "verdicts" });
  for (const v of verdicts) {
    const li = el("li", null, { class: `verdict ${v.verdict}` });
    li.append(el("strong", `${stages[v.stage]?.name || v.stage}: `), v.explanation);
    ul.append(li);
  }
  box.append(ul);
  return box;
}

// The asset's shares that the user may see (a rep's own; all for
// marketers), each with the version it used.
async function sharesOf(a) {
  const box = el("section");
  const shares = (await api("GET", `/shares?asset=${a.id}&limit=50`)).items;
  box.append(el("h2", "Shares"));
  if (!shares.length) {
    box.append(el("p", "Not shared yet.", { class: "muted" }));
    return box;
  }
  const table = el("table", null, { class: "list shares-of" });
  const head = el("tr");
  for (const h of ["Shared", "By", "Deal", "Version"]) head.append(el("th", h, { scope: "col" }));
  head.append(el("th", "Opened by people", { scope: "col", class: "num" }),
    el("th", "Read in the viewer", { scope: "col" }));
  table.append(el("thead"), el("tbody"));
  table.tHead.append(head);
  for (const s of shares) {
    const tr = el("tr");
    const dealCell = el("td");
    if (s.deal_id) dealCell.append(el("a", s.deal_name, { href: `/app/deals/${s.deal_id}` }));
    else dealCell.textContent = "—";
    tr.append(el("td", day(s.created_at)), el("td", s.rep_name), dealCell,
      el("td", s.version ? `v${s.version}` : "link"), el("td", String(s.human_opens), { class: "num" }),
      el("td", readDetail(s)));
    table.tBodies[0].append(tr);
  }
  box.append(table);
  return box;
}

// Every version, newest first, with who made it; marketers upload a new one.
function versions(a, session) {
  const box = el("section");
  box.append(el("h2", "Versions"));
  if (a.versions?.length) {
    const table = el("table", null, { class: "list versions" });
    const head = el("tr");
    for (const h of ["Version", "File", "Size", "Uploaded", "By"]) head.append(el("th", h, { scope: "col" }));
    table.append(el("thead"), el("tbody"));
    table.tHead.append(head);
    for (const v of a.versions) {
      const tr = el("tr");
      const file = el("td");
      file.append(el("a", v.filename, { href: `/api/v1/assets/${a.id}/content?version=${v.number}` }));
      tr.append(el("td", `v${v.number}${v.number === a.current_version?.number ? " (current)" : ""}`), file,
        el("td", bytes(v.size)), el("td", day(v.created_at)), el("td", v.created_by_name || "—"));
      table.tBodies[0].append(tr);
    }
    box.append(table);
  } else {
    box.append(el("p", a.url ? "A link has no versions." : "No file yet.", { class: "muted" }));
  }
  if (session.user.role !== "rep" && !a.url) {
    const picker = el("input", null, { type: "file", name: "file" });
    const row = el("div", null, { class: "uploads" });
    box.append(field("Upload a new version", picker), row);
    picker.addEventListener("change", async () => {
      if (!picker.files.length) return;
      const form = new FormData();
      form.append("file", picker.files[0], picker.files[0].name);
      row.replaceChildren();
      const res = await uploadFile(`/api/v1/assets/${a.id}/versions`, form, picker.files[0], row);
      if (res.status === 201) location.reload();
    });
  }
  return box;
}

// Marketers: every field of the metadata, saved by PATCH; the API's
// refusals are shown beside the field they name.
function editForm(a, stages, personas, session) {
  const f = el("form", null, { class: "card edit" });
  f.append(el("h2", "Edit"));
  const title = el("input", null, { name: "title", value: a.title, required: "" });
  const description = el("textarea", a.description || "", { name: "description", rows: "3" });
  const kind = choice("kind", KINDS.map((k) => [k, kindName(k)]), a.kind);
  const intent = choice("intent", INTENTS, a.intent);
  const status = choice("status", ["draft", "published", "archived", "retired"], a.status);
  const tags = el("input", null, { name: "tags", value: (a.tags || []).join(", ") });
  const source = el("input", null, { name: "source", value: a.source || "" });
  const expires = el("input", null, { name: "expires_at", type: "date",
    value: a.expires_at ? a.expires_at.slice(0, 10) : "" });
  const mine = session.user.id;
  const owner = choice("owner", [...(a.owner && a.owner !== mine ? [[a.owner, a.owner_name || "the current owner"]] : []),
    [mine, `Me (${session.user.name})`]], a.owner || mine);
  const url = a.url ? el("input", null, { name: "url", type: "url", value: a.url }) : null;
  const checks = (legend, name, options, on) => {
    const box = el("fieldset");
    box.append(el("legend", legend));
    for (const [value, text] of options) {
      const l = el("label", null, { class: "inline" });
      const c = el("input", null, { type: "checkbox", name, value });
      c.checked = on.includes(value);
      l.append(c, text);
      box.append(l);
    }
    return box;
  };
  const stageBox = checks("Stages", "stages", Object.values(stages).filter((s) => !s.outcome).map((s) => [s.slug, s.name]), a.stages);
  const personaBox = checks("Personas", "personas", personas.map((p) => [p.slug, p.name]), a.personas);
  const audience = choice("audience", [["external", "External: may be shared with prospects"],
    ["internal", "Internal: for the team only (battlecards, pricing guidance)"]], a.audience);
  const pub = el("input", null, { type: "checkbox", name: "public" });
  pub.checked = a.public;
  const gated = el("input", null, { type: "checkbox", name: "gated" });
  gated.checked = a.gated;
  const disclosure = el("textarea", a.disclosure || "", { name: "disclosure", rows: "2" });
  const downloadable = el("input", null, { type: "checkbox", name: "downloadable" });
  downloadable.checked = a.downloadable !== false;
  const inline = (input, text) => { const l = el("label", null, { class: "inline" }); l.append(input, text); return l; };
  const access = el("fieldset");
  access.append(el("legend", "Public page"), inline(pub, "Public: anyone with its page's address may read it"),
    inline(gated, "Gated: readers leave their details first"),
    field("What follow-up a reader of a gated page agrees to (shown before the form)", disclosure));
  // A file's shares show it in the viewer, with a download button or not.
  const sharing = url ? [] : [inline(downloadable, "Downloadable: prospects who open a share of it get a download button")];
  f.append(field("Title", title), field("Description", description), field("Kind", kind), field("Intent", intent),
    field("Status", status), field("Audience", audience), stageBox, personaBox, field("Tags (comma separated)", tags));
  if (url) f.append(field("Address (URL)", url));
  f.append(access, ...sharing, field("Expires on (optional)", expires), field("Owner", owner), field("Source (optional)", source),
    el("button", "Save", { type: "submit" }));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const picked = (name) => [...f.querySelectorAll(`input[name=${name}]:checked`)].map((c) => c.value);
    const body = { title: title.value.trim(), description: description.value.trim(), kind: kind.value,
      intent: intent.value, status: status.value, audience: audience.value, stages: picked("stages"), personas: picked("personas"),
      tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean), public: pub.checked, gated: gated.checked,
      disclosure: disclosure.value.trim() || null, owner: owner.value, source: source.value.trim() || null,
      expires_at: expires.value ? new Date(`${expires.value}T23:59:59`).toISOString() : null };
    if (url) body.url = url.value.trim();
    else body.downloadable = downloadable.checked;
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
  const [a, stages, personaList] = await Promise.all([api("GET", `/assets/${params.id}`), stageNames(),
    api("GET", "/personas")]);
  const personas = personaList.items || personaList;
  const personaName = (slug) => personas.find((p) => p.slug === slug)?.name || slug;
  main.append(el("p", null, { class: "crumbs" }));
  main.lastChild.append(el("a", "← Search", { href: "/app/search" }));
  main.append(el("h1", a.title));
  if (a.audience === "internal") main.append(internalNote());
  const facts = [kindName(a.kind), ...a.stages.map((s) => stages[s]?.name || s), ...a.personas.map(personaName)];
  const reviewer = session.user.board || session.user.role !== "rep";
  if (reviewer) facts.push(a.status);
  main.append(el("p", facts.join(" · "), { class: "muted" }));
  if (a.description) main.append(el("p", a.description));
  main.append(preview(a), evidence(a, stages));
  const fb = a.feedback || {};
  if (fb.answers) {
    main.append(el("h2", "What reps said"),
      el("p", `${fb.answers} answers · useful to their prospect: ${fb.useful_to_prospect || 0}${fb.rating_avg ? ` · rating ${Number(fb.rating_avg).toFixed(1)} of 5` : ""}`));
    const ul = el("ul");
    for (const c of fb.comments || []) ul.append(el("li", `“${c.comment}”`));
    main.append(ul);
  }
  const side = el("div", null, { class: "two" });
  const shares = el("div");
  const refresh = async () => shares.replaceChildren(await sharesOf(a));
  side.append(a.audience === "internal" ? el("p", "Internal content is read by the team, never sent to a prospect.", { class: "muted" })
    : a.status === "published" ? await shareForm(a, { onShared: refresh })
    : el("p", "Only published content can be shared.", { class: "muted" }),
    a.status === "published" || session.user.role !== "rep" ? feedbackForm(a) : el("div"));
  main.append(side, shares, versions(a, session));
  await refresh();
  if (reviewer) main.append(await boardSection(a, session));
  if (session.user.role !== "rep") main.append(editForm(a, stages, personas, session));
}
