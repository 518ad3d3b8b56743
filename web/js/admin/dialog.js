// Modal dialogs on the native <dialog> element: focus moves in and is kept there by the
// browser, Escape closes, and focus returns to what opened it.

import { h } from "./dom.js";

let host = document.body;
/** Dialogs are appended inside the admin root so its scoped styles apply. */
export function setDialogHost(el) { host = el || document.body; }

/** openDialog({title, t, wide?}) -> {dialog, body, close()}. Removed from the DOM once closed. */
export function openDialog({ title, t, wide = false, onClose }) {
  const opener = document.activeElement;
  const titleId = `dlg-${Math.random().toString(36).slice(2, 9)}`;
  const body = h("div", { class: "adm-dialog-body" });
  const dialog = h("dialog", { class: `adm-dialog${wide ? " adm-dialog-wide" : ""}`, "aria-labelledby": titleId },
    h("div", { class: "adm-dialog-head" },
      h("h2", { id: titleId, text: title }),
      h("button", { type: "button", class: "adm-btn adm-btn-icon", "aria-label": t("admin.close"), title: t("admin.close"), text: "×", onclick: () => close() })),
    body);
  let closed = false;
  function close() {
    if (closed) return;
    closed = true;
    if (dialog.open) dialog.close();
    dialog.remove();
    if (onClose) onClose();
    if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
  }
  dialog.addEventListener("close", close);
  host.append(dialog);
  dialog.showModal();
  return { dialog, body, close };
}

/** Asks before a consequential action. Resolves true only on the confirm button. */
export function confirmDialog({ title, message, confirmLabel, danger = true, t }) {
  return new Promise((resolve) => {
    let answer = false;
    const d = openDialog({ title, t, onClose: () => resolve(answer) });
    const ok = h("button", {
      type: "button", class: `adm-btn ${danger ? "adm-btn-danger" : "adm-btn-primary"}`, text: confirmLabel,
      onclick: () => { answer = true; d.close(); },
    });
    const cancel = h("button", { type: "button", class: "adm-btn", text: t("admin.cancel"), onclick: () => d.close() });
    d.body.append(
      ...[].concat(message).map((m) => h("p", { text: m })),
      h("div", { class: "adm-form-actions" }, ok, cancel));
    cancel.focus();
  });
}

/** Copies text; falls back to selecting the input when the Clipboard API is unavailable. */
async function copy(input, button, t) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch (_) {
    input.focus(); input.select();
    try { document.execCommand("copy"); } catch (__) { /* the text stays selected */ }
  }
  button.textContent = t("admin.copied");
  setTimeout(() => { if (button.isConnected) button.textContent = t("admin.copy"); }, 1500);
}

/** A read-only value with a copy button, e.g. a secret or a URL. */
export function copyField(label, value, t, { secret = false, multiline = false } = {}) {
  const id = `cp-${Math.random().toString(36).slice(2, 9)}`;
  const input = multiline
    ? h("textarea", { id, readOnly: true, rows: 4, class: "adm-mono", value })
    : h("input", { id, readOnly: true, class: `adm-mono${secret ? " adm-secret" : ""}`, value, spellcheck: false });
  if (multiline) input.value = value;
  const btn = h("button", { type: "button", class: "adm-btn", text: t("admin.copy") });
  btn.addEventListener("click", () => copy(input, btn, t));
  return h("div", { class: "adm-field adm-copy" },
    h("label", { htmlFor: id, text: label }),
    h("div", { class: "adm-copy-row" }, input, btn));
}
