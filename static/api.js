// The API client every view uses: JSON in and out, the X-Requested-With
// header that the server asks of cookie sessions, problem+json turned into
// an ApiError (with the field at fault), and a 401 sent back to sign-in
// with the page to return to.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || "error";
    this.field = problem.field || null;
  }
}

// Set while the user signs out: a 401 then is expected, not a reason to
// send the page to sign-in (the sign-out does that itself).
export const leaving = { now: false };

export async function api(method, path, body) {
  const init = { method, headers: { "X-Requested-With": "nextstage-app" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`/api/v1${path}`, init);
  if (res.status === 204) return null;
  const type = res.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await res.json() : await res.text();
  if (res.ok) return data;
  if (res.status === 401 && path !== "/session" && path !== "/me" && !leaving.now) {
    const back = location.pathname + location.search;
    location.assign(`/app/sign-in?next=${encodeURIComponent(back)}`);
  }
  throw new ApiError(res.status, typeof data === "object" ? data : { detail: String(data) });
}

// Takes away what showError() put in @form.
export function clearErrors(form) {
  for (const old of form.querySelectorAll(".error")) old.remove();
  for (const f of form.querySelectorAll("[aria-invalid]")) f.removeAttribute("aria-invalid");
}

// Shows @err beside the field it names in @form (or at the form's top).
export function showError(form, err) {
  clearErrors(form);
  let field = err.field && form.elements.namedItem(err.field);
  if (field && !(field instanceof Element)) field = field[0]; // a group of radios or boxes
  const p = document.createElement("p");
  p.className = "error";
  p.setAttribute("role", "alert");
  p.textContent = err.message;
  if (field) {
    field.setAttribute("aria-invalid", "true");
    (field.closest("label") || field).insertAdjacentElement("afterend", p); // below the field's label
    field.focus();
  } else {
    const heading = form.querySelector("h1, h2");
    if (heading) heading.after(p);
    else form.prepend(p);
  }
}
