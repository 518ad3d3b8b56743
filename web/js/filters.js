// The inbox filter: one value object, kept in the URL's query string so a reload or a shared
// link restores it. The URL uses the HTTP API's own parameter names (§7.2), so a link's query is
// also a valid GET /api/v1/conversations query (plus `c`, the open conversation).
// Status: absent = the seed's default "Todas em aberto" (open); `status=` (empty) = any status.

export const SCOPES = ["all", "mine", "unassigned"];
export const ORDERS = ["newest", "oldest"];
export const STATUSES = ["open", "awaiting_reply", "send_failed", "finished", "automations"];
export const ID_FILTERS = [
  // [state key, URL/API parameter, W3 filter key]
  ["connectionIds", "connection", "connectionIds"],
  ["tagIds", "tag", "tagIds"],
  ["stageIds", "stage", "stageIds"],
  ["departmentIds", "department", "departmentIds"],
];

function ids(v) {
  if (!v) return [];
  return [...new Set(v.split(",").map((s) => parseInt(s.trim(), 10)).filter((n) => Number.isInteger(n) && n > 0))].sort((a, b) => a - b);
}

/** Reads the filter (and the open conversation id) from a query string. */
export function fromQuery(search) {
  const q = new URLSearchParams(search);
  const scope = SCOPES.includes(q.get("scope")) ? q.get("scope") : "all";
  const order = ORDERS.includes(q.get("order")) ? q.get("order") : "newest";
  const statuses = q.has("status")
    ? [...new Set((q.get("status") || "").split(",").map((s) => s.trim()).filter((s) => STATUSES.includes(s)))]
    : ["open"];
  const f = { scope, order, statuses };
  for (const [key, param] of ID_FILTERS) f[key] = ids(q.get(param));
  const c = parseInt(q.get("c") || "", 10);
  return { filter: f, conversationId: Number.isInteger(c) && c > 0 ? c : null };
}

/** Writes the filter (and the open conversation) as a query string, "?scope=mine&status=open". */
export function toQuery(f, conversationId) {
  const q = new URLSearchParams();
  if (f.scope !== "all") q.set("scope", f.scope);
  if (f.order !== "newest") q.set("order", f.order);
  q.set("status", f.statuses.join(","));
  for (const [key, param] of ID_FILTERS) if (f[key].length) q.set(param, f[key].join(","));
  if (conversationId) q.set("c", String(conversationId));
  return `?${q.toString()}`;
}

/** The W3 JSON filter for a subscription; `scope` overrides the tab (count-only tab badges). */
export function toWire(f, scope) {
  const w = { scope: scope || f.scope, order: f.order };
  if (f.statuses.length) w.statuses = f.statuses.slice();
  for (const [key, , wire] of ID_FILTERS) if (f[key].length) w[wire] = f[key].slice();
  return w;
}

export function sameFilter(a, b) { return JSON.stringify(toWire(a)) === JSON.stringify(toWire(b)); }

/** Number of active (non-default) refinements, for the filter button's badge. */
export function refinementCount(f) {
  let n = 0;
  for (const [key] of ID_FILTERS) n += f[key].length;
  if (!(f.statuses.length === 1 && f.statuses[0] === "open")) n += 1;
  return n;
}
