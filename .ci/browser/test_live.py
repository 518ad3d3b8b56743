"""End-to-end tests of the web inbox's live behaviour in headless Chromium: reconnect and resume
after a server restart, the list model's versions and membership, paging, viewers and typing,
delivery failures and resend, resync, and selecting all matching."""
import threading
import time
import urllib.parse
import uuid

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

import harness as H
from inbox_helpers import shown_ids, shown_names, tab_counts, url_query, expect_list_matches_api, click, text_of, set_check, open_conversation, new_conversation

def test_reconnect_after_server_restart_resumes_without_gap(browsers):
    server, ws = H.start_server(H.BINARY)
    try:
        ana = ws.agents["ana"]
        c, handle = new_conversation(ws, "Lia Antes")
        d = browsers("en")
        H.login(d, server, ana["email"])
        open_conversation(d, c["id"])
        H.wait_text(d, "#messages", "Oi, sou Lia Antes")
        d.execute_script("window.__noReload = 1")
        server.stop()
        H.wait(d).until(lambda d: d.find_element(By.ID, "conn-state").get_attribute("data-state") == "reconnecting")
        assert text_of(d, "#conn-state") == "Reconnecting…"
        H.screenshot(d, "reconnecting-desktop")
        server.start()
        # Written while the browser is still away: only the resume can bring these.
        ws.inbound("WhatsApp Principal", handle, "Lia Antes", "Voltei, e agora?")
        c2, _ = new_conversation(ws, "Mateus Depois")
        H.wait(d, 40).until(lambda d: d.find_element(By.ID, "conn-state").get_attribute("data-state") in ("connected", "resynced"))
        H.wait_text(d, "#conv-list", "Mateus Depois", timeout=20)
        H.wait_text(d, f".conv-row[data-id='{c['id']}'] .conv-preview", "Voltei, e agora?")
        H.wait_text(d, "#messages", "Voltei, e agora?")  # the open thread was reopened too
        assert d.execute_script("return window.__noReload") == 1, "the page reloaded"
        expect_list_matches_api(d, server, server.login_token(ana["email"]), must_contain=[c2["id"], c["id"]])
        # And the live stream works again after the resume.
        ws.inbound("WhatsApp Principal", handle, "Lia Antes", "Depois da volta")
        H.wait_text(d, "#messages", "Depois da volta")
        # A session revoked meanwhile: the next reconnect's ticket is refused, and the user is
        # sent to the sign-in screen and told why (not left "reconnecting" forever).
        token = d.execute_script("return sessionStorage.getItem('sb.token')")
        assert server.api("POST", "/api/v1/auth/logout", token=token)[0] == 204
        server.restart()
        H.wait_text(d, ".form-note", "Your session ended. Sign in again.", timeout=40)
        assert d.find_element(By.ID, "login-email").is_displayed()
    finally:
        server.cleanup()


STORE_SCENARIO = """
const done = arguments[arguments.length - 1];
import('/js/store.js').then(({ Store }) => {
  const s = new Store();
  const c = (id, version, t) => ({ id, version, lastActivityAt: t, contactName: 'n' + id });
  s.defineList('l', { order: 'newest' }, 2);
  s.apply({ type: 'snapshot', sub: 'l', items: [c(1, 1, 300), c(2, 1, 200)], total: 5, cursor: 'x', seq: 10 });
  s.apply({ type: 'change', seq: 11, conversationId: 1, version: 3, conversation: c(1, 3, 400), lists: [{ sub: 'l', op: 'upsert', total: 5 }] });
  s.apply({ type: 'change', seq: 12, conversationId: 1, version: 2, conversation: c(1, 2, 350), lists: [{ sub: 'l', op: 'upsert', total: 5 }] });
  s.apply({ type: 'change', seq: 13, conversationId: 3, version: 1, conversation: c(3, 1, 100), lists: [{ sub: 'l', op: 'upsert', total: 6 }] });
  const beyondBoundary = s.items('l').map((x) => x.id);
  s.apply({ type: 'batch' });
  s.apply({ type: 'change', seq: 14, conversationId: 2, version: 2, lists: [{ sub: 'l', op: 'remove', reason: 'reassigned', total: 5 }] });
  s.apply({ type: 'page', sub: 'l', items: [c(2, 1, 200), c(3, 1, 100), c(4, 1, 50)], seq: 12 });
  return { beyondBoundary, ids: s.items('l').map((x) => x.id), v1: s.convs.get(1).version,
           total: s.lists.get('l').total, lastSeq: s.lastSeq, hasMore: s.lists.get('l').hasMore };
}).then(done, (e) => done({ error: String(e) }));
"""


