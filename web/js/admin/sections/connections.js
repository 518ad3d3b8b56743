// Connections (conexões): the channels customers write through. Shows the inbound secret when
// it is issued (creation, rotation), and edits the outbound adapter (none / webhook / sandbox).
import { h } from "../dom.js";
import { openDialog, confirmDialog, copyField } from "../dialog.js";
import { createForm } from "../form.js";

const KINDS = ["whatsapp", "instagram", "api", "other"];
const ADAPTERS = ["none", "webhook", "sandbox"];

const apiUrl = (id, what) => `${location.origin}/api/v1/connections/${id}/${what}`;

/**
 * The "copy it now" dialog for a secret the server shows only once, with more copyable values
 * after it. Resolves when it is closed.
 */
function secretDialog(env, { title, warning, label, secret, more = [] }) {
  const { t } = env;
  return new Promise((resolve) => {
    const d = openDialog({ title, t, wide: true, onClose: resolve });
    d.body.append(
      h("p", { class: "adm-alert adm-alert-warn", text: warning }),
      copyField(label, secret, t, { secret: true }),
      ...more,
      h("div", { class: "adm-form-actions" },
        h("button", { type: "button", class: "adm-btn adm-btn-primary", text: t("admin.done"), onclick: () => d.close() })));
    const input = d.dialog.querySelector(".adm-secret");
    input.focus();
    input.select();
  });
}

/** After creation or rotation: the inbound secret, the two webhook URLs and an example call. */
function showInboundSecret(connection, secret, env, { rotated = false } = {}) {
  const { t } = env;
  const example = [
    `curl -X POST ${apiUrl(connection.id, "inbound")} \\`,
    `  -H 'Authorization: Bearer ${secret}' \\`,
    `  -d '{"messageId":"m-1","from":{"handle":"+5511999990000","name":"Maria"},"text":"Olá!"}'`,
  ].join("\n");
  return secretDialog(env, {
    title: t(rotated ? "admin.connections.secretRotatedTitle" : "admin.connections.secretTitle", { name: connection.name }),
    warning: t("admin.connections.secretOnce"),
    label: t("admin.connections.secret"),
    secret,
    more: [
      copyField(t("admin.connections.inboundUrl"), apiUrl(connection.id, "inbound"), t),
      copyField(t("admin.connections.deliveryUrl"), apiUrl(connection.id, "delivery"), t),
      h("p", { class: "adm-help", text: t("admin.connections.secretHelp") }),
      copyField(t("admin.connections.example"), example, t, { multiline: true }),
    ],
  });
}

/** After saving a webhook adapter: its signing secret and how to check a signature. */
function showSigningSecret(connection, secret, env) {
  const { t } = env;
  return secretDialog(env, {
    title: t("admin.outbound.signingTitle", { name: connection.name }),
    warning: t("admin.outbound.signingOnce"),
    label: t("admin.outbound.signingSecret"),
    secret,
    more: [h("p", { class: "adm-help", text: t("admin.outbound.signingHelp") })],
  });
}

export function outboundSummary(o, t) {
  if (!o || o.adapter === "none") return t("admin.outbound.adapter.none");
  if (o.adapter === "webhook") return `${t("admin.outbound.adapter.webhook")}: ${o.url}`;
  return t("admin.outbound.adapter.sandbox");
}

const percent = (rate) => (rate === undefined ? "" : Math.round(rate * 10000) / 100);

