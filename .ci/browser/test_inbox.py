"""End-to-end tests of the web inbox in headless Chromium against a real server: signing in, tabs
and filters, live arrivals, claiming, bulk runs, language and layouts.

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
from inbox_helpers import shown_ids, shown_names, tab_counts, url_query, expect_list_matches_api, click, text_of, set_check, open_conversation, new_conversation

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