def test_list_model_keeps_newest_versions_and_protocol_membership(env, browsers):
    """The store (web/js/store.js) in the browser itself: a version never goes back, an upsert
    beyond the loaded page waits for `more`, a page read before a remove cannot resurrect it."""
    server, _ = env
    d = browsers("en")
    d.get(server.url + "/")
    H.wait(d).until(EC.presence_of_element_located((By.ID, "login-email")))
    r = d.execute_async_script(STORE_SCENARIO)
    assert "error" not in r, r
    assert r["v1"] == 3, "an older version was applied after a newer one"
    assert r["beyondBoundary"] == [1, 2], "an item sorting after the loaded page was shown before `more`"
    assert r["ids"] == [1, 3, 4], r
    assert r["total"] == 5 and r["lastSeq"] == 14 and r["hasMore"] is False


def test_list_pages_further_on_scroll(env, browsers):
    server, ws = env
    ana_tok = server.login_token(ws.agents["ana"]["email"])
    for i in range(55):
        new_conversation(ws, f"Pagina {i:02d}")
    total = server.ok("GET", "/api/v1/conversations?status=open&limit=1", token=ana_tok)["total"]
    assert total > 50
    d = browsers("en")
    H.login(d, server, ws.agents["ana"]["email"])
    H.wait(d).until(lambda d: len(shown_ids(d)) == 50)

    def scrolled_to_all(d):
        d.execute_script("const s = document.querySelector('.list-scroll'); s.scrollTop = s.scrollHeight;")
        return len(shown_ids(d)) == total
    try:
        H.wait(d, 30).until(scrolled_to_all)
    except TimeoutException:
        raise AssertionError(f"paging stopped at {len(shown_ids(d))} of {total}: " + d.execute_script(
            "const l = document.getElementById('conv-list'); return l.dataset.total + ' ' + document.querySelector('.list-footer').textContent"))
    expect_list_matches_api(d, server, ana_tok)
    # While the agent reads the bottom of the list, a new conversation enters at the top and
    # another row changes: what the agent is looking at does not move.
    probe = shown_ids(d)[-3]
    y = f"return document.querySelector(\".conv-row[data-id='{probe}']\").getBoundingClientRect().top"
    before = d.execute_script(y)
    new_conversation(ws, "Topo Novo")
    H.wait(d).until(lambda d: shown_names(d)[0] == "Topo Novo")
    server.ok("POST", f"/api/v1/conversations/{probe}/tags", {"tagId": ws.tags["Retorno"]}, ws.admin_token)
    H.wait(d).until(lambda d: "Retorno" in text_of(d, f".conv-row[data-id='{probe}']"))
    after = d.execute_script(y)
    assert abs(after - before) < 3, f"the rows under the agent's eyes moved from {before} to {after}"
    expect_list_matches_api(d, server, ana_tok)


def test_viewers_and_typing_are_shown_to_the_other_agent(env, browsers):
    server, ws = env
    c, _ = new_conversation(ws, "Nina Colisao")
    da, ds = browsers("en"), browsers("en")
    H.login(da, server, ws.agents["ana"]["email"])
    H.login(ds, server, ws.agents["sofia"]["email"])
    for d in (da, ds):
        H.wait_text(d, "#conv-list", "Nina Colisao")
        open_conversation(d, c["id"])
    H.wait_text(da, "#viewers", "Also viewing: Sofia Supervisora")
    H.wait_text(ds, "#viewers", "Also viewing: Ana Souza")
    ds.find_element(By.ID, "composer").send_keys("Estou respondendo")
    H.wait_text(da, "#viewers .typing", "Sofia Supervisora is typing…")
    H.screenshot(da, "thread-collision-desktop")
    # Sofia's draft survives switching away and back.
    click(ds, "#tab-mine")
    click(ds, "#tab-all")
    H.wait(ds).until(lambda d: [i for i in shown_ids(d) if i != c["id"]])
    other = next(i for i in shown_ids(ds) if i != c["id"])
    open_conversation(ds, other)
    H.wait(da).until(lambda d: "Sofia" not in text_of(d, "#viewers"))
    open_conversation(ds, c["id"])
    assert ds.find_element(By.ID, "composer").get_attribute("value") == "Estou respondendo"


