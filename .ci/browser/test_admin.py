"""The admin pages (web/js/admin/) in a real browser: an admin sets up a workspace from nothing,
the server's errors show on the form, deactivation asks first, non-admins get no admin pages,
both languages are complete, and the sections are usable at desktop and phone width.

Every value typed in the browser is checked afterwards through the HTTP API. The tests share one
server and run in file order: each builds on what the ones before it set up.
"""
from __future__ import annotations

import re
import time

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from harness import PASSWORD, REPO, Server, login, screenshot, wait_text

ADMIN = "admin@acme.test"
SECTIONS = ["overview", "departments", "agents", "tags", "connections", "pipelines", "automations"]
ADMIN_JS = REPO / "web" / "js" / "admin"


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def server():
    """A fresh server with an empty workspace: only its first admin, as create-workspace makes it."""
    s = Server()
    s.create_workspace("Acme", "acme", "Alice Admin", ADMIN, PASSWORD)
    s.start()
    yield s
    s.cleanup()


@pytest.fixture(scope="module")
def token(server):
    return server.login_token(ADMIN)


# ---------------------------------------------------------------- helpers

def wait(driver, timeout: float = 15):
    """harness.wait, but a re-rendered element is looked up again instead of failing the test."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,))


def open_admin(driver, server, email=ADMIN):
    login(driver, server, email)
    driver.find_element(By.ID, "nav-admin").click()
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".adm .adm-nav [data-section]")))


def section(driver, name):
    driver.find_element(By.CSS_SELECTOR, f'.adm-nav [data-section="{name}"]').click()
    wait(driver).until(lambda d: d.find_element(By.CSS_SELECTOR, f'.adm-nav [data-section="{name}"]').get_attribute("aria-current") == "page")
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".adm-main .adm-list[aria-busy='false'], .adm-main .adm-setup[aria-busy='false']"))
    assert driver.execute_script("return location.hash") == f"#/admin/{name}"


def dialog(driver):
    """The top-most open dialog."""
    return wait(driver).until(lambda d: (d.find_elements(By.CSS_SELECTOR, "dialog.adm-dialog[open]") or [None])[-1])


def dialog_with(driver, css=None, text=None):
    """The open dialog that has an element matching css, or that contains text."""
    def find(d):
        for dlg in reversed(d.find_elements(By.CSS_SELECTOR, "dialog.adm-dialog[open]")):
            try:
                if (css and dlg.find_elements(By.CSS_SELECTOR, css)) or (text and text in dlg.text):
                    return dlg
            except StaleElementReferenceException:
                pass
        return False
    return wait(driver).until(find, f"no dialog with {css or text!r}")


def no_dialog(driver):
    wait(driver).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "dialog.adm-dialog[open]"))


def field(dlg, name, tag="input"):
    return dlg.find_element(By.CSS_SELECTOR, f'[data-field="{name}"] {tag}')


def fill(dlg, name, value, tag="input"):
    el = field(dlg, name, tag)
    el.clear()
    el.send_keys(value)
    return el


def submit(dlg):
    dlg.find_element(By.CSS_SELECTOR, ".adm-form button[type=submit]").click()


def new(driver):
    driver.find_element(By.CSS_SELECTOR, '.adm-main [data-action="new"]').click()
    return dialog(driver)


def row(driver, name):
    return wait(driver).until(lambda d: (d.find_elements(By.CSS_SELECTOR, f'.adm-table tr[data-name="{name}"]') or [None])[0],
                              f"no row {name!r}")


def row_action(driver, name, action):
    def click(d):  # the row may be rebuilt under us (a reload after a change): look it up again
        row(d, name).find_element(By.CSS_SELECTOR, f'[data-action="{action}"]').click()
        return True
    wait(driver).until(click)


def field_error(dlg, name):
    return wait(dlg.parent).until(lambda d: (lambda e: e.text if e.is_displayed() and e.text else False)(
        dlg.find_element(By.CSS_SELECTOR, f'[data-field="{name}"] .adm-field-error')))


def items(server, token, path):
    return server.ok("GET", path, token=token)["items"]


def by_name(server, token, path, name):
    found = [i for i in items(server, token, path) if i["name"] == name]
    assert found, f"{name!r} not in {path}"
    return found[0]


def no_horizontal_scroll(driver):
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page scrolls sideways by {overflow}px"


# ---------------------------------------------------------------- tests

def test_admin_sets_up_a_workspace_from_nothing(server, token, browsers):
    d = browsers()
    open_admin(d, server)
    wait_text(d, ".adm-main", "Set up your workspace")
    screenshot(d, "admin-empty-overview-desktop")

    # Department, and the server's errors on the form: empty name, then a duplicate.
    section(d, "departments")
    dlg = new(d)
    fill(dlg, "name", "Suporte")
    submit(dlg)
    no_dialog(d)
    row(d, "Suporte")
    dlg = new(d)
    submit(dlg)
    assert "Invalid value" in field_error(dlg, "name") and "must not be empty" in field_error(dlg, "name")
    assert field(dlg, "name").get_attribute("aria-invalid") == "true"
    assert d.switch_to.active_element == field(dlg, "name"), "focus goes to the field in error"
    fill(dlg, "name", "Suporte")
    submit(dlg)
    wait(d).until(lambda _: "Already in use" in field_error(dlg, "name"))
    assert "already taken" in field_error(dlg, "name")
    dlg.find_element(By.XPATH, ".//button[normalize-space()='Cancel']").click()
    no_dialog(d)
    dlg = new(d)
    fill(dlg, "name", "Vendas")
    submit(dlg)
    row(d, "Vendas")

    # Tag with a colour.
    section(d, "tags")
    dlg = new(d)
    fill(dlg, "name", "VIP")
    d.execute_script("arguments[0].value = '#b45309'; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))",
                     field(dlg, "color"))
    submit(dlg)
    no_dialog(d)
    row(d, "VIP")

    # Connection: the inbound secret is shown once, and it works on the inbound webhook.
    section(d, "connections")
    dlg = new(d)
    fill(dlg, "name", "WhatsApp Principal")
    Select(field(dlg, "kind", "select")).select_by_value("whatsapp")
    submit(dlg)
    dlg = dialog_with(d, css=".adm-secret")
    assert "shown only this once" in dlg.text
    secret = dlg.find_element(By.CSS_SELECTOR, ".adm-secret").get_attribute("value")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret), secret
    conn = by_name(server, token, "/api/v1/connections", "WhatsApp Principal")
    urls = [i.get_attribute("value") for i in dlg.find_elements(By.CSS_SELECTOR, "input.adm-mono")]
    assert f"{server.url}/api/v1/connections/{conn['id']}/inbound" in urls
    screenshot(d, "admin-connection-secret-desktop")
    dlg.find_element(By.XPATH, ".//button[normalize-space()='Done']").click()
    no_dialog(d)
    status, js = server.api("POST", f"/api/v1/connections/{conn['id']}/inbound",
                            {"messageId": "admin-ui-1", "from": {"handle": "+5511988887777", "name": "Maria"}, "text": "Oi"},
                            bearer=secret)
    assert status == 201, js

    # Its outbound adapter: a bad URL is refused by the server, then a webhook with its signing secret.
    row_action(d, "WhatsApp Principal", "outbound")
    dlg = dialog(d)
    Select(field(dlg, "adapter", "select")).select_by_value("webhook")
    fill(dlg, "url", "ftp://nope")
    submit(dlg)
    wait(d).until(lambda _: "Invalid value" in field_error(dlg, "url"))
    fill(dlg, "url", "https://gateway.example.com/switchboard")
    submit(dlg)
    dlg = dialog_with(d, text="Signing secret")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", dlg.find_element(By.CSS_SELECTOR, ".adm-secret").get_attribute("value"))
    dlg.find_element(By.XPATH, ".//button[normalize-space()='Done']").click()
    no_dialog(d)
    wait_text(d, '.adm-table tr[data-name="WhatsApp Principal"]', "https://gateway.example.com/switchboard")

    # Pipeline with two stages, then a third added and moved in the stage editor.
    section(d, "pipelines")
    dlg = new(d)
    fill(dlg, "name", "Funil de vendas")
    fill(dlg, "stages", "Novo lead\nProposta enviada\n", tag="textarea")
    submit(dlg)
    no_dialog(d)
    wait_text(d, '.adm-table tr[data-name="Funil de vendas"]', "Proposta enviada")
    row_action(d, "Funil de vendas", "stages")
    dlg = dialog(d)
    fill(dlg, "name", "Qualificado")
    Select(field(dlg, "position", "select")).select_by_visible_text("Before “Proposta enviada”")
    submit(dlg)
    wait(d).until(lambda _: len(dlg.find_elements(By.CSS_SELECTOR, "[data-stage]")) == 3)
    first = dlg.find_elements(By.CSS_SELECTOR, "[data-stage]")[0]
    first.find_element(By.CSS_SELECTOR, '[data-action="down"]').click()
    wait(d).until(lambda _: [i.get_attribute("value") for i in dlg.find_elements(By.CSS_SELECTOR, "[data-stage] input")]
                  == ["Qualificado", "Novo lead", "Proposta enviada"])
    screenshot(d, "admin-stages-desktop")
    dlg.find_element(By.CSS_SELECTOR, ".adm-dialog-head button").click()
    no_dialog(d)

    # Agent in a department.
    section(d, "agents")
    dlg = new(d)
    fill(dlg, "name", "Carla Atendente")
    fill(dlg, "email", "carla@acme.test")
    fill(dlg, "password", "password123")
    Select(field(dlg, "role", "select")).select_by_value("agent")
    dlg.find_element(By.XPATH, ".//label[normalize-space()='Suporte']").click()
    fill(dlg, "maxOpenConversations", "5")
    submit(dlg)
    no_dialog(d)
    wait_text(d, '.adm-table tr[data-name="Carla Atendente"]', "Suporte")
    # The signed-in admin cannot deactivate themselves: no button on their row.
    assert not row(d, "Alice Admin").find_elements(By.CSS_SELECTOR, '[data-action="deactivate"]')

    # A manual automation: add the tag, then transfer to the department.
    section(d, "automations")
    dlg = new(d)
    fill(dlg, "name", "Encaminhar ao Suporte")
    Select(field(dlg, "kind", "select")).select_by_value("manual")
    steps = lambda: dlg.find_elements(By.CSS_SELECTOR, ".adm-step")  # noqa: E731
    Select(steps()[0].find_element(By.CSS_SELECTOR, "select[name=type]")).select_by_value("add_tag")
    Select(steps()[0].find_element(By.CSS_SELECTOR, "select[name=tagId]")).select_by_visible_text("VIP")
    dlg.find_element(By.CSS_SELECTOR, '[data-action="add-step"]').click()
    Select(steps()[1].find_element(By.CSS_SELECTOR, "select[name=type]")).select_by_value("transfer")
    submit(dlg)
    # transfer with neither department nor agent: the server's error lands on step 2
    wait(d).until(lambda _: steps()[1].find_element(By.CSS_SELECTOR, ".adm-field-error").text)
    Select(steps()[1].find_element(By.CSS_SELECTOR, "select[name=departmentId]")).select_by_visible_text("Suporte")
    screenshot(d, "admin-automation-form-desktop")
    submit(dlg)
    no_dialog(d)
    wait_text(d, '.adm-table tr[data-name="Encaminhar ao Suporte"]', "Transfer: Suporte")

    # Everything exists with the values typed.
    deps = {x["name"]: x for x in items(server, token, "/api/v1/departments")}
    assert set(deps) == {"Suporte", "Vendas"} and all(x["active"] for x in deps.values())
    tag = by_name(server, token, "/api/v1/tags", "VIP")
    assert tag["color"] == "#b45309"
    conn = by_name(server, token, "/api/v1/connections", "WhatsApp Principal")
    assert conn["kind"] == "whatsapp"
    assert conn["outbound"] == {"adapter": "webhook", "url": "https://gateway.example.com/switchboard"}
    pipe = by_name(server, token, "/api/v1/pipelines", "Funil de vendas")
    assert [s["name"] for s in pipe["stages"]] == ["Qualificado", "Novo lead", "Proposta enviada"]
    assert [s["position"] for s in pipe["stages"]] == [0, 1, 2]
    carla = by_name(server, token, "/api/v1/agents", "Carla Atendente")
    assert carla["email"] == "carla@acme.test" and carla["role"] == "agent"
    assert carla["departmentIds"] == [deps["Suporte"]["id"]] and carla["maxOpenConversations"] == 5
    assert server.login_token("carla@acme.test", "password123")
    auto = by_name(server, token, "/api/v1/automations", "Encaminhar ao Suporte")
    assert auto["trigger"] == {"kind": "manual"} and auto["active"] is True
    assert auto["actions"] == [{"type": "add_tag", "tagId": tag["id"]},
                               {"type": "transfer", "departmentId": deps["Suporte"]["id"]}]

    # Overview now counts them.
    section(d, "overview")
    wait(d).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".adm-setup-done")) == 6)
    screenshot(d, "admin-overview-desktop")


def test_edit_and_deactivate_ask_first(server, token, browsers):
    d = browsers()
    open_admin(d, server)
    section(d, "departments")
    # Cancelling the confirmation changes nothing.
    row_action(d, "Vendas", "deactivate")
    dlg = dialog(d)
    assert "Deactivate “Vendas”?" in dlg.text
    dlg.find_element(By.XPATH, ".//button[normalize-space()='Cancel']").click()
    no_dialog(d)
    assert by_name(server, token, "/api/v1/departments", "Vendas")["active"] is True
    # Confirming deactivates; reactivating brings it back.
    row_action(d, "Vendas", "deactivate")
    dialog(d).find_element(By.CSS_SELECTOR, ".adm-btn-danger").click()
    no_dialog(d)
    wait_text(d, '.adm-table tr[data-name="Vendas"]', "Inactive")
    assert by_name(server, token, "/api/v1/departments", "Vendas")["active"] is False
    row_action(d, "Vendas", "reactivate")
    wait_text(d, '.adm-table tr[data-name="Vendas"]', "Active")
    assert by_name(server, token, "/api/v1/departments", "Vendas")["active"] is True

    # Editing an agent sends only what changed; a blank password keeps the old one.
    section(d, "agents")
    row_action(d, "Carla Atendente", "edit")
    dlg = dialog(d)
    assert field(dlg, "password").get_attribute("value") == ""
    fill(dlg, "name", "Carla Souza")
    field(dlg, "maxOpenConversations").clear()
    submit(dlg)
    no_dialog(d)
    row(d, "Carla Souza")
    carla = by_name(server, token, "/api/v1/agents", "Carla Souza")
    assert "maxOpenConversations" not in carla
    assert server.login_token("carla@acme.test", "password123")

    # A duplicate email is the server's 409, shown on the email field.
    dlg = new(d)
    fill(dlg, "name", "Outra Carla")
    fill(dlg, "email", "carla@acme.test")
    fill(dlg, "password", "password123")
    submit(dlg)
    wait(d).until(lambda _: "Already in use" in field_error(dlg, "email"))
    dlg.find_element(By.XPATH, ".//button[normalize-space()='Cancel']").click()
    no_dialog(d)

    # Rotating a connection's secret asks first, shows the new one, and the old one stops working.
    section(d, "connections")
    conn = by_name(server, token, "/api/v1/connections", "WhatsApp Principal")
    row_action(d, "WhatsApp Principal", "rotate")
    dialog(d).find_element(By.CSS_SELECTOR, ".adm-btn-danger").click()
    dlg = dialog_with(d, css=".adm-secret")
    secret = dlg.find_element(By.CSS_SELECTOR, ".adm-secret").get_attribute("value")
    dlg.find_element(By.XPATH, ".//button[normalize-space()='Done']").click()
    no_dialog(d)
    body = {"messageId": "admin-ui-2", "from": {"handle": "+5511988887777"}, "text": "Oi de novo"}
    assert server.api("POST", f"/api/v1/connections/{conn['id']}/inbound", body, bearer=secret)[0] == 201

    # A stage is deactivated after a confirmation, and shown as inactive in the list.
    section(d, "pipelines")
    row_action(d, "Funil de vendas", "stages")
    dlg = dialog(d)
    dlg.find_element(By.CSS_SELECTOR, '[data-stage] [data-action="deactivate"]').click()
    dialog_with(d, text="Deactivate “Qualificado”?").find_element(By.CSS_SELECTOR, ".adm-btn-danger").click()
    wait(d).until(lambda _: dlg.find_elements(By.CSS_SELECTOR, '[data-stage] [data-action="reactivate"]'))
    dlg.find_element(By.CSS_SELECTOR, ".adm-dialog-head button").click()
    no_dialog(d)
    wait_text(d, '.adm-table tr[data-name="Funil de vendas"]', "Qualificado (inactive)")
    stages = by_name(server, token, "/api/v1/pipelines", "Funil de vendas")["stages"]
    assert [(x["name"], x["active"]) for x in stages] == [("Qualificado", False), ("Novo lead", True), ("Proposta enviada", True)]

    # The sandbox adapter: the failure rate is typed as a percentage and checked as one.
    section(d, "connections")
    row_action(d, "WhatsApp Principal", "outbound")
    dlg = dialog(d)
    Select(field(dlg, "adapter", "select")).select_by_value("sandbox")
    assert not field(dlg, "url").is_displayed()
    fill(dlg, "failureRate", "150")
    fill(dlg, "delayMs", "100")
    fill(dlg, "autoReply", "Obrigado!")
    submit(dlg)
    wait(d).until(lambda _: "0 to 100" in field_error(dlg, "failureRate"))
    fill(dlg, "failureRate", "5")
    submit(dlg)
    no_dialog(d)
    wait_text(d, '.adm-table tr[data-name="WhatsApp Principal"]', "Sandbox")
    assert by_name(server, token, "/api/v1/connections", "WhatsApp Principal")["outbound"] == {
        "adapter": "sandbox", "failureRate": 0.05, "delayMs": 100, "autoReply": "Obrigado!"}

    # Deactivating an automation keeps its steps (PUT replaces the whole automation).
    section(d, "automations")
    row_action(d, "Encaminhar ao Suporte", "deactivate")
    dialog(d).find_element(By.CSS_SELECTOR, ".adm-btn-danger").click()
    wait_text(d, '.adm-table tr[data-name="Encaminhar ao Suporte"]', "Inactive")
    auto = by_name(server, token, "/api/v1/automations", "Encaminhar ao Suporte")
    assert auto["active"] is False and len(auto["actions"]) == 2


def test_keyword_automation_runs_on_a_customer_message(server, token, browsers):
    d = browsers()
    open_admin(d, server)
    section(d, "automations")
    dlg = new(d)
    fill(dlg, "name", "Interesse em preço")
    Select(field(dlg, "kind", "select")).select_by_value("keyword")
    fill(dlg, "keywords", "Preço, orçamento", tag="textarea")
    step = dlg.find_element(By.CSS_SELECTOR, ".adm-step")
    text = step.find_element(By.CSS_SELECTOR, "textarea[name=text]")
    text.send_keys("Olá ")
    step.find_element(By.XPATH, ".//button[normalize-space()='{{contact.first_name}}']").click()
    text.send_keys("! Já te passo os valores.")
    submit(dlg)
    no_dialog(d)
    wait_text(d, '.adm-table tr[data-name="Interesse em preço"]', "Keyword: orcamento, preco")
    auto = by_name(server, token, "/api/v1/automations", "Interesse em preço")
    assert auto["trigger"] == {"kind": "keyword", "keywords": ["orcamento", "preco"]}
    assert auto["actions"] == [{"type": "send_message", "text": "Olá {{contact.first_name}}! Já te passo os valores."}]

    # A customer asks about the price: the automation runs, and its run shows in the UI.
    conn = by_name(server, token, "/api/v1/connections", "WhatsApp Principal")
    secret = server.ok("POST", f"/api/v1/connections/{conn['id']}/secret", token=token)["secret"]
    server.ok("POST", f"/api/v1/connections/{conn['id']}/inbound",
              {"messageId": "admin-ui-kw", "from": {"handle": "+5511977776666", "name": "Joana Lima"},
               "text": "Qual o PREÇO do plano?"}, bearer=secret)
    deadline = time.time() + 15
    while not server.ok("GET", f"/api/v1/automations/{auto['id']}/runs", token=token)["items"] and time.time() < deadline:
        time.sleep(0.2)
    row_action(d, "Interesse em preço", "runs")
    dlg = dialog_with(d, css="tr[data-run]")
    run = dlg.find_element(By.CSS_SELECTOR, "tr[data-run]")
    assert "Keyword" in run.text and "Done: 1" in run.text, run.text
    screenshot(d, "admin-automation-runs-desktop")


def test_keyboard_only(server, token, browsers):
    """A department created, renamed and deactivated with the keyboard alone; focus always lands
    somewhere sensible (the dialog's first field, back on the button that opened it)."""
    d = browsers()
    open_admin(d, server)
    section(d, "departments")
    active = lambda: d.switch_to.active_element  # noqa: E731
    new_btn = d.find_element(By.CSS_SELECTOR, '.adm-main [data-action="new"]')
    new_btn.send_keys(Keys.ENTER)
    dlg = dialog(d)
    assert active() == field(dlg, "name"), "the dialog opens on its first field"
    active().send_keys(Keys.ESCAPE)
    no_dialog(d)
    assert active() == new_btn, "Escape closes the dialog and gives focus back"
    new_btn.send_keys(Keys.ENTER)
    dialog(d)
    active().send_keys("Financeiro", Keys.ENTER)
    no_dialog(d)
    row(d, "Financeiro")
    edit = row(d, "Financeiro").find_element(By.CSS_SELECTOR, '[data-action="edit"]')
    edit.send_keys(Keys.ENTER)
    dialog(d)
    active().send_keys(Keys.END, " e Cobrança", Keys.ENTER)
    no_dialog(d)
    wait(d).until(lambda d: active().get_attribute("data-action") == "edit"
                  and active().find_element(By.XPATH, "ancestor::tr").get_attribute("data-name") == "Financeiro e Cobrança")
    active().send_keys(Keys.TAB)  # edit -> deactivate
    assert active().get_attribute("data-action") == "deactivate"
    active().send_keys(Keys.ENTER)
    dlg = dialog(d)
    assert active().text == "Cancel", "the safe choice has focus in a confirmation"
    active().send_keys(Keys.SHIFT, Keys.TAB)
    assert active().text == "Deactivate"
    active().send_keys(Keys.ENTER)
    no_dialog(d)
    wait_text(d, '.adm-table tr[data-name="Financeiro e Cobrança"]', "Inactive")
    wait(d).until(lambda d: active().find_elements(By.XPATH, "ancestor::tr[@data-name='Financeiro e Cobrança']"))
    assert by_name(server, token, "/api/v1/departments", "Financeiro e Cobrança")["active"] is False
    # A visible focus ring on buttons.
    outline = d.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_non_admin_gets_no_admin_pages(server, token, browsers):
    server.ok("POST", "/api/v1/agents", {"name": "Davi Agente", "email": "davi@acme.test",
                                          "password": PASSWORD, "role": "agent"}, token)
    server.ok("POST", "/api/v1/agents", {"name": "Sara Supervisora", "email": "sara@acme.test",
                                          "password": PASSWORD, "role": "supervisor"}, token)
    d = browsers()
    for email in ("davi@acme.test", "sara@acme.test"):
        login(d, server, email)
        assert not d.find_elements(By.ID, "nav-admin")
        d.get(server.url + "/#/admin/agents")
        wait(d, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#conv-list[data-ready='1']")))
        time.sleep(0.5)
        assert not [e for e in d.find_elements(By.CSS_SELECTOR, ".adm") if e.is_displayed()]
        d.execute_script("sessionStorage.clear(); localStorage.removeItem('sb.lang')")


def test_portuguese_and_phone_width(server, browsers):
    d = browsers(lang="pt-BR", width=390, height=844)
    open_admin(d, server)
    nav = d.find_element(By.CSS_SELECTOR, ".adm-nav").text
    for word in ("Primeiros passos", "Departamentos", "Atendentes", "Etiquetas", "Conexões", "Funis", "Automações"):
        assert word in nav
    for name in SECTIONS:
        section(d, name)
        no_horizontal_scroll(d)
        screenshot(d, f"admin-{name}-phone")
    section(d, "automations")
    row_action(d, "Encaminhar ao Suporte", "edit")
    dlg = dialog(d)
    assert "Passos" in dlg.text and "Salvar" in dlg.text
    screenshot(d, "admin-automation-form-phone")
    dlg.find_element(By.XPATH, ".//button[normalize-space()='Cancelar']").click()
    no_dialog(d)
    section(d, "departments")
    dlg = new(d)
    submit(dlg)
    assert "Valor inválido" in field_error(dlg, "name")


def test_desktop_screenshots_of_every_section(server, browsers):
    d = browsers()
    open_admin(d, server)
    for name in SECTIONS:
        section(d, name)
        no_horizontal_scroll(d)
        screenshot(d, f"admin-{name}-desktop")
    # Reload keeps the section (the hash carries it).
    d.refresh()
    wait(d, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, '.adm-nav [data-section="automations"][aria-current="page"]')))
    # Switching the language in the inbox's header re-renders the admin pages in place.
    Select(d.find_element(By.ID, "lang-switch")).select_by_value("pt-BR")
    wait_text(d, ".adm-nav", "Atendentes")
    wait_text(d, ".adm-main h2", "Automações")
    assert d.find_element(By.CSS_SELECTOR, '.adm-nav [data-section="automations"]').get_attribute("aria-current") == "page"
    Select(d.find_element(By.ID, "lang-switch")).select_by_value("en")
    wait_text(d, ".adm-nav", "Agents")


