"""A reviewer sends a disputed sentence back to one of its annotators with a message; she
gets it first, reads the message above it, changes her label, and the dispute is gone."""

from playwright.sync_api import expect
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Annotation, User
from tests.browser.test_adjudication_browser import keys_ready, label_seeds
from tests.helpers import all_saved

MESSAGE = "The minister is quoted: is this the outlet's claim or the minister's?"


def test_a_sentence_sent_back_comes_first_with_the_message(
    browser, live_server, seeds, make_user, screenshot, sign_in
):
    disputed = label_seeds(make_user)  # ana says not_claim, ben claim, on three sentences
    make_user("rita", role="reviewer")
    reviewer = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in("rita", on=reviewer)
    reviewer.goto(f"{live_server}/review/disagreements?order=document")
    reviewer.locator("table.disagreements tbody tr").first.get_by_role("link").click()
    expect(reviewer).to_have_url(f"{live_server}/review/sentences/{disputed[0]}?order=document")
    keys_ready(reviewer)
    reviewer.get_by_text("Send back instead of deciding").click()
    reviewer.get_by_label("ben").uncheck()  # ana only
    reviewer.get_by_label("Message to them").fill(MESSAGE)
    screenshot("send-back-form-1366", of=reviewer)
    reviewer.get_by_role("button", name="Send back").click()
    expect(reviewer.get_by_role("status").first).to_contain_text("Sent back to ana")
    # on to the next disagreement, in the chosen order
    expect(reviewer).to_have_url(f"{live_server}/review/sentences/{disputed[1]}?order=document")
    reviewer.goto(f"{live_server}/review/disagreements?order=document")
    first_row = reviewer.locator("table.disagreements tbody tr").first
    expect(first_row).to_contain_text("sent back to ana")
    screenshot("send-back-list-1366", of=reviewer)

    annotator = browser.new_page(viewport={"width": 800, "height": 900})
    sign_in("ana", on=annotator)
    annotator.goto(f"{live_server}/annotate")
    workspace = annotator.locator("#workspace")
    expect(workspace).to_have_attribute("data-sentence", str(disputed[0]))
    notice = annotator.locator(".sent-back")
    expect(notice).to_contain_text("A reviewer sent this sentence back to you")
    expect(notice).to_contain_text(MESSAGE)
    screenshot("send-back-annotator-800", of=annotator)
    annotator.keyboard.press("2")  # claim, as ben said
    annotator.keyboard.press("Enter")
    expect(workspace).not_to_have_attribute("data-sentence", str(disputed[0]))
    all_saved(annotator)
    ana = db.session.scalar(select(User.id).where(User.name == "ana"))
    saved = db.session.scalar(
        select(Annotation.labels).where(
            Annotation.sentence_id == disputed[0], Annotation.annotator_id == ana
        )
    )
    assert saved["claim"] == "claim"

    reviewer.goto(f"{live_server}/review/disagreements?order=document")
    expect(reviewer.locator(".counts")).to_contain_text("2 sentences where annotators disagree")
    expect(reviewer.locator("table.disagreements")).not_to_contain_text("sent back")
    screenshot("send-back-answered-1366", of=reviewer)
