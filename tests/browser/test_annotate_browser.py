"""An annotator logs in, is handed a sentence in its article, labels it and gets the next."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Annotation, Lease
from tests.helpers import all_saved


def test_label_a_sentence_and_move_on(page, live_server, seeds, make_user, screenshot):
    make_user("alice")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/login")
    page.get_by_label("Name").fill("alice")
    page.get_by_label("Password").fill("secret-pass")
    page.keyboard.press("Enter")
    current = page.locator("mark.current")
    expect(current).to_contain_text("Azerbaijan's Foreign Minister Jeyhun Bayramov met")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Azerbaijan FM informed")
    screenshot("annotate")
    page.get_by_label("Checkworthy claim").check()
    page.get_by_label("Organisation").check()
    page.get_by_role("group", name="Armenia").get_by_label("Neutral").check()
    page.get_by_role("button", name="Save and next").click()
    expect(current).to_contain_text("According to the press service")
    all_saved(page)  # the next sentence shows before the save behind it is acknowledged
    db.session.rollback()
    stored = db.session.scalar(select(Annotation))
    assert stored.labels["claim"] == "checkworthy_claim"
    assert stored.labels["attribution"]["source_type"] == "organisation"
    assert stored.labels["stance"] == {"Azerbaijan": "none", "Armenia": "neutral"}


@pytest.fixture
def elsewhere(live_server):
    """Another site (localhost is not the site 127.0.0.1) with a link to /annotate; its URL."""
    link = f'<!doctype html><title>Elsewhere</title><a href="{live_server}/annotate">Label</a>'
    link = link.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(link)))
            self.end_headers()
            self.wfile.write(link)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}/"
    server.shutdown()
    thread.join()


def leases():
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Lease))


def test_a_link_on_another_site_reserves_nothing_until_the_annotator_goes_on(
    page, live_server, elsewhere, seeds, make_user, screenshot
):
    make_user("alice")
    page.goto(f"{live_server}/login?next=/annotate/history")  # logged in, nothing reserved
    page.get_by_label("Name").fill("alice")
    page.get_by_label("Password").fill("secret-pass")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/annotate/history")
    page.goto(elsewhere)
    page.get_by_role("link", name="Label").click()
    go_on = page.get_by_role("link", name="Go to your next sentence")
    expect(go_on).to_be_visible()
    screenshot("annotate-from-elsewhere")
    assert leases() == 0
    expect(go_on).to_be_focused()  # Enter goes on, as everywhere in the workspace
    page.keyboard.press("Enter")
    expect(page.locator("mark.current")).to_contain_text("Azerbaijan's Foreign Minister")
    expect(page.locator("#saving")).to_have_attribute("data-ahead", "1")
    assert leases() == 2  # the sentence shown, and the next one fetched ahead
