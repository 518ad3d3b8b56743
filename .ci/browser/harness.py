"""Harness for the browser suite: a real switchboard server, a workspace set up over HTTP, and
headless Chromium driven by Selenium.

Stable API (test_inbox.py and test_admin.py use it; keep it backwards compatible):

    BINARY                          path of the switchboard binary: env SWITCHBOARD_BIN, set by run.sh
    SCREENSHOTS                     <repo>/screenshots/

    Server(binary=BINARY)           a server on a free port with a fresh data dir (not started)
      .create_workspace(name, slug, admin_name, admin_email, admin_password)   (before start)
      .start(); .stop(); .restart()   restart keeps the port and the data dir
      .url                            "http://127.0.0.1:<port>"
      .api(method, path, body=None, token=None, bearer=None) -> (status, json or None)
      .login_token(email, password) -> token
    start_server(binary=BINARY) -> (Server, Workspace)
                                    fresh server + workspace "Acme" seeded by seed_workspace()
    seed_workspace(server) -> Workspace
                                    admin + agents/departments/tags/connections/pipeline over HTTP
    Workspace: .admin_token, .admin (email), .agents {"ana": {...}, "bruno": {...}},
               .departments {name: id}, .tags {name: id}, .stages {name: id},
               .connections {name: {"id", "secret"}}, .inbound(conn_name, handle, name, text) -> json,
               PASSWORD (every account's password)

    new_browser(lang="en", width=1366, height=768) -> WebDriver (headless Chromium, --no-sandbox)
    login(driver, server, email, password, expect_ok=True)
                                    opens the page, signs in, waits for the inbox (or the error)
    wait(driver, timeout=15).until(...)     an explicit WebDriverWait
    wait_text(driver, css, text, timeout=20) waits until the element's text contains `text`
    click(driver, css, timeout=20)  clicks the element once it is clickable (retries a stale one)
    screenshot(driver, name)        writes screenshots/<name>.png
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("SWITCHBOARD_BIN", str(REPO / ".build/debug/switchboard"))
SCREENSHOTS = REPO / "screenshots"
WEB_ROOT = REPO / "web"
PASSWORD = "password123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One switchboard process. restart() stops it and starts it again on the same port and data
    dir, which is what the reconnect test needs (a browser tab outliving the server)."""

    def __init__(self, binary: str = BINARY, port: int | None = None):
        self.binary = binary
        self.port = port or free_port()
        self.data_dir = tempfile.mkdtemp(prefix="sb-browser-")
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = os.path.join(self.data_dir, "server.log")

    def create_workspace(self, name, slug, admin_name, admin_email, admin_password=PASSWORD):
        subprocess.run(
            [self.binary, "create-workspace", "--data-dir", self.data_dir, "--name", name,
             "--slug", slug, "--admin-name", admin_name, "--admin-email", admin_email,
             "--admin-password", admin_password],
            check=True, capture_output=True, timeout=60)

    def start(self, timeout: float = 60):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port), "--data-dir", self.data_dir,
             "--bcrypt-cost", "4", "--web-root", str(WEB_ROOT), "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log_path).read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not become healthy")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def restart(self):
        self.stop()
        self.start()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def api(self, method, path, body=None, token=None, bearer=None):
        """HTTP call; returns (status, parsed JSON or None). Never raises on HTTP errors."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token or bearer:
            req.add_header("Authorization", f"Bearer {token or bearer}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, (json.loads(raw) if raw else None)

    def ok(self, method, path, body=None, token=None, bearer=None):
        status, js = self.api(method, path, body, token, bearer)
        assert 200 <= status < 300, f"{method} {path} -> {status} {js}"
        return js

    def login_token(self, email, password=PASSWORD):
        return self.ok("POST", "/api/v1/auth/login", {"email": email, "password": password})["token"]


class Workspace:
    def __init__(self, server: Server):
        self.server = server
        self.admin = "admin@acme.test"
        self.admin_token = ""
        self.agents: dict[str, dict] = {}
        self.departments: dict[str, int] = {}
        self.tags: dict[str, int] = {}
        self.stages: dict[str, int] = {}
        self.connections: dict[str, dict] = {}
        self._n = 0

    def inbound(self, conn_name, handle, name, text):
        """A customer message through the connection's webhook (§11.1)."""
        self._n += 1
        c = self.connections[conn_name]
        return self.server.ok("POST", f"/api/v1/connections/{c['id']}/inbound",
                              {"messageId": f"m-{time.time_ns()}-{self._n}",
                               "from": {"handle": handle, "name": name}, "text": text},
                              bearer=c["secret"])