def test_transfer_failed_delivery_and_resend(env, browsers):
    server, ws = env
    c, _ = new_conversation(ws, "Otto Falha")
    d = browsers("pt-BR")
    H.login(d, server, ws.agents["sofia"]["email"])
    H.wait_text(d, "#conv-list", "Otto Falha")
    open_conversation(d, c["id"])
    click(d, "#act-transfer")
    H.wait(d).until(EC.visibility_of_element_located((By.ID, "transfer-dialog")))
    Select(d.find_element(By.ID, "transfer-agent")).select_by_value(str(ws.agents["bruno"]["id"]))
    click(d, "#transfer-dialog-ok")
    H.wait_text(d, "#thread-assignee", "com Bruno Lima")
    H.wait_text(d, f".conv-row[data-id='{c['id']}']", "Bruno Lima")
    d.find_element(By.ID, "composer").send_keys("Vamos resolver")
    click(d, "#send")
    H.wait_text(d, "#messages .msg-out", "Vamos resolver")
    msg_id = int(d.find_element(By.CSS_SELECTOR, "#messages .msg-out").get_attribute("data-id"))
    conn = ws.connections["WhatsApp Principal"]
    server.ok("POST", f"/api/v1/connections/{conn['id']}/delivery",
              {"messageId": msg_id, "status": "failed", "reason": "número bloqueado"}, bearer=conn["secret"])
    H.wait_text(d, f"#messages .msg[data-id='{msg_id}'] .failure", "número bloqueado")
    assert "Falha no envio" in text_of(d, f"#messages .msg[data-id='{msg_id}']")
    H.wait_text(d, f".conv-row[data-id='{c['id']}'] .marker-failed", "Falha no envio")
    click(d, f"#messages .msg[data-id='{msg_id}'] .resend")
    H.wait(d).until(lambda d: d.find_element(By.CSS_SELECTOR, f"#messages .msg[data-id='{msg_id}'] .delivery").get_attribute("data-status") == "pending")
    H.wait(d).until(lambda d: not d.find_elements(By.CSS_SELECTOR, f".conv-row[data-id='{c['id']}'] .marker-failed"))
    server.ok("POST", f"/api/v1/connections/{conn['id']}/delivery", {"messageId": msg_id, "status": "read"}, bearer=conn["secret"])
    H.wait_text(d, f"#messages .msg[data-id='{msg_id}'] .delivery", "Lida")
    click(d, "#act-finish")
    H.wait(d).until(lambda d: c["id"] not in shown_ids(d))  # it left the open list
    H.wait_text(d, "#thread-status", "Finalizadas")
    click(d, "#act-reopen")
    H.wait(d).until(lambda d: c["id"] in shown_ids(d))


LIVE_SCENARIO = """
const done = arguments[arguments.length - 1];
Promise.all([import('/js/store.js'), import('/js/live.js')]).then(async ([{ Store }, { Live }]) => {
  const states = [];
  const store = new Store();
  const live = new Live(store, { onState: (s) => states.push(s), onAuthLost: () => states.push('auth') });
  // A fake link: records requests, lets the scenario answer them.
  const sent = [];
  live.socket = { open: true, request: (m) => new Promise((res, rej) => sent.push({ m, res, rej })), send: (m) => { sent.push({ m }); return true; }, kick() {}, stop() {} };
  const c = (id, v, t) => ({ id, version: v, lastActivityAt: t });
  live.setSubscriptions([{ sub: 'inbox', filter: { scope: 'all', order: 'newest' }, pageSize: 50 }, { sub: 'tab-all', filter: { scope: 'all', order: 'newest' }, pageSize: 0 }]);
  const subscribed = sent.map((x) => x.m.type + ':' + x.m.sub);
  live._onFrame({ type: 'snapshot', sub: 'inbox', items: [c(1, 1, 10)], total: 1, seq: 5 });
  live._onFrame({ type: 'snapshot', sub: 'tab-all', items: [], total: 1, seq: 5 });
  live._onFrame({ type: 'batch', frames: [] });
  live._onFrame({ type: 'change', seq: 7, conversationId: 2, version: 1, conversation: c(2, 1, 20), lists: [{ sub: 'inbox', op: 'upsert', total: 2 }, { sub: 'tab-all', op: 'count', total: 2 }] });
  // The link drops and comes back: the first request must be a resume from seq 7.
  sent.length = 0;
  live.threads.set(2, { onThread() {}, onChange() {}, onClosed() {}, onViewers() {} });
  const hello = live._onHello({ type: 'hello', agent: { id: 1 }, presence: [] }, { reconnect: true, fresh: false });
  const first = JSON.parse(JSON.stringify(sent[0].m));
  // The server no longer has the log that far back: resync, then fresh snapshots without id.
  sent[0].res({ type: 'resync', id: 'r1', reason: 'log_truncated' });
  await hello;
  live._onFrame({ type: 'snapshot', sub: 'inbox', items: [c(3, 4, 30)], total: 1, seq: 40 });
  live._onFrame({ type: 'snapshot', sub: 'tab-all', items: [], total: 1, seq: 40 });
  const after = sent.slice(1).map((x) => x.m.type);
  live.stop();
  return { subscribed, first, states, ids: store.items('inbox').map((x) => x.id), total: store.lists.get('tab-all').total,
           lastSeq: store.lastSeq, after };
}).then(done, (e) => done({ error: String(e && e.stack || e) }));
"""


