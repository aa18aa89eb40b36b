// The library (marketers): every asset with its status, uploads of one or
// many files by drag and drop or a file picker, each with its progress
// (bytes sent of total) and a cancel button, and link assets by address.
// An upload becomes a draft named after its file; its page then edits and
// publishes it.
import { api, showError } from "/app/api.js";
import { choice, day, el, field, INTENTS, KINDS, kindName } from "/app/views/format.js";
import { uploadFile } from "/app/views/upload.js";

async function upload(file, row) {
  const meta = { title: file.name.replace(/\.[^.]+$/, "").replace(/[-_]+/g, " ").slice(0, 300) || file.name,
    kind: "other", intent: "educational", status: "draft" };
  const form = new FormData();
  form.append("metadata", new Blob([JSON.stringify(meta)], { type: "application/json" }));
  form.append("file", file, file.name);
  const { status, body, state } = await uploadFile("/api/v1/assets", form, file, row);
  if (status === 201) state.replaceChildren(el("a", "uploaded: edit and publish", { href: `/app/assets/${body.id}` }));
}

// A link asset (a page elsewhere): title, address, kind and intent; a
// draft, then edited and published on its page.
function linkForm() {
  const f = el("form", null, { class: "card link-asset" });
  const title = el("input", null, { name: "title", required: "" });
  const url = el("input", null, { name: "url", type: "url", required: "", placeholder: "https://" });
  const kind = choice("kind", KINDS.map((k) => [k, kindName(k)]), "blog_post");
  const intent = choice("intent", INTENTS, "educational");
  f.append(el("h2", "Add a link"), field("Title", title), field("Address (URL)", url), field("Kind", kind),
    field("Intent", intent), el("button", "Add the link", { type: "submit" }));
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const a = await api("POST", "/assets", { title: title.value.trim(), url: url.value.trim(), kind: kind.value,
        intent: intent.value, status: "draft" });
      location.assign(`/app/assets/${a.id}`);
    } catch (err) {
      showError(f, err);
    }
  });
  return f;
}

export async function show(main, session) {
  if (session.user.role === "rep") {
    main.append(el("h1", "Library"), el("p", "The library is managed by marketing.", { class: "muted" }));
    return;
  }
  main.append(el("h1", "Library"));
  const zone = el("div", null, { class: "dropzone" });
  const picker = el("input", null, { type: "file", multiple: "", id: "files" });
  const label = el("label", "Drop files here, or choose them", { for: "files" });
  zone.append(label, picker);
  const uploads = el("ul", null, { class: "uploads", "aria-live": "polite" });
  main.append(zone, uploads);
  const list = el("section");
  const start = (files) => {
    const done = [...files].map((f) => {
      const row = el("li");
      uploads.append(row);
      return upload(f, row);
    });
    Promise.all(done).then(() => listAssets(list));
  };
  picker.addEventListener("change", () => start(picker.files));
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); start(e.dataTransfer.files); });

  main.append(linkForm(), list);
  await listAssets(list);
}

// Every asset, newest first, into @box.
async function listAssets(box) {
  const page = await api("GET", "/assets?sort=recent&limit=200&status=draft&status=published&status=archived&status=retired");
  const table = el("table", null, { class: "list" });
  table.append(el("thead"), el("tbody"));
  const head = el("tr");
  for (const h of ["Asset", "Kind", "Status", "Updated"]) head.append(el("th", h, { scope: "col" }));
  table.tHead.append(head);
  for (const a of page.items) {
    const tr = el("tr");
    const t = el("td");
    t.append(el("a", a.title, { href: `/app/assets/${a.id}` }));
    tr.append(t, el("td", kindName(a.kind)), el("td", a.status), el("td", day(a.updated_at)));
    table.tBodies[0].append(tr);
  }
  box.replaceChildren(el("h2", `${page.total} ${page.total === 1 ? "asset" : "assets"}`), table);
}
