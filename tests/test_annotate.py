"""The annotation pages without JavaScript: next, save, wrong input, skip, edit, done."""

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from annotator.assignment import next_sentence, release_expired
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import Annotation, AnnotationRevision, Document, Lease, Sentence, utcnow
from tests.helpers import import_texts, label_values, rendered_forms

SENTENCES = ["Jeyhun Bayramov emphasized that talks would go on.", "Nobody objected to that."]
VALID = {
    "claim": "checkworthy_claim",
    "source_type": "person",
    "entity": "Jeyhun Bayramov",
    "source_start": "0",
    "source_end": "15",
    "cue_start": "16",
    "cue_end": "26",
    "stance_0": "none",
    "stance_1": "neutral",
    "outlet": "Wire",
}


@pytest.fixture
def annotator(auth, tmp_path):
    """A logged-in annotator and an article of two sentences (ids returned)."""
    (ids,) = import_texts(tmp_path, SENTENCES)
    auth.login("alice")
    return ids


def count():
    return db.session.scalar(select(func.count()).select_from(Annotation))


def test_next_shows_the_sentence_in_context(client, annotator):
    response = client.get("/annotate")
    assert response.headers["Location"] == f"/annotate/{annotator[0]}"
    page = client.get(response.headers["Location"]).data.decode()
    assert '<mark class="current"' in page and SENTENCES[0] in page
    assert SENTENCES[1] in page  # the next sentence is readable as context
    assert 'value="Wire"' in page  # outlet prefilled from the document


def test_save_stores_the_labels_and_goes_on(client, annotator):
    client.get("/annotate")
    response = client.post(f"/annotate/{annotator[0]}", data=VALID)
    assert response.status_code == 302 and response.headers["Location"] == "/annotate"
    annotation = db.session.scalar(select(Annotation))
    assert annotation.labels == {
        "claim": "checkworthy_claim",
        "attribution": {
            "source_type": "person",
            "entity": "Jeyhun Bayramov",
            "source": {"start": 0, "end": 15},
            "cue": {"start": 16, "end": 26},
        },
        "stance": {"Azerbaijan": "none", "Armenia": "neutral"},
        "outlet": "Wire",
    }
    assert annotation.seconds is not None and annotation.seconds >= 0
    assert client.get("/annotate").headers["Location"] == f"/annotate/{annotator[1]}"


def test_the_common_case_needs_only_the_claim(client, annotator):
    client.get("/annotate")
    response = client.post(f"/annotate/{annotator[0]}", data={"claim": "not_claim"})
    assert response.status_code == 302
    labels = db.session.scalar(select(Annotation)).labels
    assert labels["attribution"]["source_type"] == "author"
    assert labels["stance"] == {"Azerbaijan": "none", "Armenia": "none"}


@pytest.mark.parametrize(
    ("changes", "message", "named"),
    [
        ({"claim": "maybe"}, "choose one of not_claim, claim, checkworthy_claim", "claim"),
        ({"source_start": "5", "source_end": "2"}, "is not inside the sentence", "source_start"),
        ({"cue_start": "40", "cue_end": "90"}, "is not inside the sentence", "cue_start"),
        ({"stance_1": "love"}, "choose one of favor, against, neutral, none", "stance_1"),
        ({"source_start": "abc"}, "Not a valid integer value.", "source_start"),
    ],
)
def test_wrong_input_stores_nothing_and_keeps_the_entries(
    client, annotator, changes, message, named
):
    client.get("/annotate")
    response = client.post(f"/annotate/{annotator[0]}", data={**VALID, **changes})
    assert response.status_code == 422
    page = response.data.decode()
    # the message sits under the input (or group) it concerns, which names it for screen readers
    errors = re.search(rf'<div class="errors" id="{named}-errors">(.*?)</div>', page).group(1)
    assert message in errors
    assert f'aria-describedby="{named}-errors"' in page
    assert 'value="Jeyhun Bayramov"' in page  # what the annotator typed is still there
    assert count() == 0


