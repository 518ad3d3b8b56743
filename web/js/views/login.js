// The sign-in screen: email, password and, when the server asks (workspace_required), the
// workspace slug. Shows the server's refusal in the user's language, branching on error codes.

import { h, replace } from "../dom.js";
import { request, setToken } from "../api.js";
import { t, onLanguageChange } from "../i18n.js";
import { langSwitch } from "./langswitch.js";

export function showLogin(root, { onLoggedIn, notice }) {
  let needWorkspace = false;
  let errorKey = null;
  let errorVars = null;
  let busy = false;
  const email = h("input", { id: "login-email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { id: "login-password", type: "password", autocomplete: "current-password", required: true });
  const workspace = h("input", { id: "login-workspace", type: "text", autocomplete: "organization" });

  function render() {
    document.title = `${t("login.title")} · Switchboard`;
    const err = errorKey ? h("p", { id: "login-error", class: "form-error", attrs: { role: "alert" }, text: t(errorKey, errorVars) }) : null;
    const form = h("form", { class: "login-card", attrs: { "aria-labelledby": "login-heading" }, on: { submit } },
      h("div", { class: "login-top" }, h("span", { class: "brand", text: "Switchboard" }), langSwitch("login-lang")),
      h("h1", { id: "login-heading", text: t("login.title") }),
      notice && !errorKey ? h("p", { class: "form-note", text: t(notice) }) : null,
      h("label", { attrs: { for: "login-email" }, text: t("login.email") }), email,
      h("label", { attrs: { for: "login-password" }, text: t("login.password") }), password,
      needWorkspace ? [h("label", { attrs: { for: "login-workspace" }, text: t("login.workspace") }), workspace] : null,
      err,
      h("button", { id: "login-submit", type: "submit", class: "btn btn-primary", disabled: busy, text: busy ? t("login.signingIn") : t("login.submit") }));
    replace(root, h("main", { class: "login-page" }, form));
  }

  async function submit(ev) {
    ev.preventDefault();
    if (busy) return;
    busy = true; errorKey = null; render();
    const body = { email: email.value, password: password.value };
    if (needWorkspace && workspace.value.trim()) body.workspace = workspace.value.trim();
    try {
      const r = await request("POST", "/api/v1/auth/login", body);
      setToken(r.token);
      off();
      onLoggedIn({ agent: r.agent, workspace: r.workspace });
      return;
    } catch (e) {
      errorVars = null;
      if (e.code === "invalid_credentials") errorKey = "login.invalid";
      else if (e.code === "workspace_required") { needWorkspace = true; errorKey = "login.workspaceRequired"; }
      else if (e.code === "rate_limited") errorKey = "login.rateLimited";
      else if (e.code === "invalid_field" || e.code === "missing_field") errorKey = "login.missing";
      else if (e.code === "network") errorKey = "error.network";
      else { errorKey = "error.generic"; errorVars = { message: e.message }; }
    }
    busy = false;
    render();
    (errorKey === "login.workspaceRequired" ? workspace : password).focus();
  }

  const off = onLanguageChange(render);
  render();
  email.focus();
}
