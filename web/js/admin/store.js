// Shared, cached lists of the workspace's directory (departments, tags, agents, pipelines…),
// so forms can offer them as choices and tables can show names for ids. A section that
// changes a list invalidates it; the next read fetches it again.

export const PATHS = {
  agents: "/api/v1/agents",
  departments: "/api/v1/departments",
  tags: "/api/v1/tags",
  connections: "/api/v1/connections",
  pipelines: "/api/v1/pipelines",
  automations: "/api/v1/automations",
};

export function createStore(request) {
  const cache = new Map();
  return {
    /** The items of a list (kind: a key of PATHS). */
    list(kind, { fresh = false } = {}) {
      if (fresh) cache.delete(kind);
      if (!cache.has(kind)) {
        const p = request("GET", PATHS[kind]).then((r) => r.items || []);
        p.catch(() => cache.delete(kind));
        cache.set(kind, p);
      }
      return cache.get(kind);
    },
    invalidate(kind) { cache.delete(kind); },
    /** Forgets everything: each section shows what the server has now, not what it had. */
    clear() { cache.clear(); },
    /** id -> item map of a list. */
    async byId(kind) {
      const items = await this.list(kind);
      return new Map(items.map((i) => [i.id, i]));
    },
  };
}