HOSTILE = "Evil\x1b[31mRED\x1b]0;title\x07\u202e\u2066\u200b\x9b\x7f"


def test_typed_text_loses_control_bidi_and_invisible_characters(client, annotator):
    client.get("/annotate")
    typed = {"entity": f"Jeyhun {HOSTILE}", "outlet": f"{HOSTILE}\nWire",
             "comment": f"first line{HOSTILE}\r\nsecond\tline", "flagged": "y"}  # fmt: skip
    refused = client.post(f"/annotate/{annotator[0]}", data={**VALID, **typed, "claim": "x"})
    assert refused.status_code == 422 and count() == 0
    assert 'value="Jeyhun Evil[31mRED]0;title"' in refused.text  # entries kept, cleaned
    assert client.post(f"/annotate/{annotator[0]}", data={**VALID, **typed}).status_code == 302
    annotation = db.session.scalar(select(Annotation))
    assert annotation.labels["attribution"]["entity"] == "Jeyhun Evil[31mRED]0;title"
    assert annotation.labels["outlet"] == "Evil[31mRED]0;title Wire"
    assert annotation.comment == "first lineEvil[31mRED]0;title\nsecond line"
    client.get("/annotate")
    skip = client.post(f"/annotate/{annotator[1]}/skip", data={"reason": f"not {HOSTILE}"})
    assert skip.status_code == 302
    assert db.session.get(Annotation, 2).comment == "not Evil[31mRED]0;title"


def test_skip_with_reason(client, annotator):
    client.get("/annotate")
    response = client.post(f"/annotate/{annotator[0]}/skip", data={"reason": "not English"})
    assert response.status_code == 302
    skipped = db.session.scalar(select(Annotation))
    assert skipped.skipped and skipped.comment == "not English" and skipped.labels == {}
    assert client.get("/annotate").headers["Location"] == f"/annotate/{annotator[1]}"


def test_edit_keeps_the_earlier_version(client, annotator):
    client.get("/annotate")
    client.post(f"/annotate/{annotator[0]}", data=VALID)
    page = client.get(f"/annotate/{annotator[0]}").data.decode()
    assert re.search(r'value="checkworthy_claim" checked', page)  # reopened as saved
    edit = client.post(
        f"/annotate/{annotator[0]}", data={**VALID, "claim": "claim", "revision": "1"}
    )
    assert edit.status_code == 302
    assert db.session.scalar(select(Annotation)).labels["claim"] == "claim"
    kept = db.session.scalar(select(AnnotationRevision))
    assert kept.labels["claim"] == "checkworthy_claim"
    stale = client.post(
        f"/annotate/{annotator[0]}", data={**VALID, "claim": "not_claim", "revision": "1"}
    )
    assert stale.status_code == 409
    assert "saved elsewhere" in stale.data.decode()
    assert db.session.scalar(select(Annotation)).labels["claim"] == "claim"


def test_done_page_with_my_counts(client, annotator):
    for _ in range(2):
        location = client.get("/annotate").headers["Location"]
        client.post(location, data={"claim": "not_claim"})
    done = client.get("/annotate")
    assert done.status_code == 200
    page = done.data.decode()
    assert "Nothing left for you to label" in page
    assert "You labelled <strong>2</strong>" in page and "You skipped <strong>0</strong>" in page


def leases():
    return db.session.scalar(select(func.count()).select_from(Lease))


def test_a_link_from_another_site_reserves_nothing_until_the_user_goes_on(client, annotator):
    for site in ("cross-site", "same-site"):  # another site, or another subdomain of this one
        page = client.get("/annotate", headers={"Sec-Fetch-Site": site})
        assert page.status_code == 200 and leases() == 0
        assert (
            '<a class="button" href="/annotate" autofocus>Go to your next sentence</a>' in page.text
        )
    for site in ("same-origin", "none"):  # a link on this site; typed, or a bookmark
        handed = client.get("/annotate", headers={"Sec-Fetch-Site": site})
        assert handed.headers["Location"] == f"/annotate/{annotator[0]}" and leases() == 1
    client.post(f"/annotate/{annotator[0]}", data={"claim": "not_claim"})
    assert client.get("/annotate").headers["Location"] == f"/annotate/{annotator[1]}"  # no header


