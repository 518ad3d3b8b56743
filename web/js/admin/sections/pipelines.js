// Pipelines (funis) and their ordered stages (etapas), e.g. Novo lead → Proposta enviada.
import { h, replace } from "../dom.js";
import { openDialog, confirmDialog } from "../dialog.js";
import { createForm } from "../form.js";
import { errorText } from "../errors.js";
import { labelOf } from "../format.js";

function stageChips(p, t) {
  if (!p.stages.length) return h("span", { class: "adm-muted", text: t("admin.pipelines.noStages") });
  return h("ol", { class: "adm-stage-chips" }, p.stages.map((s) => h("li", {
    class: `adm-chip${s.active ? "" : " adm-chip-off"}`,
    title: s.active ? null : t("admin.inactive"),
    text: labelOf(s, t),
  })));
}

/** Lines of a textarea -> distinct stage names (blank lines dropped). */
const lines = (text) => (text || "").split("\n").map((s) => s.trim()).filter(Boolean);

/** The stage editor of one pipeline: rename, reorder, deactivate, add. */
function openStages(pipeline, { env, reload, announce }) {
  const { t, request } = env;
  let current = pipeline;
  let changed = false;
  const d = openDialog({
    title: t("admin.stages.title", { name: pipeline.name }), t, wide: true,
    onClose: () => { if (changed) { env.store.invalidate("pipelines"); reload(); } },
  });
  const listEl = h("div", {});
  const addSlot = h("div", { class: "adm-subsection" });
  const status = h("p", { class: "adm-status", role: "status", "aria-live": "polite" });
  d.body.append(h("p", { class: "adm-intro", text: t("admin.stages.intro") }), status, listEl, addSlot);

  async function apply(call, rowError, focusSel) {
    rowError.hidden = true;
    try {
      current = await call();
      changed = true;
      render(focusSel);
      return true;
    } catch (err) {
      rowError.textContent = errorText(err, t); rowError.hidden = false;
      return false;
    }
  }

  function stageRow(s, i, n) {
    const inputId = `stage-name-${s.id}`;
    const err = h("p", { class: "adm-field-error", role: "alert", hidden: true });
    const input = h("input", { id: inputId, type: "text", value: s.name, "aria-label": t("admin.stages.nameOf", { n: i + 1 }) });
    const patch = (body) => () => request("PATCH", `/api/v1/stages/${s.id}`, body);
    const save = h("button", {
      type: "submit", class: "adm-btn adm-btn-small", text: t("admin.save"), "aria-label": `${t("admin.save")}: ${s.name}`,
    });
    const form = h("form", { class: "adm-stage-form", novalidate: true }, input, save);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (input.value === s.name) return;
      if (await apply(patch({ name: input.value }), err, `#${inputId}`)) status.textContent = t("admin.saved", { name: input.value.trim() });
    });
    const move = (delta, key, action) => h("button", {
      type: "button", class: "adm-btn adm-btn-small", text: t(key), "aria-label": `${t(key)}: ${s.name}`,
      disabled: (delta < 0 && i === 0) || (delta > 0 && i === n - 1), dataset: { action },
      onclick: () => apply(patch({ position: s.position + delta }), err, `[data-stage="${s.id}"] [data-action="${action}"]`),
    });
    const toggle = s.active
      ? h("button", {
        type: "button", class: "adm-btn adm-btn-small adm-btn-danger-quiet", text: t("admin.deactivate"), dataset: { action: "deactivate" },
        "aria-label": `${t("admin.deactivate")}: ${s.name}`,
        onclick: async () => {
          const ok = await confirmDialog({ t, title: t("admin.confirm.deactivateTitle", { name: s.name }), message: [t("admin.confirm.deactivate", { name: s.name }), t("admin.stages.deactivateWarning")], confirmLabel: t("admin.deactivate") });
          if (ok) apply(patch({ active: false }), err, `[data-stage="${s.id}"] [data-action="reactivate"]`);
        },
      })
      : h("button", {
        type: "button", class: "adm-btn adm-btn-small", text: t("admin.reactivate"), dataset: { action: "reactivate" },
        "aria-label": `${t("admin.reactivate")}: ${s.name}`,
        onclick: () => apply(patch({ active: true }), err, `[data-stage="${s.id}"] [data-action="deactivate"]`),
      });
    return h("li", { class: `adm-stage${s.active ? "" : " adm-row-inactive"}`, dataset: { stage: String(s.id) } },
      h("span", { class: "adm-stage-pos", "aria-hidden": "true", text: String(i + 1) }),
      form,
      h("div", { class: "adm-stage-actions" }, move(-1, "admin.moveUp", "up"), move(1, "admin.moveDown", "down"), s.active ? null : statusOff(), toggle),
      err);
  }
  const statusOff = () => h("span", { class: "adm-badge adm-badge-off", text: t("admin.inactive") });

  function render(focusSel) {
    const n = current.stages.length;
    replace(listEl, n
      ? h("ol", { class: "adm-stages" }, current.stages.map((s, i) => stageRow(s, i, n)))
      : h("p", { class: "adm-empty", text: t("admin.pipelines.noStages") }));
    const form = createForm({
      t,
      fields: [
        { name: "name", label: t("admin.stages.newName"), type: "text", required: true },
        {
          name: "position", label: t("admin.stages.position"), type: "select", valueType: "int",
          options: [{ value: "", label: t("admin.stages.atEnd") }, ...current.stages.map((s) => ({ value: s.position, label: t("admin.stages.before", { name: s.name }) }))],
        },
      ],
      submitLabel: t("admin.stages.add"),
      onSubmit: async (v) => {
        const body = { name: v.name };
        if (v.position !== null) body.position = v.position;
        current = await request("POST", `/api/v1/pipelines/${current.id}/stages`, body);
        changed = true;
        status.textContent = t("admin.created", { name: v.name.trim() });
        render();
        addSlot.querySelector("input")?.focus();
      },
    });
    replace(addSlot, h("h3", { text: t("admin.stages.addTitle") }), form.el);
    if (focusSel) {
      const el = d.body.querySelector(focusSel);
      if (el && !el.disabled) el.focus(); else listEl.querySelector(`[data-stage] input`)?.focus();
    }
  }
  render();
  d.body.querySelector("input")?.focus();
}

export const pipelines = {
  id: "pipelines",
  kind: "pipelines",
  path: "/api/v1/pipelines",
  keys: { title: "admin.pipelines.title", intro: "admin.pipelines.intro", new: "admin.pipelines.new", empty: "admin.pipelines.empty" },
  columns: [
    { key: "name", label: "admin.field.name" },
    { key: "stages", label: "admin.pipelines.stages", render: (p, _d, env) => stageChips(p, env.t) },
  ],
  fields: (env, item) => [
    { name: "name", label: env.t("admin.field.name"), type: "text", required: true },
    item ? null : {
      name: "stages", label: env.t("admin.pipelines.stages"), type: "textarea", rows: 5,
      help: env.t("admin.pipelines.stagesHelp"), placeholder: env.t("admin.pipelines.stagesPlaceholder"),
    },
  ].filter(Boolean),
  toBody: (v, item) => {
    if (item) return { name: v.name };
    const stages = lines(v.stages);
    return stages.length ? { name: v.name, stages } : { name: v.name };
  },
  rowActions: (p, ctx) => [ctx.btn("admin.pipelines.editStages", "stages", () => openStages(p, ctx))],
  deactivateWarning: (_p, t) => t("admin.pipelines.deactivateWarning"),
};
