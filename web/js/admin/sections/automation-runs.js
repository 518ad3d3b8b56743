// An automation's recent runs (GET /automations/{id}/runs, newest 100): when, what started it,
// and the outcomes; a run with problems can be opened to see which conversations and why.
import { h, replace } from "../dom.js";
import { openDialog } from "../dialog.js";
import { errorText } from "../errors.js";
import { formatDateTime } from "../../i18n.js";

const OUTCOMES = ["done", "skipped", "forbidden", "not_found", "failed"];

function outcomes(run, t) {
  const parts = OUTCOMES.filter((o) => run.counts[o]).map((o) => `${t(`admin.runs.outcome.${o}`)}: ${run.counts[o]}`);
  return parts.length ? parts.join(" · ") : "—";
}

async function showProblems(run, cell, env) {
  const { t } = env;
  replace(cell, h("span", { class: "adm-muted", text: t("admin.loading") }));
  try {
    const full = await env.request("GET", `/api/v1/runs/${run.id}`);
    const bad = (full.items || []).filter((i) => i.outcome !== "done");
    replace(cell, h("ul", { class: "adm-run-problems" }, bad.map((i) => h("li", {
      text: t("admin.runs.problem", {
        id: i.conversationId, outcome: t(`admin.runs.outcome.${i.outcome}`), reason: i.reason || "—",
      }),
    }))));
  } catch (err) {
    replace(cell, h("span", { class: "adm-field-error", text: errorText(err, t) }));
  }
}

export async function openRuns(automation, { env, data }) {
  const { t } = env;
  const d = openDialog({ title: t("admin.runs.title", { name: automation.name }), t, wide: true });
  const body = h("div", { "aria-busy": "true" }, h("p", { class: "adm-muted", text: t("admin.loading") }));
  d.body.append(h("p", { class: "adm-intro", text: t("admin.runs.intro") }), body);
  try {
    const { items } = await env.request("GET", `/api/v1/automations/${automation.id}/runs`);
    const agentName = (id) => data.agents?.find((a) => a.id === id)?.name ?? `#${id}`;
    body.setAttribute("aria-busy", "false");
    if (!items.length) { replace(body, h("p", { class: "adm-empty", text: t("admin.runs.empty") })); return; }
    const cols = ["admin.runs.when", "admin.runs.startedBy", "admin.runs.conversations", "admin.runs.outcomes", "admin.status"];
    replace(body, h("div", { class: "adm-table-wrap" }, h("table", { class: "adm-table" },
      h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col", text: t(c) })))),
      h("tbody", {}, items.map((run) => {
        const detail = h("td", { dataset: { label: t("admin.runs.outcomes") } }, outcomes(run, t));
        const problems = OUTCOMES.some((o) => o !== "done" && run.counts[o]);
        if (problems) {
          detail.append(" ", h("button", {
            type: "button", class: "adm-btn adm-btn-small", text: t("admin.runs.details"),
            onclick: (ev) => { const cell = h("div", {}); ev.currentTarget.replaceWith(cell); showProblems(run, cell, env); },
          }));
        }
        return h("tr", { dataset: { run: String(run.id) } },
          h("td", { dataset: { label: t("admin.runs.when") } }, formatDateTime(run.createdAt)),
          h("td", { dataset: { label: t("admin.runs.startedBy") } },
            run.agentId ? agentName(run.agentId) : t("admin.runs.byTrigger", { trigger: t(`admin.trigger.${run.trigger || "manual"}`) })),
          h("td", { dataset: { label: t("admin.runs.conversations") } }, String(run.total)),
          detail,
          h("td", { dataset: { label: t("admin.status") } }, t(`admin.runs.status.${run.status}`)));
      })))));
  } catch (err) {
    replace(body, h("p", { class: "adm-alert adm-alert-error", role: "alert", text: errorText(err, t) }));
  }
}
