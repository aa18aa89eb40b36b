// The CRM import (marketers and admins): a CSV as Salesforce, HubSpot or
// our own columns write it. First a dry run: what the import would do, as
// tables, with the owners that match nobody (each can be mapped to a
// person: an owner alias) and the stages nobody knows (each can be
// aliased to one of ours), then checked again. Then the import, with a
// progress bar fed by its job (sent with Prefer: respond-async, followed
// at /api/v1/import/jobs/{id}), and its final per-line report. Nothing is
// written before "Import the file".
import { api, ApiError, showError } from "/app/api.js";
import { choice, el, field, stageNames } from "/app/views/format.js";
import { clearErrors, section, status } from "/app/views/admin-area.js";
import { report } from "/app/views/import-report.js";

const ORDERS = [["auto", "Found from the file"], ["mdy", "Month first (3/14/2026)"], ["dmy", "Day first (14/3/2026)"]];
const DECIMALS = [["point", "A point: 1,234.56"], ["comma", "A comma: 1.234,56"]];
const CHARSETS = [["utf-8", "UTF-8 (most exports)"], ["windows-1252", "Windows-1252 (Excel on Windows)"],
  ["iso-8859-1", "ISO-8859-1 (Latin-1)"]];
const POLL_MS = 200;

export async function show(main, session) {
  if (!section(main, session, "/app/import")) return;
  const [people, stages] = await Promise.all([api("GET", "/people"), stageNames()]);
  main.append(el("p", "Deals and their stage history from a CSV export: Salesforce's Opportunity History report or "
    + "opportunity export, HubSpot's deals export, or columns of our own (external_id, name, account, owner_email, "
    + "stage, amount, changed_at). Importing the same file twice changes nothing.", { class: "muted" }));
  const said = status();
  const form = fileForm();
  const bar = progress();
  const out = el("div", null, { class: "import-out" });
  main.append(form, said, bar.box, out);

  let running = false;
  const run = async (dry) => {
    if (running) return;
    const file = form.elements.file.files[0];
    if (!file) {
      showError(form, new ApiError(400, { detail: "Choose the CSV file first.", field: "file" }));
      return;
    }
    running = true;
    clearErrors(form);
    said.textContent = dry ? `Checking ${file.name}: nothing is written.` : `Importing ${file.name}…`;
    try {
      const job = await importFile(file, query(form, dry), bar);
      if (job === null) return;
      if (job.status === "failed") {
        said.textContent = `The import failed: ${job.error}`;
        return;
      }
      said.textContent = dry ? `Checked ${file.name}: this is what the import would do.`
        : `Imported ${file.name}: this is what the import did.`;
      out.replaceChildren(report(job.report, { dry, people: people.items, stages, onMapped: () => run(true) }));
      if (dry) out.append(importBox(job.report, () => run(false)));
      else out.append(doneBox());
      out.querySelector("h2")?.focus();
    } catch (err) {
      showError(form, err);
      bar.box.hidden = true;
    } finally {
      running = false;
    }
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); run(true); });
  form.elements.file.addEventListener("change", () => { out.replaceChildren(); bar.box.hidden = true; });
}

function fileForm() {
  const f = el("form", null, { class: "card import-file" });
  const file = el("input", null, { name: "file", type: "file", accept: ".csv,text/csv", required: "" });
  const how = el("fieldset");
  const tz = el("input", null, { name: "tz", value: "UTC", autocomplete: "off", "aria-describedby": "tz-hint" });
  how.append(el("legend", "How the file is written"), field("Dates", choice("date_format", ORDERS, "auto")),
    field("Decimals in amounts", choice("decimal", DECIMALS, "point")), field("Character set", choice("charset", CHARSETS, "utf-8")),
    field("Time zone of times without one", tz),
    el("p", "A zone name, such as Europe/Paris or America/New_York.", { class: "muted hint", id: "tz-hint" }));
  f.append(el("h2", "The file"), field("CSV file", file), how, el("button", "Check the file (dry run)", { type: "submit" }));
  return f;
}

function query(form, dry) {
  const q = new URLSearchParams({ dry_run: dry ? "1" : "0" });
  for (const k of ["date_format", "decimal", "charset", "tz"]) {
    const v = form.elements[k].value.trim();
    if (v) q.set(k, v);
  }
  return q;
}

// A progress bar and its words: the bytes sent, then the rows the job read.
function progress() {
  const box = el("div", null, { class: "import-progress", hidden: "" });
  const bar = el("progress", null, { max: "1", value: "0", "aria-label": "Import progress" });
  const words = el("p", null, { class: "muted" });
  box.append(bar, words);
  return {
    box,
    set(value, max, text) {
      box.hidden = false;
      bar.max = Math.max(max, 1);
      bar.value = Math.min(value, bar.max);
      words.textContent = text;
    },
  };
}

// Sends @file (text/csv) with @q, asking for a job (Prefer: respond-async),
// and follows the job to its end; the job, or null when the connection
// failed (said in @bar). Throws the API's refusal as an ApiError.
async function importFile(file, q, bar) {
  const sent = await new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/import/deals?${q}`);
    xhr.setRequestHeader("X-Requested-With", "nextstage-app");
    xhr.setRequestHeader("Content-Type", "text/csv");
    xhr.setRequestHeader("Prefer", "respond-async");
    xhr.upload.onprogress = (e) => bar.set(e.loaded, e.total || file.size,
      `Sending the file: ${Math.round((100 * e.loaded) / (e.total || file.size || 1))}%`);
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => resolve({ status: 0, body: {} });
    xhr.send(file);
  });
  if (sent.status === 0) {
    bar.set(0, 1, "The connection failed: nothing was imported.");
    return null;
  }
  if (sent.status >= 400) throw new ApiError(sent.status, sent.body);
  let job = sent.body;
  for (;;) {
    const total = job.rows_total || 0;
    const pct = total ? Math.floor((100 * job.rows_read) / total) : 100;
    const done = job.status === "done" || job.status === "failed";
    bar.set(done ? total : job.rows_read, total, done ? `${job.status === "done" ? "Done" : "Failed"}: `
      + `${total.toLocaleString()} of ${total.toLocaleString()} rows read (100%)`
      : `${job.status === "queued" ? "Waiting its turn" : "Reading"}: ${job.rows_read.toLocaleString()} of `
      + `${total.toLocaleString()} rows (${pct}%)`);
    if (done) return job;
    await new Promise((r) => setTimeout(r, POLL_MS));
    job = await api("GET", `/import/jobs/${job.id}`);
  }
}

function importBox(rep, go) {
  const box = el("section", null, { class: "card import-go" });
  const would = rep.created + rep.updated + rep.transitions;
  const button = el("button", "Import the file", { type: "button" });
  button.addEventListener("click", go);
  box.append(el("h2", "Import"), el("p", would ? "Nothing is written yet. Importing does what the tables above say, "
    + "all in one transaction." : "Importing would change nothing.", { class: "muted" }));
  if (rep.owners_unmatched.length) box.append(el("p", "Owners left unmatched leave their new deals without an owner.", { class: "muted" }));
  box.append(button);
  return box;
}

function doneBox() {
  const box = el("p", null, { class: "import-done" });
  box.append(el("a", "See the deals", { href: "/app/" }), " or choose another file above.");
  return box;
}
