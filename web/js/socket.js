// The WebSocket link (protocol Part 2): a fresh single-use ticket per connect (W1), hello first,
// replies matched by id, pushes handed on in arrival order (batches unwrapped, W4), heartbeats
// (W5), and reconnects with exponential backoff and jitter (W11 #7). What to (re)subscribe or
// resume after a hello is the caller's business (live.js): this module only keeps a link up.

import { request } from "./api.js";

const MAX_BACKOFF_MS = 15000;   // protocol suggests up to 30 s; 15 s keeps a restarted server's gap short
const PING_EVERY_MS = 15000;    // browsers cannot see ping frames: app-level ping keeps "silence" meaningful
const SILENCE_MS = 40000;       // W5: nothing for two heartbeat periods means the link is dead

export class LiveSocket {
  /**
   * @param {object} h
   * @param {(hello: object, info: {reconnect: boolean, fresh: boolean}) => void} h.onHello
   * @param {(frame: object) => void} h.onFrame   every server frame except hello/pong, in order
   * @param {(state: string, detail?: object) => void} h.onState  connecting|connected|reconnecting|offline
   * @param {() => void} h.onAuthLost  4001 or a 401 on the ticket: log in again
   */
  constructor(h) {
    this.h = h;
    this.ws = null;
    this.attempt = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.stopped = true;
    this.everConnected = false;
    this.fresh = false;       // 4003: subscribe afresh instead of resuming
    this.minBackoff = 0;
    this.timer = null;
    this.pingTimer = null;
    this.lastHeard = 0;
    this.gen = 0;
    this.state = "offline";
    this._onOnline = () => { if (!this.ws && !this.stopped) this._connectSoon(0); };
    window.addEventListener("online", this._onOnline);
  }

  start() { this.stopped = false; this._connect(); }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pingTimer);
    window.removeEventListener("online", this._onOnline);
    if (this.ws) { try { this.ws.close(1000); } catch (_) { /* ignore */ } }
    this.ws = null;
    this._failPending("closed");
    this._setState("offline");
  }

  get open() { return !!this.ws && this.ws.readyState === WebSocket.OPEN && this.helloSeen; }

  /** Fire-and-forget (typing, presence without id). */
  send(msg) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Sends msg with a fresh id; resolves with the reply (snapshot, page, ok, result, thread...),
   *  rejects with an Error carrying the W9 error's code and extra keys (conflict: assignee...). */
  request(msg) {
    if (!this.open) {
      const e = new Error("not connected"); e.code = "offline";
      return Promise.reject(e);
    }
    const id = `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  _setState(s, detail) { this.state = s; this.h.onState(s, detail); }

  async _connect() {
    if (this.stopped) return;
    // A newer attempt (kick, online) supersedes this one while it waits for its ticket.
    const gen = ++this.gen;
    this._setState(this.everConnected ? "reconnecting" : "connecting", { attempt: this.attempt });
    let ticket;
    try {
      ticket = (await request("POST", "/api/v1/auth/ws-ticket")).ticket;
    } catch (e) {
      if (gen !== this.gen || this.stopped) return; // superseded, or signed out by the 401 itself
      if (e.status === 401) { this.stop(); this.h.onAuthLost(); return; }
      this._connectSoon();
      return;
    }
    if (this.stopped || gen !== this.gen) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    let ws;
    try {
      ws = new WebSocket(`${scheme}://${location.host}/ws?ticket=${encodeURIComponent(ticket)}`, "switchboard.v1");
    } catch (_) { this._connectSoon(); return; }
    this.ws = ws;
    this.helloSeen = false;
    ws.onmessage = (ev) => { if (ws === this.ws) this._onMessage(ev); };
    ws.onclose = (ev) => this._onClose(ws, ev);
    ws.onerror = () => { /* a close event follows */ };
  }

  _connectSoon(delay) {
    clearTimeout(this.timer);
    if (this.stopped) return;
    if (delay === undefined) {
      const base = Math.min(MAX_BACKOFF_MS, Math.max(this.minBackoff, 500 * 2 ** this.attempt));
      delay = base / 2 + Math.random() * base / 2; // "equal jitter": spread a crowd of tabs out
      this.attempt++;
    }
    this._setState(this.everConnected ? "reconnecting" : "connecting", { attempt: this.attempt, delay });
    this.timer = setTimeout(() => this._connect(), delay);
  }

  _onMessage(ev) {
    this.lastHeard = Date.now();
    let msg;
    try { msg = JSON.parse(ev.data); } catch (_) { return; }
    if (!msg || typeof msg.type !== "string") return;
    if (msg.type === "hello") {
      const reconnect = this.everConnected;
      this.helloSeen = true;
      this.everConnected = true;
      this.attempt = 0;
      this.minBackoff = 0;
      const fresh = this.fresh;
      this.fresh = false;
      this._startPings();
      this._setState("connected", { reconnect });
      this.h.onHello(msg, { reconnect, fresh });
      return;
    }
    if (msg.type === "pong") return;
    const frames = msg.type === "batch" && Array.isArray(msg.frames) ? msg.frames : [msg];
    for (const f of frames) {
      // Hand the frame to the model first (stream order matters), then settle its request.
      try { this.h.onFrame(f); } catch (e) { console.error("frame handler failed", f.type, e); }
      if (f.id && this.pending.has(f.id)) {
        const p = this.pending.get(f.id);
        this.pending.delete(f.id);
        if (f.type === "error") {
          const err = new Error(f.message || f.code);
          Object.assign(err, f);
          err.code = f.code;
          p.reject(err);
        } else p.resolve(f);
      }
    }
  }

  _onClose(ws, ev) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.helloSeen = false;
    clearInterval(this.pingTimer);
    this._failPending("connection lost");
    if (this.stopped) return;
    if (ev.code === 4001) { this.stop(); this.h.onAuthLost(); return; }
    if (ev.code === 4003) this.fresh = true;
    if (ev.code === 4029) this.minBackoff = 5000;
    if ([1002, 1008, 1009].includes(ev.code)) this.minBackoff = 10000; // our bug: do not hammer
    this._connectSoon();
  }

  _failPending(why) {
    for (const p of this.pending.values()) {
      const e = new Error(why); e.code = "offline"; p.reject(e);
    }
    this.pending.clear();
  }

  _startPings() {
    clearInterval(this.pingTimer);
    this.lastHeard = Date.now();
    this.pingTimer = setInterval(() => {
      if (!this.ws) return;
      if (Date.now() - this.lastHeard > SILENCE_MS) {
        // Dead link (a laptop waking up, a proxy eating frames): drop it and resume on a new one.
        const ws = this.ws;
        try { ws.close(4000); } catch (_) { /* ignore */ }
        this._onClose(ws, { code: 1006 });
        return;
      }
      this.send({ type: "ping" });
    }, PING_EVERY_MS);
  }

  /** Forces a reconnect now (used after the tab wakes up). */
  kick() {
    if (this.stopped) return;
    if (!this.ws) this._connectSoon(0);
  }
}
