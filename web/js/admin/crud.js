// One generic "list + create/edit form + deactivate" section, configured per entity.
// Departments, tags, agents, connections, pipelines and automations are all this shape; each
// section module only says what differs (columns, fields, body, extra row actions).
//
// cfg: {
//   id, kind (a store.js list), path, keys: {title, intro, new, empty} (string keys),
//   load(env)?            -> extra data for columns/fields (e.g. departments by id)
//   columns: [{key, label, render(item, data, env)?}]  (the first column is the row header)
//   fields(env, item, data) -> field specs (see form.js); may be async
//   values(item, data)?   -> initial form values (default: the item itself)
//   toBody(values, item)  -> request body
//   update: "patch" (default: only changed fields are sent) | "put" (the whole body, PUT)
//   unwrap(answer)?       -> the entity inside a create answer
//   afterCreate(answer, env)?  e.g. show a connection's secret
//   rowActions(item, ctx)? -> extra buttons; ctx = {env, data, reload, announce, fail, btn}
//   canDeactivate(item, env)?, setActive(item, active, env)?, deactivateWarning(item, t)?
//   wideForm?
// }

import { h, replace } from "./dom.js";
import { openDialog, confirmDialog } from "./dialog.js";
import { createForm } from "./form.js";
import { errorText } from "./errors.js";

const FILTER_FROM = 6; // rows; shorter lists need no filter box

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Only the fields whose value changed (null and absent are the same). */
export function changedFields(body, item) {
  const out = {};
  for (const [k, v] of Object.entries(body)) if (!same(v, item[k])) out[k] = v;
  return out;
}

export function statusBadge(active, t) {
  return h("span", { class: `adm-badge ${active ? "adm-badge-on" : "adm-badge-off"}`, text: t(active ? "admin.active" : "admin.inactive") });
}