def test_every_string_in_both_languages():
    """Each admin.* key the admin code uses exists in English and Portuguese (static check)."""
    text = (ADMIN_JS / "strings.js").read_text()
    en_part, pt_part = text.split("const ptBR")
    key = re.compile(r'^\s*"(admin\.[^"]+)":', re.M)
    en, pt = set(key.findall(en_part)), set(key.findall(pt_part))
    assert en == pt, f"only en: {sorted(en - pt)}; only pt-BR: {sorted(pt - en)}"
    used = set()
    for f in ADMIN_JS.rglob("*.js"):
        if f.name != "strings.js":
            used |= set(re.findall(r'"(admin\.[A-Za-z0-9_.]*[A-Za-z0-9_])"', f.read_text()))
    assert not used - en, f"used but not defined: {sorted(used - en)}"
    dynamic = {  # keys built from server enums: `admin.role.${role}` and the like
        "admin.role.": ["agent", "supervisor", "admin"], "admin.kind.": ["whatsapp", "instagram", "api", "other"],
        "admin.trigger.": ["manual", "new_conversation", "keyword"],
        "admin.step.": ["send_message", "add_tag", "remove_tag", "move_stage", "transfer", "finish"],
        "admin.outbound.adapter.": ["none", "webhook", "sandbox"],
        "admin.runs.outcome.": ["done", "skipped", "forbidden", "not_found", "failed"],
        "admin.runs.status.": ["running", "done"],
    }
    missing = [p + v for p, vs in dynamic.items() for v in vs if p + v not in en]
    assert not missing, missing
