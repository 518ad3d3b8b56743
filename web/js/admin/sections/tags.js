// Tags on leads (VIP, Lead quente…), each with a colour shown in the inbox.
import { h } from "../dom.js";

const DEFAULT_COLOR = "#64748b";

/** A coloured chip for a tag (used here and by automations). */
export function tagChip(tag) {
  const swatch = h("span", { class: "adm-swatch", "aria-hidden": "true" });
  swatch.style.backgroundColor = tag.color || DEFAULT_COLOR;
  return h("span", { class: "adm-chip" }, swatch, tag.name);
}

/** #rgb -> #rrggbb, because <input type=color> only takes the long form. */
function longHex(c) {
  const m = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(c || "");
  return m ? `#${m[1]}${m[1]}${m[2]}${m[2]}${m[3]}${m[3]}` : (c || DEFAULT_COLOR);
}

export const tags = {
  id: "tags",
  kind: "tags",
  path: "/api/v1/tags",
  keys: { title: "admin.tags.title", intro: "admin.tags.intro", new: "admin.tags.new", empty: "admin.tags.empty" },
  columns: [
    { key: "name", label: "admin.field.name", render: (tag) => tagChip(tag) },
    { key: "color", label: "admin.field.color", render: (tag) => h("code", { text: tag.color }) },
  ],
  fields: (env) => [
    { name: "name", label: env.t("admin.field.name"), type: "text", required: true },
    { name: "color", label: env.t("admin.field.color"), type: "color", default: DEFAULT_COLOR },
  ],
  values: (tag) => ({ ...tag, color: longHex(tag.color) }),
  toBody: (v, item) => {
    const body = { name: v.name, color: v.color };
    // Keep a stored short "#abc" when the picker only re-expanded it.
    if (item && longHex(item.color) === v.color) body.color = item.color;
    return body;
  },
  deactivateWarning: (_item, t) => t("admin.tags.deactivateWarning"),
};
