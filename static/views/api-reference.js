// The API's reference, drawn from its contract (GET /api/v1/openapi.json,
// the OpenAPI document the server serves and the tests hold it to): the
// operations grouped by tag, each with its method, path, summary, who may
// call it, its parameters, its body and its answers with their error codes.
// A filter narrows the list to the operations whose path or summary has
// the words typed.
import { api } from "/app/api.js";
import { el, field } from "/app/views/format.js";

const METHODS = ["get", "post", "patch", "put", "delete"];
const WHO = {
  public: "Anyone, without credentials",
  user: "Any signed-in user",
  marketer: "Marketers and admins",
  board: "Editorial board members and admins",
  board_read: "Editorial board members, marketers and admins",
  admin: "Admins",
  signed: "A CRM signing the body with a webhook secret (X-Nextstage-Signature)",
  signed_hubspot: "HubSpot, signing with a webhook secret (X-HubSpot-Signature-v3)",
};

// What @ref ("#/components/...") points to in @doc.
function resolve(doc, node) {
  while (node && node.$ref) {
    node = node.$ref.slice(2).split("/").reduce((o, k) => o[k.replaceAll("~1", "/").replaceAll("~0", "~")], doc);
  }
  return node;
}

// A schema's type in a few words ("array of Deal", "string or null").
function typeOf(schema) {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").pop();
  if (schema.oneOf) return schema.oneOf.map(typeOf).join(" or ");
  if (schema.allOf) return schema.allOf.map(typeOf).join(" and ");
  if (schema.properties && !schema.type?.includes?.("null") && schema.type === "object") {
    return `object: ${Object.keys(schema.properties).join(", ")}`;
  }
  const types = [].concat(schema.type || []);
  const words = types.map((t) => (t === "array" ? `array of ${typeOf(schema.items) || "values"}` : t));
  let text = words.join(" or ") || "any";
  if (schema.enum) text += `: ${schema.enum.filter((v) => v !== null).join(", ")}`;
  if (schema.format) text += ` (${schema.format})`;
  return text;
}

// What a field means: its own description, or its schema's.
function meaning(doc, schema) {
  return schema.description || resolve(doc, schema.oneOf?.[0] || schema)?.description || "";
}

function table(caption, head, rows) {
  const t = el("table", null, { class: "data" });
  t.append(el("caption", caption));
  const tr = el("tr");
  for (const h of head) tr.append(el("th", h, { scope: "col" }));
  t.append(el("thead"));
  t.tHead.append(tr);
  const body = el("tbody");
  for (const row of rows) {
    const r = el("tr");
    row.forEach((cell, i) => r.append(i === 0 ? el("th", cell, { scope: "row" }) : el("td", cell)));
    body.append(r);
  }
  t.append(body);
  return t;
}

function parameters(op) {
  const rows = (op.parameters || []).map((p) => [p.name, p.in, p.required ? "yes" : "no", typeOf(p.schema), p.description || ""]);
  return rows.length ? table("Parameters", ["Name", "In", "Required", "Type", "Meaning"], rows) : null;
}

function requestBody(doc, op) {
  const rb = resolve(doc, op.requestBody);
  if (!rb) return null;
  const part = el("div", null, { class: "api-body" });
  for (const [media, { schema }] of Object.entries(rb.content || {})) {
    const s = resolve(doc, schema) || {};
    const props = Object.entries(s.properties || {});
    if (props.length) {
      const required = new Set(s.required || []);
      part.append(table(`Body: ${media}`, ["Field", "Type", "Required", "Meaning"],
        props.map(([name, p]) => [name, typeOf(p), required.has(name) ? "yes" : "no", meaning(doc, p)])));
    } else {
      part.append(el("p", `Body: ${media}, ${typeOf(s)}`));
    }
  }
  return part;
}