def test_resume_after_reconnect_and_resync_rebuild_the_lists(env, browsers):
    """live.js with a fake link: a reconnect resumes from the highest applied seq with the same
    subscriptions (W6) before anything else, reopens threads, and a `resync` replaces the lists
    with the snapshots that follow and says so."""
    server, _ = env
    d = browsers("en")
    d.get(server.url + "/")
    H.wait(d).until(EC.presence_of_element_located((By.ID, "login-email")))
    r = d.execute_async_script(LIVE_SCENARIO)
    assert "error" not in r, r
    assert r["subscribed"] == ["subscribe:inbox", "subscribe:tab-all"]
    assert r["first"]["type"] == "resume" and r["first"]["lastSeq"] == 7, r["first"]
    assert [s["sub"] for s in r["first"]["subscriptions"]] == ["inbox", "tab-all"]
    assert r["first"]["subscriptions"][1]["pageSize"] == 0
    assert r["states"][-1] == "resynced", r["states"]
    assert r["ids"] == [3] and r["total"] == 1 and r["lastSeq"] == 40
    assert r["after"][0] == "open_thread", r["after"]


def test_select_all_matching_then_bulk_transfer_and_keyboard(env, browsers):
    """"All N matching" sends the filter, not the loaded ids; transfer outcomes show per item.
    The list is usable from the keyboard: arrows move between rows, Enter opens one."""
    server, ws = env
    adm = ws.admin_token
    tag = server.ok("POST", "/api/v1/tags", {"name": "Lote transferir", "color": "#334155"}, adm)["id"]
    convs = [new_conversation(ws, f"Transferir {i}")[0] for i in range(4)]
    for c in convs:
        server.ok("POST", f"/api/v1/conversations/{c['id']}/tags", {"tagId": tag}, adm)
    d = browsers("en")
    H.login(d, server, ws.agents["sofia"]["email"], query=f"?tag={tag}")
    sofia_tok = server.login_token(ws.agents["sofia"]["email"])
    expect_list_matches_api(d, server, sofia_tok, must_contain=[c["id"] for c in convs])
    # Keyboard: focus the first row, arrow down, Enter.
    d.execute_script("document.querySelector('#conv-list .conv-open').focus()")
    from selenium.webdriver.common.keys import Keys
    d.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    d.switch_to.active_element.send_keys(Keys.ENTER)
    second = shown_ids(d)[1]
    H.wait(d).until(lambda d: f"c={second}" in d.current_url)
    H.wait_text(d, "#thread-contact", "Transferir")
    click(d, "#selection-toggle")
    click(d, "#select-all-matching")
    H.wait_text(d, "#selection-count", "All 4 matching selected")
    click(d, "#bulk-transfer")
    Select(d.find_element(By.ID, "transfer-agent")).select_by_value(str(ws.agents["bruno"]["id"]))
    click(d, "#transfer-dialog-ok")
    H.wait(d, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#bulk-progress[data-status='done']")))
    assert "4 of 4" in text_of(d, "#bulk-status")
    outcomes = d.execute_script("return [...document.querySelectorAll('#bulk-results li')].map(li => li.dataset.outcome)")
    assert outcomes == ["done"] * 4, outcomes
    for c in convs:
        H.wait_text(d, f".conv-row[data-id='{c['id']}'] .conv-assignee", "Bruno Lima")
        assert server.ok("GET", f"/api/v1/conversations/{c['id']}", token=adm)["conversation"]["assigneeId"] == ws.agents["bruno"]["id"]
    expect_list_matches_api(d, server, sofia_tok)
