"""When the database cannot take a save, the annotator is told why and loses nothing."""

import re
import sqlite3

from playwright.sync_api import expect
from sqlalchemy.exc import OperationalError

from annotator.pages.errors import database_unavailable
from tests.helpers import annotations_by


def test_a_full_disk_keeps_the_entries_and_says_why(page, alice, app, sign_in, screenshot):
    full = OperationalError("INSERT …", {}, sqlite3.OperationalError("database or disk is full"))
    with app.test_request_context():
        body, status, headers = database_unavailable(full)  # the server's real 503 page

    def unavailable(route):
        if route.request.method != "POST":
            return route.continue_()
        return route.fulfill(status=status, body=body, headers=headers)

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in("alice")
    expect(page.locator("#group-claim")).to_have_class(re.compile("active"))  # keys work
    current = page.locator("#current")
    first = current.inner_text()
    page.route("**/annotate/*", unavailable)
    page.keyboard.press("2")  # a claim
    page.keyboard.press("o")
    page.keyboard.type("AzerNews")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    message = page.locator("#client-message")
    expect(message).to_contain_text("The server's disk is full")
    expect(message).to_contain_text("Nothing was saved; your entries are still here")
    expect(current).to_have_text(first)  # still the same sentence, with what was chosen
    expect(page.locator("#label-form input[name=claim][value=claim]")).to_be_checked()
    expect(page.locator("#label-form input[name=outlet]")).to_have_value("AzerNews")
    screenshot("workspace-disk-full")
    assert annotations_by(alice, page) == []

    page.unroute("**/annotate/*")  # the disk has room again: the same Enter saves it
    page.keyboard.press("Enter")
    expect(current).not_to_have_text(first)
    saved = annotations_by(alice, page)
    assert [(a.labels["claim"], a.labels["outlet"]) for a in saved] == [("claim", "AzerNews")]
