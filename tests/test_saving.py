"""The server side of saving in the background: the next sentence fetched (and leased)
ahead, saves that name what the page holds, renewed and released leases; posted as
annotate.js posts them (CSRF token in the body, HX-Request, X-Background on a save)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import Annotation, Lease, Sentence, utcnow
from tests.helpers import import_texts, label_values

HX = {"HX-Request": "true"}
BACKGROUND = {**HX, "X-Background": "save"}
SENTENCES = [
    "The minister spoke on Monday.",
    "Jeyhun Bayramov said talks go on.",
    "Nobody objected.",
    "Talks resume in May.",
]


@pytest.fixture
def ids(auth, tmp_path):
    """A logged-in annotator (alice) and one article of four sentences."""
    (found,) = import_texts(tmp_path, SENTENCES)
    auth.login("alice")
    return found


def my_leases():
    """The sentence ids leased (to anyone), in order."""
    db.session.rollback()
    return sorted(db.session.scalars(select(Lease.sentence_id)).all())


def taken(sentence_id):
    """The sentence's labels and live leases, as counted for OVERLAP."""
    db.session.rollback()
    return db.session.scalar(select(Sentence.taken).where(Sentence.id == sentence_id))


def shown(response):
    """The sentence id a workspace answer shows, or None (the done answer)."""
    page = response.text
    marker = 'id="workspace" data-sentence="'
    return int(page.split(marker, 1)[1].split('"', 1)[0]) if marker in page else None


def test_the_next_sentence_is_leased_ahead_and_not_the_one_shown(client, ids):
    client.get("/annotate")
    assert my_leases() == [ids[0]]
    response = client.post("/annotate/ahead", data={"after": ids[0], "holding": ids[0]}, headers=HX)
    assert response.status_code == 200
    assert shown(response) == ids[1]
    assert my_leases() == [ids[0], ids[1]]  # both reserved: OVERLAP counts the lease
    assert taken(ids[1]) == 1
    # its way back leads to the sentence on screen, which is saved before this one shows
    assert f'id="back-link" href="/annotate/{ids[0]}"' in response.text
    again = client.post("/annotate/ahead", data={"after": ids[0], "holding": ids[0]}, headers=HX)
    assert shown(again) == ids[1]  # asked again (a reload): the same lease, not a third


def test_a_background_save_answers_with_the_sentence_after_the_one_shown(client, ids):
    client.get("/annotate")
    client.post("/annotate/ahead", data={"after": ids[0], "holding": ids[0]}, headers=HX)
    # Enter on the first: the second is on screen already; the answer is the one after it
    data = {"claim": "not_claim", "revision": "0", "after": ids[1], "holding": [ids[1]]}
    response = client.post(f"/annotate/{ids[0]}", data=data, headers=BACKGROUND)
    assert response.status_code == 200
    assert response.headers["X-Saved"] == str(ids[0])
    assert shown(response) == ids[2]
    assert my_leases() == [ids[1], ids[2]]
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 1


def test_a_refused_background_save_keeps_its_status_and_stores_nothing(client, ids):
    client.get("/annotate")
    data = {"claim": "nonsense", "revision": "0", "after": ids[1], "holding": [ids[1]]}
    response = client.post(f"/annotate/{ids[0]}", data=data, headers=BACKGROUND)
    assert response.status_code == 422  # htmx's own swaps get 200; the script needs the truth
    assert "X-Saved" not in response.headers
    assert shown(response) == ids[0]  # the sentence comes back, with the error
    assert "choose one of" in response.text
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 0


def test_a_conflicting_background_save_comes_back_with_409(client, ids, app):
    client.get("/annotate")
    alice = db.session.scalar(select(Lease.annotator_id))
    save(alice, ids[0], label_values(claim="claim"))  # saved meanwhile, in another tab
    data = {"claim": "not_claim", "revision": "0", "after": ids[1]}
    response = client.post(f"/annotate/{ids[0]}", data=data, headers=BACKGROUND)
    assert response.status_code == 409
    assert "What you had entered" in response.text


def test_the_leases_a_page_holds_are_renewed_with_each_save(client, ids, app):
    client.get("/annotate")
    client.post("/annotate/ahead", data={"after": ids[0], "holding": ids[0]}, headers=HX)
    soon = utcnow() + timedelta(minutes=1)
    db.session.execute(update(Lease).values(expires=soon))
    db.session.commit()
    data = {"claim": "claim", "revision": "0", "after": ids[1], "holding": [ids[1]]}
    client.post(f"/annotate/{ids[0]}", data=data, headers=BACKGROUND)
    db.session.rollback()
    held = db.session.scalar(select(Lease.expires).where(Lease.sentence_id == ids[1]))
    assert held - utcnow() > timedelta(minutes=app.config["LEASE_MINUTES"] - 1)


