"""A reviewer clears the disagreements on the seed articles, keyboard first."""

from playwright.sync_api import expect
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Annotation, Gold, Sentence
from tests.helpers import labels


def label_seeds(make_user):
    """ana and ben label every seed sentence; they differ on sentences 2, 5 and 9."""
    sentences = db.session.scalars(select(Sentence.id).order_by(Sentence.id)).all()
    for name in ("ana", "ben"):
        user = make_user(name)
        for index, sentence_id in enumerate(sentences):
            claim = "claim" if (name == "ben" and index in (2, 5, 9)) else "not_claim"
            db.session.add(
                Annotation(
                    sentence_id=sentence_id, annotator_id=user.id, labels=labels(claim=claim)
                )
            )
    db.session.commit()
    return [sentences[i] for i in (2, 5, 9)]


def keys_ready(page):
    """Wait until the review page's key handler is installed (it marks <html> with .js)."""
    expect(page.locator("html.js")).to_have_count(1)


def test_a_reviewer_settles_every_disagreement(
    page, live_server, seeds, make_user, screenshot, sign_in
):
    disputed = label_seeds(make_user)
    make_user("rita", role="reviewer")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in("rita")
    page.get_by_role("link", name="Disagreements").click()
    expect(page.locator(".counts")).to_contain_text("3 sentences where annotators disagree")
    expect(page.locator("table.disagreements tbody tr")).to_have_count(3)
    screenshot("disagreements")

    page.locator("table.disagreements tbody tr").first.get_by_role("link").click()
    expect(page.locator("tr.differs")).to_have_count(1)
    expect(page.locator("tr.differs")).to_contain_text("claim")
    screenshot("review-sentence")
    keys_ready(page)
    page.keyboard.press("b")  # back to the list ("l" looked like "1"), and in again
    expect(page).to_have_url(f"{live_server}/review/disagreements")
    page.go_back()
    expect(page).to_have_url(f"{live_server}/review/sentences/{disputed[0]}")
    keys_ready(page)
    page.keyboard.press("2")  # take ben's labels; on to the next disagreement
    expect(page.get_by_role("status").first).to_contain_text("Gold labels saved.")
    expect(page).to_have_url(f"{live_server}/review/sentences/{disputed[1]}")

    keys_ready(page)
    page.keyboard.press("n")  # look at the last one first, then come back
    expect(page).to_have_url(f"{live_server}/review/sentences/{disputed[2]}")
    page.go_back()
    expect(page).to_have_url(f"{live_server}/review/sentences/{disputed[1]}")
    # edit: neither annotator is right here
    page.get_by_label("Checkworthy claim").check()
    page.get_by_label("Note").fill("A checkable statement of fact")
    keys_ready(page)
    page.keyboard.press("Control+Enter")
    expect(page).to_have_url(f"{live_server}/review/sentences/{disputed[2]}")
    keys_ready(page)
    page.keyboard.press("1")  # take ana's
    expect(page).to_have_url(f"{live_server}/review/disagreements")
    expect(page.locator(".counts")).to_contain_text("3 settled with gold · 0 to review")

    gold = dict(db.session.execute(select(Gold.sentence_id, Gold.labels)).all())
    assert {s: g["claim"] for s, g in gold.items()} == {
        disputed[0]: "claim",
        disputed[1]: "checkworthy_claim",
        disputed[2]: "not_claim",
    }
    assert db.session.scalar(select(Gold.note).where(Gold.sentence_id == disputed[1])) == (
        "A checkable statement of fact"
    )
    # gold never overwrote an annotation
    changed = select(func.count()).where(
        Annotation.labels["claim"].as_string() == "checkworthy_claim"
    )
    assert db.session.scalar(changed) == 0
