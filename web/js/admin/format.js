// Words for entities shared by the sections.

/** "Vendas", or "Vendas (inactive)" for a deactivated one: inactive entities stay choosable. */
export function labelOf(item, t) {
  return item.active ? item.name : `${item.name} (${t("admin.inactive").toLowerCase()})`;
}
