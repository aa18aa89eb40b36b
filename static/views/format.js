// How the views write what people read: money, dates, stage names.
import { api } from "/app/api.js";

let stages = null;

// The stages, in order, as {slug: {name, position, outcome}} (fetched once).
export async function stageNames() {
  if (!stages) {
    const list = await api("GET", "/stages");
    stages = Object.fromEntries((list.items || list).map((s) => [s.slug, s]));
  }
  return stages;
}

export function money(amount) {
  if (amount === null || amount === undefined) return "—";
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }).format(amount);
}

export function day(rfc3339) {
  if (!rfc3339) return "—";
  return new Date(rfc3339).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

// An element @tag with @text (and @attrs), for building views without innerHTML.
export function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
