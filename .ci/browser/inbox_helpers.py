"""What the inbox tests read from and do to the page: the list, tabs and URL as a user sees them,
and conversations created through the inbound API."""
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
