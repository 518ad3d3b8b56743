"""End-to-end tests of the web inbox in headless Chromium against a real server.

Each test asserts what a user sees (text in the list, tab counts, notices) and compares it with
what the HTTP API answers for the same filter, so a UI that drifts from the protocol fails."""
import threading
import time
import urllib.parse
import uuid

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

import harness as H

# ---------------------------------------------------------------- helpers

def shown_ids(d):
    return [int(x) for x in d.execute_script(
        "return [...document.querySelectorAll('#conv-list .conv-row')].map(r => r.dataset.id)")]


def shown_names(d):
    return d.execute_script(
        "return [...document.querySelectorAll('#conv-list .conv-name')].map(r => r.textContent)")


def tab_counts(d):
    return d.execute_script(
        "const o = {}; for (const s of ['all','mine','unassigned']) {"
        " const el = document.querySelector('#tab-' + s + ' .tab-count'); o[s] = el && el.dataset.count !== '' ? Number(el.dataset.count) : null; }"
        " return o;")


def url_query(d):
    """The inbox URL's filter as an HTTP API query (the URL uses the API's parameter names)."""
    q = urllib.parse.urlsplit(d.current_url).query
    pairs = [(k, v) for k, v in urllib.parse.parse_qsl(q, keep_blank_values=True) if k != "c"]
    if not any(k == "status" for k, _ in pairs):
        pairs.append(("status", "open"))  # the UI's default, "Todas em aberto"
    return pairs


def expect_list_matches_api(d, server, token, must_contain=(), must_not_contain=(), timeout=15):
    """Waits until the list shown (ids, in order) and the tab badges equal the API's answers for
    the filter in the URL. Returns the ids."""
    pairs = url_query(d)
    api = server.ok("GET", "/api/v1/conversations?" + urllib.parse.urlencode(pairs + [("limit", "200")]), token=token)
    expected = [c["id"] for c in api["items"]]
    counts = server.ok("GET", "/api/v1/conversations/counts?" + urllib.parse.urlencode(
        [(k, v) for k, v in pairs if k not in ("scope", "order")]), token=token)
    for cid in must_contain:
        assert cid in expected, f"test data: {cid} should match {pairs}"
    for cid in must_not_contain:
        assert cid not in expected, f"test data: {cid} should not match {pairs}"
    try:
        H.wait(d, timeout).until(lambda d: shown_ids(d) == expected and tab_counts(d) == counts)
    except TimeoutException:
        raise AssertionError(f"filter {pairs}: shown {shown_ids(d)} tabs {tab_counts(d)}; "
                             f"API {expected} counts {counts}")
    return expected


def click(d, css):
    return H.click(d, css)


def text_of(d, css):
    """The element's visible text, read in one script call (no stale element in between)."""
    return d.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : \"\"", css)


def set_check(d, input_id, on):
    if not d.find_elements(By.ID, "filter-panel"):
        click(d, "#filters-toggle")
    H.wait(d).until(EC.element_to_be_clickable((By.ID, input_id)))
    if d.find_element(By.ID, input_id).is_selected() != on:
        H.click(d, f"#{input_id}")
        H.wait(d).until(lambda d: d.find_element(By.ID, input_id).is_selected() == on)


def open_conversation(d, cid):
    click(d, f"#conv-list .conv-row[data-id='{cid}'] .conv-open")
    H.wait(d).until(lambda d: d.find_elements(By.ID, "thread-contact"))


def new_conversation(ws, name, conn="WhatsApp Principal", text=None):
    handle = "+55" + str(uuid.uuid4().int)[:11]
    js = ws.inbound(conn, handle, name, text or f"Oi, sou {name}")
    return js["conversation"], handle


# ---------------------------------------------------------------- tests

