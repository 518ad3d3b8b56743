// The list pane: tabs with live counts, the order switch, filters (panel + removable chips),
// selection mode, and the conversation list. Rows are keyed by conversation id and moved, not
// rebuilt, so live updates keep the agent's scroll position, focus and selection.

import { h, replace, clear, textOn } from "../dom.js";
import { t, plural, formatTime } from "../i18n.js";
import { SCOPES, STATUSES, refinementCount } from "../filters.js";
import { dir, nameOf, sortedByName } from "../directory.js";
import { FilterPanel } from "./filterpanel.js";

export class ListPane {
  constructor(inbox) {
    this.inbox = inbox;
    this.store = inbox.store;
    this.rows = new Map(); // id -> {el, sig}
    this.panelOpen = false;
    this.el = h("section", { class: "list-pane", attrs: { "aria-label": t("list.label") } });
    this.head = h("div", { class: "list-head" });
    this.ul = h("ul", { id: "conv-list", class: "conv-list", attrs: { role: "list" }, on: { keydown: (e) => this._keys(e) } });
    this.footer = h("div", { class: "list-footer" });
    this.scroller = h("div", { class: "list-scroll" }, this.ul, this.footer);
    this.filterPanel = new FilterPanel(inbox, () => { this.panelOpen = false; this.render(); });
    this.el.append(this.head, this.scroller);
    this.off = this.store.on((ev) => this._onStore(ev));
    // Page further when the footer comes near the viewport (`more`, W3).
    this.io = new IntersectionObserver((es) => {
      if (es.some((e) => e.isIntersecting)) this.inbox.live.more("inbox");
    }, { root: this.scroller, rootMargin: "200px" });
    this.io.observe(this.footer);
    this.pending = false;
  }

  destroy() { this.off(); this.io.disconnect(); }

  _onStore(ev) {
    if (ev.type === "list" || ev.type === "change" || ev.type === "conv") this._schedule();
  }

