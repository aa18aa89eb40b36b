// Whether an asset's file can be found by its words, said in words: the
// current version's text_status (and pages, text_reason) as the API
// answers them once the extraction worker has read the file.
import { el } from "/app/views/format.js";

// "pages", "slides" or "sheets", as the file's kind counts them.
function unit(mime, n) {
  const one = n === 1;
  if (/presentation|powerpoint/.test(mime)) return one ? "slide" : "slides";
  if (/spreadsheet|excel/.test(mime)) return one ? "sheet" : "sheets";
  return one ? "page" : "pages";
}

const NOT_SEARCHABLE = {
  empty: "no text in this file (an image, a video or a scan)",
  encrypted: "password-protected",
  too_large: "too large to read",
  failed: "the text could not be read",
};

// A sentence for @v (a version with text_status), or null when the API
// says nothing of its text.
export function textStatus(v) {
  const s = v?.text_status;
  if (!s) return null;
  const p = el("p", null, { class: `text-status ${s}` });
  if (s === "done") p.textContent = v.pages ? `Text indexed: ${v.pages} ${unit(v.mime, v.pages)}` : "Text indexed";
  else if (s === "pending") p.textContent = "Extracting text…";
  else p.textContent = `Not searchable: ${NOT_SEARCHABLE[s] || s}${v.text_reason ? ` (${v.text_reason})` : ""}`;
  return p;
}