def test_released_leases_run_out_soon_and_give_their_slots_back(client, ids, make_user):
    client.get("/annotate")
    client.post("/annotate/ahead", data={"after": ids[0], "holding": ids[0]}, headers=HX)
    bob = make_user("bob")
    bobs = next_sentence(bob.id, holding=ids[:2])  # one alice does not hold
    # the page is left: the sentence fetched ahead runs out within two minutes (not 30: the
    # same lease may be held by another tab, whose next save renews it); not bob's
    response = client.post("/annotate/release", data={"holding": [ids[1], bobs]})
    assert response.status_code == 204
    db.session.rollback()
    rows = select(Lease.annotator_id, Lease.sentence_id, Lease.expires)
    expires = {(who, what): until for who, what, until in db.session.execute(rows)}
    alice = next(who for who, what in expires if who != bob.id)
    assert expires[alice, ids[1]] - utcnow() <= timedelta(minutes=2)
    assert expires[alice, ids[0]] - utcnow() > timedelta(minutes=20)  # on screen: hers
    assert expires[bob.id, bobs] - utcnow() > timedelta(minutes=20)  # not hers to end
    ran_out = utcnow() - timedelta(seconds=1)
    mine = (Lease.annotator_id == alice) & (Lease.sentence_id == ids[1])
    db.session.execute(update(Lease).where(mine).values(expires=ran_out))
    db.session.commit()
    held_before = taken(ids[1])
    next_sentence(bob.id)  # any hand-out sweeps what ran out: its slot goes back
    db.session.rollback()
    assert not db.session.scalar(select(func.count()).select_from(Lease).where(mine))
    assert taken(ids[1]) <= held_before  # given back (and perhaps handed to bob again)


def test_release_and_ahead_need_the_csrf_token(client, ids):
    client.get("/annotate")
    for path in ("/annotate/ahead", "/annotate/release"):
        response = client.post(path, data={"holding": ids[0]}, as_given=True)
        assert response.status_code == 400, path
    assert my_leases() == [ids[0]]


def test_nonsense_in_holding_is_left_out(client, ids):
    client.get("/annotate")
    data = {"after": "x", "holding": ["-1", "abc", "99999999999", str(ids[0])]}
    response = client.post("/annotate/ahead", data=data, headers=HX)
    assert response.status_code == 200
    assert shown(response) == ids[1]


def test_prefetching_keeps_the_overlap(client, ids, app, make_user):
    """Three annotators each holding a sentence and one ahead never give a sentence more
    than OVERLAP labels and leases."""
    app.config["OVERLAP"] = 2
    people = [make_user(name) for name in ("bob", "cy", "dee")]
    for person in people:
        shown_now = next_sentence(person.id)
        next_sentence(person.id, holding=(shown_now,), after=shown_now)
    db.session.rollback()
    counts = db.session.execute(
        select(Lease.sentence_id, func.count()).group_by(Lease.sentence_id)
    ).all()
    assert max(count for _, count in counts) <= 2
    assert all(taken(sentence_id) == count for sentence_id, count in counts)


def test_the_end_comes_ahead_as_the_done_answer(client, ids):
    client.get("/annotate")
    holding = []
    for sentence_id in ids:
        holding.append(sentence_id)
        response = client.post(
            "/annotate/ahead", data={"after": sentence_id, "holding": holding}, headers=HX
        )
    assert shown(response) is None
    assert "Nothing left for you to label" in response.text


def test_a_save_sent_again_after_its_answer_was_lost_is_not_stored_twice(client, ids):
    client.get("/annotate")
    data = {"claim": "claim", "revision": "0", "after": ids[1], "holding": [ids[1]]}
    first = client.post(f"/annotate/{ids[0]}", data=data, headers=BACKGROUND)
    assert first.status_code == 200 and shown(first) == ids[2]
    # the answer never reached the page (the connection was cut): the page sends it again
    again = client.post(f"/annotate/{ids[0]}", data=data, headers=BACKGROUND)
    assert again.status_code == 200
    assert again.headers["X-Saved"] == str(ids[0])
    assert shown(again) == ids[2]  # the same sentence after it: its lease, renewed
    db.session.rollback()
    (annotation,) = db.session.scalars(select(Annotation)).all()
    assert annotation.revision == 1  # stored once
    # the same form with other labels is a stale form as before: refused, and said why
    other = client.post(
        f"/annotate/{ids[0]}", data={**data, "claim": "not_claim"}, headers=BACKGROUND
    )
    assert other.status_code == 409


def test_the_entity_of_a_marked_source_is_resolved_in_its_article(client, auth, tmp_path):
    (ids,) = import_texts(
        tmp_path,
        [
            "Pentagon spokesman Mark Wright spoke on Monday.",
            "Wright said the drills would go on.",
            "Officials said nothing.",
        ],
    )
    auth.login("alice")
    client.get("/annotate")
    client.post("/annotate/ahead", data={"after": ids[0], "holding": ids[0]}, headers=HX)
    found = client.get(f"/annotate/{ids[1]}/entity?start=0&end=6")  # "Wright"
    assert found.json == {"source_type": "person", "entity": "Mark Wright"}
    found = client.get(f"/annotate/{ids[0]}/entity?start=0&end=30")  # with the title
    assert found.json == {"source_type": "person", "entity": "Mark Wright"}
    for bad in ("start=6&end=0", "start=0&end=999", "start=x&end=3", ""):
        assert client.get(f"/annotate/{ids[1]}/entity?{bad}").status_code == 400, bad
    assert client.get(f"/annotate/{ids[2]}/entity?start=0&end=9").status_code == 404  # not hers
