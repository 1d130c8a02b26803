"""Zero-wait save-and-next (issue 18): the next sentence is on the page before Enter, the
save goes behind it, a refused or lost save brings its sentence back with the entries, and
nothing is saved twice; spans are marked from the keyboard."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.labelling import save
from annotator.models import Lease, Sentence, utcnow
from tests.helpers import all_saved, annotations_by, import_texts, label_values

ARTICLE = [
    "Jeyhun Bayramov said the talks with Italy had been useful.",
    '"We will go on," the minister told reporters in Rome.',
    "Six people were killed by mines in September.",
    "Reuters reported that the border was calm.",
    "Talks resume in May.",
]


def leases(lasting=None):
    """How many leases there are, as the served app has committed them (with ``lasting``,
    those that last longer than that from now)."""
    db.session.rollback()
    count = select(func.count()).select_from(Lease)
    if lasting is not None:
        count = count.where(Lease.expires > utcnow() + lasting)
    return db.session.scalar(count)


def start(page, tmp_path, make_user, sign_in, width=1366):
    """Alice signs in to an article of her own and her workspace takes keys, with the next
    sentence fetched ahead; returns her id."""
    import_texts(tmp_path, ARTICLE)
    alice = make_user("alice").id
    page.set_viewport_size({"width": width, "height": 800})
    sign_in("alice")
    expect(page.locator("#group-claim")).to_have_class(re.compile("active"))
    expect(page.locator("#saving")).to_have_attribute("data-ahead", "1")
    return alice


SAVES = re.compile(r"/annotate/\d+$")  # a POST there saves a sentence


class HeldSaves:
    """A slow server: saves (or other POSTs to ``pattern``) wait, unanswered, until
    ``answer()``."""

    def __init__(self, page, pattern=SAVES):
        self.waiting, self.holding = [], True
        page.route(pattern, self.arrived)

    def arrived(self, route):
        if route.request.method != "POST" or not self.holding:
            return route.continue_()
        return self.waiting.append(route)

    def answer(self):
        self.holding = False
        for route in self.waiting:
            route.continue_()


def test_the_next_sentence_shows_before_its_save_is_answered(
    page, live_server, tmp_path, make_user, sign_in, screenshot
):
    alice = start(page, tmp_path, make_user, sign_in)
    assert leases() == 2  # the sentence shown and the one fetched ahead, both leased
    current = page.locator("#current")
    status = page.locator("#saving")
    server = HeldSaves(page)
    for n in range(3):  # three sentences while the server sits on every save
        page.keyboard.press("1")
        page.keyboard.press("Enter")
        if n == 0:  # the one fetched ahead shows at once, with the save still on its way
            expect(current).to_have_text(ARTICLE[1])
            expect(status).to_have_attribute("data-waiting", "1")
            expect(status).to_contain_text("Saving")
    # nothing was ahead any more: the page waits, and the keys typed for the third wait too
    expect(status).to_have_attribute("data-waiting", "2")
    expect(status).to_contain_text("2 saves waiting")
    expect(page.locator("#workspace")).to_have_class(re.compile("waiting"))
    screenshot("saving-queue-1366")
    assert annotations_by(alice) == []
    server.answer()
    # the third sentence, with the key typed for it applied; its Enter is not pressed for
    # the annotator, who has not seen it yet
    expect(current).to_have_text(ARTICLE[2])
    expect(page.locator("#claim-0")).to_be_checked()
    expect(page.locator("#client-message")).to_contain_text("look, then press Enter")
    all_saved(page)
    assert len(annotations_by(alice)) == 2
    page.keyboard.press("Enter")
    expect(current).to_have_text(ARTICLE[3])
    all_saved(page)
    expect(status).to_contain_text("Saved")
    saved = annotations_by(alice)
    assert len(saved) == 3 and all(a.revision == 1 for a in saved)  # in order, none twice
    texts = {s.id: s.text for s in db.session.scalars(select(Sentence))}
    assert [texts[a.sentence_id] for a in saved] == ARTICLE[:3]
    expect(page.locator("#workspace .progress")).to_contain_text("Today 3")


def test_a_refused_save_comes_back_with_its_entries_and_the_next_keeps_its_own(
    page, live_server, tmp_path, make_user, sign_in, screenshot
):
    alice = start(page, tmp_path, make_user, sign_in, width=800)
    first = db.session.scalar(select(Lease.sentence_id).order_by(Lease.id))
    save(alice, first, label_values(claim="claim"))  # saved meanwhile, in another tab
    current = page.locator("#current")
    page.keyboard.press("3")  # checkworthy
    page.keyboard.press("o")
    page.keyboard.type("AzerNews")
    page.keyboard.press("Escape")
    server = HeldSaves(page)
    page.keyboard.press("Enter")
    expect(current).to_have_text(ARTICLE[1])
    page.keyboard.press("2")  # on the second sentence while the first is being refused
    server.answer()
    expect(current).to_have_text(ARTICLE[0])  # back, with the reason and what was entered
    expect(page.get_by_role("alert").first).to_contain_text("saved elsewhere")
    entered = page.locator("#entered")
    expect(entered).to_contain_text(re.compile("checkworthy", re.IGNORECASE))
    expect(entered).to_contain_text("AzerNews")
    screenshot("saving-refused-800")
    page.keyboard.press("3")
    page.keyboard.press("Enter")  # saved over the other tab's labels, knowingly
    expect(current).to_have_text(ARTICLE[1])
    expect(page.locator("#claim-1")).to_be_checked()  # its entry kept
    (saved,) = annotations_by(alice, page)
    assert saved.labels["claim"] == "checkworthy_claim" and saved.revision == 2


def test_a_server_that_cannot_be_reached_loses_nothing_and_saves_once(
    page, live_server, tmp_path, make_user, sign_in
):
    alice = start(page, tmp_path, make_user, sign_in)
    current = page.locator("#current")
    page.route(SAVES, lambda route: route.abort("connectionrefused"))
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(current).to_have_text(ARTICLE[0])  # tried twice, then back with its entries
    expect(page.locator("#client-message")).to_contain_text("cannot be reached")
    expect(page.locator("#claim-1")).to_be_checked()
    assert annotations_by(alice) == []
    page.keyboard.press("h")  # leaving an unsaved sentence takes a second press
    expect(page.locator("#client-message")).to_contain_text("not saved: press Enter")
    expect(current).to_have_text(ARTICLE[0])
    page.unroute(SAVES)
    page.keyboard.press("Enter")
    expect(current).to_have_text(ARTICLE[1])
    (saved,) = annotations_by(alice, page)
    assert saved.labels["claim"] == "claim"


def test_a_page_left_gives_back_the_sentence_it_fetched_ahead(
    page, live_server, tmp_path, make_user, sign_in
):
    start(page, tmp_path, make_user, sign_in)
    assert leases(lasting=timedelta(minutes=20)) == 2
    page.keyboard.press("h")  # history: a page of its own
    expect(page).to_have_url(re.compile("/annotate/history"))
    for _ in range(50):
        if leases(lasting=timedelta(minutes=3)) == 1:
            break
        page.wait_for_timeout(100)
    # the sentence shown stays hers; the one ahead runs out within two minutes
    assert leases(lasting=timedelta(minutes=3)) == 1
    assert leases() == 2


def test_spans_marked_from_the_keyboard(
    page, live_server, tmp_path, make_user, sign_in, screenshot
):
    alice = start(page, tmp_path, make_user, sign_in)
    current = page.locator("#current")
    cursor = page.locator("#span-cursor")
    page.keyboard.press("3")  # checkworthy
    page.keyboard.press("2")  # source type: person
    page.keyboard.press("s")  # a word cursor on the first word
    expect(current.locator(".span-marking")).to_have_text("Jeyhun")
    expect(cursor).to_contain_text("Marking source: “Jeyhun”")
    page.keyboard.press("Shift+ArrowRight")
    expect(current.locator(".span-marking")).to_have_text("Jeyhun Bayramov")
    screenshot("keyboard-span-1366")
    page.keyboard.press("Enter")
    expect(current.locator(".span-source")).to_have_text("Jeyhun Bayramov")
    expect(page.locator("#entity")).to_have_value("Jeyhun Bayramov")  # a name: the entity
    page.keyboard.press("Shift+S")  # cleared: the entity that came with it goes too
    expect(page.locator("#entity")).to_have_value("")
    page.keyboard.press("s")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator("#entity")).to_have_value("Jeyhun Bayramov")
    page.keyboard.press("c")  # the cue's cursor starts after the source
    expect(current.locator(".span-marking")).to_have_text("said")
    page.keyboard.press("Enter")
    expect(current.locator(".span-cue")).to_have_text("said")
    expect(cursor).to_have_text("")
    page.keyboard.press("Enter")  # 8 keys, without the second thoughts
    expect(current).to_have_text(ARTICLE[1])

    page.set_viewport_size({"width": 800, "height": 800})
    page.keyboard.press("3")  # checkworthy; the source type is left at Author, and follows
    page.keyboard.press("s")
    page.keyboard.press("ArrowDown")  # to the next clause: after the quotation
    page.keyboard.press("Shift+ArrowRight")
    expect(current.locator(".span-marking")).to_have_text("the minister")
    page.keyboard.press("Escape")  # cancelled: nothing marked
    expect(current.locator(".span-source")).to_have_count(0)
    page.keyboard.press("s")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("c")  # the other span's key marks this one and goes on to the cue
    expect(current.locator(".span-source")).to_have_text("the minister")
    expect(current.locator(".span-marking")).to_have_text("told")
    page.keyboard.press("Enter")
    screenshot("keyboard-span-800")
    # "the minister": the person the article quoted last, as the suggester resolves it
    expect(page.locator("#entity")).to_have_value("Jeyhun Bayramov")
    page.keyboard.press("Enter")
    expect(current).to_have_text(ARTICLE[2])

    first, second = annotations_by(alice, page)
    assert second.labels["attribution"]["source_type"] == "person"  # followed the source
    assert first.labels["attribution"] == {
        "source_type": "person",
        "entity": "Jeyhun Bayramov",
        "source": {"start": 0, "end": 15},
        "cue": {"start": 16, "end": 20},
    }
    text = ARTICLE[1]
    source, cue = second.labels["attribution"]["source"], second.labels["attribution"]["cue"]
    assert text[source["start"] : source["end"]] == "the minister"
    assert text[cue["start"] : cue["end"]] == "told"


def test_a_mouse_selection_snaps_to_whole_words(page, live_server, tmp_path, make_user, sign_in):
    start(page, tmp_path, make_user, sign_in)
    # "eyhun Bayr": from inside one word to inside the next
    page.evaluate(
        """() => {
        const text = document.querySelector('#current').firstChild;
        const range = document.createRange();
        range.setStart(text, 1);
        range.setEnd(text, 10);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }"""
    )
    page.keyboard.press("s")
    expect(page.locator("#current .span-source")).to_have_text("Jeyhun Bayramov")
    expect(page.locator("#source_start")).to_have_value("0")
    expect(page.locator("#source_end")).to_have_value("15")


def test_a_sentence_fetched_ahead_in_a_tab_left_idle_is_asked_for_afresh(
    page, live_server, app, tmp_path, make_user, sign_in
):
    app.config["LEASE_MINUTES"] = 0.05  # 3 s: fetched ahead, unused for over half of it
    alice = start(page, tmp_path, make_user, sign_in)
    current = page.locator("#current")
    released = []
    page.on("request", lambda request: released.append(request.url.endswith("/release")))
    page.wait_for_timeout(2_000)
    page.keyboard.press("2")
    page.keyboard.press("Enter")  # not shown from what was ahead: the save's answer is
    expect(current).not_to_have_text(ARTICLE[0])
    assert any(released)  # the old reservation was given back first
    expect(page.locator("#saving")).to_have_attribute("data-ahead", "1")
    (saved,) = annotations_by(alice, page)
    assert saved.labels["claim"] == "claim"
    # the sentence shown and the next one ahead; the old one ahead runs out soon
    assert leases(lasting=timedelta(minutes=-1)) - leases(lasting=timedelta(seconds=1)) == 0
    assert leases(lasting=timedelta(seconds=2)) >= 2


def test_a_fetch_ahead_and_a_save_that_cross_never_show_a_sentence_twice(
    page, live_server, tmp_path, make_user, sign_in
):
    import_texts(tmp_path, ARTICLE)
    alice = make_user("alice").id
    server = HeldSaves(page, re.compile(r"/annotate/ahead$"))  # the first fetch ahead is slow
    sign_in("alice")
    expect(page.locator("#group-claim")).to_have_class(re.compile("active"))
    current = page.locator("#current")
    page.keyboard.press("1")
    page.keyboard.press("Enter")  # nothing ahead yet: the save's answer brings the next
    expect(current).to_have_text(ARTICLE[1])
    server.answer()  # ... and the fetch ahead, answered now, brings the same one again
    expect(page.locator("#saving")).to_have_attribute("data-ahead", "1")
    for text in ARTICLE[2:4]:  # what is ahead is the sentence after, each time
        page.keyboard.press("1")
        page.keyboard.press("Enter")
        expect(current).to_have_text(text)
    saved = annotations_by(alice, page)
    assert len(saved) == 3 and all(a.revision == 1 for a in saved)
