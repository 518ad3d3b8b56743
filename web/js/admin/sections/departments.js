// Departments: teams that conversations and agents belong to (Vendas, Suporte…).
export const departments = {
  id: "departments",
  kind: "departments",
  path: "/api/v1/departments",
  keys: { title: "admin.departments.title", intro: "admin.departments.intro", new: "admin.departments.new", empty: "admin.departments.empty" },
  columns: [{ key: "name", label: "admin.field.name" }],
  fields: (env) => [{ name: "name", label: env.t("admin.field.name"), type: "text", required: true }],
  toBody: (v) => ({ name: v.name }),
  deactivateWarning: (_item, t) => t("admin.departments.deactivateWarning"),
};
