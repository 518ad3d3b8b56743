// Selection mode ("Ação seleção"): pick conversations, or "all N matching" the filter, then
// finish, transfer or run a manual automation on them as one bulk run (§15, W12). The run's
// progress (run_progress) and per-item outcomes (run_done) are shown as they come.

import { h, replace, uid } from "../dom.js";
import { request } from "../api.js";
import { t, plural } from "../i18n.js";
import { toWire } from "../filters.js";
import { transferDialog, automationDialog, confirmDialog } from "./dialogs.js";
import { errorText } from "./errors.js";

export class Selection {
  constructor(inbox) {
    this.inbox = inbox;
    this.on = false;
    this.ids = new Set();
    this.allMatching = false;
    this.run = null;          // the latest run started here, as last heard
    this.error = null;
    this.lastHeard = 0;
    this.progress = h("div", { id: "bulk-progress", class: "bulk-progress", hidden: true, attrs: { "aria-live": "polite" } });
    this.barEl = null;
    this.offRun = (cb => { inbox.live.runHandlers.add(cb); return () => inbox.live.runHandlers.delete(cb); })((f) => this._onRun(f));
    // run_progress/run_done are not replayed after a reconnect (W12): poll the run when silent.
    this.poll = setInterval(() => {
      if (this.run && this.run.status === "running" && Date.now() - this.lastHeard > 4000) this._fetchRun();
    }, 2000);
  }

  destroy() { this.offRun(); clearInterval(this.poll); }

  has(id) { return this.allMatching || this.ids.has(id); }
  forget(id) { this.ids.delete(id); }
  clear() { this.ids.clear(); this.allMatching = false; if (this.on) this.inbox.list.renderList(); }

  toggle() {
    this.on = !this.on;
    this.ids.clear();
    this.allMatching = false;
    this.inbox.list.render();
  }

  set(id, v) {
    if (this.allMatching) {
      // Leaving "all matching" for an explicit pick: start from what is loaded.
      this.allMatching = false;
      for (const c of this.inbox.store.items("inbox")) this.ids.add(c.id);
    }
    if (v) this.ids.add(id); else this.ids.delete(id);
    this.inbox.list.renderList();
  }

  total() { return this.inbox.store.lists.get("inbox")?.total ?? 0; }
  count() { return this.allMatching ? this.total() : this.ids.size; }

  bar() {
    this.barEl = h("div", { id: "selection-bar", class: "selection-bar", attrs: { role: "toolbar", "aria-label": t("selection.toggle") } });
    this.renderBar();
    return this.barEl;
  }

  renderBar() {
    if (!this.barEl) return;
    const n = this.count();
    const total = this.total();
    const loaded = this.inbox.store.items("inbox");
    const b = (id, text, onClick, disabled) => h("button", { id, type: "button", class: "btn btn-small", disabled, text, on: { click: onClick } });
    replace(this.barEl,
      h("span", { id: "selection-count", class: "selection-count", dataset: { count: String(n) },
        text: this.allMatching ? plural("selection.allSelected", n) : plural("selection.selected", n) }),
      b("select-visible", t("selection.visible"), () => { this.allMatching = false; for (const c of loaded) this.ids.add(c.id); this.inbox.list.renderList(); }, !loaded.length),
      total > 0 && !this.allMatching ? b("select-all-matching", plural("selection.allMatching", total), () => { this.allMatching = true; this.ids.clear(); this.inbox.list.renderList(); }) : null,
      n ? b("select-none", t("selection.none"), () => this.clear()) : null,
      h("span", { class: "spacer" }),
      b("bulk-finish", t("bulk.finish"), () => this.start("finish"), !n),
      b("bulk-transfer", t("bulk.transfer"), () => this.start("transfer"), !n),
      b("bulk-automation", t("bulk.automation"), () => this.start("automation"), !n));
  }

