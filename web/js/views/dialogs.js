// Modal dialogs on the native <dialog> element (focus trapping and Escape for free).
// Each returns a Promise: the user's choice, or null when cancelled.

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { dir, sortedByName } from "../directory.js";

function modal(id, title, body, { okText, okEnabled = () => true, collect }) {
  return new Promise((resolve) => {
    const ok = h("button", { id: `${id}-ok`, type: "submit", class: "btn btn-primary", text: okText });
    const dlg = h("dialog", { id, class: "dialog", attrs: { "aria-labelledby": `${id}-title` } },
      h("form", { method: "dialog", on: { submit: (e) => { e.preventDefault(); if (!okEnabled()) return; done(collect()); }, input: refresh, change: refresh } },
        h("h2", { id: `${id}-title`, text: title }),
        body,
        h("div", { class: "dialog-actions" },
          h("button", { id: `${id}-cancel`, type: "button", class: "btn btn-ghost", text: t("common.cancel"), on: { click: () => done(null) } }),
          ok)));
    function refresh() { ok.disabled = !okEnabled(); }
    let settled = false;
    function done(v) {
      if (settled) return;
      settled = true;
      dlg.close();
      dlg.remove();
      resolve(v);
    }
    dlg.addEventListener("cancel", (e) => { e.preventDefault(); done(null); });
    document.body.append(dlg);
    refresh();
    dlg.showModal();
  });
}

/** Asks for an agent and/or a department; resolves {agentId?, departmentId?} or null. */
export function transferDialog({ title, live }) {
  const presence = (id) => live?.presence.get(id) || "offline";
  const agent = h("select", { id: "transfer-agent" },
    h("option", { value: "", text: t("transfer.noAgent") }),
    sortedByName(dir.agents, true).map((a) => h("option", { value: String(a.id), text: `${a.name} (${t(`presence.${presence(a.id)}`)})` })));
  const dept = h("select", { id: "transfer-department" },
    h("option", { value: "", text: t("transfer.noDepartment") }),
    sortedByName(dir.departments, true).map((d) => h("option", { value: String(d.id), text: d.name })));
  const body = h("div", { class: "dialog-body" },
    h("label", { attrs: { for: "transfer-agent" }, text: t("transfer.agent") }), agent,
    h("label", { attrs: { for: "transfer-department" }, text: t("transfer.department") }), dept,
    h("p", { class: "muted small", text: t("transfer.help") }));
  return modal("transfer-dialog", title, body, {
    okText: t("action.transfer"),
    okEnabled: () => !!(agent.value || dept.value),
    collect: () => {
      const r = {};
      if (agent.value) r.agentId = Number(agent.value);
      if (dept.value) r.departmentId = Number(dept.value);
      return r;
    },
  });
}

/** Asks for a manual automation; resolves its id or null. */
export function automationDialog({ title }) {
  const manual = dir.automations.filter((a) => a.active && a.trigger?.kind === "manual");
  const sel = h("select", { id: "automation-pick" },
    h("option", { value: "", text: t("bulk.pickAutomation") }),
    manual.map((a) => h("option", { value: String(a.id), text: a.name })));
  const body = h("div", { class: "dialog-body" },
    manual.length ? [h("label", { attrs: { for: "automation-pick" }, text: t("bulk.automation") }), sel]
      : h("p", { class: "muted", text: t("bulk.noAutomations") }));
  return modal("automation-dialog", title, body, { okText: t("bulk.run"), okEnabled: () => !!sel.value, collect: () => Number(sel.value) });
}

/** Yes/no. */
export function confirmDialog({ title, text, okText }) {
  return modal("confirm-dialog", title, h("div", { class: "dialog-body" }, h("p", { text })), { okText, collect: () => true });
}