/** The outbound-adapter form (PUT /connections/{id}/outbound replaces the whole settings). */
function openOutbound(connection, { env, reload, announce }) {
  const { t } = env;
  const o = connection.outbound || { adapter: "none" };
  const d = openDialog({ title: t("admin.outbound.title", { name: connection.name }), t });
  const isA = (a) => (v) => v.adapter === a;
  const form = createForm({
    t,
    fields: [
      {
        name: "adapter", label: t("admin.outbound.adapter"), type: "select",
        options: ADAPTERS.map((a) => ({ value: a, label: t(`admin.outbound.adapter.${a}`) })),
        help: t("admin.outbound.adapterHelp"),
      },
      { name: "url", label: t("admin.outbound.url"), type: "url", required: true, showIf: isA("webhook"), placeholder: "https://", help: t("admin.outbound.urlHelp") },
      { name: "failureRate", label: t("admin.outbound.failureRate"), type: "number", min: 0, max: 100, step: "any", showIf: isA("sandbox"), help: t("admin.outbound.failureRateHelp") },
      { name: "delayMs", label: t("admin.outbound.delayMs"), type: "number", min: 0, max: 10000, step: 1, showIf: isA("sandbox"), help: t("admin.outbound.delayMsHelp") },
      { name: "autoReply", label: t("admin.outbound.autoReply"), type: "text", showIf: isA("sandbox"), help: t("admin.outbound.autoReplyHelp") },
    ],
    values: { ...o, failureRate: percent(o.failureRate) },
    onCancel: () => d.close(),
    onSubmit: async (v) => {
      const body = { adapter: v.adapter };
      if (v.adapter === "webhook") body.url = v.url.trim();
      if (v.adapter === "sandbox") {
        if (v.failureRate !== "") {
          // The form speaks percent, the server fractions: check the percent here, so the
          // message names the unit the admin typed.
          const pct = Number(v.failureRate);
          if (!(pct >= 0 && pct <= 100)) throw Object.assign(new Error(t("admin.outbound.failureRateRange")), { code: "invalid_field", field: "failureRate" });
          body.failureRate = pct / 100;
        }
        if (v.delayMs !== "") body.delayMs = Number(v.delayMs);
        if (v.autoReply.trim() !== "") body.autoReply = v.autoReply;
      }
      const answer = await env.request("PUT", `/api/v1/connections/${connection.id}/outbound`, body);
      d.close();
      env.store.invalidate("connections");
      announce(t("admin.saved", { name: connection.name }));
      await reload();
      if (answer.signingSecret) showSigningSecret(answer.connection, answer.signingSecret, env);
    },
  });
  d.body.append(form.el);
  form.focusFirst();
}

async function rotate(connection, { env, reload, announce, fail }) {
  const { t } = env;
  const ok = await confirmDialog({
    t, title: t("admin.connections.rotateTitle", { name: connection.name }),
    message: t("admin.connections.rotateWarning"), confirmLabel: t("admin.connections.rotate"),
  });
  if (!ok) return;
  try {
    const answer = await env.request("POST", `/api/v1/connections/${connection.id}/secret`);
    announce(t("admin.connections.rotated", { name: connection.name }));
    await showInboundSecret(answer.connection, answer.secret, env, { rotated: true });
    await reload();
  } catch (err) { fail(err); }
}

export const connections = {
  id: "connections",
  kind: "connections",
  path: "/api/v1/connections",
  wideForm: false,
  keys: { title: "admin.connections.title", intro: "admin.connections.intro", new: "admin.connections.new", empty: "admin.connections.empty" },
  columns: [
    { key: "name", label: "admin.field.name" },
    { key: "kind", label: "admin.field.kind", render: (c, _d, env) => env.t(`admin.kind.${c.kind}`) },
    { key: "id", label: "admin.connections.id", render: (c) => h("code", { text: String(c.id) }) },
    { key: "outbound", label: "admin.outbound.column", render: (c, _d, env) => h("span", { class: "adm-wrap-any", text: outboundSummary(c.outbound, env.t) }) },
  ],
  fields: (env) => [
    { name: "name", label: env.t("admin.field.name"), type: "text", required: true, help: env.t("admin.connections.nameHelp") },
    {
      name: "kind", label: env.t("admin.field.kind"), type: "select", default: "whatsapp",
      options: KINDS.map((k) => ({ value: k, label: env.t(`admin.kind.${k}`) })),
    },
  ],
  toBody: (v) => ({ name: v.name, kind: v.kind }),
  unwrap: (answer) => answer.connection || answer,
  afterCreate: (answer, env) => showInboundSecret(answer.connection, answer.secret, env),
  rowActions: (c, ctx) => [
    ctx.btn("admin.outbound.button", "outbound", () => openOutbound(c, ctx)),
    ctx.btn("admin.connections.rotate", "rotate", () => rotate(c, ctx)),
  ],
  deactivateWarning: (_c, t) => t("admin.connections.deactivateWarning"),
};
