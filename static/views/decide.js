// A board decision on an asset, asked in a native <dialog> (keyboard
// usable: focus moves into it, Escape cancels, focus goes back to the
// button that opened it): what the decision will do, in words; a note,
// which the API requires; the snooze for keep and refresh; and for retire
// the warning that the asset's tracked links will stop working.
import { api, showError } from "/app/api.js";
import { el, field } from "/app/views/format.js";

export const DECISIONS = {
  keep: { label: "Keep", past: "Kept", confirm: "Keep it" },
  refresh: { label: "Refresh", past: "Sent for a refresh", confirm: "Ask for a refresh" },
  archive: { label: "Archive", past: "Archived", confirm: "Archive it" },
  retire: { label: "Retire", past: "Retired", confirm: "Retire it and end its links" },
  restore: { label: "Restore", past: "Restored", confirm: "Restore it" },
};

// The decisions an asset's status allows (the API's review_outcome()).
export function allowedFor(status) {
  if (status === "published") return ["keep", "refresh", "archive", "retire"];
  if (status === "archived") return ["restore", "retire"];
  if (status === "retired") return ["restore"];
  return [];
}

// What @decision does to @asset ({title, shares, owner_name}), said before it is made.
function consequence(decision, asset) {
  const links = asset.shares === 1 ? "its 1 tracked link" : `its ${asset.shares} tracked links`;
  switch (decision) {
    case "keep":
      return "It stays published and leaves the queue for the days you choose, unless new evidence comes in (shares, opens by people, a verdict, feedback or a fulfilled request).";
    case "refresh":
      return `It stays published. ${asset.owner_name ? `Its owner, ${asset.owner_name},` : "Its owner"} gets a content request to renew it, with your note as the brief; it leaves the queue meanwhile.`;
    case "archive":
      return "Reps will no longer find it in search or get it recommended. Links already shared keep working.";
    case "retire":
      return asset.shares
        ? `Its tracked links will stop working: ${links} will answer prospects that the content has been retired, and record no open. Reps will no longer find it. Restoring it brings the links back.`
        : "Reps will no longer find it, and any link shared from now on would not work. Restoring it brings it back.";
    case "restore":
      return "It is published again: reps find it and get it recommended, and its tracked links work again.";
    default:
      return "";
  }
}

let seq = 0;

// Opens the dialog for @decision on @asset ({id, title, shares, owner_name});
// resolves with the API's decision, or null when cancelled.
export function decide(asset, decision) {
  const d = DECISIONS[decision];
  const id = `decide-${++seq}`;
  const opener = document.activeElement;
  const dialog = el("dialog", null, { class: `decide ${decision}`, "aria-labelledby": `${id}-h`, "aria-describedby": `${id}-p` });
  const form = el("form");
  form.noValidate = true; // the note's error is said beside it, as every form's
  const note = el("textarea", null, { name: "note", rows: "3", required: "", maxlength: "2000" });
  const retire = decision === "retire";
  form.append(el("h2", `${d.label} “${asset.title}”?`, { id: `${id}-h` }),
    el("p", consequence(decision, asset), { id: `${id}-p`, ...(retire ? { class: "warning" } : {}) }));
  form.append(field("Note (why: it is kept with the decision and sent to the owner)", note));
  let snooze = null;
  if (decision === "keep" || decision === "refresh") {
    snooze = el("input", null, { name: "snooze_days", type: "number", min: "1", max: "3650", value: "90", inputmode: "numeric" });
    form.append(field("Out of the queue for (days)", snooze));
  }
  const cancel = el("button", "Cancel", { type: "button", class: "secondary" });
  const ok = el("button", d.confirm, { type: "submit", ...(retire ? { class: "danger" } : {}) });
  const row = el("div", null, { class: "dialog-actions" });
  row.append(ok, cancel);
  form.append(row);
  dialog.append(form);
  document.body.append(dialog);

  return new Promise((resolve) => {
    let result = null;
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(result);
    });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!note.value.trim()) {
        showError(form, { field: "note", message: "Say why: the note is kept with the decision." });
        return;
      }
      const body = { decision, note: note.value.trim() };
      if (snooze) body.snooze_days = Number(snooze.value);
      ok.disabled = true;
      try {
        result = await api("POST", `/reviews/${asset.id}/decision`, body);
        dialog.close();
      } catch (err) {
        ok.disabled = false;
        showError(form, err);
      }
    });
    dialog.showModal();
    note.focus();
  });
}

// A button for @decision on @asset whose accessible name also says which
// asset it is for; @onDone(decision, asset) runs after the decision is made.
export function decisionButton(decision, asset, onDone) {
  const b = el("button", DECISIONS[decision].label, { type: "button", class: `decision ${decision}` });
  b.append(el("span", ` “${asset.title}”`, { class: "vh" }));
  b.addEventListener("click", async () => {
    const made = await decide(asset, decision);
    if (made) await onDone(made, asset);
  });
  return b;
}
