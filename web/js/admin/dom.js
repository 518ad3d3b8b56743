// The admin pages build DOM with the inbox's helpers (../dom.js: text nodes only, never
// innerHTML). This wrapper only lets admin code write attributes and handlers inline:
//   h("button", {type: "button", "aria-label": "x", onclick: fn, dataset: {...}}, "text")
// Keys with a dash, `role`, `scope` and `novalidate` become attributes; `on<event>` functions
// become listeners; everything else is passed through (properties, class, text, dataset).

import { h as base, append, replace } from "../dom.js";

export { append, replace };

const ATTRS = new Set(["role", "scope", "novalidate"]);

export function h(tag, props, ...children) {
  const p = {};
  const attrs = {};
  const on = {};
  for (const [k, v] of Object.entries(props || {})) {
    if (k.startsWith("on") && typeof v === "function") on[k.slice(2)] = v;
    else if (k.includes("-") || ATTRS.has(k)) attrs[k] = v;
    else p[k] = v;
  }
  return base(tag, { ...p, attrs, on }, ...children);
}

let uid = 0;
/** A page-unique id for label/aria wiring. */
export function nextId(prefix = "adm") {
  uid += 1;
  return `${prefix}-${uid}`;
}