def seed_workspace(server: Server) -> Workspace:
    """Exact data: 2 departments, 3 tags, 2 connections, a pipeline of 3 stages, agents Ana
    (Vendas) and Bruno (Vendas), supervisor Sofia. No conversations: tests create their own."""
    ws = Workspace(server)
    s = server
    ws.admin_token = tok = s.login_token(ws.admin)
    for d in ("Vendas", "Suporte"):
        ws.departments[d] = s.ok("POST", "/api/v1/departments", {"name": d}, tok)["id"]
    for t, color in (("VIP", "#b45309"), ("Lead quente", "#dc2626"), ("Retorno", "#0891b2")):
        ws.tags[t] = s.ok("POST", "/api/v1/tags", {"name": t, "color": color}, tok)["id"]
    for c, kind in (("WhatsApp Principal", "whatsapp"), ("Instagram Loja", "instagram")):
        js = s.ok("POST", "/api/v1/connections", {"name": c, "kind": kind}, tok)
        ws.connections[c] = {"id": js["connection"]["id"], "secret": js["secret"]}
    p = s.ok("POST", "/api/v1/pipelines",
             {"name": "Funil", "stages": ["Novo lead", "Proposta enviada", "Fechado"]}, tok)
    ws.stages = {st["name"]: st["id"] for st in p["stages"]}
    for key, name, role, deps in (("ana", "Ana Souza", "agent", ["Vendas"]),
                                  ("bruno", "Bruno Lima", "agent", ["Vendas"]),
                                  ("sofia", "Sofia Supervisora", "supervisor", [])):
        email = f"{key}@acme.test"
        a = s.ok("POST", "/api/v1/agents",
                 {"name": name, "email": email, "password": PASSWORD, "role": role,
                  "departmentIds": [ws.departments[d] for d in deps]}, tok)
        ws.agents[key] = {"id": a["id"], "email": email, "name": name}
    return ws


def start_server(binary: str = BINARY):
    server = Server(binary)
    server.create_workspace("Acme", "acme", "Alice Admin", "admin@acme.test", PASSWORD)
    server.start()
    return server, seed_workspace(server)


def new_browser(lang: str = "en", width: int = 1366, height: int = 768):
    opts = webdriver.ChromeOptions()
    opts.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              f"--lang={lang}", f"--window-size={width},{height}", "--disable-extensions",
              "--no-first-run", "--disable-background-timer-throttling",
              "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"):
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"intl.accept_languages": lang})
    service = webdriver.ChromeService(executable_path=os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=opts, service=service)
    driver.set_window_size(width, height)
    driver.set_page_load_timeout(30)
    return driver


def wait(driver, timeout: float = 20):
    """A WebDriverWait that treats a re-rendered (stale) or not-yet-rendered element as "not yet":
    the inbox re-renders parts of the page whenever the stream brings a change."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))


def wait_text(driver, css, text, timeout: float = 20):
    def has(d):
        for el in d.find_elements(By.CSS_SELECTOR, css):
            try:
                if text in el.text:
                    return el
            except StaleElementReferenceException:
                pass
        return False
    return wait(driver, timeout).until(has, f"{css!r} never contained {text!r}")


def click(driver, css, timeout: float = 20):
    def attempt(d):
        el = d.find_element(By.CSS_SELECTOR, css)
        if not (el.is_displayed() and el.is_enabled()):
            return False
        el.click()
        return el
    return wait(driver, timeout).until(attempt, f"could not click {css!r}")


def login(driver, server: Server, email: str, password: str = PASSWORD, expect_ok: bool = True, query: str = ""):
    """Opens the inbox, signs in through the form, waits until the list is live (or, with
    expect_ok=False, until the error shows)."""
    driver.get(server.url + "/" + query)
    wait(driver, 30).until(EC.element_to_be_clickable((By.ID, "login-email")))
    driver.find_element(By.ID, "login-email").clear()
    driver.find_element(By.ID, "login-email").send_keys(email)
    driver.find_element(By.ID, "login-password").clear()
    driver.find_element(By.ID, "login-password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    if expect_ok:
        wait(driver, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#conv-list[data-ready='1']")))
        wait(driver, 30).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#conn-state[data-state='connected']")))
    else:
        wait(driver).until(EC.visibility_of_element_located((By.ID, "login-error")))


def screenshot(driver, name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
