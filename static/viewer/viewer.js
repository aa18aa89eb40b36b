// The prospect's viewer of a tracked link (the page is the server's:
// server/handlers/viewer_page.c). It shows a PDF with the app's pdf.js
// view, and reports what is read: which page is shown and for how many
// seconds, counted only while the tab is visible and the document is in
// view, sent to the link's beacon every data-flush seconds and when the
// page is left. Only what is shown counts: an image or a video, a PDF once
// pdf.js has drawn it (not the sentence saying it could not), never the
// card of a file the page does not show. A beacon names the view id the
// server wrote into this page and nothing else: no cookie, no storage,
// nothing of the browser.
import { renderPdf } from "/app/views/pdf-view.js";

const main = document.getElementById("viewer");
const frame = document.getElementById("frame");
const { kind, file, beacon, view, title } = main.dataset;
const flushMs = Math.max(1, Number(main.dataset.flush) || 10) * 1000;

let pages = Number(main.dataset.pages) || 1; // a PDF's as pdf.js counts them
let page = 1; // the page shown
let shown = kind === "image" || kind === "video"; // something is there to read
let inView = false; // enough of the document is on the screen
let since = null; // when the time being counted for @page began
const seen = new Map(); // page -> seconds not yet sent

const counting = () => shown && document.visibilityState === "visible" && inView;

// Adds the time counted so far to @page, and counts on if it should.
function settle() {
  const now = performance.now();
  if (since !== null) seen.set(page, (seen.get(page) || 0) + (now - since) / 1000);
  since = counting() ? now : null;
}

// Sends what was seen since the last beacon. sendBeacon outlives the page
// (it is what runs at pagehide); a fetch with keepalive is the fallback.
function flush() {
  settle();
  const pairs = [...seen].map(([p, s]) => [p, Math.round(s * 1000) / 1000]).filter(([, s]) => s > 0);
  seen.clear();
  if (!pairs.length) return;
  const body = JSON.stringify({ view, pages, seen: pairs });
  if (!navigator.sendBeacon?.(beacon, body))
    fetch(beacon, { method: "POST", body, keepalive: true, credentials: "omit" }).catch(() => {});
}

// pdf.js shows page @p of @n.
function show(p, n) {
  settle(); // the time so far is the page's that was shown
  shown = true;
  page = p;
  pages = n;
  if (since === null && counting()) since = performance.now();
}

// In view: half of the document, or half of the screen filled by it.
new IntersectionObserver(([e]) => {
  inView = e.isIntersecting &&
    (e.intersectionRatio >= 0.5 || e.intersectionRect.height >= 0.5 * (e.rootBounds?.height || innerHeight));
  settle();
}, { threshold: [0, 0.1, 0.25, 0.5, 0.75, 1] }).observe(frame);

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") flush();
  else settle();
});
addEventListener("pagehide", flush);
setInterval(flush, flushMs);

if (kind === "pdf") renderPdf(frame, file, title, show);
