// The thread pane: one conversation live (W7): messages with delivery status, the composer,
// who else is viewing or typing, and the actions (claim, release, transfer, finish, reopen,
// tags). Actions go over the socket (W12); their effect is taken from the stream, never from the
// `result`, so the screen cannot show a version older than one already applied.

import { h, replace, uid } from "../dom.js";
import { request } from "../api.js";
import { t, getLang, formatDateTime } from "../i18n.js";
import { dir, nameOf, sortedByName } from "../directory.js";
import { tagChip } from "./listview.js";
import { transferDialog } from "./dialogs.js";
import { errorText } from "./errors.js";

const TYPING_EVERY_MS = 2500; // W7: repeat `typing` every 2 to 3 s while the user types

export class ThreadPane {
  constructor(inbox) {
    this.inbox = inbox;
    this.live = inbox.live;
    this.store = inbox.store;
    this.me = inbox.me;
    this.id = null;
    this.messages = new Map();
    this.viewers = [];
    this.closed = false;
    this.loaded = false;
    this.hasOlder = false;
    this.notice = null;          // {kind: "error"|"info", text, action?}
    this.drafts = new Map();     // conversationId -> {text, clientMessageId}: survives switching
    this.lastTypingSent = 0;
    this.el = h("section", { id: "thread", class: "thread-pane", attrs: { "aria-label": t("thread.label") } });
    this.composer = h("textarea", { id: "composer", class: "composer-input", rows: 3,
      on: { input: () => this._onInput(), keydown: (e) => this._composerKeys(e) } });
    this.msgList = h("ol", { id: "messages", class: "messages", attrs: { "aria-live": "polite" } });
    this.msgScroll = h("div", { class: "messages-scroll" }, this.msgList);
    this.off = this.store.on((ev) => {
      if (ev.type === "conv" && ev.id === this.id) this._scheduleRender();
    });
  }

  destroy() { this.off(); if (this.id) this.live.closeThread(this.id); }

  get conv() { return this.id ? this.store.convs.get(this.id) : null; }

  focus() { this.composer.focus(); }

  show(id) {
    if (this.id) {
      this._saveDraft();
      this.live.closeThread(this.id);
    }
    this.id = id;
    this.messages = new Map();
    this.viewers = [];
    this.closed = false;
    this.loaded = false;
    this.hasOlder = false;
    this.notice = null;
    this.mounted = false;
    this._threadVersion = 0;
    this.composer.value = id && this.drafts.has(id) ? this.drafts.get(id).text : "";
    if (id) {
      this.live.openThread(id, {
        onThread: (f) => this._onThread(f),
        onChange: (f) => this._onChange(f),
        onClosed: () => { this.closed = true; this.notice = { kind: "error", text: t("thread.closed") }; this.render(); },
        onViewers: (v) => { this.viewers = v; this._renderViewers(); },
        onError: (e) => { this.closed = true; this.loaded = true; this.notice = { kind: "error", text: e.code === "not_found" ? t("thread.notFound") : errorText(e) }; this.render(); },
      });
    }
    this.render();
  }

  _onThread(f) {
    this.store.upsertConv(f.conversation);
    this._threadVersion = f.conversation.version;
    for (const m of f.messages || []) this.messages.set(m.id, m);
    this.hasOlder = (f.messages || []).length >= 50;
    this.viewers = f.viewers || [];
    this.loaded = true;
    this.closed = false;
    this.render();
    this._scrollToEnd();
    this._markRead();
  }

  _onChange(f) {
    const atEnd = this._atEnd();
    // W7: each thread_change carries the next version; a skip means a lost frame: reload. (The
    // store's copy may already be newer: list `change` frames come before `thread_change`.)
    if (this._threadVersion && f.conversation && f.conversation.version > this._threadVersion + 1) this._reload();
    if (f.message) this.messages.set(f.message.id, f.message);
    else if (f.kind === "message_added" || f.kind === "message_updated") this._reload();
    this._threadVersion = Math.max(this._threadVersion || 0, f.conversation?.version || 0);
    this.render();
    if (atEnd || (f.message && f.message.direction === "outbound" && f.message.authorAgentId === this.me.id)) this._scrollToEnd();
    if (f.kind === "message_added" && f.message?.direction === "inbound") this._markRead();
  }

  async _reload() {
    const id = this.id;
    try {
      const r = await request("GET", `/api/v1/conversations/${id}`);
      if (id !== this.id) return;
      this.store.upsertConv(r.conversation);
      for (const m of r.messages || []) this.messages.set(m.id, m);
      this.render();
    } catch (_) { /* the stream keeps going; a later change retries */ }
  }

