// The signed-in shell: header (who I am, connection state, language, Admin, sign out) and the
// routed view: the inbox, or the admin pages at #/admin (mounted from ./admin/admin.js, which
// another module owns; a missing or broken module leaves the inbox working).

import { h, replace } from "../dom.js";
import { request, setToken } from "../api.js";
import { t, getLang, onLanguageChange } from "../i18n.js";
import { Store } from "../store.js";
import { Live } from "../live.js";
import { loadDirectory } from "../directory.js";
import { langSwitch } from "./langswitch.js";
import { Inbox } from "./inbox.js";

export function startApp(root, me, { onLogout, onSessionEnded }) {
  const store = new Store();
  let connState = "connecting";
  let stateTimer = null;
  const live = new Live(store, {
    onState: (s) => {
      clearTimeout(stateTimer);
      connState = s;
      // "Resynced" is news, not a state to stay in: show it, then settle on "connected".
      if (s === "resynced") stateTimer = setTimeout(() => { connState = "connected"; renderConn(); }, 5000);
      renderConn();
    },
    onAuthLost: () => { stop(); (onSessionEnded || onLogout)(); },
  });
  const isAdmin = me.agent.role === "admin";

  const connEl = h("span", { id: "conn-state", class: "conn-state", attrs: { role: "status", "aria-live": "polite" } });
  const header = h("header", { class: "topbar" });
  const inboxEl = h("div", { id: "inbox-view", class: "view" });
  const adminEl = h("div", { id: "admin-view", class: "view", hidden: true });
  replace(root, h("div", { id: "app-shell", class: "app-shell" }, header, h("main", { class: "app-body" }, inboxEl, adminEl)));

  const inbox = new Inbox(inboxEl, { store, live, me: me.agent });
  let adminUnmount = null;
  let adminLangCbs = new Set();

  function renderConn() {
    connEl.dataset.state = connState;
    connEl.textContent = t(`conn.${connState}`);
  }

  function renderHeader() {
    const route = currentRoute();
    replace(header,
      h("span", { class: "brand", text: "Switchboard" }),
      h("span", { class: "workspace-name", text: me.workspace?.name || "" }),
      h("nav", { class: "topnav", attrs: { "aria-label": t("nav.label") } },
        h("a", { id: "nav-inbox", href: "#/", class: route === "inbox" ? "active" : "", attrs: { "aria-current": route === "inbox" ? "page" : false }, text: t("nav.inbox") }),
        isAdmin ? h("a", { id: "nav-admin", href: "#/admin", class: route === "admin" ? "active" : "", attrs: { "aria-current": route === "admin" ? "page" : false }, text: t("nav.admin") }) : null),
      h("span", { class: "spacer" }),
      connEl,
      langSwitch(),
      h("span", { id: "me-name", class: "me", title: me.agent.email, text: `${me.agent.name} · ${t(`role.${me.agent.role}`)}` }),
      h("button", { id: "logout", type: "button", class: "btn btn-ghost", text: t("nav.logout"), on: { click: logout } }));
    renderConn();
  }

  function currentRoute() { return isAdmin && location.hash.startsWith("#/admin") ? "admin" : "inbox"; }

  async function route() {
    const r = currentRoute();
    renderHeader();
    inboxEl.hidden = r !== "inbox";
    adminEl.hidden = r !== "admin";
    if (r === "admin" && !adminUnmount) {
      replace(adminEl, h("p", { class: "muted pad", text: t("admin.loading") }));
      try {
        const mod = await import("../admin/admin.js");
        replace(adminEl);
        const ctx = {
          request, t, lang: getLang(), me: me.agent,
          onLanguageChange: (cb) => { adminLangCbs.add(cb); return () => adminLangCbs.delete(cb); },
        };
        adminUnmount = mod.mountAdmin(adminEl, ctx) || (() => {});
      } catch (e) {
        console.error("admin module failed", e);
        replace(adminEl, h("p", { class: "notice notice-error pad", attrs: { role: "alert" }, text: t("admin.unavailable") }));
        adminUnmount = null;
      }
    } else if (r !== "admin" && adminUnmount) {
      try { adminUnmount(); } catch (_) { /* ignore */ }
      adminUnmount = null;
      adminLangCbs = new Set();
      // Admins may have renamed tags, agents...: refresh the names the inbox shows.
      loadDirectory().then(() => inbox.refresh());
    }
    if (r === "inbox") inbox.refresh();
  }

  async function logout() {
    try { await request("POST", "/api/v1/auth/logout"); } catch (_) { /* the session may be gone already */ }
    stop();
    setToken(null);
    onLogout();
  }

  const offLang = onLanguageChange((lang) => {
    renderHeader();
    inbox.refresh();
    for (const cb of adminLangCbs) { try { cb(lang); } catch (e) { console.error(e); } }
  });
  window.addEventListener("hashchange", route);

  function stop() {
    offLang();
    window.removeEventListener("hashchange", route);
    if (adminUnmount) { try { adminUnmount(); } catch (_) { /* ignore */ } }
    inbox.destroy();
    live.stop();
  }

  renderHeader();
  loadDirectory().then(() => {
    inbox.start();
    live.start();
    route();
  });
  return { stop };
}
