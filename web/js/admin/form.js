// A generic form built from field specs: labels, inputs, per-field error slots, reading values,
// and placing a server error on the field it names. Every admin section builds its forms here.
//
// Field spec: {name, label, type, help?, required?, options?, valueType?, showIf?, create?, ...}
//   type: text | email | password | url | number | color | textarea | select | checkbox |
//         checkboxes | custom
//   options (select, checkboxes): [{value, label, group?}] ; valueType "int" parses the value.
//   showIf(values): hides the field (and leaves it out of values()) when false.
//   custom: create() -> {el, get(), set(v), focus(), showError(path, message) -> bool, clear()}
//   errorFields: other request fields whose errors belong to this field (e.g. ["id"]).
// No `required` attribute on inputs on purpose: the server checks every rule, and its answer
// (missing_field, invalid_field…) is what the admin sees, in one consistent place.

import { h, nextId } from "./dom.js";
import { errorField, errorText } from "./errors.js";

function parse(spec, raw) {
  if (spec.valueType === "int") return raw === "" ? null : Number(raw);
  return raw;
}

/** Appends [{value, label, group?}] to a <select>; options with a group go in its <optgroup>. */
export function addOptions(select, options) {
  const groups = new Map();
  for (const o of options || []) {
    const opt = h("option", { value: String(o.value ?? ""), text: o.label });
    if (o.group) {
      if (!groups.has(o.group)) { const g = h("optgroup", { label: o.group }); groups.set(o.group, g); select.append(g); }
      groups.get(o.group).append(opt);
    } else select.append(opt);
  }
  return select;
}

function buildControl(spec, t) {
  const id = nextId("f");
  const errId = `${id}-err`;
  const helpId = spec.help ? `${id}-help` : null;
  const describedBy = [helpId, errId].filter(Boolean).join(" ");
  const errEl = h("p", { class: "adm-field-error", id: errId, hidden: true });
  const helpEl = spec.help ? h("p", { class: "adm-help", id: helpId, text: spec.help }) : null;
  const labelText = [spec.label, spec.required ? h("span", { class: "adm-req", "aria-hidden": "true", text: " *" }) : null];
  let input; let get; let set; let focus; let customShow = null; let customClear = null; let wrap;

  if (spec.type === "custom") {
    const c = spec.create();
    wrap = h("div", { class: "adm-field adm-field-custom" }, c.el, errEl);
    get = c.get; set = c.set; focus = c.focus;
    customShow = c.showError; customClear = c.clear;
  } else if (spec.type === "checkboxes") {
    const boxes = (spec.options || []).map((o) => {
      const cb = h("input", { type: "checkbox", value: String(o.value), name: spec.name });
      return { o, cb, el: h("label", { class: "adm-check" }, cb, h("span", { text: o.label })) };
    });
    const body = boxes.length ? boxes.map((b) => b.el) : h("p", { class: "adm-help", text: spec.emptyText || "" });
    wrap = h("fieldset", { class: "adm-field adm-fieldset", "aria-describedby": describedBy },
      h("legend", {}, labelText), h("div", { class: "adm-checks" }, body), helpEl, errEl);
    get = () => boxes.filter((b) => b.cb.checked).map((b) => parse(spec, b.cb.value));
    set = (v) => { const s = new Set((v || []).map(String)); boxes.forEach((b) => { b.cb.checked = s.has(b.cb.value); }); };
    focus = () => (boxes[0] ? boxes[0].cb.focus() : wrap.focus());
    input = boxes[0]?.cb;
  } else if (spec.type === "checkbox") {
    input = h("input", { type: "checkbox", id, "aria-describedby": describedBy });
    wrap = h("div", { class: "adm-field adm-field-inline" },
      h("label", { class: "adm-check", htmlFor: id }, input, h("span", { text: spec.label })), helpEl, errEl);
    get = () => input.checked; set = (v) => { input.checked = !!v; }; focus = () => input.focus();
  } else {
    if (spec.type === "select") {
      input = addOptions(h("select", { id, "aria-describedby": describedBy }), spec.options);
    } else if (spec.type === "textarea") {
      input = h("textarea", { id, rows: spec.rows || 3, "aria-describedby": describedBy, placeholder: spec.placeholder });
    } else {
      input = h("input", {
        id, type: spec.type || "text", "aria-describedby": describedBy, autocomplete: spec.autocomplete || "off",
        placeholder: spec.placeholder, min: spec.min, max: spec.max, step: spec.step, inputMode: spec.inputMode,
      });
    }
    if (spec.required) input.setAttribute("aria-required", "true");
    input.name = spec.name;
    wrap = h("div", { class: "adm-field" }, h("label", { htmlFor: id }, labelText), input, helpEl, errEl);
    get = () => parse(spec, spec.type === "number" ? input.value.trim() : input.value);
    set = (v) => { input.value = v === undefined || v === null ? "" : String(v); };
    focus = () => input.focus();
  }
  wrap.dataset.field = spec.name;
  return {
    spec, wrap, input, get, set, focus,
    showError(path, message) {
      if (customShow && customShow(path, message)) return;
      errEl.textContent = message; errEl.hidden = false;
      if (input) input.setAttribute("aria-invalid", "true");
    },
    clear() {
      errEl.textContent = ""; errEl.hidden = true;
      if (input) input.removeAttribute("aria-invalid");
      if (customClear) customClear();
    },
  };
}

