// Automations (automações): a trigger (manual, new conversation, keyword) and ordered steps.
import { h } from "../dom.js";
import { createStepsEditor, stepChoices } from "../steps.js";
import { openRuns } from "./automation-runs.js";

const TRIGGERS = ["manual", "new_conversation", "keyword"];

async function load(env) {
  const [tags, pipelines, departments, agents] = await Promise.all(
    ["tags", "pipelines", "departments", "agents"].map((k) => env.store.list(k)));
  return { tags, pipelines, departments, agents };
}

/** "Add tag: VIP" — a step in words, with names for ids. */
function describeStep(a, data, t) {
  const find = (list, id) => list?.find((x) => x.id === id)?.name ?? `#${id}`;
  const stage = (id) => {
    for (const p of data.pipelines || []) {
      const s = p.stages.find((x) => x.id === id);
      if (s) return `${p.name} › ${s.name}`;
    }
    return `#${id}`;
  };
  const label = t(`admin.step.${a.type}`);
  switch (a.type) {
    case "send_message": return `${label}: “${a.text.length > 60 ? `${a.text.slice(0, 60)}…` : a.text}”`;
    case "add_tag": case "remove_tag": return `${label}: ${find(data.tags, a.tagId)}`;
    case "move_stage": return `${label}: ${stage(a.stageId)}`;
    case "transfer": return `${label}: ${[a.departmentId && find(data.departments, a.departmentId), a.agentId && find(data.agents, a.agentId)].filter(Boolean).join(" / ")}`;
    default: return label;
  }
}

function describeTrigger(tr, t) {
  const label = t(`admin.trigger.${tr.kind}`);
  return tr.kind === "keyword" ? `${label}: ${tr.keywords.join(", ")}` : label;
}

const splitKeywords = (text) => (text || "").split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

export const automations = {
  id: "automations",
  kind: "automations",
  path: "/api/v1/automations",
  update: "put",
  wideForm: true,
  keys: { title: "admin.automations.title", intro: "admin.automations.intro", new: "admin.automations.new", empty: "admin.automations.empty" },
  load,
  columns: [
    { key: "name", label: "admin.field.name" },
    { key: "trigger", label: "admin.automations.trigger", render: (a, _d, env) => describeTrigger(a.trigger, env.t) },
    {
      key: "actions", label: "admin.steps.title",
      render: (a, data, env) => h("ol", { class: "adm-step-summary" }, a.actions.map((s) => h("li", { text: describeStep(s, data, env.t) }))),
    },
  ],
  fields: async (env) => {
    const { t } = env;
    const choices = stepChoices(await load(env), t);
    return [
      { name: "name", label: t("admin.field.name"), type: "text", required: true, help: t("admin.automations.nameHelp") },
      {
        name: "kind", label: t("admin.automations.trigger"), type: "select", errorFields: ["trigger.kind", "trigger"],
        options: TRIGGERS.map((k) => ({ value: k, label: t(`admin.trigger.${k}`) })), default: "manual",
        help: t("admin.automations.triggerHelp"),
      },
      {
        name: "keywords", label: t("admin.automations.keywords"), type: "textarea", rows: 3, required: true,
        errorFields: ["trigger.keywords"], showIf: (v) => v.kind === "keyword", help: t("admin.automations.keywordsHelp"),
      },
      { name: "actions", type: "custom", label: t("admin.steps.title"), create: () => createStepsEditor({ t, choices }) },
      { name: "active", label: t("admin.automations.activeLabel"), type: "checkbox", default: true },
    ];
  },
  values: (a) => ({ name: a.name, kind: a.trigger.kind, keywords: (a.trigger.keywords || []).join("\n"), actions: a.actions, active: a.active }),
  toBody: (v) => {
    const trigger = { kind: v.kind };
    if (v.kind === "keyword") trigger.keywords = splitKeywords(v.keywords);
    return { name: v.name, trigger, actions: v.actions, active: v.active };
  },
  rowActions: (a, ctx) => [ctx.btn("admin.runs.button", "runs", () => openRuns(a, ctx))],
  setActive: (a, active, env) => env.request("PUT", `/api/v1/automations/${a.id}`, { name: a.name, trigger: a.trigger, actions: a.actions, active }),
  deactivateWarning: (_a, t) => t("admin.automations.deactivateWarning"),
};