  // Coalesce bursts of frames (a `batch` of 100) into one DOM update per animation frame.
  _schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.renderTabs(); this.renderList(); });
  }

  scrollTop() { this.scroller.scrollTop = 0; }

  markOpen(id) {
    for (const [rid, r] of this.rows) r.el.classList.toggle("open", rid === id);
  }

  render() {
    const f = this.inbox.filter;
    const sel = this.inbox.selection;
    // The head is rebuilt on each filter change: give focus back to the control that had it.
    const focusId = this.head.contains(document.activeElement) ? document.activeElement.id : null;
    this.tabsEl = h("div", { class: "tabs", attrs: { role: "tablist", "aria-label": t("tabs.label") } });
    const order = h("select", { id: "order-switch", attrs: { "aria-label": t("order.label") },
      on: { change: () => this.inbox.setFilter({ ...this.inbox.filter, order: order.value }) } },
    h("option", { value: "newest", selected: f.order === "newest", text: t("order.newest") }),
    h("option", { value: "oldest", selected: f.order === "oldest", text: t("order.oldest") }));
    const nref = refinementCount(f);
    const filterBtn = h("button", { id: "filters-toggle", type: "button", class: `btn btn-ghost${this.panelOpen ? " active" : ""}`,
      attrs: { "aria-expanded": String(this.panelOpen), "aria-controls": "filter-panel" },
      on: { click: () => { this.panelOpen = !this.panelOpen; this.render(); if (this.panelOpen) this.filterPanel.focus(); } } },
    t("filters.button"), nref ? h("span", { class: "count-badge", text: String(nref) }) : null);
    const selBtn = h("button", { id: "selection-toggle", type: "button", class: `btn btn-ghost${sel.on ? " active" : ""}`,
      attrs: { "aria-pressed": String(sel.on) }, text: t("selection.toggle"), on: { click: () => sel.toggle() } });
    replace(this.head,
      this.tabsEl,
      h("div", { class: "toolbar" }, order, filterBtn, selBtn),
      this.panelOpen ? this.filterPanel.render() : null,
      this.chips(),
      sel.on ? sel.bar() : null,
      sel.progressEl());
    this.renderTabs();
    if (focusId) document.getElementById(focusId)?.focus();
    // Language or directory changed: every row's words may differ.
    for (const r of this.rows.values()) r.sig = null;
    this.renderList();
  }

  renderTabs() {
    if (!this.tabsEl) return;
    const f = this.inbox.filter;
    // Built once per render(), then only their counts change: a focused tab keeps focus while
    // the badges tick.
    if (!this.tabsEl.firstChild) {
      for (const scope of SCOPES) {
        this.tabsEl.append(h("button", { id: `tab-${scope}`, type: "button", class: "tab", attrs: { role: "tab" },
          on: { click: () => { if (this.inbox.filter.scope !== scope) this.inbox.setFilter({ ...this.inbox.filter, scope }); } } },
        h("span", { text: t(`tabs.${scope}`) }), " ", h("span", { class: "tab-count" })));
      }
    }
    for (const scope of SCOPES) {
      const btn = this.tabsEl.querySelector(`#tab-${scope}`);
      const list = this.store.lists.get(`tab-${scope}`);
      const n = list && list.ready ? list.total : null;
      const active = f.scope === scope;
      btn.classList.toggle("active", active);
      btn.setAttribute("aria-selected", String(active));
      const badge = btn.querySelector(".tab-count");
      const text = n === null ? "…" : String(n);
      if (badge.textContent !== text) { badge.textContent = text; badge.dataset.count = n === null ? "" : String(n); }
    }
  }

  chips() {
    const f = this.inbox.filter;
    const chips = [];
    const chip = (key, label, next) => chips.push(h("button", { type: "button", class: "chip", dataset: { chip: key },
      attrs: { "aria-label": t("filters.remove", { name: label }) },
      on: { click: () => this.inbox.setFilter(next) } }, h("span", { text: label }), h("span", { class: "chip-x", attrs: { "aria-hidden": "true" }, text: "×" })));
    for (const s of f.statuses) chip(`status-${s}`, t(`status.${s}`), { ...f, statuses: f.statuses.filter((x) => x !== s) });
    const groups = [["connectionIds", nameOf.connection, "filters.connection"], ["tagIds", nameOf.tag, "filters.tag"],
      ["stageIds", nameOf.stage, "filters.stage"], ["departmentIds", nameOf.department, "filters.department"]];
    for (const [key, name, label] of groups) {
      for (const id of f[key]) chip(`${key}-${id}`, `${t(label)}: ${name(id)}`, { ...f, [key]: f[key].filter((x) => x !== id) });
    }
    if (!chips.length) return null;
    const clearAll = h("button", { id: "filters-clear", type: "button", class: "btn btn-link", text: t("filters.clear"),
      on: { click: () => this.inbox.setFilter({ ...f, statuses: ["open"], connectionIds: [], tagIds: [], stageIds: [], departmentIds: [] }) } });
    return h("div", { id: "filter-chips", class: "chips", attrs: { "aria-label": t("filters.active") } }, chips,
      refinementCount(f) ? clearAll : null);
  }

  renderList() {
    const list = this.store.lists.get("inbox");
    const sel = this.inbox.selection;
    const items = list ? this.store.items("inbox") : [];
    this.ul.dataset.ready = list && list.ready ? "1" : "0";
    this.ul.dataset.total = list && list.total !== null ? String(list.total) : "";
    const keep = new Set();
    const focused = document.activeElement;
    let refocusId = null;
    items.forEach((c, i) => {
      keep.add(c.id);
      let r = this.rows.get(c.id);
      if (!r) { r = { el: h("li", { class: "conv-row", dataset: { id: String(c.id) } }), sig: null }; this.rows.set(c.id, r); }
      const sig = `${c.version}|${sel.on}|${sel.has(c.id)}|${this.inbox.openId === c.id}`;
      if (r.sig !== sig) {
        if (r.el.contains(focused)) refocusId = c.id;
        this._fill(r.el, c);
        r.sig = sig;
      }
      const at = this.ul.children[i];
      if (at !== r.el) this.ul.insertBefore(r.el, at || null);
    });
    for (const [id, r] of this.rows) if (!keep.has(id)) { r.el.remove(); this.rows.delete(id); sel.forget(id); }
    if (refocusId !== null) this.rows.get(refocusId)?.el.querySelector(".conv-open")?.focus();
    clear(this.footer);
    if (!list || !list.ready) this.footer.append(h("p", { class: "muted", text: t("list.loading") }));
    else if (!items.length) this.footer.append(h("p", { id: "list-empty", class: "muted empty", text: t("list.empty") }));
    else if (list.hasMore) this.footer.append(h("p", { class: "muted", text: t("list.loadingMore") }));
    else this.footer.append(h("p", { class: "muted small", text: plural("list.shown", list.total ?? items.length) }));
    if (sel.on) sel.renderBar();
    this._maybeMore(list);
  }

  // The observer only fires on a change of intersection: when a page leaves the footer still in
  // view (a tall screen, a short page), ask for the next one from here.
  _maybeMore(list) {
    if (!list || !list.ready || !list.hasMore || list.loadingMore) return;
    const f = this.footer.getBoundingClientRect();
    const s = this.scroller.getBoundingClientRect();
    if (s.height > 0 && f.top < s.bottom + 200) this.inbox.live.more("inbox");
  }

  _fill(li, c) {
    const sel = this.inbox.selection;
    li.classList.toggle("unread", c.unreadCount > 0);
    li.classList.toggle("open", this.inbox.openId === c.id);
    li.classList.toggle("checked", sel.on && sel.has(c.id));
    const markers = [];
    if (c.status === "finished") markers.push(["finished", t("status.finished")]);
    if (c.awaitingReply) markers.push(["awaiting", t("status.awaiting_reply")]);
    if (c.sendFailed) markers.push(["failed", t("status.send_failed")]);
    if (c.automated) markers.push(["automated", t("status.automations")]);
    const assignee = c.assigneeId ? nameOf.agent(c.assigneeId) : t("conv.unassigned");
    const check = sel.on ? h("input", { type: "checkbox", class: "conv-check", checked: sel.has(c.id),
      attrs: { "aria-label": t("selection.select", { name: c.contactName }) },
      on: { change: (e) => sel.set(c.id, e.target.checked) } }) : null;
    replace(li, check,
      h("button", { type: "button", class: "conv-open", attrs: { "aria-current": this.inbox.openId === c.id ? "true" : false },
        on: { click: () => (sel.on ? sel.set(c.id, !sel.has(c.id)) : this.inbox.open(c.id)) } },
      h("span", { class: "row1" },
        h("span", { class: "conv-name", text: c.contactName }),
        h("time", { class: "conv-time", attrs: { datetime: new Date(c.lastActivityAt).toISOString() }, text: formatTime(c.lastActivityAt) })),
      h("span", { class: "row2" },
        h("span", { class: "conv-preview", text: c.lastMessagePreview || "" }),
        c.unreadCount > 0 ? h("span", { class: "unread-badge", attrs: { "aria-label": plural("conv.unread", c.unreadCount) }, text: String(c.unreadCount) }) : null),
      h("span", { class: "row3" },
        h("span", { class: "conv-conn", text: nameOf.connection(c.connectionId) }),
        h("span", { class: `conv-assignee${c.assigneeId ? "" : " none"}`, text: assignee }),
        markers.map(([k, label]) => h("span", { class: `marker marker-${k}`, dataset: { marker: k }, text: label })),
        (c.stageIds || []).map((id) => h("span", { class: "stage", text: nameOf.stage(id) })),
        (c.tagIds || []).map((id) => tagChip(id)))));
  }

  _keys(e) {
    // Arrow keys move between rows; Enter/Space activate the focused row's button natively.
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const buttons = [...this.ul.querySelectorAll(".conv-open")];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    const next = buttons[e.key === "ArrowDown" ? Math.min(i + 1, buttons.length - 1) : Math.max(i - 1, 0)];
    next.focus();
  }
}

export function tagChip(id, extra) {
  const tag = dir.tags.get(id);
  const color = tag?.color || "#64748b";
  return h("span", { class: "tag", dataset: { tagId: String(id) }, style: { backgroundColor: color, color: textOn(color) } },
    h("span", { text: nameOf.tag(id) }), extra || null);
}

export { STATUSES, sortedByName };