  async _loadOlder() {
    const id = this.id;
    const oldest = Math.min(...this.messages.keys());
    try {
      const r = await request("GET", `/api/v1/conversations/${id}/messages?before=${oldest}&limit=50`);
      if (id !== this.id) return;
      const before = this.msgScroll.scrollHeight - this.msgScroll.scrollTop;
      for (const m of r.items || []) this.messages.set(m.id, m);
      this.hasOlder = !!r.nextBefore;
      this.render();
      this.msgScroll.scrollTop = this.msgScroll.scrollHeight - before; // keep the reader's place
    } catch (e) { this._notify("error", errorText(e)); }
  }

  _markRead() {
    const c = this.conv;
    if (c && c.unreadCount > 0 && !document.hidden) this.live.request({ type: "mark_read", conversationId: c.id }).catch(() => {});
  }

  _atEnd() { const s = this.msgScroll; return s.scrollHeight - s.scrollTop - s.clientHeight < 40; }
  _scrollToEnd() { requestAnimationFrame(() => { this.msgScroll.scrollTop = this.msgScroll.scrollHeight; }); }

  _scheduleRender() {
    if (this._raf) return;
    this._raf = requestAnimationFrame(() => { this._raf = null; this.render(); });
  }

  _notify(kind, text, action) { this.notice = { kind, text, action }; this.render(); }

  // ---- commands -------------------------------------------------------------------------

  async command(type, extra = {}) {
    const c = this.conv;
    if (!c) return;
    this.notice = null;
    try {
      await this.live.request({ type, conversationId: c.id, ...extra });
      this.render();
    } catch (e) {
      this._notify("error", errorText(e));
    }
  }

  async transfer() {
    const c = this.conv;
    const choice = await transferDialog({ title: t("thread.transferTitle", { name: c.contactName }), live: this.live });
    if (!choice) return;
    this.command("transfer", choice);
  }

  // ---- composer -------------------------------------------------------------------------

  // A draft remembers the version the agent was looking at when they started writing it: the
  // traffic cop (§14.8) then holds the reply back if the customer wrote again meanwhile.
  _saveDraft() {
    if (!this.id) return;
    const d = this.drafts.get(this.id) || { clientMessageId: uid(), seenVersion: this.conv?.version };
    d.text = this.composer.value;
    if (d.text) this.drafts.set(this.id, d); else this.drafts.delete(this.id);
  }

  _onInput() {
    this._saveDraft();
    const now = Date.now();
    if (this.id && this.composer.value && now - this.lastTypingSent > TYPING_EVERY_MS) {
      this.lastTypingSent = now;
      this.live.typing(this.id);
    }
  }

