// The filter panel: status, connections, tags, deal stages and departments as groups of
// checkboxes (any-of within a group, all groups combined: §7.2). Every change applies at once
// and lands in the URL through Inbox.setFilter.

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { STATUSES } from "../filters.js";
import { dir, sortedByName } from "../directory.js";

export class FilterPanel {
  constructor(inbox, onClose) {
    this.inbox = inbox;
    this.onClose = onClose;
    this.el = null;
  }

  focus() { requestAnimationFrame(() => this.el?.querySelector("input")?.focus()); }

  render() {
    const f = this.inbox.filter;
    const toggle = (key, value, on) => {
      const cur = f[key];
      const next = on ? [...new Set([...cur, value])] : cur.filter((x) => x !== value);
      if (key !== "statuses") next.sort((a, b) => a - b);
      else next.sort((a, b) => STATUSES.indexOf(a) - STATUSES.indexOf(b));
      this.inbox.setFilter({ ...f, [key]: next });
    };
    const group = (id, legend, options, key) => h("fieldset", { class: "filter-group", id: `filter-${id}` },
      h("legend", { text: legend }),
      options.length ? options.map(([value, label]) => {
        const inputId = `f-${id}-${value}`;
        return h("div", { class: "check" },
          h("input", { type: "checkbox", id: inputId, checked: f[key].includes(value), dataset: { value: String(value) },
            on: { change: (e) => toggle(key, value, e.target.checked) } }),
          h("label", { attrs: { for: inputId }, text: label }));
      }) : h("p", { class: "muted small", text: t("filters.none") }));
    const stages = [];
    for (const p of dir.pipelines) for (const s of p.stages || []) stages.push([s.id, dir.pipelines.length > 1 ? `${p.name}: ${s.name}` : s.name]);
    this.el = h("div", { id: "filter-panel", class: "filter-panel", attrs: { role: "region", "aria-label": t("filters.button") },
      on: { keydown: (e) => { if (e.key === "Escape") { this.onClose(); document.getElementById("filters-toggle")?.focus(); } } } },
    group("status", t("filters.status"), STATUSES.map((s) => [s, t(`status.${s}`)]), "statuses"),
    group("connection", t("filters.connections"), sortedByName(dir.connections).map((c) => [c.id, c.name]), "connectionIds"),
    group("tag", t("filters.tags"), sortedByName(dir.tags).map((x) => [x.id, x.name]), "tagIds"),
    group("stage", t("filters.stages"), stages, "stageIds"),
    group("department", t("filters.departments"), sortedByName(dir.departments).map((d) => [d.id, d.name]), "departmentIds"),
    h("div", { class: "filter-actions" },
      h("button", { type: "button", class: "btn btn-ghost", id: "filters-close", text: t("filters.close"), on: { click: () => this.onClose() } })));
    return this.el;
  }
}