def label_form(page):
    """The label form's fields as the page renders them (hidden fields included)."""
    forms, _ = rendered_forms("", page.text)
    form = next(
        form for form in forms if "/skip" not in form["action"] and "/annotate/" in form["action"]
    )
    return form["action"], dict(form["fields"])


def test_a_save_after_the_reservation_ran_out_is_kept_while_there_is_room(client, annotator):
    action, fields = label_form(client.get("/annotate", follow_redirects=True))
    db.session.execute(update(Lease).values(expires=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert release_expired() == 1  # swept away, as any other request would have
    db.session.commit()
    response = client.post(action, data={**fields, **VALID}, as_given=True)
    assert response.status_code == 302, response.text
    taken = db.session.scalar(select(Sentence.taken).where(Sentence.id == annotator[0]))
    assert count() == 1 and taken == 1


def test_a_late_save_on_a_full_sentence_says_so_and_keeps_the_entries(
    app, client, annotator, make_user
):
    app.config["OVERLAP"] = 1
    action, fields = label_form(client.get("/annotate", follow_redirects=True))
    db.session.execute(update(Lease).values(expires=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    bob = make_user("bob")
    assert next_sentence(bob.id) == annotator[0]  # the slot went to bob
    save(bob.id, annotator[0], label_values())
    response = client.post(action, data={**fields, **VALID}, as_given=True)
    assert response.status_code == 409
    assert "now has all the labels it needs" in response.text
    assert 'value="Jeyhun Bayramov"' in response.text  # the entries are still there
    assert count() == 1  # bob's only


def test_a_sentence_never_handed_out_cannot_be_saved_with_a_forged_proof(client, annotator):
    action, fields = label_form(client.get("/annotate", follow_redirects=True))
    other = action.replace(str(annotator[0]), str(annotator[1]))
    response = client.post(other, data={**fields, **VALID}, as_given=True)
    assert response.status_code == 404 and count() == 0


def test_two_tabs_on_a_new_sentence_the_second_save_is_refused_showing_the_first(client, annotator):
    first_tab = client.get("/annotate", follow_redirects=True)
    second_tab = client.get(first_tab.request.path)
    action, fields = label_form(first_tab)
    assert fields["revision"] == "0"  # nothing saved yet
    assert client.post(action, data={**fields, **VALID}, as_given=True).status_code == 302
    action, fields = label_form(second_tab)
    response = client.post(
        action, data={**fields, **VALID, "claim": "not_claim", "stance_1": "against"}
    )
    assert response.status_code == 409 and "saved elsewhere" in response.text
    assert re.search(r'value="checkworthy_claim" checked', response.text)  # as saved
    assert "<strong>claim</strong>: not_claim" in response.text  # what the second tab held
    assert "<strong>stance.Armenia</strong>: against" in response.text
    stored = db.session.scalar(select(Annotation))
    assert stored.labels["claim"] == "checkworthy_claim" and stored.revision == 1
    _, fields = label_form(response)
    assert fields["revision"] == "1"  # the next Enter saves over what is now shown


def test_a_skip_from_a_stale_form_is_refused(client, annotator):
    page = client.get("/annotate", follow_redirects=True)
    action, fields = label_form(page)
    assert client.post(action, data={**fields, **VALID}, as_given=True).status_code == 302
    forms, _ = rendered_forms("", page.text)
    skip = next(form for form in forms if form["action"].endswith("/skip"))
    response = client.post(skip["action"], data=dict(skip["fields"]), as_given=True)
    assert response.status_code == 409 and "<strong>skip</strong>" in response.text
    assert not db.session.scalar(select(Annotation)).skipped


def test_workspace_pages_are_not_kept_by_the_browser(client, annotator):
    page = client.get("/annotate", follow_redirects=True)
    assert page.headers["Cache-Control"] == "no-store"  # Back asks the server again


def htmx_headers(page):
    """What htmx sends with every request from this page."""
    return {"HX-Request": "true", **rendered_forms("", page.text)[1]}


def test_a_workspace_left_open_for_hours_still_saves(client, annotator, monkeypatch):
    page = client.get("/annotate", follow_redirects=True)
    action, fields = label_form(page)
    nine_hours_later = time.time() + 9 * 3600
    monkeypatch.setattr(time, "time", lambda: nine_hours_later)
    response = client.post(
        action, data={**fields, **VALID}, headers=htmx_headers(page), as_given=True
    )
    assert response.status_code == 200 and count() == 1


def test_logged_out_mid_work_htmx_learns_it_and_nothing_is_stored(client, annotator):
    page = client.get("/annotate", follow_redirects=True)
    action, fields = label_form(page)
    other_tab = client.get("/annotate/history")
    assert client.post("/logout").status_code == 302  # in another tab
    response = client.post(
        action, data={**fields, **VALID}, headers=htmx_headers(page), as_given=True
    )
    assert response.status_code == 401 and response.headers["X-Refused"] == "login"
    assert "log in again" in response.text and count() == 0
    back_link = client.get(action, headers=htmx_headers(other_tab))
    assert back_link.status_code == 401  # an htmx GET too: no login page inside the workspace
    plain = client.get(action)
    assert plain.status_code == 302 and plain.headers["Location"].startswith("/login?next=")


def test_a_page_from_before_a_new_login_gets_a_fresh_token_that_saves(client, auth, annotator):
    page = client.get("/annotate", follow_redirects=True)
    action, fields = label_form(page)
    auth.login("alice")  # in another tab
    response = client.post(
        action, data={**fields, **VALID}, headers=htmx_headers(page), as_given=True
    )
    assert response.status_code == 400 and response.headers["X-Refused"] == "csrf"
    assert count() == 0
    token = response.headers["X-CSRF-Token"]  # the page puts it in its forms and headers
    fields = {**fields, **VALID, "csrf_token": token}
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    again = client.post(action, data=fields, headers=headers, as_given=True)
    assert again.status_code == 200 and count() == 1


def test_a_plain_form_from_an_earlier_session_explains_itself(client, auth, annotator):
    page = client.get("/annotate", follow_redirects=True)
    action, fields = label_form(page)
    auth.login("alice")  # in another tab
    response = client.post(action, data={**fields, **VALID}, as_given=True)
    assert response.status_code == 400 and "Nothing was saved" in response.text


def test_a_page_opened_by_one_account_never_saves_under_another(client, auth, annotator, make_user):
    page = client.get("/annotate", follow_redirects=True)
    action, fields = label_form(page)
    bob = make_user("bob")
    assert next_sentence(bob.id) == annotator[0]  # bob holds the same sentence
    auth.login("bob")  # in another tab
    token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/annotate/history").text)[1]
    fields = {**fields, **VALID, "csrf_token": token}  # the token the page renews to
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    response = client.post(action, data=fields, headers=headers, as_given=True)
    assert response.status_code == 409 and response.headers["X-Refused"] == "account"
    assert "opened by alice, but bob is logged in" in response.text
    assert count() == 0
    plain = client.post(action, data=fields, as_given=True)
    assert plain.status_code == 409 and "Nothing was saved" in plain.text and count() == 0


def test_a_title_is_escaped_in_the_tab_title_too(client, annotator):
    # the tab title comes from a .txt template, which Flask does not escape by itself
    db.session.execute(update(Document).values(title="</title><a href=x>Win</a>"))
    db.session.commit()
    path = client.get("/annotate", follow_redirects=True).request.path
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(path, headers=headers).text
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        assert "&lt;/title&gt;&lt;a href=x&gt;Win&lt;/a&gt;" in title
        assert "<a href=x>" not in page