def test_login_wrong_password_then_who_i_am_and_logout(env, browsers):
    server, ws = env
    d = browsers("en")
    H.login(d, server, ws.agents["ana"]["email"], "wrong-password", expect_ok=False)
    assert text_of(d, "#login-error") == "Wrong email or password."
    H.screenshot(d, "login-error-desktop")
    H.login(d, server, ws.agents["ana"]["email"])
    assert "Ana Souza" in text_of(d, "#me-name")
    assert "agent" in text_of(d, "#me-name")
    assert not d.find_elements(By.ID, "nav-admin"), "agents get no Admin entry"
    click(d, "#logout")
    H.wait(d).until(EC.visibility_of_element_located((By.ID, "login-email")))
    d.refresh()  # the session is gone for good, not only hidden
    H.wait(d).until(EC.visibility_of_element_located((By.ID, "login-email")))


def test_tabs_order_and_each_filter_match_the_api(env, browsers):
    server, ws = env
    adm = ws.admin_token
    ana = ws.agents["ana"]
    ana_tok = server.login_token(ana["email"])
    bruno_tok = server.login_token(ws.agents["bruno"]["email"])
    # Exact data, one conversation per case.
    c1, _ = new_conversation(ws, "Carla Dias")                                # unassigned, VIP, stage
    c2, _ = new_conversation(ws, "Diego Alves", "Instagram Loja")             # ana's, awaiting reply
    c3, _ = new_conversation(ws, "Elisa Prado")                               # bruno's, finished
    c4, _ = new_conversation(ws, "Fabio Reis", "Instagram Loja")              # Suporte only: hidden from ana
    c5, _ = new_conversation(ws, "Gabi Nunes")                                # Vendas, ana's, send failed
    c6, _ = new_conversation(ws, "Hugo Melo", "Instagram Loja")               # automation
    server.ok("POST", f"/api/v1/conversations/{c1['id']}/tags", {"tagId": ws.tags["VIP"]}, adm)
    server.ok("PUT", "/api/v1/deals", {"externalId": "deal-c1", "contactId": c1["contactId"],
                                       "stageId": ws.stages["Proposta enviada"], "title": "Plano anual"}, adm)
    server.ok("POST", f"/api/v1/conversations/{c2['id']}/tags", {"tagId": ws.tags["Lead quente"]}, adm)
    server.ok("POST", f"/api/v1/conversations/{c2['id']}/claim", None, ana_tok)
    server.ok("POST", f"/api/v1/conversations/{c2['id']}/messages", {"clientMessageId": "r-c2", "text": "Já te respondo"}, ana_tok)
    server.ok("POST", f"/api/v1/conversations/{c3['id']}/claim", None, bruno_tok)
    server.ok("POST", f"/api/v1/conversations/{c3['id']}/finish", None, bruno_tok)
    server.ok("POST", f"/api/v1/conversations/{c4['id']}/transfer", {"departmentId": ws.departments["Suporte"]}, adm)
    server.ok("POST", f"/api/v1/conversations/{c5['id']}/transfer", {"departmentId": ws.departments["Vendas"]}, adm)
    server.ok("POST", f"/api/v1/conversations/{c5['id']}/tags", {"tagId": ws.tags["Retorno"]}, adm)
    server.ok("POST", f"/api/v1/conversations/{c5['id']}/claim", None, ana_tok)
    sent = server.ok("POST", f"/api/v1/conversations/{c5['id']}/messages", {"clientMessageId": "r-c5", "text": "Segue o boleto"}, ana_tok)
    conn = ws.connections["WhatsApp Principal"]
    server.ok("POST", f"/api/v1/connections/{conn['id']}/delivery",
              {"messageId": sent["message"]["id"], "status": "failed", "reason": "number blocked"}, bearer=conn["secret"])
    auto = server.ok("POST", "/api/v1/automations", {"name": "Resposta padrão", "trigger": {"kind": "manual"},
                                                     "actions": [{"type": "send_message", "text": "Olá {{contact.first_name}}!"}]}, adm)
    run = server.ok("POST", "/api/v1/bulk", {"idempotencyKey": "auto-c6", "action": {"type": "automation", "automationId": auto["id"]},
                                              "conversationIds": [c6["id"]]}, adm)["run"]
    deadline = time.time() + 10
    while server.ok("GET", f"/api/v1/runs/{run['id']}", token=adm)["status"] != "done":
        assert time.time() < deadline, "automation run never ended"
        time.sleep(0.1)

    d = browsers("en")
    H.login(d, server, ana["email"])
    ids = expect_list_matches_api(d, server, ana_tok, must_contain=[c1["id"], c2["id"], c5["id"], c6["id"]],
                                  must_not_contain=[c3["id"], c4["id"]])
    assert "Carla Dias" in shown_names(d) and "Fabio Reis" not in shown_names(d)
    # What each entry shows: connection, assignee, markers, tags, stage.
    row5 = text_of(d, f".conv-row[data-id='{c5['id']}']")
    assert "Gabi Nunes" in row5 and "WhatsApp Principal" in row5 and "Ana Souza" in row5
    assert "Send failed" in row5 and "Retorno" in row5
    row1 = text_of(d, f".conv-row[data-id='{c1['id']}']")
    assert "Unassigned" in row1 and "VIP" in row1 and "Proposta enviada" in row1
    assert "Automations" in text_of(d, f".conv-row[data-id='{c6['id']}']")
    assert len(ids) >= 4

    click(d, "#tab-mine")
    expect_list_matches_api(d, server, ana_tok, must_contain=[c2["id"], c5["id"]], must_not_contain=[c1["id"]])
    click(d, "#tab-unassigned")
    expect_list_matches_api(d, server, ana_tok, must_contain=[c1["id"]], must_not_contain=[c2["id"]])
    click(d, "#tab-all")
    Select(d.find_element(By.ID, "order-switch")).select_by_value("oldest")
    oldest = expect_list_matches_api(d, server, ana_tok)
    assert oldest == list(reversed(ids)) or len(oldest) != len(ids)
    Select(d.find_element(By.ID, "order-switch")).select_by_value("newest")
    expect_list_matches_api(d, server, ana_tok)

    # Status, one at a time (unchecking "All open" first).
    set_check(d, "f-status-open", False)
    expect_list_matches_api(d, server, ana_tok, must_contain=[c3["id"]])  # any status: finished ones too
    for status, inside, outside in (("awaiting_reply", c2, c1), ("send_failed", c5, c2), ("finished", None, c1),
                                    ("automations", c6, c1)):
        set_check(d, f"f-status-{status}", True)
        expect_list_matches_api(d, server, ana_tok, must_contain=[inside["id"]] if inside else (),
                                must_not_contain=[outside["id"]])
        if status == "awaiting_reply":
            H.screenshot(d, "filters-open-desktop")
        set_check(d, f"f-status-{status}", False)
    set_check(d, "f-status-open", True)
    # Connection, tag, stage, department.
    for input_id, inside, outside in ((f"f-connection-{ws.connections['Instagram Loja']['id']}", c2, c1),
                                      (f"f-tag-{ws.tags['VIP']}", c1, c2),
                                      (f"f-stage-{ws.stages['Proposta enviada']}", c1, c5),
                                      (f"f-department-{ws.departments['Vendas']}", c5, c1)):
        set_check(d, input_id, True)
        expect_list_matches_api(d, server, ana_tok, must_contain=[inside["id"]], must_not_contain=[outside["id"]])
        set_check(d, input_id, False)
    # Combined, shown as chips, kept in the URL across a reload, cleared by a chip.
    set_check(d, f"f-tag-{ws.tags['VIP']}", True)
    set_check(d, f"f-tag-{ws.tags['Retorno']}", True)
    set_check(d, f"f-connection-{conn['id']}", True)
    expect_list_matches_api(d, server, ana_tok, must_contain=[c1["id"], c5["id"]], must_not_contain=[c2["id"]])
    click(d, "#filters-close")
    d.refresh()
    H.wait(d, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#conv-list[data-ready='1']")))
    chips = text_of(d, "#filter-chips")
    assert "Tag: VIP" in chips and "Tag: Retorno" in chips and "Connection: WhatsApp Principal" in chips
    expect_list_matches_api(d, server, ana_tok, must_contain=[c1["id"], c5["id"]])
    click(d, f"[data-chip='tagIds-{ws.tags['VIP']}']")
    expect_list_matches_api(d, server, ana_tok, must_contain=[c5["id"]], must_not_contain=[c1["id"]])
    click(d, "#filters-clear")
    expect_list_matches_api(d, server, ana_tok, must_contain=[c1["id"], c2["id"]])


def test_inbound_conversation_appears_live_and_thread_updates(env, browsers):
    server, ws = env
    d = browsers("en")
    H.login(d, server, ws.agents["ana"]["email"])
    before = tab_counts(d)
    c, handle = new_conversation(ws, "Ivo Live", text="Tem desconto?")
    H.wait_text(d, "#conv-list .conv-row", "Ivo Live")
    H.wait_text(d, f".conv-row[data-id='{c['id']}']", "Tem desconto?")
    assert shown_names(d)[0] == "Ivo Live", "newest first"
    H.wait(d).until(lambda d: tab_counts(d)["all"] == before["all"] + 1 and tab_counts(d)["unassigned"] == before["unassigned"] + 1)
    # Server data is text, never markup.
    new_conversation(ws, "<img src=x onerror=window.__xss=1>Zé", text="<b>negrito?</b>")
    H.wait_text(d, "#conv-list", "<img src=x onerror=window.__xss=1>Zé")
    H.wait_text(d, "#conv-list", "<b>negrito?</b>")
    assert not d.find_elements(By.CSS_SELECTOR, "#conv-list img, #conv-list b")
    assert d.execute_script("return window.__xss") is None
    open_conversation(d, c["id"])
    H.wait_text(d, "#messages", "Tem desconto?")
    ws.inbound("WhatsApp Principal", handle, "Ivo Live", "Alô? Ainda aí?")
    H.wait_text(d, "#messages", "Alô? Ainda aí?")
    H.wait_text(d, f".conv-row[data-id='{c['id']}'] .conv-preview", "Alô? Ainda aí?")
    # Claim, reply, and see the delivery status of the reply.
    click(d, "#act-claim")
    H.wait_text(d, "#thread-assignee", "Ana Souza")
    box = d.find_element(By.ID, "composer")
    box.send_keys("Temos sim, 10% hoje")
    # The customer writes while Ana types: the traffic cop holds her reply back (nothing is
    # stored) until she chooses to send it anyway; her text is kept.
    ws.inbound("WhatsApp Principal", handle, "Ivo Live", "Ou 15%?")
    H.wait_text(d, "#messages", "Ou 15%?")
    click(d, "#send")
    H.wait_text(d, "#thread-notice", "The customer wrote again")
    assert not d.find_elements(By.CSS_SELECTOR, "#messages .msg-out")
    assert d.find_element(By.ID, "composer").get_attribute("value") == "Temos sim, 10% hoje"
    click(d, "#thread-notice .btn-link")
    H.wait_text(d, "#messages .msg-out", "Temos sim, 10% hoje")
    assert d.find_element(By.CSS_SELECTOR, "#messages .msg-out .delivery").get_attribute("data-status") == "pending"
    H.wait(d).until(lambda d: d.find_element(By.ID, "composer").get_attribute("value") == "")
    H.screenshot(d, "thread-desktop")
    click(d, "#act-release")
    H.wait_text(d, "#thread-assignee", "Unassigned")
    H.wait_text(d, f".conv-row[data-id='{c['id']}'] .conv-assignee", "Unassigned")
    assert "assigneeId" not in server.ok("GET", f"/api/v1/conversations/{c['id']}", token=ws.admin_token)["conversation"]


def test_two_agents_race_to_claim_exactly_one_wins(env, browsers):
    server, ws = env
    ana, bruno = ws.agents["ana"], ws.agents["bruno"]
    da, db = browsers("en"), browsers("en")
    for d, who in ((da, ana), (db, bruno)):
        H.login(d, server, who["email"], query="?scope=unassigned")
    for attempt in range(3):
        c, _ = new_conversation(ws, f"Julia Corrida {attempt}")
        for d in (da, db):
            H.wait_text(d, "#conv-list .conv-row", f"Julia Corrida {attempt}")
            open_conversation(d, c["id"])
            H.wait(d).until(EC.element_to_be_clickable((By.ID, "act-claim")))
        # Both click "Claim" at the same instant (same machine clock), so both claims leave
        # before either browser hears of the other's.
        at = int(time.time() * 1000) + 1500
        script = ("const b = document.getElementById('act-claim'); const at = arguments[0];"
                  "window.__claimSent = null;"
                  "setTimeout(() => { window.__claimSent = b.isConnected; b.click(); }, at - Date.now());")
        ts = [threading.Thread(target=d.execute_script, args=(script, at)) for d in (da, db)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        H.wait(da).until(lambda _: da.execute_script("return window.__claimSent") is not None and db.execute_script("return window.__claimSent") is not None)
        if not (da.execute_script("return window.__claimSent") and db.execute_script("return window.__claimSent")):
            continue  # one browser heard of the claim before clicking: no race happened, try again
        H.wait(da).until(lambda _: "assigneeId" in server.ok("GET", f"/api/v1/conversations/{c['id']}", token=ws.admin_token)["conversation"])
        winner_id = server.ok("GET", f"/api/v1/conversations/{c['id']}", token=ws.admin_token)["conversation"]["assigneeId"]
        assert winner_id in (ana["id"], bruno["id"])
        winner, loser = (ana, bruno) if winner_id == ana["id"] else (bruno, ana)
        dw, dl = (da, db) if winner is ana else (db, da)
        # The loser is told who won, at once, by name.
        H.wait_text(dl, "#thread-notice", f"{winner['name']} has this conversation.")
        H.wait_text(dw, "#thread-assignee", winner["name"])
        H.wait_text(dl, "#thread-assignee", winner["name"])
        assert not dw.find_elements(By.CSS_SELECTOR, "#thread-notice.notice-error")
        # It leaves both Unassigned lists.
        for d in (dw, dl):
            H.wait(d).until(lambda d: c["id"] not in shown_ids(d))
        tok = server.login_token(loser["email"])
        expect_list_matches_api(dl, server, tok, must_not_contain=[c["id"]])
        H.screenshot(dl, "claim-conflict-desktop")
        return
    raise AssertionError("could not produce a simultaneous claim in 3 attempts")


def test_bulk_finish_of_a_selection(env, browsers):
    server, ws = env
    ana = ws.agents["ana"]
    ana_tok = server.login_token(ana["email"])
    convs = [new_conversation(ws, f"Lote {i}")[0] for i in range(3)]
    d = browsers("en")
    H.login(d, server, ana["email"])
    for c in convs:
        H.wait(d).until(lambda d: c["id"] in shown_ids(d))
    click(d, "#selection-toggle")
    for c in convs:
        click(d, f".conv-row[data-id='{c['id']}'] .conv-check")
    H.wait_text(d, "#selection-count", "3 selected")
    H.screenshot(d, "selection-desktop")
    click(d, "#bulk-finish")
    H.wait(d).until(EC.visibility_of_element_located((By.ID, "confirm-dialog")))
    assert "Finish 3 conversations?" in text_of(d, "#confirm-dialog")
    click(d, "#confirm-dialog-ok")
    H.wait(d, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#bulk-progress[data-status='done']")))
    status = text_of(d, "#bulk-status")
    assert "3 of 3" in status, status
    results = d.find_elements(By.CSS_SELECTOR, "#bulk-results li")
    assert sorted(int(r.get_attribute("data-id")) for r in results) == sorted(c["id"] for c in convs)
    assert all(r.get_attribute("data-outcome") == "done" and "Done" in r.text for r in results)
    assert "Lote 0" in text_of(d, "#bulk-results")
    for c in convs:
        H.wait(d).until(lambda d: c["id"] not in shown_ids(d))
    expect_list_matches_api(d, server, ana_tok, must_not_contain=[c["id"] for c in convs])
    H.screenshot(d, "selection-results-desktop")


def test_language_follows_browser_and_switches(env, browsers):
    server, ws = env
    d = browsers("pt-BR")
    d.get(server.url + "/")
    H.wait(d).until(EC.visibility_of_element_located((By.ID, "login-submit")))
    assert text_of(d, "#login-submit") == "Entrar"
    H.screenshot(d, "login-desktop")
    H.login(d, server, ws.agents["ana"]["email"])
    assert text_of(d, "#tab-all").startswith("Todos")
    assert text_of(d, "#tab-unassigned").startswith("Sem atendente")
    assert text_of(d, "#selection-toggle") == "Ação seleção"
    Select(d.find_element(By.ID, "lang-switch")).select_by_value("en")
    H.wait(d).until(lambda d: text_of(d, "#tab-all").startswith("All"))
    assert text_of(d, "#tab-unassigned").startswith("Unassigned")
    assert text_of(d, "#conn-state") == "Connected"
    assert d.execute_script("return document.documentElement.lang") == "en"
    d.refresh()  # the choice is remembered
    H.wait(d, 30).until(lambda d: d.find_elements(By.ID, "tab-all") and text_of(d, "#tab-all").startswith("All"))


def test_phone_width_list_and_thread_are_separate_screens(env, browsers):
    server, ws = env
    c, _ = new_conversation(ws, "Karina Celular", text="Oi! " + "Quero-saber-do-pedido-" * 12)
    d = browsers("pt-BR", 390, 844)
    d.get(server.url + "/")
    H.wait(d).until(EC.visibility_of_element_located((By.ID, "login-submit")))
    H.screenshot(d, "login-phone")
    H.login(d, server, ws.agents["ana"]["email"])
    H.wait_text(d, "#conv-list", "Karina Celular")
    assert d.find_element(By.ID, "conv-list").is_displayed()
    assert not d.find_element(By.ID, "thread").is_displayed()
    width = d.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"no sideways scrolling on a phone ({width}px)"
    H.screenshot(d, "inbox-phone")
    click(d, "#filters-toggle")
    H.screenshot(d, "filters-open-phone")
    click(d, "#filters-close")
    open_conversation(d, c["id"])
    H.wait(d).until(lambda d: d.find_element(By.ID, "thread").is_displayed() and not d.find_element(By.ID, "conv-list").is_displayed())
    assert d.find_element(By.ID, "composer").is_displayed()
    width = d.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"no sideways scrolling in a thread on a phone ({width}px)"
    H.screenshot(d, "thread-phone")
    click(d, "#thread-back")
    H.wait(d).until(lambda d: d.find_element(By.ID, "conv-list").is_displayed() and not d.find_element(By.ID, "thread").is_displayed())
    click(d, "#selection-toggle")
    H.screenshot(d, "selection-phone")


def test_desktop_screenshots_and_admin_shell(env, browsers):
    server, ws = env
    d = browsers("pt-BR")
    H.login(d, server, ws.admin)
    H.wait(d).until(lambda d: tab_counts(d)["all"] is not None)
    H.screenshot(d, "inbox-desktop")
    click(d, "#nav-admin")
    H.wait(d).until(lambda d: "#/admin" in d.current_url and d.find_element(By.ID, "admin-view").is_displayed())
    H.wait(d).until(lambda d: text_of(d, "#admin-view").strip() != "")
    H.screenshot(d, "admin-desktop")
    click(d, "#nav-inbox")
    H.wait(d).until(lambda d: d.find_element(By.ID, "inbox-view").is_displayed())
    p = browsers("pt-BR", 390, 844)
    H.login(p, server, ws.admin, query="#/admin")
    H.wait(p).until(lambda d: text_of(d, "#admin-view").strip() != "")
    H.screenshot(p, "admin-phone")


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