function responses(doc, op) {
  const rows = Object.entries(op.responses).map(([status, r]) => {
    const res = resolve(doc, r);
    const content = res.content || {};
    const problem = content["application/problem+json"];
    const codes = problem ? (problem.schema.properties?.code?.enum || []).join(", ") : "";
    const json = content["application/json"];
    const shape = json ? typeOf(json.schema) : Object.keys(content).filter((m) => !m.includes("problem")).join(", ");
    return [status, res.description, codes ? `problem: ${codes}` : shape || "no content"];
  });
  return table("Answers", ["Status", "When", "Body (error codes)"], rows);
}

// The fields of each successful JSON answer (a $ref's, resolved).
function answerFields(doc, op) {
  const parts = [];
  for (const [status, r] of Object.entries(op.responses)) {
    const json = resolve(doc, r).content?.["application/json"];
    const s = json && resolve(doc, json.schema);
    if (!status.startsWith("2") || !s?.properties) continue;
    const name = json.schema.$ref ? ` (${typeOf(json.schema)})` : "";
    parts.push(table(`Answer ${status}${name}`, ["Field", "Type", "Meaning"],
      Object.entries(s.properties).map(([field, p]) => [field, typeOf(p), meaning(doc, p)])));
  }
  return parts;
}

function operation(doc, method, path, op) {
  const d = el("details", null, { class: "api-op", "data-op": op.operationId });
  const s = el("summary");
  s.append(el("span", method.toUpperCase(), { class: `api-method api-${method}` }), " ",
    el("code", path), " ", el("span", op.summary));
  d.append(s);
  d.addEventListener("toggle", () => {
    if (!d.open || d.dataset.drawn) return;
    d.dataset.drawn = "1";
    const text = (op.description || "").split("\n\n").filter((p) => !p.startsWith("**Who:**"));
    for (const p of text) d.append(el("p", p));
    d.append(el("p", `Who may call it: ${WHO[op["x-auth"]] || op["x-auth"]}.`, { class: "api-who" }));
    for (const part of [parameters(op), requestBody(doc, op), responses(doc, op), ...answerFields(doc, op)]) {
      if (part) d.append(part);
    }
  });
  return d;
}

export async function show(main) {
  const doc = await api("GET", "/openapi.json");
  main.append(el("h1", "The API"));
  const intro = el("p", `${doc.info.description} `);
  intro.append(el("a", "The document itself (OpenAPI 3.1, JSON)", { href: "/api/v1/openapi.json" }), ".");
  main.append(intro);
  const filter = el("input", null, { type: "search", name: "filter", autocomplete: "off" });
  main.append(field("Show the operations whose path or summary has", filter, { class: "api-filter" }));
  const count = el("p", null, { class: "muted", role: "status" });
  main.append(count);
  const groups = new Map(doc.tags.map((t) => [t.name, { tag: t, ops: [] }]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] || "other";
      if (!groups.has(tag)) groups.set(tag, { tag: { name: tag }, ops: [] });
      groups.get(tag).ops.push({ method, path, op, text: `${method} ${path} ${op.summary}`.toLowerCase() });
    }
  }
  const sections = [];
  for (const { tag, ops } of groups.values()) {
    if (!ops.length) continue;
    const sec = el("section", null, { class: "api-tag" });
    sec.append(el("h2", tag.name[0].toUpperCase() + tag.name.slice(1)));
    if (tag.description) sec.append(el("p", tag.description, { class: "muted" }));
    for (const o of ops) {
      o.node = operation(doc, o.method, o.path, o.op);
      sec.append(o.node);
    }
    main.append(sec);
    sections.push({ sec, ops });
  }
  const apply = () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const { sec, ops } of sections) {
      let any = false;
      for (const o of ops) {
        const hit = words.every((w) => o.text.includes(w));
        o.node.hidden = !hit;
        any ||= hit;
        shown += hit ? 1 : 0;
      }
      sec.hidden = !any;
    }
    count.textContent = `${shown} operation${shown === 1 ? "" : "s"}`;
  };
  filter.addEventListener("input", apply);
  apply();
}
