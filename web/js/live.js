// Keeps the client's live state whole across sockets: declares the subscriptions, and after
// every hello either resumes them from the store's last sequence (W6) or subscribes afresh;
// reopens threads; routes thread, presence and run pushes to whoever listens.

import { LiveSocket } from "./socket.js";

export class Live {
  constructor(store, { onState, onAuthLost }) {
    this.store = store;
    this.onStateCb = onState;
    this.specs = new Map();        // sub -> {filter, pageSize}: what the UI wants
    this.threads = new Map();      // conversationId -> handler {onThread, onChange, onClosed, onViewers}
    this.runHandlers = new Set();  // cb(frame) for run_progress / run_done
    this.presence = new Map();     // agentId -> "online" | "away"
    this.presenceHandlers = new Set();
    this.me = null;
    this.socket = new LiveSocket({
      onHello: (h, info) => this._onHello(h, info),
      onFrame: (f) => this._onFrame(f),
      onState: (s, d) => this.onStateCb(s, d),
      onAuthLost,
    });
    this._vis = () => this._sendPresence();
    document.addEventListener("visibilitychange", this._vis);
  }

  start() { this.socket.start(); }
  stop() { document.removeEventListener("visibilitychange", this._vis); this.socket.stop(); }
  request(msg) { return this.socket.request(msg); }
  send(msg) { return this.socket.send(msg); }

  /** Declares the wanted subscriptions; (re)subscribes those that changed, drops the others. */
  setSubscriptions(specs) {
    const want = new Map(specs.map((s) => [s.sub, s]));
    for (const sub of [...this.specs.keys()]) {
      if (!want.has(sub)) {
        this.specs.delete(sub);
        this.store.dropList(sub);
        if (this.socket.open) this.socket.request({ type: "unsubscribe", sub }).catch(() => {});
      }
    }
    for (const s of specs) {
      const cur = this.specs.get(s.sub);
      if (cur && JSON.stringify(cur.filter) === JSON.stringify(s.filter) && cur.pageSize === s.pageSize) continue;
      this.specs.set(s.sub, { filter: s.filter, pageSize: s.pageSize });
      this.store.defineList(s.sub, s.filter, s.pageSize);
      this.store.emit({ type: "list", sub: s.sub, reset: true });
      if (this.socket.open) this._subscribe(s.sub);
    }
  }

  _subscribe(sub) {
    const s = this.specs.get(sub);
    // Subscribing again under the same name replaces the old one (W3); the snapshot resets the list.
    return this.socket.request({ type: "subscribe", sub, filter: s.filter, pageSize: s.pageSize })
      .catch((e) => { if (e.code !== "offline") console.warn("subscribe failed", sub, e); });
  }

  more(sub) {
    const list = this.store.lists.get(sub);
    if (!list || !list.hasMore || !list.cursor || list.loadingMore || !this.socket.open) return;
    list.loadingMore = true;
    this.socket.request({ type: "more", sub, cursor: list.cursor })
      .catch(() => {})
      .finally(() => { list.loadingMore = false; this.store.emit({ type: "list", sub }); });
  }

  async _onHello(hello, { reconnect, fresh }) {
    this.me = hello.agent;
    this.presence = new Map((hello.presence || []).map((p) => [p.agentId, p.status]));
    for (const cb of this.presenceHandlers) cb();
    const resumable = [];
    const again = [];
    for (const [sub, s] of this.specs) {
      const list = this.store.lists.get(sub);
      if (reconnect && !fresh && list && list.ready) resumable.push({ sub, filter: s.filter, pageSize: s.pageSize });
      else again.push(sub);
    }
    if (resumable.length) {
      // W6: resume must be the first request on the new socket.
      try {
        const r = await this.socket.request({ type: "resume", lastSeq: this.store.lastSeq, subscriptions: resumable });
        this.onStateCb(r.type === "resync" ? "resynced" : "connected", { resumed: r.type === "resumed" });
      } catch (e) {
        if (e.code === "offline") return;
        // lastSeq ahead of the server (a replaced database) or another refusal: start over.
        for (const s of resumable) { this.store.defineList(s.sub, s.filter, s.pageSize); again.push(s.sub); }
        this.onStateCb("resynced", {});
      }
    } else if (reconnect) {
      this.onStateCb("resynced", {});
    }
    for (const sub of again) {
      this.store.defineList(sub, this.specs.get(sub).filter, this.specs.get(sub).pageSize);
      this._subscribe(sub);
    }
    for (const id of this.threads.keys()) this._openThread(id);
    this._sendPresence();
  }

  _onFrame(f) {
    switch (f.type) {
      case "snapshot": case "page": case "change":
        this.store.apply(f);
        return;
      case "resync":
        // Snapshots follow for every resumed list; each one resets its list (W6).
        return;
      case "thread": {
        const h = this.threads.get(f.conversation?.id);
        if (h) h.onThread(f);
        return;
      }
      case "thread_change": {
        const h = this.threads.get(f.conversation?.id);
        if (f.conversation) this.store.upsertConv(f.conversation);
        if (h) h.onChange(f);
        return;
      }
      case "thread_closed": {
        const h = this.threads.get(f.conversationId);
        this.threads.delete(f.conversationId);
        if (h) h.onClosed(f);
        return;
      }
      case "viewers": {
        const h = this.threads.get(f.conversationId);
        if (h) h.onViewers(f.viewers || []);
        return;
      }
      case "presence":
        if (f.status === "offline") this.presence.delete(f.agentId); else this.presence.set(f.agentId, f.status);
        for (const cb of this.presenceHandlers) cb();
        return;
      case "run_progress": case "run_done":
        for (const cb of this.runHandlers) cb(f);
        return;
      default:
        return;
    }
  }

  /** Opens a thread (W7) and keeps it open across reconnects until closeThread. */
  openThread(conversationId, handler) {
    this.threads.set(conversationId, handler);
    if (this.socket.open) this._openThread(conversationId);
  }

  _openThread(id) {
    this.socket.request({ type: "open_thread", conversationId: id }).catch((e) => {
      if (e.code === "offline") return;
      const h = this.threads.get(id);
      this.threads.delete(id);
      if (h && h.onError) h.onError(e);
    });
  }

  closeThread(conversationId) {
    if (!this.threads.delete(conversationId)) return;
    if (this.socket.open) this.socket.request({ type: "close_thread", conversationId }).catch(() => {});
  }

  typing(conversationId) {
    if (this.threads.has(conversationId)) this.socket.send({ type: "typing", conversationId });
  }

  _sendPresence() {
    if (this.socket.open) this.socket.send({ type: "presence", status: document.hidden ? "away" : "online" });
    if (!document.hidden) this.socket.kick();
  }
}