function owns(spec, field) {
  const names = [spec.name, ...(spec.errorFields || [])];
  return names.some((n) => field === n || field.startsWith(`${n}.`) || field.startsWith(`${n}[`));
}

/**
 * createForm({fields, values, submitLabel, cancelLabel, onSubmit(values), onCancel, t})
 * -> {el, showError(err), clearErrors(), values(), focusFirst(), setBusy(bool)}
 * onSubmit may return a promise; while it runs the submit button is disabled. If it rejects,
 * the error is shown (on its field when the server names one) and the form stays open.
 */
export function createForm({ fields, values = {}, submitLabel, cancelLabel, onSubmit, onCancel, t }) {
  const controls = fields.map((f) => buildControl(f, t));
  const banner = h("div", { class: "adm-alert adm-alert-error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "adm-btn adm-btn-primary", text: submitLabel || t("admin.save") });
  const cancel = onCancel ? h("button", { type: "button", class: "adm-btn", text: cancelLabel || t("admin.cancel"), onclick: onCancel }) : null;
  const form = h("form", { class: "adm-form", novalidate: true },
    banner, controls.map((c) => c.wrap), h("div", { class: "adm-form-actions" }, submit, cancel));

  for (const c of controls) c.set(values[c.spec.name] ?? c.spec.default);

  const current = () => {
    const v = {};
    for (const c of controls) v[c.spec.name] = c.get();
    return v;
  };
  const refreshVisibility = () => {
    const v = current();
    for (const c of controls) if (c.spec.showIf) c.wrap.hidden = !c.spec.showIf(v);
  };
  form.addEventListener("change", refreshVisibility);
  form.addEventListener("input", refreshVisibility);
  refreshVisibility();

  const api = {
    el: form,
    values() {
      const v = current();
      for (const c of controls) if (c.wrap.hidden) delete v[c.spec.name];
      return v;
    },
    clearErrors() { banner.hidden = true; banner.replaceChildren(); controls.forEach((c) => c.clear()); },
    showError(err) {
      api.clearErrors();
      const field = errorField(err);
      const text = errorText(err, t);
      const c = field ? controls.find((x) => !x.wrap.hidden && owns(x.spec, field)) : null;
      if (c) {
        c.showError(field, text);
        banner.append(h("span", { text: `${c.spec.label || field}: ${text}` }));
        c.focus();
      } else {
        banner.append(h("span", { text: field ? `${field}: ${text}` : text }));
      }
      banner.hidden = false;
    },
    focusFirst() { const c = controls.find((x) => !x.wrap.hidden); if (c) c.focus(); },
    setBusy(b) { submit.disabled = b; form.setAttribute("aria-busy", b ? "true" : "false"); },
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    api.clearErrors();
    api.setBusy(true);
    try { await onSubmit(api.values()); } catch (err) { api.showError(err); } finally { api.setBusy(false); }
  });
  return api;
}
