"""What a first working day found: logged out or logged in again elsewhere mid-work, a
double Enter, the tab's title, spans that snap to words, and narrow or short windows."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from annotator.extensions import db
from annotator.models import LoginSession, utcnow
from tests.helpers import all_saved, annotations_by

SIZES = {"narrow": (800, 900), "laptop": (1366, 768)}


def ready(page):
    """Wait until the workspace takes keys (the claim group is active)."""
    expect(page.locator("#current")).to_be_visible()
    expect(page.locator("#group-claim")).to_have_class(re.compile("active"))


def open_workspace(page, live_server, sign_in, size=(1280, 800)):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in("alice")
    ready(page)


def fill_in_an_attributed_claim(page):
    page.keyboard.press("3")  # checkworthy claim
    page.keyboard.press("2")  # source type: person
    page.keyboard.press("e")
    page.keyboard.type("Jeyhun Bayramov")
    page.keyboard.press("Escape")


def test_logged_out_in_another_tab_logs_in_again_and_saves_the_entries(
    page, live_server, alice, sign_in, screenshot
):
    open_workspace(page, live_server, sign_in)
    first = page.locator("#current").inner_text()
    fill_in_an_attributed_claim(page)
    other = page.context.new_page()
    other.goto(f"{live_server}/annotate/history")
    other.get_by_role("button", name="Log out").click()
    expect(other.get_by_role("status").first).to_contain_text("You are logged out")

    page.keyboard.press("Enter")
    dialog = page.locator("#login-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#entity")).to_have_value("Jeyhun Bayramov")  # nothing lost
    screenshot("logged-out-dialog")
    assert annotations_by(alice, page) == []
    page.keyboard.type("wrong-pass")
    page.keyboard.press("Enter")
    expect(page.locator("#relogin-message")).to_contain_text("Wrong password")
    page.locator("#relogin-password").fill("secret-pass")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#current")).not_to_have_text(first)  # saved, and on to the next
    (saved,) = annotations_by(alice, page)
    assert saved.labels["claim"] == "checkworthy_claim"
    assert saved.labels["attribution"]["entity"] == "Jeyhun Bayramov"
    expect(page.locator("header .who")).to_contain_text("alice")


def test_a_tab_left_open_overnight_asks_for_the_password_and_saves(
    page, live_server, alice, sign_in, screenshot
):
    open_workspace(page, live_server, sign_in, SIZES["narrow"])
    first = page.locator("#current").inner_text()
    fill_in_an_attributed_claim(page)
    last_evening = utcnow() - timedelta(hours=13)  # the session's idle timeout is 12 hours
    db.session.execute(update(LoginSession).values(seen=last_evening))
    db.session.commit()
    page.keyboard.press("Enter")
    expect(page.locator("#login-dialog")).to_be_visible()
    screenshot("overnight-dialog")
    assert annotations_by(alice, page) == []
    page.keyboard.type("secret-pass")
    page.keyboard.press("Enter")
    expect(page.locator("#current")).not_to_have_text(first)
    (saved,) = annotations_by(alice, page)
    assert saved.labels["attribution"]["entity"] == "Jeyhun Bayramov"


def test_a_new_login_in_another_tab_does_not_break_this_one(page, live_server, alice, sign_in):
    open_workspace(page, live_server, sign_in)
    other = page.context.new_page()
    other.goto(f"{live_server}/login")  # the session starts afresh: this tab's token is old
    other.get_by_label("Name").fill("alice")
    other.get_by_label("Password").fill("secret-pass")
    other.keyboard.press("Enter")
    other.wait_for_url(lambda url: "/login" not in url)
    first = page.locator("#current").inner_text()
    page.keyboard.press("2")
    page.keyboard.press("Enter")  # the same Enter saves
    expect(page.locator("#current")).not_to_have_text(first)
    assert [a.labels["claim"] for a in annotations_by(alice, page)] == ["claim"]
    expect(page.locator("#client-message")).to_be_hidden()


def test_a_double_enter_saves_once_and_leaves_the_next_sentence_untouched(
    page, live_server, alice, sign_in
):
    open_workspace(page, live_server, sign_in)
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Sentence 2 · "))  # the tab follows the swaps
    page.wait_for_timeout(600)  # past the double press: Enter means "save" again
    expect(page.locator(".error:visible")).to_have_count(0)
    expect(page.locator("#client-message")).to_be_hidden()
    assert len(annotations_by(alice, page)) == 1


def test_a_selection_inside_a_word_takes_the_whole_word(page, live_server, alice, sign_in):
    open_workspace(page, live_server, sign_in)
    page.evaluate(
        """() => {
            const mark = document.getElementById("current");
            const node = mark.firstChild;
            const at = node.textContent.indexOf("Bayramov");
            const range = document.createRange();
            range.setStart(node, at + 1);  // "ayram"
            range.setEnd(node, at + 6);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }"""
    )
    page.keyboard.press("s")
    expect(page.locator("#span-text")).to_have_text("source: “Bayramov”")
    expect(page.locator(".span-source")).to_have_text("Bayramov")


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_the_menu_the_sentence_and_the_claim_group_stay_in_view(
    page, live_server, alice, sign_in, screenshot, size
):
    open_workspace(page, live_server, sign_in, SIZES[size])
    for step in range(3):
        screenshot(f"workspace-{size}-{step}")
        assert page.evaluate("window.scrollY") == 0, "the window scrolled: the menu is gone"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            "the page scrolls sideways"
        )
        for element in ("header.top", "#current", "#group-claim"):
            box = page.locator(element).bounding_box()
            inside = box["y"] >= 0 and box["y"] + min(box["height"], 60) <= SIZES[size][1]
            assert inside, f"{element} is out of the window after {step} saves: {box}"
        screenshot(f"workspace-{size}-{step}")
        before = page.locator("#current").inner_text()
        page.keyboard.press("e")  # a text field low on the page scrolls the window down
        page.keyboard.type("Someone")
        page.keyboard.press("Escape")
        page.keyboard.press("1")
        page.keyboard.press("Enter")
        expect(page.locator("#current")).not_to_have_text(before)
        ready(page)


def test_back_shows_the_labels_as_saved_and_saves_over_them(page, live_server, alice, sign_in):
    open_workspace(page, live_server, sign_in)
    page.keyboard.press("3")  # checkworthy
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Sentence 2 · "))
    all_saved(page)  # leaving the page while a save is on its way asks first
    page.go_back()
    expect(page).to_have_title(re.compile(r"^Sentence 1 · "))
    ready(page)
    expect(page.locator("#claim-2")).to_be_checked()  # as saved, not an empty old form
    expect(page.locator("#revision")).to_have_value("1")
    page.keyboard.press("2")  # claim, on second thought
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Sentence 2 · "))
    (edited,) = annotations_by(alice, page)
    assert edited.labels["claim"] == "claim" and edited.revision == 2
