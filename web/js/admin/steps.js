// The ordered steps of an automation (send_message, add_tag, remove_tag, move_stage, transfer,
// finish) as a form control for form.js ("custom" field). It places server errors named
// actions[i] / actions[i].<field> on step i.

import { h, replace, nextId } from "./dom.js";
import { addOptions } from "./form.js";
import { labelOf } from "./format.js";

export const STEP_TYPES = ["send_message", "add_tag", "remove_tag", "move_stage", "transfer", "finish"];
export const TEMPLATE_VARS = ["contact.first_name", "contact.name", "agent.name", "connection.name"];
const MAX_STEPS = 20;

/** Choices for the id selects, from the workspace lists. */
export function stepChoices({ tags, pipelines, departments, agents }, t) {
  return {
    tagId: tags.map((x) => ({ value: x.id, label: labelOf(x, t) })),
    stageId: pipelines.flatMap((p) => p.stages.map((s) => ({ value: s.id, label: labelOf(s, t), group: labelOf(p, t) }))),
    departmentId: departments.map((x) => ({ value: x.id, label: labelOf(x, t) })),
    agentId: agents.map((x) => ({ value: x.id, label: labelOf(x, t) })),
  };
}

const FIELDS_OF = {
  send_message: ["text"], add_tag: ["tagId"], remove_tag: ["tagId"], move_stage: ["stageId"],
  transfer: ["departmentId", "agentId"], finish: [],
};

/** One step's wire form: exactly the fields its type takes; empty choices are left out. */
function toAction(s) {
  const a = { type: s.type };
  for (const f of FIELDS_OF[s.type] || []) {
    const v = s[f];
    if (f === "text") a.text = v ?? "";
    else if (v !== undefined && v !== null && v !== "") a[f] = Number(v);
  }
  return a;
}

