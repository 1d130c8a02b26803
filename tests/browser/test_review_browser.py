"""A reviewer checks agreement on the seed articles in the browser."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from annotator.extensions import db
from annotator.models import Annotation, Gold, Sentence
from tests.helpers import labels

CLAIMS = ("not_claim", "claim", "checkworthy_claim")


def label_seeds(make_user):
    """Three annotators label every seed sentence; they disagree now and then."""
    sentences = db.session.scalars(select(Sentence.id).order_by(Sentence.id)).all()
    for number, name in enumerate(("ana", "ben", "cy")):
        user = make_user(name)
        for index, sentence_id in enumerate(sentences):
            claim = CLAIMS[(index + (number if index % 4 == 0 else 0)) % 3]
            stance = "against" if index % 5 == number else "none"
            value = labels(claim=claim)
            value["stance"]["Armenia"] = stance
            db.session.add(Annotation(sentence_id=sentence_id, annotator_id=user.id, labels=value))
    db.session.commit()
    return sentences


@pytest.mark.slow  # waits for the figures to be computed, three times
def test_a_reviewer_reads_agreement_by_field_and_by_annotator(
    page, live_server, seeds, make_user, screenshot, sign_in
):
    sentences = label_seeds(make_user)
    make_user("rita", role="reviewer")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in("rita")
    page.get_by_role("link", name="Agreement", exact=True).click()
    expect(page.get_by_role("heading", name="Inter-annotator agreement")).to_be_visible()
    # the figures are computed in the background and swapped in when ready
    summary = page.locator("table.agreement").first
    expect(summary).to_be_visible(timeout=15_000)
    claim = summary.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="claim"))
    expect(claim.locator("td").first).to_have_text(str(len(sentences)))  # items
    expect(claim.locator("svg.alpha-bar")).to_be_visible()
    expect(page.locator(".heatmap").first).to_be_visible()
    expect(
        page.get_by_text("Claims only: sentences every annotator marked as a claim")
    ).to_be_visible()
    # a figure that cannot be computed shows — and says why
    expect(page.locator(".reasons").first).to_contain_text("no spans marked")
    screenshot("agreement")

    page.get_by_role("link", name="By annotator").click()
    groups = page.locator("table.groups")
    expect(groups).to_be_visible(timeout=15_000)
    expect(groups.locator("tbody tr")).to_have_count(3)
    screenshot("agreement-by-annotator")

    # a change in the annotations: the page says so and picks up the new figures
    db.session.execute(update(Annotation).values(labels=labels(claim="claim")))
    db.session.commit()
    page.get_by_role("link", name="Whole project").click()
    expect(page.locator("#agreement .status")).to_contain_text("changed since")
    expect(page.locator("#agreement .status")).not_to_contain_text("changed since", timeout=15_000)
    claim = page.locator("table.agreement").first.locator("tbody tr").first
    expect(claim).to_contain_text("1.000")  # everyone now says "claim"


def test_annotators_cannot_open_the_review_page(page, live_server, make_user, sign_in):
    make_user("ana")
    sign_in("ana")
    expect(page.get_by_role("link", name="Agreement", exact=True)).to_have_count(0)
    response = page.goto(f"{live_server}/review/agreement")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")


LONG_WORD = "Azerbaijani-Armenian-border-delimitation-commission" * 3  # no place to break
SIZES = ((800, 900), (1366, 768))


@pytest.mark.slow  # ten pages, two of them computing figures
def test_review_pages_never_scroll_sideways(
    page, live_server, seeds, make_user, screenshot, sign_in
):
    sentences = label_seeds(make_user)
    disputed = db.session.scalars(
        select(Annotation).where(Annotation.sentence_id == sentences[0]).order_by(Annotation.id)
    ).all()
    first = disputed[0]
    first.labels = {**first.labels, "attribution": {**first.labels["attribution"],
                    "entity": LONG_WORD, "source": {"start": 0, "end": 20}}}  # fmt: skip
    first.flagged, first.comment = True, f"See https://example.org/{LONG_WORD}"
    disputed[1].skipped, disputed[1].comment = True, LONG_WORD
    db.session.add(Gold(sentence_id=sentences[0], labels=first.labels, method="reviewer"))
    db.session.commit()
    make_user("rita", role="reviewer")
    sign_in("rita")
    pages = {
        "agreement": "/review/agreement",
        "agreement-by-annotator": "/review/agreement?by=annotator",
        "disagreements": "/review/disagreements",
        "flagged": "/review/flagged",
        "review-view": f"/review/sentences/{sentences[0]}",
    }
    too_wide = []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for name, path in pages.items():
            page.goto(f"{live_server}{path}")
            if name.startswith("agreement"):  # figures are swapped in when computed
                expect(page.locator("#agreement table").first).to_be_visible(timeout=15_000)
            screenshot(f"sideways-{name}-{width}")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > page.evaluate("window.innerWidth"):
                too_wide.append((name, width, scroll_width))
    assert not too_wide, too_wide
    # at 800 px the summary's last column is hidden in its table's scroll box, and reachable
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto(f"{live_server}/review/agreement")
    cohen = page.get_by_role("columnheader", name="Cohen κ").first
    expect(cohen).not_to_be_in_viewport()
    cohen.scroll_into_view_if_needed()
    expect(cohen).to_be_in_viewport()