  async start(kind) {
    const n = this.count();
    let action;
    if (kind === "finish") {
      const ok = await confirmDialog({ title: t("bulk.finish"), text: plural("bulk.confirmFinish", n), okText: t("bulk.finish") });
      if (!ok) return;
      action = { type: "finish" };
    } else if (kind === "transfer") {
      const choice = await transferDialog({ title: plural("bulk.transferTitle", n), live: this.inbox.live });
      if (!choice) return;
      action = { type: "transfer", ...choice };
    } else {
      const id = await automationDialog({ title: plural("bulk.automationTitle", n) });
      if (!id) return;
      action = { type: "automation", automationId: id };
    }
    const msg = { type: "bulk", idempotencyKey: uid(), action };
    if (this.allMatching) msg.filter = toWire(this.inbox.filter);
    else msg.conversationIds = [...this.ids];
    // Snapshot the names now: finished conversations leave the list before the results come.
    this.names = new Map(this.inbox.store.items("inbox").map((c) => [c.id, c.contactName]));
    this.error = null;
    try {
      const r = await this.inbox.live.request(msg);
      if (!this.run || this.run.id !== r.run.id || r.run.status === "done") this.run = r.run;
      this.lastHeard = Date.now();
      this.ids.clear();
      this.allMatching = false;
      if (this.run.status === "done" && !this.run.items) this._fetchRun();
    } catch (e) {
      this.error = errorText(e);
    }
    this.renderProgress();
    this.inbox.list.renderList();
  }

  _onRun(f) {
    if (!f.run) return;
    if (this.run && f.run.id !== this.run.id) return;
    if (!this.run) return; // a run started on another tab of mine: not this screen's business
    if (this.run.status === "done" && f.type === "run_progress") return;
    this.run = f.run;
    this.lastHeard = Date.now();
    this.renderProgress();
  }

  async _fetchRun() {
    try {
      const r = await request("GET", `/api/v1/runs/${this.run.id}`);
      if (this.run && r.id === this.run.id && (r.status === "done" || this.run.status !== "done")) { this.run = r; this.renderProgress(); }
      this.lastHeard = Date.now();
    } catch (_) { /* try again later */ }
  }

  progressEl() { this.renderProgress(); return this.progress; }

  renderProgress() {
    const el = this.progress;
    if (this.error) {
      el.hidden = false;
      el.dataset.status = "error";
      replace(el, h("p", { class: "notice notice-error", attrs: { role: "alert" }, text: this.error }),
        h("button", { type: "button", class: "btn btn-link", text: t("common.dismiss"), on: { click: () => { this.error = null; this.renderProgress(); } } }));
      return;
    }
    const run = this.run;
    if (!run) { el.hidden = true; replace(el); return; }
    el.hidden = false;
    el.dataset.status = run.status;
    el.dataset.runId = String(run.id);
    const counts = run.counts || {};
    const handled = Object.values(counts).reduce((a, b) => a + b, 0);
    const label = run.status === "done" ? t("bulk.done", { n: handled, total: run.total }) : t("bulk.running", { n: handled, total: run.total });
    const countText = Object.entries(counts).map(([k, v]) => `${t(`outcome.${k}`)}: ${v}`).join(" · ");
    const items = run.items ? h("details", { class: "bulk-items", open: (run.items.length <= 20) },
      h("summary", { text: t("bulk.results") }),
      h("ul", { id: "bulk-results" }, run.items.map((it) => h("li", { dataset: { outcome: it.outcome, id: String(it.conversationId) } },
        h("span", { class: "bulk-name", text: this.names?.get(it.conversationId) || this.inbox.store.convs.get(it.conversationId)?.contactName || `#${it.conversationId}` }),
        " — ",
        h("span", { class: `outcome outcome-${it.outcome}`, text: t(`outcome.${it.outcome}`) + (it.reason && it.reason !== it.outcome ? ` (${reasonText(it.reason)})` : "") }))))) : null;
    replace(el,
      h("div", { class: "bulk-head" },
        h("strong", { id: "bulk-status", text: label }),
        h("button", { type: "button", class: "btn btn-link", attrs: { "aria-label": t("common.dismiss") }, text: "×",
          on: { click: () => { this.run = null; this.renderProgress(); } } })),
      h("progress", { max: Math.max(run.total, 1), value: run.status === "done" ? Math.max(run.total, 1) : handled }),
      countText ? h("p", { id: "bulk-counts", class: "small", text: countText }) : null,
      items);
  }

  render() { this.renderProgress(); }
}

// A reason this client has no words for (a newer server) is shown as the server's code.
function reasonText(code) {
  const s = t(`reason.${code}`);
  return s === `reason.${code}` ? code : s;
}
