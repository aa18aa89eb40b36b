// The library (marketers): every asset with its status, and uploads of one
// or many files by drag and drop or a file picker, each with its progress
// (bytes sent of total) and a cancel button. An upload becomes a draft
// named after its file; its page then edits and publishes it.
import { api } from "/app/api.js";
import { day, el } from "/app/views/format.js";

function upload(file, row) {
  const meta = { title: file.name.replace(/\.[^.]+$/, "").replace(/[-_]+/g, " ").slice(0, 300) || file.name,
    kind: "other", intent: "educational", status: "draft" };
  const form = new FormData();
  form.append("metadata", new Blob([JSON.stringify(meta)], { type: "application/json" }));
  form.append("file", file, file.name);
  const bar = el("progress", null, { max: String(file.size || 1), value: "0", "aria-label": `Upload of ${file.name}` });
  const cancel = el("button", "Cancel", { type: "button" });
  const state = el("span", "uploading", { class: "muted" });
  row.append(el("span", file.name), bar, state, cancel);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/v1/assets");
  xhr.setRequestHeader("X-Requested-With", "nextstage-app");
  xhr.upload.onprogress = (e) => { bar.value = e.loaded; state.textContent = `${Math.round((100 * e.loaded) / (e.total || 1))}%`; };
  cancel.addEventListener("click", () => xhr.abort());
  return new Promise((resolve) => {
    xhr.onload = () => {
      cancel.remove();
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 201) {
        bar.value = bar.max;
        state.replaceChildren(el("a", "uploaded: edit and publish", { href: `/app/assets/${body.id}` }));
      } else {
        state.textContent = body.detail || `failed (HTTP ${xhr.status})`;
        state.className = "error";
      }
      resolve();
    };
    xhr.onabort = () => { cancel.remove(); state.textContent = "cancelled: nothing was kept"; resolve(); };
    xhr.onerror = () => { cancel.remove(); state.textContent = "the connection failed"; state.className = "error"; resolve(); };
    xhr.send(form);
  });
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

  main.append(list);
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
    tr.append(t, el("td", a.kind.replace("_", " ")), el("td", a.status), el("td", day(a.updated_at)));
    table.tBodies[0].append(tr);
  }
  box.replaceChildren(el("h2", `${page.total} ${page.total === 1 ? "asset" : "assets"}`), table);
}