  _composerKeys(e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.send(); }
  }

  async send(seenVersion) {
    const c = this.conv;
    const text = this.composer.value;
    if (!c || !text.trim() || this.sending) return;
    this._saveDraft();
    const draft = this.drafts.get(c.id);
    this.sending = true;
    try {
      // seenVersion: the version this reply was written against (traffic cop, §14.8).
      await this.live.request({ type: "send", conversationId: c.id, clientMessageId: draft.clientMessageId, text,
        seenVersion: seenVersion ?? draft.seenVersion ?? c.version });
      this.drafts.delete(c.id);
      if (this.id === c.id) { this.composer.value = ""; this.notice = null; }
      this.lastTypingSent = 0;
    } catch (e) {
      if (e.code === "newer_inbound") {
        // Nothing was stored: the same clientMessageId may be sent again once the agent chose to.
        this._notify("warn", t("thread.newerInbound"), { label: t("thread.sendAnyway"), run: () => {
          draft.seenVersion = Math.max(e.latestInboundVersion || 0, this.conv.version);
          this.send(draft.seenVersion);
        } });
      } else this._notify("error", errorText(e));
    } finally { this.sending = false; this.render(); }
  }

  // ---- rendering ------------------------------------------------------------------------

  render() {
    const c = this.conv;
    if (!this.id || !c) {
      this.mounted = false;
      const back = h("button", { id: "thread-back", type: "button", class: "btn btn-ghost back", text: `← ${t("thread.back")}`, on: { click: () => this.inbox.back() } });
      if (!this.id) replace(this.el, h("div", { class: "thread-empty" }, h("p", { class: "muted", text: t("thread.none") })));
      else replace(this.el, h("div", { class: "thread-head" }, back), this._noticeEl(), h("p", { class: "muted pad", text: this.loaded ? "" : t("list.loading") }));
      return;
    }
    // The parts are filled in place: the composer is never detached, so it keeps its text,
    // caret and focus while messages, typing marks and state changes stream in.
    if (!this.mounted) {
      this.headEl = h("div", { class: "thread-head" });
      this.metaEl = h("div", { class: "thread-meta" });
      this.noticeSlot = h("div", { class: "notice-host" });
      this.viewersEl = h("div", { id: "viewers", class: "viewers", attrs: { "aria-live": "polite" } });
      this.hintEl = h("div", { class: "hint-host" });
      this.sendBtn = h("button", { id: "send", type: "submit", class: "btn btn-primary" });
      this.composerLabel = h("label", { class: "sr-only", attrs: { for: "composer" } });
      this.composerForm = h("form", { class: "composer", on: { submit: (e) => { e.preventDefault(); this.send(); } } },
        this.composerLabel, this.composer, this.sendBtn);
      replace(this.el, this.headEl, this.metaEl, this.noticeSlot, this.viewersEl, this.msgScroll, this.hintEl, this.composerForm);
      this.mounted = true;
    }
    const focusId = this.el.contains(document.activeElement) && document.activeElement !== this.composer ? document.activeElement.id : null;
    const back = h("button", { id: "thread-back", type: "button", class: "btn btn-ghost back", text: `← ${t("thread.back")}`, on: { click: () => this.inbox.back() } });
    replace(this.headEl, back,
      h("div", { class: "thread-title" },
        h("h2", { id: "thread-contact", text: c.contactName }),
        h("p", { class: "thread-sub" },
          h("span", { text: nameOf.connection(c.connectionId) }), " · ",
          h("span", { id: "thread-assignee", text: c.assigneeId ? t("thread.assignedTo", { name: nameOf.agent(c.assigneeId) }) : t("conv.unassigned") }), " · ",
          h("span", { id: "thread-status", dataset: { status: c.status }, text: c.status === "open" ? t("thread.open") : t("status.finished") }),
          (c.departmentIds || []).length ? [" · ", h("span", { text: c.departmentIds.map(nameOf.department).join(", ") })] : null)),
      this._actions(c));
    replace(this.metaEl,
      (c.stageIds || []).map((id) => h("span", { class: "stage", text: nameOf.stage(id) })),
      (c.tagIds || []).map((id) => tagChip(id, h("button", { type: "button", class: "tag-x", disabled: this.closed,
        attrs: { "aria-label": t("thread.removeTag", { name: nameOf.tag(id) }) }, text: "×",
        on: { click: () => this.command("remove_tag", { tagId: id }) } }))),
      this._tagAdder(c));
    replace(this.noticeSlot, this._noticeEl());
    this._renderMessages();
    replace(this.hintEl, this._replyHint(c));
    this.composerLabel.textContent = t("thread.composer");
    this.composer.placeholder = t("thread.composerPlaceholder");
    this.composer.disabled = this.closed;
    this.sendBtn.textContent = t("thread.send");
    this.sendBtn.disabled = this.closed;
    this._renderViewers();
    if (focusId) document.getElementById(focusId)?.focus();
  }

  _actions(c) {
    const role = this.me.role;
    const mine = c.assigneeId === this.me.id;
    const boss = role !== "agent";
    const open = c.status === "open";
    const b = (id, key, onClick, cls = "btn") => h("button", { id, type: "button", class: cls, disabled: this.closed, text: t(key), on: { click: onClick } });
    return h("div", { class: "thread-actions" },
      open && !c.assigneeId ? b("act-claim", "action.claim", () => this.command("claim"), "btn btn-primary") : null,
      open && c.assigneeId && (mine || boss) ? b("act-release", "action.release", () => this.command("release")) : null,
      open && (mine || boss) ? b("act-transfer", "action.transfer", () => this.transfer()) : null,
      open && (boss || mine || !c.assigneeId) ? b("act-finish", "action.finish", () => this.command("finish")) : null,
      !open ? b("act-reopen", "action.reopen", () => this.command("reopen")) : null);
  }

  _tagAdder(c) {
    const options = sortedByName(dir.tags, true).filter((tg) => !(c.tagIds || []).includes(tg.id));
    if (!options.length) return null;
    const sel = h("select", { id: "tag-add", class: "tag-add", disabled: this.closed, attrs: { "aria-label": t("thread.addTag") },
      on: { change: () => { if (sel.value) this.command("add_tag", { tagId: Number(sel.value) }); } } },
    h("option", { value: "", text: `+ ${t("thread.addTag")}` }),
    options.map((tg) => h("option", { value: String(tg.id), text: tg.name })));
    return sel;
  }

  _replyHint(c) {
    if (this.me.role !== "agent" || c.assigneeId === this.me.id || this.closed) return null;
    return h("p", { class: "reply-hint muted small", text: c.assigneeId ? t("thread.heldBy", { name: nameOf.agent(c.assigneeId) }) : t("thread.claimToReply") });
  }

  _noticeEl() {
    const n = this.notice;
    if (!n) return h("div", { id: "thread-notice", class: "notice-slot", attrs: { "aria-live": "assertive" } });
    return h("div", { id: "thread-notice", class: `notice notice-${n.kind}`, attrs: { role: "alert" } },
      h("span", { text: n.text }),
      n.action ? h("button", { type: "button", class: "btn btn-link", text: n.action.label, on: { click: () => { this.notice = null; n.action.run(); } } }) : null,
      h("button", { type: "button", class: "btn btn-link notice-close", attrs: { "aria-label": t("common.dismiss") }, text: "×", on: { click: () => { this.notice = null; this.render(); } } }));
  }

  _renderViewers() {
    if (!this.viewersEl) return;
    const others = this.viewers.filter((v) => v.agentId !== this.me.id);
    const typing = others.filter((v) => v.typing);
    const parts = [];
    if (typing.length) parts.push(h("span", { class: "typing", dataset: { typing: typing.map((v) => v.name).join(",") }, text: t(typing.length === 1 ? "thread.typingOne" : "thread.typingMany", { names: typing.map((v) => v.name).join(", ") }) }));
    if (others.length) parts.push(h("span", { class: "viewing", text: t("thread.alsoViewing", { names: others.map((v) => v.name).join(", ") }) }));
    this.viewersEl.classList.toggle("collision", others.length > 0);
    replace(this.viewersEl, parts);
  }

  // Messages are keyed by id and only rebuilt when their delivery state changes, so the live
  // region announces what is new instead of the whole thread, and a focused "Resend" survives.
  _renderMessages() {
    const msgs = [...this.messages.values()].sort((a, b) => a.id - b.id);
    if (this.msgKeyed?.id !== this.id || this.msgKeyed.lang !== getLang()) {
      this.msgKeyed = { id: this.id, lang: getLang(), rows: new Map() };
      replace(this.msgList);
    }
    const rows = this.msgKeyed.rows;
    const want = [];
    if (this.hasOlder) {
      if (!rows.has("older")) rows.set("older", { el: h("li", { class: "older" }, h("button", { id: "load-older", type: "button", class: "btn btn-link", text: t("thread.older"), on: { click: () => this._loadOlder() } })), sig: "" });
      want.push(rows.get("older").el);
    }
    for (const m of msgs) {
      const sig = `${m.deliveryStatus}|${m.failureReason || ""}|${m.text}`;
      let r = rows.get(m.id);
      if (!r || r.sig !== sig) {
        const el = this._message(m);
        if (r) r.el.replaceWith(el);
        r = { el, sig };
        rows.set(m.id, r);
      }
      want.push(r.el);
    }
    if (this.loaded && !msgs.length) want.push(h("li", { class: "muted pad", text: t("thread.noMessages") }));
    const keep = new Set(want);
    for (const child of [...this.msgList.children]) if (!keep.has(child)) child.remove();
    want.forEach((el, i) => { if (this.msgList.children[i] !== el) this.msgList.insertBefore(el, this.msgList.children[i] || null); });
  }

  _message(m) {
    const out = m.direction === "outbound";
    const status = out ? h("span", { class: `delivery delivery-${m.deliveryStatus}`, dataset: { status: m.deliveryStatus }, text: t(`delivery.${m.deliveryStatus}`) }) : null;
    const failed = out && m.deliveryStatus === "failed" ? h("div", { class: "failure" },
      h("span", { class: "failure-reason", text: m.failureReason || t("delivery.failed") }),
      h("button", { type: "button", class: "btn btn-link resend", text: t("delivery.resend"), on: { click: () => this._messageCommand("resend", m.id) } }),
      h("button", { type: "button", class: "btn btn-link dismiss", text: t("delivery.dismiss"), on: { click: () => this._messageCommand("dismiss_failure", m.id) } })) : null;
    return h("li", { class: `msg ${out ? "msg-out" : "msg-in"}${m.automated ? " msg-auto" : ""}`, dataset: { id: String(m.id) } },
      h("div", { class: "msg-author", text: m.automated ? `${m.authorName} · ${t("thread.automation")}` : (m.authorName || "") }),
      m.text ? h("div", { class: "msg-text", text: m.text }) : null,
      (m.attachments || []).map((a) => {
        const label = `[${a.kind}] ${a.name || ""}`.trim();
        return /^https?:\/\//i.test(a.url) ? h("a", { class: "attachment", href: a.url, target: "_blank", rel: "noopener noreferrer", text: label }) : h("span", { class: "attachment", text: label });
      }),
      h("div", { class: "msg-meta" }, h("time", { text: formatDateTime(m.createdAt) }), status),
      failed);
  }

  async _messageCommand(type, messageId) {
    try { await this.live.request({ type, messageId }); } catch (e) { this._notify("error", errorText(e)); }
  }
}