export function mountCrud(root, cfg, env) {
  const { t, request, store } = env;
  const status = h("p", { class: "adm-status", role: "status", "aria-live": "polite" });
  const alert = h("div", { class: "adm-alert adm-alert-error", role: "alert", hidden: true });
  const listEl = h("div", { class: "adm-list", "aria-busy": "true" }, h("p", { class: "adm-muted", text: t("admin.loading") }));
  // A filter box for long lists (a workspace may have dozens of agents or tags).
  const filterId = `${cfg.id}-filter`;
  const filterInput = h("input", { id: filterId, type: "search", autocomplete: "off", oninput: () => applyFilter() });
  const filterEl = h("div", { class: "adm-filter", hidden: true },
    h("label", { htmlFor: filterId, text: t("admin.filter") }), filterInput);
  const newBtn = h("button", { type: "button", class: "adm-btn adm-btn-primary", text: t(cfg.keys.new), onclick: () => openForm(null) });
  newBtn.dataset.action = "new";
  replace(root,
    h("div", { class: "adm-section-head" },
      h("div", {}, h("h2", { text: t(cfg.keys.title) }), cfg.keys.intro ? h("p", { class: "adm-intro", text: t(cfg.keys.intro) }) : null),
      env.canWrite(cfg) ? newBtn : null),
    alert, status, filterEl, listEl);

  let data = {};
  let alive = true;
  // The row button last used: rows are rebuilt after every change, so focus is put back on the
  // same button of the same row (keyboard users keep their place).
  let lastUsed = null;

  const announce = (msg) => { status.textContent = msg; };
  const fail = (err) => { alert.replaceChildren(h("span", { text: errorText(err, t) })); alert.hidden = false; };
  const clearFail = () => { alert.hidden = true; alert.replaceChildren(); };
  const nameOf = (item) => (cfg.name ? cfg.name(item) : item.name);

  async function reload({ fresh = true } = {}) {
    listEl.setAttribute("aria-busy", "true");
    try {
      const [items, extra] = await Promise.all([store.list(cfg.kind, { fresh }), cfg.load ? cfg.load(env) : {}]);
      if (!alive) return;
      data = extra;
      render(items);
    } catch (err) {
      if (!alive) return;
      fail(err);
      replace(listEl, h("button", { type: "button", class: "adm-btn", text: t("admin.retry"), onclick: () => { clearFail(); reload(); } }));
    } finally {
      listEl.setAttribute("aria-busy", "false");
    }
  }

  function applyFilter() {
    const q = filterInput.value.trim().toLocaleLowerCase();
    for (const tr of listEl.querySelectorAll("tbody tr")) tr.hidden = q !== "" && !tr.textContent.toLocaleLowerCase().includes(q);
  }

  function render(items) {
    filterEl.hidden = items.length <= FILTER_FROM;
    if (!items.length) {
      replace(listEl, h("div", { class: "adm-empty" }, h("p", { text: t(cfg.keys.empty) })));
      return;
    }
    const head = h("tr", {}, cfg.columns.map((c) => h("th", { scope: "col", text: t(c.label) })),
      h("th", { scope: "col", text: t("admin.status") }),
      h("th", { scope: "col" }, h("span", { class: "adm-sr", text: t("admin.actions") })));
    const rows = items.map((item) => {
      const tr = h("tr", { class: item.active ? "" : "adm-row-inactive", dataset: { id: String(item.id), name: nameOf(item) } },
        cfg.columns.map((c, i) => {
          const cell = h(i === 0 ? "th" : "td", { scope: i === 0 ? "row" : null, dataset: { label: t(c.label) } });
          const v = c.render ? c.render(item, data, env) : item[c.key];
          if (v !== null && v !== undefined) cell.append(v instanceof Node ? v : document.createTextNode(String(v)));
          return cell;
        }),
        h("td", { dataset: { label: t("admin.status") } }, statusBadge(item.active, t)),
        h("td", { class: "adm-row-actions" }, rowButtons(item)));
      return tr;
    });
    replace(listEl, h("div", { class: "adm-table-wrap" },
      h("table", { class: "adm-table" },
        h("caption", { class: "adm-sr", text: t(cfg.keys.title) }),
        h("thead", {}, head), h("tbody", {}, rows))));
    applyFilter();
    restoreFocus();
  }

  function restoreFocus() {
    if (!lastUsed) return;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const tr = listEl.querySelector(`tr[data-id="${lastUsed.id}"]`);
    const target = tr && (tr.querySelector(`[data-action="${lastUsed.action}"]`) || tr.querySelector("button"));
    if (target) target.focus();
  }

  function rowButtons(item) {
    const name = nameOf(item);
    const btn = (label, action, onclick, cls = "") => h("button", {
      type: "button", class: `adm-btn adm-btn-small ${cls}`, text: t(label),
      "aria-label": `${t(label)}: ${name}`, dataset: { action },
      onclick: () => { lastUsed = { id: item.id, action }; onclick(); },
    });
    if (!env.canWrite(cfg)) return [];
    const out = [btn("admin.edit", "edit", () => openForm(item))];
    if (cfg.rowActions) out.push(...cfg.rowActions(item, { env, data, reload, announce, fail, btn }));
    const canDeactivate = cfg.canDeactivate ? cfg.canDeactivate(item, env) : true;
    if (item.active && canDeactivate) out.push(btn("admin.deactivate", "deactivate", () => toggleActive(item, false), "adm-btn-danger-quiet"));
    if (!item.active) out.push(btn("admin.reactivate", "reactivate", () => toggleActive(item, true)));
    return out;
  }

  async function toggleActive(item, active) {
    clearFail();
    const name = nameOf(item);
    if (!active) {
      const ok = await confirmDialog({
        t, title: t("admin.confirm.deactivateTitle", { name }),
        message: [t("admin.confirm.deactivate", { name }), cfg.deactivateWarning ? cfg.deactivateWarning(item, t) : null].filter(Boolean),
        confirmLabel: t("admin.deactivate"),
      });
      if (!ok) return;
    }
    try {
      if (cfg.setActive) await cfg.setActive(item, active, env);
      else if (active) await request("PATCH", `${cfg.path}/${item.id}`, { active: true });
      else await request("DELETE", `${cfg.path}/${item.id}`);
      store.invalidate(cfg.kind);
      announce(t(active ? "admin.reactivated" : "admin.deactivated", { name }));
      await reload();
    } catch (err) { fail(err); }
  }

  async function openForm(item) {
    clearFail();
    let fields;
    try { fields = await cfg.fields(env, item, data); } catch (err) { fail(err); return; }
    const title = item ? t("admin.editTitle", { name: nameOf(item) }) : t(cfg.keys.new);
    const d = openDialog({ title, t, wide: !!cfg.wideForm });
    const form = createForm({
      t, fields,
      values: item ? (cfg.values ? cfg.values(item, data) : item) : {},
      submitLabel: item ? t("admin.save") : t("admin.create"),
      onCancel: () => d.close(),
      onSubmit: async (values) => {
        const body = cfg.toBody(values, item);
        let answer;
        if (!item) answer = await request("POST", cfg.path, body);
        else if (cfg.update === "put") answer = await request("PUT", `${cfg.path}/${item.id}`, body);
        else {
          const diff = changedFields(body, item);
          if (Object.keys(diff).length) answer = await request("PATCH", `${cfg.path}/${item.id}`, diff);
        }
        d.close();
        store.invalidate(cfg.kind);
        const saved = answer ? (cfg.unwrap ? cfg.unwrap(answer) : answer) : item;
        announce(t(item ? "admin.saved" : "admin.created", { name: nameOf(saved) }));
        await reload();
        if (!item && cfg.afterCreate) await cfg.afterCreate(answer, env);
      },
    });
    d.body.append(form.el);
    form.focusFirst();
  }

  reload({ fresh: false });
  return () => { alive = false; };
}
