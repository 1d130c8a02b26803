"""An annotator is offered suggested labels, accepts a correct attribution with one key, and
changes a wrong one as fast as labelling from nothing (issue 17)."""

from playwright.sync_api import expect

from annotator.suggesting import make_missing
from tests.helpers import annotations_by, import_texts

ARTICLE = [
    "Jeyhun Bayramov said the talks with Italy had been useful.",
    "The minister added that six people were killed by mines in September.",
    "Reuters reported that the border was calm.",
]


def test_accept_a_correct_attribution_with_one_key(
    page, live_server, make_user, sign_in, screenshot, tmp_path
):
    import_texts(tmp_path, ARTICLE)
    make_missing()  # what the server's worker does within seconds of an import
    alice = make_user("alice")
    for width in (1366, 800):
        page.set_viewport_size({"width": width, "height": 800})
        if width == 1366:
            sign_in("alice")
        current = page.locator("#current")
        expect(current).to_contain_text(ARTICLE[0] if width == 1366 else ARTICLE[1])
        expect(current.locator(".span-source")).to_have_text(
            "Jeyhun Bayramov" if width == 1366 else "The minister"
        )
        expect(current.locator(".span-cue")).to_have_text("said" if width == 1366 else "added")
        expect(page.locator("#entity")).to_have_value("Jeyhun Bayramov")
        expect(page.locator("#group-source_type .suggested")).to_be_visible()
        expect(page.get_by_label("Person")).to_be_checked()
        screenshot(f"suggestions-{width}")
        # a person reads the sentence first: an Enter within 400 ms of it appearing, with
        # nothing done on it, is the second half of a double press (tested below)
        page.wait_for_timeout(500)
        page.keyboard.press("Enter")  # one key: every suggestion accepted
        expect(current).to_contain_text(ARTICLE[1] if width == 1366 else ARTICLE[2])

    first, second = annotations_by(alice.id, page)
    assert first.labels["attribution"] == {
        "source_type": "person",
        "entity": "Jeyhun Bayramov",
        "source": {"start": 0, "end": 15},
        "cue": {"start": 16, "end": 20},
    }
    assert second.labels["attribution"]["source"] == {"start": 0, "end": 12}
    for annotation in (first, second):
        assert annotation.suggested["shown"] is True
        assert all(f["accepted"] for f in annotation.suggested["fields"].values())

    # a wrong suggestion is changed as usual: "Reuters" is right, but say it was the author's
    expect(page.locator("#group-source_type .suggested")).to_have_text("suggested 79%")
    page.keyboard.press("2")  # claim (moves on to the source type)
    page.keyboard.press("1")  # author
    expect(page.locator("#group-source_type .suggested")).to_have_text("suggested: Media")
    attribution = page.locator("fieldset.attribution .suggested")
    expect(attribution).to_have_text("suggested 79%")
    page.keyboard.press("Shift+S")
    expect(attribution).to_have_text("suggested: changed")
    page.keyboard.press("Shift+C")
    page.locator("#entity").fill("")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Nothing left for you to label")).to_be_visible()
    third = annotations_by(alice.id, page)[2]
    assert third.labels["attribution"]["source_type"] == "author"
    assert third.labels["attribution"]["source"] is None
    changed = {name: f["accepted"] for name, f in third.suggested["fields"].items()}
    assert changed["attribution.source_type"] is False and changed["attribution.cue"] is False


def test_a_double_enter_on_prefilled_suggestions_saves_once(
    page, live_server, make_user, sign_in, tmp_path
):
    import_texts(tmp_path, ARTICLE)
    make_missing()
    alice = make_user("alice")
    sign_in("alice")
    current = page.locator("#current")
    expect(current).to_contain_text(ARTICLE[0])
    page.wait_for_timeout(500)
    page.keyboard.press("Enter")
    expect(current).to_contain_text(ARTICLE[1])
    # the second press of a double press lands 150 ms after the next sentence appeared
    # (pressed while the save was on its way, it is dropped: test_workspace_browser.py)
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")
    page.wait_for_timeout(600)
    expect(current).to_contain_text(ARTICLE[1])
    assert len(annotations_by(alice.id, page)) == 1
