// The client model of Part 2: one copy per conversation id (the highest version wins, W11 #5),
// and lists that follow the server's snapshot/page/change frames. The client never evaluates a
// filter itself: membership comes from each list entry's `op` (W4), totals from `total`.

/** Sort key compare for an order ("newest" | "oldest") by (lastActivityAt, id), §7.3. */
export function compare(order, a, b) {
  const d = (a.lastActivityAt - b.lastActivityAt) || (a.id - b.id);
  return order === "oldest" ? d : -d;
}

export class Store {
  constructor() {
    /** @type {Map<number, object>} */
    this.convs = new Map();
    /** @type {Map<string, object>} */
    this.lists = new Map();
    this.lastSeq = 0;     // highest seq of snapshot/change applied: the resume point (W6)
    this.listeners = new Set();
  }

  on(cb) { this.listeners.add(cb); return () => this.listeners.delete(cb); }
  emit(ev) { for (const cb of this.listeners) { try { cb(ev); } catch (e) { console.error(e); } } }

  /** Keeps the copy with the higher version; returns the copy now held. */
  upsertConv(c) {
    if (!c || typeof c.id !== "number") return null;
    const cur = this.convs.get(c.id);
    if (!cur || c.version > cur.version) {
      this.convs.set(c.id, c);
      if (cur) this.emit({ type: "conv", id: c.id });
      return c;
    }
    return cur;
  }

  /** Declares a list (a subscription): its name, W3 filter and page size. Resets its content. */
  defineList(sub, filter, pageSize) {
    const list = {
      sub, filter, pageSize,
      ids: new Set(), total: null, cursor: null, hasMore: false,
      boundary: null,          // sort key of the last item of the last page: beyond it, wait for `more`
      removedAt: new Map(),    // id -> seq of a remove, so a page read earlier cannot bring it back
      ready: false,
    };
    this.lists.set(sub, list);
    return list;
  }

  dropList(sub) { this.lists.delete(sub); }

  /** Routes one server frame. Unknown types are ignored (W11 #11). */
  apply(f) {
    switch (f.type) {
      case "snapshot": return this.applySnapshot(f);
      case "page": return this.applyPage(f);
      case "change": return this.applyChange(f);
      default: return undefined;
    }
  }

  applySnapshot(f) {
    const list = this.lists.get(f.sub);
    if (typeof f.seq === "number") this.lastSeq = Math.max(this.lastSeq, f.seq);
    if (!list) return;
    list.ids = new Set();
    list.removedAt = new Map();
    for (const c of f.items || []) list.ids.add(this.upsertConv(c).id);
    list.total = f.total;
    list.cursor = f.cursor || null;
    list.hasMore = !!f.cursor;
    list.boundary = lastKey(f.items);
    list.ready = true;
    this.emit({ type: "list", sub: f.sub, reset: true });
  }

  applyPage(f) {
    const list = this.lists.get(f.sub);
    if (!list) return;
    for (const c of f.items || []) {
      const removed = list.removedAt.get(c.id);
      const held = this.upsertConv(c);
      // A page is read when asked (W3): a remove we applied after its read wins over it.
      if (removed !== undefined && removed > f.seq) continue;
      list.ids.add(held.id);
    }
    list.cursor = f.cursor || null;
    list.hasMore = !!f.cursor;
    const k = lastKey(f.items);
    if (k) list.boundary = k;
    if (!list.hasMore) list.boundary = null;
    this.emit({ type: "list", sub: f.sub });
  }

  applyChange(f) {
    if (f.conversation) this.upsertConv(f.conversation);
    if (typeof f.seq === "number") this.lastSeq = Math.max(this.lastSeq, f.seq);
    const touched = [];
    for (const e of f.lists || []) {
      const list = this.lists.get(e.sub);
      if (!list) continue;
      if (typeof e.total === "number") list.total = e.total;
      if (e.op === "upsert") {
        const c = this.convs.get(f.conversationId);
        list.removedAt.delete(f.conversationId);
        // W4: an item that sorts after the last loaded one while more pages exist may be left
        // out; `more` brings it in its place. Keeps the list a true prefix of the server's.
        if (c && list.hasMore && list.boundary && compare(list.filter.order, c, list.boundary) > 0) list.ids.delete(c.id);
        else list.ids.add(f.conversationId);
      } else if (e.op === "remove") {
        list.ids.delete(f.conversationId);
        list.removedAt.set(f.conversationId, f.seq);
      }
      touched.push({ sub: e.sub, op: e.op, reason: e.reason });
    }
    this.emit({ type: "change", conversationId: f.conversationId, lists: touched, seq: f.seq });
  }

  /** The list's conversations in its order. */
  items(sub) {
    const list = this.lists.get(sub);
    if (!list) return [];
    const out = [];
    for (const id of list.ids) { const c = this.convs.get(id); if (c) out.push(c); }
    const order = list.filter.order || "newest";
    return out.sort((a, b) => compare(order, a, b));
  }
}

function lastKey(items) {
  if (!items || !items.length) return null;
  const c = items[items.length - 1];
  return { id: c.id, lastActivityAt: c.lastActivityAt };
}
