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

// Made once: building a formatter per call cost 40 ms for a page of 200 deals.
const moneyFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const dayFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });

export function money(amount) {
  if (amount === null || amount === undefined) return "—";
  return moneyFormat.format(amount);
}

export function day(rfc3339) {
  if (!rfc3339) return "—";
  return dayFormat.format(new Date(rfc3339));
}

// An element @tag with @text (and @attrs), for building views without innerHTML.
export function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// A <label> holding @text and @input (the field's accessible name).
export function field(text, input, attrs = {}) {
  const l = el("label", text, attrs);
  l.append(input);
  return l;
}

// The kinds and intents the API accepts, as people read them.
export const KINDS = ["guide", "ebook", "whitepaper", "case_study", "product_sheet", "one_pager", "deck",
  "battlecard", "video", "webinar", "blog_post", "template", "other"];
export const INTENTS = ["educational", "sales"];
export function kindName(kind) {
  return kind.replaceAll("_", " ");
}

// A <select name=@name> of @options ([value, text] pairs or values), set to @value.
export function choice(name, options, value) {
  const s = el("select", null, { name });
  for (const o of options) {
    const [v, t] = Array.isArray(o) ? o : [o, o];
    s.append(el("option", t, { value: v }));
  }
  if (value !== undefined && value !== null) s.value = value;
  return s;
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.ceil(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
