// A PDF shown in the page. pdf.js comes from Debian's libjs-pdf, which the
// server mounts at /app/vendor/pdf/ (server/util/vendor.c); it paints one
// page at a time into a canvas as wide as its box: the first page at once,
// the others when asked (Previous/Next, or the arrow keys, Page Up/Down,
// Home and End on the page). When the library is not installed or the file
// cannot be read, a sentence says so beside the download link.
import { el } from "/app/views/format.js";

const VENDOR = "/app/vendor/pdf/";

let library = null; // the promise of pdfjsLib, shared by every view
let open = null; // the loading task of the document on screen

// pdf.js 2.14 is a UMD script, not a module: a script element loads it and
// it sets globalThis.pdfjsLib. mounts.json first says whether the server
// has it, so a missing package costs no failed request.
function loadLibrary() {
  library ||= fetch("/app/vendor/mounts.json", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : {}))
    .then((mounts) => new Promise((resolve, reject) => {
      if (mounts.pdf !== VENDOR) return reject(new Error("not installed"));
      const s = el("script", null, { src: `${VENDOR}build/pdf.js` });
      s.onload = () => (globalThis.pdfjsLib ? resolve(globalThis.pdfjsLib) : reject(new Error("not loaded")));
      s.onerror = () => reject(new Error("not loaded"));
      document.head.append(s);
    }))
    .then((lib) => {
      lib.GlobalWorkerOptions.workerSrc = `${VENDOR}build/pdf.worker.js`;
      return lib;
    });
  library.catch(() => { library = null; }); // the next PDF asks again
  return library;
}

// What a person reads when the PDF cannot be shown, with the download link.
function fallback(view, url, title, err) {
  const why = err?.message === "not installed" || err?.message === "not loaded"
    ? "PDFs cannot be shown in the page on this server (its PDF viewer, pdf.js, is not installed)."
    : err?.name === "PasswordException"
      ? "This PDF is protected by a password, so it cannot be shown in the page."
      : "This PDF could not be shown in the page: the file is damaged or is not a PDF.";
  const p = el("p", `${why} `, { class: "pdf-error" });
  p.append(el("a", `Download ${title}`, { href: url }), " to open it on your computer.");
  view.replaceChildren(p);
}

// Renders the PDF at @url into a new viewer at the end of @box, labelled
// with @title; @onPage(page, pages), when given, hears of each page shown.
// Never rejects: failures become the fallback sentence.
export async function renderPdf(box, url, title, onPage) {
  const view = el("div", null, { class: "pdf", role: "group", "aria-label": `PDF: ${title}` });
  view.append(el("p", "Loading the PDF…", { class: "muted" }));
  box.append(view);
  let doc;
  try {
    const lib = await loadLibrary();
    open?.destroy(); // one document (and its worker) at a time
    // No eval (the policy forbids it); fonts a PDF names without embedding
    // them from the package, metric-compatible, not from whatever this
    // computer has (a wider substitute breaks the lines' spacing).
    open = lib.getDocument({ url, isEvalSupported: false, useSystemFonts: false,
      cMapUrl: `${VENDOR}web/cmaps/`, cMapPacked: true, standardFontDataUrl: `${VENDOR}web/standard_fonts/` });
    doc = await open.promise;
  } catch (err) {
    fallback(view, url, title, err);
    return;
  }
  pages(view, doc, title, onPage);
}

// The page controls and the canvas of @doc in @view.
function pages(view, doc, title, onPage) {
  const n = doc.numPages;
  const prev = el("button", "Previous page", { type: "button" });
  const next = el("button", "Next page", { type: "button" });
  const where = el("span", null, { "aria-live": "polite", class: "pdf-where" });
  const bar = el("div", null, { class: "pdf-bar" });
  bar.append(prev, where, next);
  prev.hidden = next.hidden = n === 1;
  const canvas = el("canvas", null, { role: "img", tabindex: "0" });
  view.replaceChildren(bar, canvas);
  let current = 0, task = null, width = 0;

  async function show(p) {
    if (!view.isConnected) { // the app has moved to another page
      doc.destroy();
      return;
    }
    current = p;
    onPage?.(p, n);
    width = canvas.clientWidth;
    delete canvas.dataset.page;
    where.textContent = `Page ${p} of ${n}`;
    canvas.setAttribute("aria-label", `Page ${p} of ${n} of ${title}`);
    prev.setAttribute("aria-disabled", String(p === 1)); // still focusable, so focus stays
    next.setAttribute("aria-disabled", String(p === n));
    task?.cancel();
    try {
      const page = await doc.getPage(p);
      if (p !== current) return; // another page was asked for meanwhile
      const ratio = window.devicePixelRatio || 1;
      const viewport = page.getViewport({ scale: (width / page.getViewport({ scale: 1 }).width) * ratio });
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      task = page.render({ canvasContext: canvas.getContext("2d"), viewport });
      await task.promise;
      canvas.dataset.page = String(p); // painted: tests wait for this
    } catch (err) {
      if (err?.name !== "RenderingCancelledException") where.textContent = `Page ${p} of ${n} could not be shown.`;
    }
  }
  const go = (p) => { if (p >= 1 && p <= n && p !== current) show(p); };
  prev.addEventListener("click", () => go(current - 1));
  next.addEventListener("click", () => go(current + 1));
  const keys = { ArrowLeft: -1, PageUp: -1, ArrowRight: 1, PageDown: 1 };
  view.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const to = e.key in keys ? current + keys[e.key] : e.key === "Home" ? 1 : e.key === "End" ? n : 0;
    if (!to) return;
    e.preventDefault();
    go(to);
  });
  new ResizeObserver(() => {
    if (current && Math.abs(canvas.clientWidth - width) > 1) show(current);
  }).observe(view);
  show(1);
}
