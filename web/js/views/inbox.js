// The inbox screen: the filter (kept in the URL), its subscriptions (the list plus three
// count-only tab badges), the list pane, the thread pane and selection mode. On a phone width
// the list and the thread are separate screens (CSS, driven by the `thread-open` class).

import { h, replace } from "../dom.js";
import { fromQuery, toQuery, toWire } from "../filters.js";
import { ListPane } from "./listview.js";
import { ThreadPane } from "./threadview.js";
import { Selection } from "./selection.js";

export class Inbox {
  constructor(el, { store, live, me }) {
    this.el = el;
    this.store = store;
    this.live = live;
    this.me = me;
    const { filter, conversationId } = fromQuery(location.search);
    this.filter = filter;
    this.openId = conversationId;
    this.selection = new Selection(this);
    this.list = new ListPane(this);
    this.thread = new ThreadPane(this);
    this.root = h("div", { class: "inbox" }, this.list.el, this.thread.el);
    replace(el, this.root);
    this._pop = () => {
      const q = fromQuery(location.search);
      this.filter = q.filter;
      this._subscribe();
      this.open(q.conversationId, { push: false });
      this.list.render();
    };
    window.addEventListener("popstate", this._pop);
  }

  start() {
    this._subscribe();
    this.open(this.openId, { push: false, force: true });
    this.list.render();
  }

  destroy() {
    window.removeEventListener("popstate", this._pop);
    this.list.destroy();
    this.thread.destroy();
    this.selection.destroy();
  }

  /** Re-renders everything (language switch, directory reload). */
  refresh() { this.list.render(); this.thread.render(); this.selection.render(); }

  _subscribe() {
    this.live.setSubscriptions([
      { sub: "inbox", filter: toWire(this.filter), pageSize: 50 },
      { sub: "tab-all", filter: toWire(this.filter, "all"), pageSize: 0 },
      { sub: "tab-mine", filter: toWire(this.filter, "mine"), pageSize: 0 },
      { sub: "tab-unassigned", filter: toWire(this.filter, "unassigned"), pageSize: 0 },
    ]);
  }

  /** Applies a new filter: URL, subscriptions, and a selection that no longer means the same. */
  setFilter(next) {
    this.filter = next;
    history.replaceState(null, "", toQuery(this.filter, this.openId) + location.hash);
    this.selection.clear();
    this._subscribe();
    this.list.render();
    this.list.scrollTop();
  }

  /** Opens a conversation in the thread pane (null closes it). push: add a history entry so the
   *  phone's back button returns to the list. */
  open(id, { push = true, force = false } = {}) {
    if (id === this.openId && !force) { this.thread.focus(); return; }
    this.openId = id;
    const q = toQuery(this.filter, id) + location.hash;
    if (push) history.pushState({ fromList: true }, "", q); else history.replaceState(null, "", q);
    this.root.classList.toggle("thread-open", !!id);
    this.thread.show(id);
    this.list.markOpen(id);
  }

  /** Phone "back": return to the list. */
  back() {
    if (history.state && history.state.fromList) history.back();
    else this.open(null);
  }
}