export function createStepsEditor({ t, choices }) {
  let steps = [];
  const listEl = h("ol", { class: "adm-steps" });
  const topError = h("p", { class: "adm-field-error", role: "alert", hidden: true });
  const addBtn = h("button", { type: "button", class: "adm-btn", dataset: { action: "add-step" }, text: t("admin.steps.add") });
  const legendId = nextId("steps");
  const el = h("div", { class: "adm-steps-editor", role: "group", "aria-labelledby": legendId },
    h("h3", { id: legendId, text: t("admin.steps.title") }),
    h("p", { class: "adm-help", text: t("admin.steps.help") }),
    topError, listEl, addBtn);
  const rows = []; // per rendered step: {errEl, controls: {field: element}}

  addBtn.addEventListener("click", () => {
    if (steps.length >= MAX_STEPS) return;
    steps.push({ type: "send_message", text: "" });
    render(steps.length - 1, "type");
  });

  function select(label, field, step, options, { allowNone }) {
    const id = nextId("st");
    const sel = addOptions(h("select", { id, name: field }),
      [{ value: "", label: allowNone ? t("admin.steps.none") : t("admin.steps.choose") }, ...options]);
    sel.value = step[field] === undefined || step[field] === null ? "" : String(step[field]);
    sel.addEventListener("change", () => { step[field] = sel.value; });
    return { control: sel, el: h("div", { class: "adm-field" }, h("label", { htmlFor: id, text: label }), sel) };
  }

  function textField(step) {
    const id = nextId("st");
    const ta = h("textarea", { id, name: "text", rows: 3, value: step.text || "" });
    ta.value = step.text || "";
    ta.addEventListener("input", () => { step.text = ta.value; });
    const insert = (v) => {
      const token = `{{${v}}}`;
      const { selectionStart: a, selectionEnd: b } = ta;
      ta.setRangeText(token, a ?? ta.value.length, b ?? ta.value.length, "end");
      step.text = ta.value;
      ta.focus();
    };
    return {
      control: ta,
      el: h("div", { class: "adm-field" },
        h("label", { htmlFor: id, text: t("admin.steps.text") }), ta,
        h("div", { class: "adm-vars", role: "group", "aria-label": t("admin.steps.insertVar") },
          h("span", { class: "adm-help", text: t("admin.steps.insertVar") }),
          TEMPLATE_VARS.map((v) => h("button", { type: "button", class: "adm-btn adm-btn-small adm-mono", text: `{{${v}}}`, onclick: () => insert(v) })))),
    };
  }

  function stepEl(step, i) {
    const typeId = nextId("st");
    const typeSel = h("select", { id: typeId, name: "type" },
      STEP_TYPES.map((ty) => h("option", { value: ty, text: t(`admin.step.${ty}`) })));
    typeSel.value = step.type;
    typeSel.addEventListener("change", () => { step.type = typeSel.value; render(i, "type"); });
    const controls = { type: typeSel };
    const fieldEls = [];
    const add = (f, built) => { controls[f] = built.control; fieldEls.push(built.el); };
    if (step.type === "send_message") add("text", textField(step));
    if (step.type === "add_tag" || step.type === "remove_tag") add("tagId", select(t("admin.steps.tag"), "tagId", step, choices.tagId, {}));
    if (step.type === "move_stage") add("stageId", select(t("admin.steps.stage"), "stageId", step, choices.stageId, {}));
    if (step.type === "transfer") {
      add("departmentId", select(t("admin.steps.department"), "departmentId", step, choices.departmentId, { allowNone: true }));
      add("agentId", select(t("admin.steps.agent"), "agentId", step, choices.agentId, { allowNone: true }));
      fieldEls.push(h("p", { class: "adm-help", text: t("admin.steps.transferHelp") }));
    }
    if (step.type === "finish") fieldEls.push(h("p", { class: "adm-help", text: t("admin.steps.finishHelp") }));
    const errEl = h("p", { class: "adm-field-error", role: "alert", hidden: true });
    rows[i] = { errEl, controls };
    const n = steps.length;
    const btn = (key, action, disabled, onclick) => h("button", {
      type: "button", class: "adm-btn adm-btn-small", text: t(key), disabled, dataset: { action },
      "aria-label": `${t(key)}: ${t("admin.steps.stepN", { n: i + 1 })}`, onclick,
    });
    const swap = (j) => { [steps[i], steps[j]] = [steps[j], steps[i]]; render(j, null); };
    return h("li", { class: "adm-step", dataset: { step: String(i) } },
      h("div", { class: "adm-step-head" },
        h("span", { class: "adm-step-n", text: t("admin.steps.stepN", { n: i + 1 }) }),
        h("div", { class: "adm-step-actions" },
          btn("admin.moveUp", "up", i === 0, () => swap(i - 1)),
          btn("admin.moveDown", "down", i === n - 1, () => swap(i + 1)),
          btn("admin.remove", "remove", false, () => { steps.splice(i, 1); render(Math.min(i, steps.length - 1), null); }))),
      h("div", { class: "adm-field" }, h("label", { htmlFor: typeId, text: t("admin.steps.type") }), typeSel),
      fieldEls, errEl);
  }

  function render(focusIndex = -1, focusField = null) {
    rows.length = 0;
    replace(listEl, steps.map((s, i) => stepEl(s, i)));
    addBtn.disabled = steps.length >= MAX_STEPS;
    if (focusIndex >= 0 && rows[focusIndex]) {
      const c = rows[focusIndex].controls[focusField || "type"];
      if (c) c.focus();
    } else if (focusIndex >= 0 || !steps.length) addBtn.focus();
  }

  function clear() {
    topError.hidden = true; topError.textContent = "";
    for (const r of rows) {
      r.errEl.hidden = true; r.errEl.textContent = "";
      Object.values(r.controls).forEach((c) => c.removeAttribute("aria-invalid"));
    }
  }

  return {
    el,
    get: () => steps.map(toAction),
    set(actions) {
      steps = (actions || []).map((a) => ({ ...a }));
      if (!steps.length) steps = [{ type: "send_message", text: "" }];
      render();
    },
    focus() { (rows[0]?.controls.type || addBtn).focus(); },
    clear,
    showError(path, message) {
      const m = /^actions\[(\d+)\](?:\.(\w+))?/.exec(path);
      if (m && rows[Number(m[1])]) {
        const r = rows[Number(m[1])];
        r.errEl.textContent = message; r.errEl.hidden = false;
        const c = r.controls[m[2]] || r.controls.type;
        c.setAttribute("aria-invalid", "true");
        c.focus();
        return true;
      }
      topError.textContent = message; topError.hidden = false;
      addBtn.focus();
      return true;
    },
  };
}
