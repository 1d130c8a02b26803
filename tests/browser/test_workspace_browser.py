"""The workspace as annotators use it: keyboard only, spans with the mouse, skip, back, edit
from history, and the same without JavaScript."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import insert, select, update

from annotator.extensions import db
from annotator.models import AnnotationRevision, Lease, Sentence, utcnow
from tests.helpers import annotations_by

FIRST_DOC = "000_4e0281c745451fc7"


def log_in(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/login")
    expect(page.get_by_label("Name")).to_be_focused()  # autofocus, with or without JavaScript
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type("secret-pass")
    page.keyboard.press("Enter")
    ready(page)


def ready(page):
    """Wait until a freshly loaded workspace takes keys (with JavaScript: the claim group
    is active)."""
    expect(page.locator("#current")).to_be_visible()
    if page.evaluate("document.documentElement.classList.contains('js')"):
        expect(page.locator("#group-claim")).to_have_class(re.compile("active"))


def hand_over(user_id, index):
    """Lease sentence ``index`` of the first seed article to the user."""
    sentence = db.session.scalar(
        select(Sentence).where(Sentence.document_id == FIRST_DOC, Sentence.index == index)
    )
    db.session.execute(
        insert(Lease).values(
            sentence_id=sentence.id, annotator_id=user_id, expires=utcnow() + timedelta(hours=1)
        )
    )
    db.session.execute(update(Sentence).where(Sentence.id == sentence.id).values(taken=1))
    db.session.commit()
    return sentence


def test_label_five_sentences_with_the_keyboard_only(page, live_server, alice, screenshot):
    log_in(page, live_server)
    current = page.locator("#current")
    expect(current).to_contain_text("Azerbaijan's Foreign Minister Jeyhun Bayramov met")
    page.evaluate("window.notReloaded = true")
    screenshot("workspace-empty")

    page.keyboard.press("1")  # not a claim
    page.keyboard.press("Enter")
    expect(current).to_contain_text("According to the press service")
    page.keyboard.press("2")  # a claim by the author, no stance: 2 keys
    page.keyboard.press("Enter")
    expect(current).to_contain_text("In this context, the parties emphasized")
    for key in ["3", "2", "Tab", "2"]:  # checkworthy, person, skip Azerbaijan, against Armenia
        page.keyboard.press(key)
    page.keyboard.press("Enter")
    expect(current).to_contain_text("Minister Jeyhun Bayramov also updated")
    page.keyboard.press("k")
    page.keyboard.type("not sure it is one sentence")  # "1" or "s" typed here do nothing else
    page.keyboard.press("Enter")
    expect(current).to_contain_text("The close participation of Italian companies")
    page.keyboard.press("2")
    page.locator("#outlet").fill("Trend News")  # as an article with an outlet prefills it
    page.keyboard.press("Escape")
    page.keyboard.press("o")
    page.keyboard.type("AzerNews")
    expect(page.locator("#outlet")).to_have_value("AzerNews")  # replaced, not run on
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    expect(current).to_contain_text("Jeyhun Bayramov then informed his colleague")
    assert page.evaluate("window.notReloaded") is True  # every swap was a partial, no reload

    saved = annotations_by(alice, page)
    assert [a.skipped for a in saved] == [False, False, False, True, False]
    claims = [a.labels.get("claim") for a in saved]
    assert claims == ["not_claim", "claim", "checkworthy_claim", None, "claim"]
    third = saved[2].labels
    assert third["attribution"]["source_type"] == "person"
    assert third["stance"] == {"Azerbaijan": "none", "Armenia": "against"}
    assert saved[1].labels["attribution"]["source_type"] == "author"
    assert saved[3].comment == "not sure it is one sentence"
    assert saved[4].labels["outlet"] == "AzerNews"
    assert all(a.seconds is not None and a.seconds < 60 for a in saved)


def drag_select(page, text):
    """Select ``text`` inside the current sentence by dragging the mouse across it."""
    box = page.evaluate(
        """(needle) => {
            const mark = document.getElementById("current");
            const walker = document.createTreeWalker(mark, NodeFilter.SHOW_TEXT);
            let node = walker.nextNode();
            while (node && !node.textContent.includes(needle)) { node = walker.nextNode(); }
            const at = node.textContent.indexOf(needle);
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + needle.length);
            const rects = range.getClientRects();
            const first = rects[0], last = rects[rects.length - 1];
            return {x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2};
        }""",
        text,
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


def test_mark_source_and_cue_with_the_mouse(page, live_server, alice, screenshot):
    sentence = hand_over(alice, 12)
    assert sentence.text.startswith("Jeyhun Bayramov emphasized that all measures")
    log_in(page, live_server)
    expect(page.locator("#current")).to_contain_text("Jeyhun Bayramov emphasized that")
    page.get_by_label("Checkworthy claim").click()
    page.get_by_label("Person").click()
    drag_select(page, "Jeyhun Bayramov")
    page.get_by_role("button", name="Mark source").click()
    expect(page.locator("#current .span-source")).to_have_text("Jeyhun Bayramov")
    drag_select(page, "emphasized")
    page.keyboard.press("c")
    expect(page.locator("#current .span-cue")).to_have_text("emphasized")
    expect(page.locator("#span-text")).to_have_text("source: “Jeyhun Bayramov” · cue: “emphasized”")
    page.get_by_label("Entity").fill("Jeyhun Bayramov")
    screenshot("workspace-filled")
    page.get_by_role("button", name="Save and next").click()
    expect(page.locator("#current")).not_to_contain_text("Jeyhun Bayramov emphasized that all")

    (saved,) = annotations_by(alice, page)
    attribution = saved.labels["attribution"]
    assert attribution["source"] == {"start": 0, "end": 15}
    assert attribution["cue"] == {"start": 16, "end": 26}
    assert sentence.text[0:15] == "Jeyhun Bayramov" and sentence.text[16:26] == "emphasized"
    assert attribution["entity"] == "Jeyhun Bayramov"


def test_skip_go_back_and_edit_from_history(page, live_server, alice, screenshot):
    log_in(page, live_server)
    current = page.locator("#current")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(current).to_contain_text("According to the press service")
    page.keyboard.press("k")
    page.keyboard.press("Enter")  # skip without a reason
    expect(current).to_contain_text("In this context")
    page.keyboard.press("b")  # back to the skipped sentence
    expect(current).to_contain_text("According to the press service")
    expect(page).to_have_url(f"{live_server}/annotate/2")
    page.keyboard.press("h")
    expect(page.get_by_role("heading", name="My labels")).to_be_visible()
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("skipped")
    screenshot("history")
    rows.nth(1).get_by_role("link").click()  # the first sentence, labelled "claim"
    ready(page)
    expect(current).to_contain_text("Azerbaijan's Foreign Minister")
    expect(page.get_by_role("radio", name="Claim", exact=True)).to_be_checked()
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    expect(current).to_contain_text("In this context")  # saved; back to the sentence I hold
    first = annotations_by(alice, page)[0]
    assert first.labels["claim"] == "checkworthy_claim" and first.revision == 2
    kept = db.session.scalar(select(AnnotationRevision))
    assert (kept.annotation_id, kept.labels["claim"]) == (first.id, "claim")


def test_the_same_flow_without_javascript(browser, live_server, alice, screenshot):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    log_in(page, live_server)
    current = page.locator("#current")
    expect(current).to_contain_text("Azerbaijan's Foreign Minister")
    page.get_by_label("Checkworthy claim").check()
    page.get_by_label("Person").check()
    page.locator("#source_start").fill("0")
    page.locator("#source_end").fill("29")
    page.get_by_role("button", name="Save and next").click()
    expect(current).to_contain_text("According to the press service")
    page.get_by_label("Skip reason (optional)").fill("no idea")
    page.get_by_role("button", name="Skip").click()
    expect(current).to_contain_text("In this context")
    page.get_by_role("radio", name="Claim", exact=True).check()
    page.locator("#cue_start").fill("9")
    page.locator("#cue_end").fill("3")  # wrong: end before start
    page.get_by_role("button", name="Save and next").click()
    expect(page.get_by_role("alert").first).to_contain_text("is not inside the sentence")
    expect(page.get_by_role("radio", name="Claim", exact=True)).to_be_checked()  # entries kept
    page.locator("#cue_start").fill("")
    page.locator("#cue_end").fill("")
    page.get_by_role("button", name="Save and next").click()
    expect(current).to_contain_text("Minister Jeyhun Bayramov also updated")
    screenshot("workspace-nojs", of=page)
    page.get_by_role("link", name="History").first.click()
    page.locator("table.history tbody tr").nth(2).get_by_role("link").click()
    page.get_by_label("Not claim").check()
    page.get_by_role("button", name="Save and next").click()
    expect(current).to_contain_text("Minister Jeyhun Bayramov also updated")  # the one I hold
    saved = annotations_by(alice, page)
    assert [a.labels.get("claim") for a in saved] == ["not_claim", None, "claim"]
    assert saved[0].labels["attribution"]["source"] == {"start": 0, "end": 29}
    assert saved[1].skipped and saved[1].comment == "no idea"
    assert db.session.scalar(select(AnnotationRevision.labels))["claim"] == "checkworthy_claim"
    context.close()


def test_the_content_security_policy_blocks_nothing_we_use(page, live_server, alice):
    problems = []
    page.on("console", lambda message: problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server)
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.locator("#workspace .progress")).to_contain_text("Today 1")
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems


def test_a_refused_save_brings_its_error_into_sight(page, live_server, alice, screenshot):
    # a small laptop screen: the span fields sit below the fold
    log_in(page, live_server)
    page.set_viewport_size({"width": 800, "height": 600})
    page.locator("#source_start").fill("9")
    page.locator("#source_end").fill("2")  # wrong: end before start
    page.locator("#source_end").press("Escape")  # leave the field, as the keys do
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    message = page.locator("#source_start-errors")
    expect(message).to_contain_text("is not inside the sentence")
    expect(message).to_be_in_viewport()
    expect(page.locator("#source_start")).to_have_attribute(
        "aria-describedby", "source_start-errors"
    )
    screenshot("refused-save-800")
    assert annotations_by(alice, page) == []
