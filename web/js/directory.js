// The workspace's directory (agents, departments, tags, connections, stages, automations):
// read once over HTTP to turn ids into names, and again on demand (the admin pages change it).

import { request } from "./api.js";

export const dir = {
  agents: new Map(), departments: new Map(), tags: new Map(), connections: new Map(),
  stages: new Map(), pipelines: [], automations: [],
};

export async function loadDirectory() {
  const get = (p) => request("GET", p).then((r) => r.items || []).catch(() => []);
  const [agents, departments, tags, connections, pipelines, automations] = await Promise.all([
    get("/api/v1/agents"), get("/api/v1/departments"), get("/api/v1/tags"),
    get("/api/v1/connections"), get("/api/v1/pipelines"), get("/api/v1/automations"),
  ]);
  dir.agents = new Map(agents.map((a) => [a.id, a]));
  dir.departments = new Map(departments.map((d) => [d.id, d]));
  dir.tags = new Map(tags.map((t) => [t.id, t]));
  dir.connections = new Map(connections.map((c) => [c.id, c]));
  dir.pipelines = pipelines;
  dir.stages = new Map();
  for (const p of pipelines) for (const s of p.stages || []) dir.stages.set(s.id, { ...s, pipelineName: p.name });
  dir.automations = automations;
  return dir;
}

export const nameOf = {
  agent: (id) => dir.agents.get(id)?.name ?? `#${id}`,
  department: (id) => dir.departments.get(id)?.name ?? `#${id}`,
  tag: (id) => dir.tags.get(id)?.name ?? `#${id}`,
  connection: (id) => dir.connections.get(id)?.name ?? `#${id}`,
  stage: (id) => dir.stages.get(id)?.name ?? `#${id}`,
};

/** Sorted by name, for pickers. */
export function sortedByName(map, onlyActive = false) {
  return [...map.values()].filter((x) => !onlyActive || x.active !== false)
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
}
