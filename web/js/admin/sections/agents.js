// Agents (atendentes): who can sign in, their role, departments and open-conversation cap.
import { h } from "../dom.js";
import { labelOf } from "../format.js";

const ROLES = ["agent", "supervisor", "admin"];

async function load(env) {
  return { departments: await env.store.byId("departments") };
}

function departmentOptions(departments, t) {
  return [...departments.values()].map((d) => ({ value: d.id, label: labelOf(d, t) }));
}

export const agents = {
  id: "agents",
  kind: "agents",
  path: "/api/v1/agents",
  keys: { title: "admin.agents.title", intro: "admin.agents.intro", new: "admin.agents.new", empty: "admin.agents.empty" },
  load,
  columns: [
    {
      key: "name", label: "admin.field.name",
      render: (a, _d, env) => (a.id === env.me?.id
        ? h("span", {}, a.name, " ", h("span", { class: "adm-badge", text: env.t("admin.agents.you") }))
        : a.name),
    },
    { key: "email", label: "admin.field.email" },
    { key: "role", label: "admin.field.role", render: (a, _d, env) => env.t(`admin.role.${a.role}`) },
    {
      key: "departmentIds", label: "admin.field.departments",
      render: (a, data, env) => (a.departmentIds.length
        ? a.departmentIds.map((id) => data.departments?.get(id)?.name ?? `#${id}`).join(", ")
        : h("span", { class: "adm-muted", text: env.t("admin.agents.noDepartments") })),
    },
    {
      key: "maxOpenConversations", label: "admin.field.maxOpen",
      render: (a, _d, env) => (a.maxOpenConversations ?? env.t("admin.agents.noLimit")),
    },
  ],
  fields: async (env, item) => {
    const { t } = env;
    const departments = await env.store.byId("departments");
    return [
      { name: "name", label: t("admin.field.name"), type: "text", required: true, autocomplete: "off" },
      { name: "email", label: t("admin.field.email"), type: "email", required: true, autocomplete: "off" },
      {
        name: "password", label: t("admin.field.password"), type: "password", required: !item, autocomplete: "new-password",
        help: item ? t("admin.agents.passwordKeep") : t("admin.agents.passwordRule"),
      },
      {
        name: "role", label: t("admin.field.role"), type: "select", required: true, default: "agent",
        options: ROLES.map((r) => ({ value: r, label: t(`admin.role.${r}`) })),
        help: t("admin.agents.roleHelp"),
      },
      {
        name: "departmentIds", label: t("admin.field.departments"), type: "checkboxes", valueType: "int",
        options: departmentOptions(departments, t), emptyText: t("admin.agents.createDepartmentsFirst"),
        help: t("admin.agents.departmentsHelp"),
      },
      {
        name: "maxOpenConversations", label: t("admin.field.maxOpen"), type: "number", valueType: "int",
        min: 0, max: 100000, step: 1, inputMode: "numeric", help: t("admin.agents.maxOpenHelp"),
      },
    ];
  },
  toBody: (v, item) => {
    const body = { name: v.name, email: v.email, role: v.role, departmentIds: [...v.departmentIds].sort((a, b) => a - b) };
    if (v.password !== "" || !item) body.password = v.password;
    const cap = v.maxOpenConversations;
    if (cap !== null && cap !== undefined && !Number.isNaN(cap)) body.maxOpenConversations = cap;
    else if (item) body.maxOpenConversations = null; // blank on edit: no cap
    if (Number.isNaN(cap)) body.maxOpenConversations = "invalid"; // let the server name the field
    return body;
  },
  canDeactivate: (a, env) => a.id !== env.me?.id,
  deactivateWarning: (_a, t) => t("admin.agents.deactivateWarning"),
};
