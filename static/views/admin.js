// The administration area's front page: the sections the signed-in role
// may use, each with what it is for. A rep is told it is not theirs.
import { el } from "/app/views/format.js";
import { allowed, SECTIONS } from "/app/views/admin-area.js";

export async function show(main, session) {
  const admin = session.user.role === "admin";
  main.append(el("h1", admin ? "Administration" : "Settings"));
  if (session.user.role === "rep") {
    main.append(el("p", "Administration is for marketing and administrators.", { class: "muted refused" }));
    return;
  }
  const ul = el("ul", null, { class: "sections" });
  for (const s of SECTIONS.filter((x) => allowed(session.user, x.who))) {
    const li = el("li", null, { class: "card" });
    const h = el("h2");
    h.append(el("a", s.title, { href: s.href }));
    li.append(h, el("p", s.what, { class: "muted" }));
    ul.append(li);
  }
  main.append(ul);
}
