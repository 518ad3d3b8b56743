// Admin pages of the web inbox: set up a workspace from nothing (departments, agents, tags,
// connections with their secrets and outbound adapters, pipelines and stages, automations).
//
// NOTE FOR THE INBOX SHELL (web/js/, index.html), all in place as of this writing:
//  1. index.html links css/admin.css; mountAdmin also adds that <link> itself if it is missing.
//  2. The open section lives in the hash as #/admin/<section> (history.replaceState, so no
//     hashchange fires); the shell routes every hash starting with "#/admin" here.
//  3. request() errors carry `.field` from {error:{field}}: the forms put the error on that field.
//
// Contract: mountAdmin(container, ctx) -> unmount(). ctx = {request, t, lang, me, onLanguageChange}.

import { registerStrings, t as i18nT } from "../i18n.js";
import { strings } from "./strings.js";
import { h, replace } from "./dom.js";
import { setDialogHost } from "./dialog.js";
import { createStore } from "./store.js";
import { mountCrud } from "./crud.js";
import { mountOverview } from "./sections/overview.js";
import { departments } from "./sections/departments.js";
import { agents } from "./sections/agents.js";
import { tags } from "./sections/tags.js";
import { connections } from "./sections/connections.js";
import { pipelines } from "./sections/pipelines.js";
import { automations } from "./sections/automations.js";

registerStrings(strings);

const SECTIONS = [
  { id: "overview", key: "admin.overview.nav", mount: mountOverview },
  ...[departments, agents, tags, connections, pipelines, automations].map((cfg) => ({
    id: cfg.id, key: `admin.${cfg.id}.title`, mount: (el, env) => mountCrud(el, cfg, env),
  })),
];
const HASH = /^#\/admin\/([a-z-]+)/;

function ensureStylesheet() {
  const href = new URL("../../css/admin.css", import.meta.url).href;
  const has = [...document.querySelectorAll('link[rel="stylesheet"]')].some((l) => l.href === href);
  if (!has) document.head.append(h("link", { rel: "stylesheet", href, dataset: { admin: "" } }));
}

export function mountAdmin(container, ctx) {
  ensureStylesheet();
  const t = ctx.t || i18nT;
  const me = ctx.me?.agent || ctx.me;
  const store = createStore(ctx.request);
  const root = h("div", { class: "adm" });
  container.replaceChildren(root);
  setDialogHost(root);

  let sectionId = (HASH.exec(location.hash) || [])[1];
  if (!SECTIONS.some((s) => s.id === sectionId)) sectionId = "overview";
  let unmountSection = null;

  const env = {
    request: ctx.request, t, me, store,
    canWrite: (cfg) => me?.role === "admin" || (cfg.kind === "tags" && me?.role === "supervisor"),
    go: (id) => show(id, { focus: true }),
  };

  const nav = h("nav", { class: "adm-nav" });
  const main = h("section", { class: "adm-main", tabIndex: -1 });

  function renderFrame() {
    replace(root,
      h("header", { class: "adm-head" },
        h("h1", { text: t("admin.title") }),
        h("p", { class: "adm-muted", text: t("admin.subtitle") })),
      h("div", { class: "adm-body" }, nav, main));
    nav.setAttribute("aria-label", t("admin.navLabel"));
  }

  function renderNav() {
    replace(nav, h("ul", {}, SECTIONS.map((s) => h("li", {},
      h("button", {
        type: "button", class: "adm-nav-btn", text: t(s.key), dataset: { section: s.id },
        "aria-current": s.id === sectionId ? "page" : null,
        onclick: () => show(s.id, { focus: true }),
      })))));
    // On narrow screens the nav is a sideways-scrolling row: keep the current tab in view.
    const list = nav.firstElementChild;
    const current = nav.querySelector('[aria-current="page"]');
    if (current && list.scrollWidth > list.clientWidth) {
      list.scrollLeft = current.offsetLeft - (list.clientWidth - current.offsetWidth) / 2;
    }
  }

  function show(id, { focus = false } = {}) {
    if (unmountSection) unmountSection();
    sectionId = id;
    const hash = `#/admin/${id}`;
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
    renderNav();
    if (me?.role !== "admin") {
      replace(main, h("p", { class: "adm-alert adm-alert-error", role: "alert", text: t("admin.onlyAdmins") }));
      unmountSection = null;
      return;
    }
    store.clear(); // another admin may have changed things since the last section
    const section = SECTIONS.find((s) => s.id === id);
    unmountSection = section.mount(main, env);
    if (focus) main.focus();
  }

  const rerender = () => { renderFrame(); show(sectionId); };
  rerender();
  const offLang = ctx.onLanguageChange ? ctx.onLanguageChange(rerender) : null;

  return function unmount() {
    if (unmountSection) unmountSection();
    if (typeof offLang === "function") offLang();
    setDialogHost(null);
    root.remove();
  };
}
