// An upload with its progress: POSTs @form (multipart, with @file in it)
// to @url by XHR, showing in @row the file's name, a progress bar (bytes
// sent of total), a state and a Cancel button. Resolves to {status, body}:
// the HTTP status (0 when cancelled or cut off) and the parsed answer.
import { el } from "/app/views/format.js";

export function uploadFile(url, form, file, row) {
  const bar = el("progress", null, { max: String(file.size || 1), value: "0", "aria-label": `Upload of ${file.name}` });
  const cancel = el("button", "Cancel", { type: "button", "aria-label": `Cancel the upload of ${file.name}` });
  const state = el("span", "uploading", { class: "muted" });
  row.append(el("span", file.name), bar, state, cancel);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", url);
  xhr.setRequestHeader("X-Requested-With", "nextstage-app");
  xhr.upload.onprogress = (e) => {
    bar.value = e.loaded;
    state.textContent = `${Math.round((100 * e.loaded) / (e.total || 1))}%`;
  };
  cancel.addEventListener("click", () => xhr.abort());
  return new Promise((resolve) => {
    xhr.onload = () => {
      cancel.remove();
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) {
        bar.value = bar.max;
        state.textContent = "uploaded";
      } else {
        state.textContent = body.detail || `failed (HTTP ${xhr.status})`;
        state.className = "error";
      }
      resolve({ status: xhr.status, body, state });
    };
    xhr.onabort = () => { cancel.remove(); state.textContent = "cancelled: nothing was kept"; resolve({ status: 0, body: {}, state }); };
    xhr.onerror = () => {
      cancel.remove();
      state.textContent = "the connection failed: nothing was kept";
      state.className = "error";
      resolve({ status: 0, body: {}, state });
    };
    xhr.send(form);
  });
}
