// What a search result shows of an asset's file: its thumbnail (or an icon
// of its kind) and, for a hit inside the file, the excerpt of the best page
// with the words marked.
import { el, kindName } from "/app/views/format.js";

// The excerpt's HTML (item.snippet.html) comes from the server, which
// escapes the file's text and adds only <mark> and </mark>. It is not
// given to innerHTML all the same: it is parsed into an inert document
// (DOMParser runs no script and loads nothing) and rebuilt from its text
// and its <mark> elements only, so that a fault in the server's escaping
// could at worst show stray text, never add markup to the page. Parsing
// (rather than splitting on "<mark>") also turns the escaped entities
// (&lt; &amp; ...) back into the characters the file holds.
export function markedText(html) {
  const doc = new DOMParser().parseFromString(`<body>${html}`, "text/html");
  const out = document.createDocumentFragment();
  for (const n of doc.body.childNodes) {
    if (n.nodeType === Node.ELEMENT_NODE && n.nodeName === "MARK") out.append(el("mark", n.textContent));
    else out.append(document.createTextNode(n.textContent));
  }
  return out;
}

// <p class="snippet">page N: … excerpt …</p>, or null without a snippet.
export function snippet(s) {
  if (!s) return null;
  const p = el("p", null, { class: "snippet" });
  p.append(el("span", `page ${s.page}`, { class: "snippet-page" }), " …", markedText(s.html), "…");
  return p;
}

// The item's preview image, or a tile naming its kind (both decorative:
// the title and kind are read out beside them).
export function thumbnail(a) {
  if (a.thumbnail) return el("img", null, { class: "thumb", src: a.thumbnail, alt: "", loading: "lazy" });
  return el("span", kindName(a.kind), { class: `thumb kind-icon kind-${a.kind}`, "aria-hidden": "true" });
}
