"""A first working day, end to end: two annotators label both seed articles in Chromium, a
reviewer settles every disagreement with an edited gold label and a note, and the lead's
export holds every one of them, with no record left without a final label."""

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Annotation, Sentence
from tests.helpers import all_saved

BEN_DIFFERS = {2, 9, 16}  # positions where ben says "checkworthy" and ana "claim"
BEN_FLAGS = 5
FLAG_COMMENT = "Is this the ministry's claim or the outlet's?"
NOTE = "The ministry's checkable statement, relayed by the outlet"


def claim_key(name, position):
    """ana: not a claim at every fourth sentence, else a claim; ben differs at three."""
    if name == "ben" and position in BEN_DIFFERS:
        return "3"
    return "1" if position % 4 == 0 and position not in BEN_DIFFERS else "2"


def label_everything(page, name, positions, screenshot):
    """Label every sentence handed out, keyboard only, until the done page."""
    saved = 0
    while not page.get_by_text("Nothing left for you to label").is_visible():
        workspace = page.locator("#workspace")
        expect(page.locator("#group-claim")).to_have_class(re.compile("active"))
        sentence_id = workspace.get_attribute("data-sentence")
        position = positions[int(sentence_id)]
        page.keyboard.press(claim_key(name, position))
        if name == "ben" and position == BEN_FLAGS:
            page.keyboard.press("f")
            page.keyboard.type(FLAG_COMMENT)
            page.keyboard.press("Escape")
        if saved == 3:
            screenshot(f"team-{name}-workspace", of=page)
        page.keyboard.press("Enter")
        expect(workspace).not_to_have_attribute("data-sentence", sentence_id)
        saved += 1
    all_saved(page)  # the last sentence's save goes behind the page that says all is done
    return saved


@pytest.mark.slow  # 50 labels and 3 gold ones, key by key
def test_two_annotators_and_a_reviewer_to_an_export(
    browser, live_server, runner, seeds, make_user, screenshot, sign_in, tmp_path
):
    ids = db.session.scalars(select(Sentence.id).order_by(Sentence.id)).all()
    positions = {sentence_id: n for n, sentence_id in enumerate(ids)}
    for name in ("ana", "ben"):
        make_user(name)
    make_user("rita", role="reviewer")

    contexts = []

    def signed_in(name, size):  # each person in a browser of their own
        contexts.append(browser.new_context(viewport={"width": size[0], "height": size[1]}))
        page = contexts[-1].new_page()
        sign_in(name, on=page)
        return page

    for name, size in (("ana", (1366, 768)), ("ben", (800, 900))):
        page = signed_in(name, size)
        assert label_everything(page, name, positions, screenshot) == len(ids)
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Annotation)) == 2 * len(ids)

    rita = signed_in("rita", (800, 900))
    rita.get_by_role("link", name="Flagged").click()
    expect(rita.locator("main")).to_contain_text(FLAG_COMMENT)
    screenshot("team-flagged", of=rita)
    rita.get_by_role("link", name="Disagreements").click()
    expect(rita.locator(".counts")).to_contain_text(f"{len(BEN_DIFFERS)} sentences")
    screenshot("team-disagreements", of=rita)
    rita.locator("table.disagreements tbody tr").first.get_by_role("link").first.click()
    for number in range(len(BEN_DIFFERS)):
        expect(rita.locator("tr.differs")).to_contain_text("claim")
        expect(rita.locator("html.js")).to_have_count(1)
        rita.get_by_label("Checkworthy claim").check()
        rita.get_by_label("Organisation").check()  # neither annotator's labels: edited
        rita.get_by_label("Note").fill(f"{NOTE} ({number + 1})")
        if number == 0:
            expect(rita.locator("#gold-form h2")).to_contain_text("starting from ana's labels")
            article, current = (rita.locator(f"#{name}").bounding_box()
                                for name in ("article", "current"))  # fmt: skip
            assert article["y"] <= current["y"] <= article["y"] + article["height"] - 20
            screenshot("team-review-800", of=rita)
            article, labels = (rita.locator(f".review .{pane}").bounding_box()
                               for pane in ("article-pane", "label-pane"))  # fmt: skip
            assert article["y"] + article["height"] <= labels["y"], "the panes overlap"
        rita.get_by_label("Note").press("Control+Enter")
        expect(rita.get_by_role("status").first).to_contain_text("Gold labels saved.")
    expect(rita).to_have_url(re.compile(r"/review/disagreements"))
    expect(rita.locator(".counts")).to_contain_text(f"{len(BEN_DIFFERS)} settled with gold")
    rita.set_viewport_size({"width": 1366, "height": 768})
    screenshot("team-disagreements-settled-1366", of=rita)

    for context in contexts:  # else their pages stay open for the tests after this one
        context.close()
    out = tmp_path / "day-one.jsonl"
    result = runner.invoke(args=["export", "--auto", "unanimous", "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == len(ids)
    assert [r for r in records if r["final"] is None] == []  # nothing left unsettled
    disputed = {f"{s.document_id}:{s.index}" for s in db.session.scalars(select(Sentence))
                if positions[s.id] in BEN_DIFFERS}  # fmt: skip
    notes = set()
    for record in records:
        if record["id"] in disputed:
            assert record["final_source"] == "gold"
            assert record["final"]["claim"] == "checkworthy_claim"
            assert record["final"]["attribution"]["source_type"] == "organisation"
            notes.add(record["final_note"])
        else:
            assert record["final_source"] == "unanimous" and record["final_note"] is None
    assert notes == {f"{NOTE} ({n})" for n in (1, 2, 3)}
    flagged = [a for r in records for a in r["annotations"] if a["flagged"]]
    assert [(a["annotator"], a["comment"]) for a in flagged] == [("ben", FLAG_COMMENT)]
