"""pytest fixtures for the browser suite: one seeded server per module (a test that must own its
server, such as the restart test, starts its own), and browsers that are always closed."""
import pytest

import harness as H


@pytest.fixture(scope="module")
def env():
    server, ws = H.start_server(H.BINARY)
    yield server, ws
    server.cleanup()


@pytest.fixture
def browsers():
    """browsers(lang=..., width=..., height=...) -> driver; all quit at the end of the test."""
    made = []

    def make(lang="en", width=1366, height=768):
        d = H.new_browser(lang, width, height)
        made.append(d)
        return d
    yield make
    errors = []
    for d in made:
        try:
            # A script error in the inbox fails the test; network noise (a server being
            # restarted on purpose, a missing favicon) does not.
            errors += [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"
                       and not any(s in e["message"] for s in IGNORED_CONSOLE)]
        except Exception:
            pass
        try:
            d.quit()
        except Exception:
            pass
    assert not errors, f"browser console errors: {errors}"


IGNORED_CONSOLE = ("favicon", "Failed to load resource", "WebSocket connection to", "ERR_CONNECTION_REFUSED",
                   "net::ERR_")
