"""Browser tests: Playwright drives Debian's Chromium against the app served in a thread."""

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-results"


def pytest_collection_modifyitems(items):
    """Skip browser tests, loudly, where Chromium is not installed."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason="browser tests need Chromium: apt-get install chromium (CI's .ci/run does this)"
    )
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use the system Chromium, offline."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": ARGS}


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 on a free port, in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def screenshot(page):
    """``screenshot(name, of=page)`` saves a PNG under test-results/ and returns its path."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name, of=None):
        path = SCREENSHOTS / f"{name}.png"
        (of or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(page, live_server):
    """``sign_in(name, on=page)``: log in through the login form (password "secret-pass") on
    the given page (the test's own by default) and wait for the page it leads to, so that
    the next ``goto`` does not cut that navigation short."""

    def fill_in(name, on=None):
        tab = on or page
        tab.goto(f"{live_server}/login")
        tab.get_by_label("Name").fill(name)
        tab.get_by_label("Password").fill("secret-pass")
        tab.keyboard.press("Enter")
        tab.wait_for_url(lambda url: "/login" not in url)

    return fill_in


@pytest.fixture
def alice(seeds, make_user):
    """The seeds imported and an annotator called alice."""
    return make_user("alice").id
