"""Who gets which sentence next: rules (a)-(e), leases, expiry, and the last-slot race."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.labelling import NoRoom, NotHanded, StaleForm, save
from annotator.models import Annotation, Lease, Sentence, utcnow
from tests.helpers import import_texts, label_values, skip_values

A = ["A zero is here.", "A one is here.", "A two is here."]
B = ["B zero is here.", "B one is here.", "B two is here."]


@pytest.fixture
def corpus(app, tmp_path):
    """Two articles, A and B, of three sentences each; returns their sentence ids."""
    return import_texts(tmp_path, A, B)


@pytest.fixture
def users(make_user):
    """Three annotators' ids."""
    return [make_user(name).id for name in ("alice", "bob", "carol")]


def label(user_id):
    """Ask for the next sentence and label it; returns its id."""
    sentence_id = next_sentence(user_id)
    save(user_id, sentence_id, label_values())
    return sentence_id


def taken(sentence_id):
    return db.session.scalar(select(Sentence.taken).where(Sentence.id == sentence_id))


def test_e_first_sentence_in_import_order(corpus, users):
    assert next_sentence(users[0]) == corpus[0][0]


def test_asking_again_returns_the_same_lease(corpus, users):
    first = next_sentence(users[0])
    assert next_sentence(users[0]) == first
    assert db.session.scalar(select(func.count()).select_from(Lease)) == 1
    assert taken(first) == 1


def test_c_continues_the_article_in_reading_order(corpus, users):
    alice, bob, _ = users
    assert label(alice) == corpus[0][0]
    bob_first = next_sentence(bob)  # (d) bob joins what alice started
    assert bob_first == corpus[0][0]
    assert label(alice) == corpus[0][1]  # (c) alice reads on, A1
    assert label(alice) == corpus[0][2]


def test_d_prefers_sentences_others_started(corpus, users):
    alice, bob, carol = users
    next_sentence(alice)  # alice holds A0
    save(bob, next_sentence(bob), label_values())  # bob is given A0 too (d), and labels it
    assert next_sentence(carol) == corpus[0][1]  # A0 is full; carol gets A1, not B0
    save(carol, corpus[0][1], label_values())
    assert next_sentence(bob) == corpus[0][1]  # (c) bob reads on and meets carol's A1


def test_a_b_never_what_you_did_nor_what_is_full(corpus, users):
    alice, bob, carol = users
    done = {label(alice) for _ in range(6)}
    assert done == set(corpus[0] + corpus[1])
    assert next_sentence(alice) is None  # (a) alice did everything
    for _ in range(6):
        label(bob)
    assert next_sentence(carol) is None  # (b) everything has OVERLAP=2 labels
    per_sentence = db.session.execute(
        select(Annotation.sentence_id, func.count()).group_by(Annotation.sentence_id)
    ).all()
    assert all(count == 2 for _, count in per_sentence)


def test_skip_excludes_the_skipper_and_frees_the_slot(corpus, users):
    alice, bob = users[:2]
    carol = users[2]
    first = next_sentence(alice)
    save(alice, first, skip_values("not English"))
    assert taken(first) == 0
    assert next_sentence(alice) == corpus[0][1]  # (c) alice reads on past her skip
    assert next_sentence(bob) == corpus[0][1]  # (d) what alice started comes first
    assert next_sentence(carol) == first  # the skipped sentence is back in the pool
    skipped = db.session.scalar(select(Annotation).where(Annotation.annotator_id == alice))
    assert skipped.skipped and skipped.comment == "not English"


def test_expired_lease_returns_to_the_pool(app, corpus, users):
    alice, bob = users[:2]
    app.config["OVERLAP"] = 1
    first = next_sentence(alice)
    db.session.execute(update(Lease).values(expires=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert next_sentence(bob) == first  # alice's lease ran out
    assert taken(first) == 1
    assert db.session.scalar(select(Lease.annotator_id)) == bob
    with pytest.raises(NotHanded):  # alice's late save cannot push it past OVERLAP
        save(alice, first, label_values())
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 0


def test_late_save_is_kept_while_there_is_room(app, corpus, users):
    alice, _, _ = users
    first = next_sentence(alice)
    db.session.execute(update(Lease).values(expires=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    save(alice, first, label_values())  # lease ran out, but nobody took the slot
    assert taken(first) == 1
    assert db.session.scalar(select(func.count()).select_from(Lease)) == 0


def test_late_save_refused_when_sentence_filled_meanwhile(app, corpus, users):
    alice, bob, _ = users
    app.config["OVERLAP"] = 1
    first = next_sentence(alice)
    db.session.execute(update(Lease).values(expires=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    # bob's lease on the same sentence is created behind the sweep's back
    db.session.add(
        Lease(sentence_id=first, annotator_id=bob, expires=utcnow() + timedelta(minutes=5))
    )
    db.session.execute(update(Sentence).where(Sentence.id == first).values(taken=2))
    db.session.commit()
    with pytest.raises(NoRoom):
        save(alice, first, label_values())
    assert taken(first) == 2


def test_edit_keeps_revisions_and_refuses_stale_forms(corpus, users):
    from annotator.models import AnnotationRevision

    alice = users[0]
    first = next_sentence(alice)
    save(alice, first, label_values(claim="claim"))
    save(alice, first, label_values(claim="checkworthy_claim"), revision=1)
    annotation = db.session.scalar(select(Annotation))
    assert annotation.labels["claim"] == "checkworthy_claim" and annotation.revision == 2
    kept = db.session.scalar(select(AnnotationRevision))
    assert (kept.revision, kept.labels["claim"]) == (1, "claim")
    with pytest.raises(StaleForm):
        save(alice, first, label_values(claim="not_claim"), revision=1)
    db.session.expire_all()
    assert db.session.scalar(select(Annotation)).labels["claim"] == "checkworthy_claim"


def run_threads(app, user_ids, work):
    """Run ``work(user_id)`` in one thread per user, all starting together."""
    barrier = threading.Barrier(len(user_ids))
    errors = []

    def target(user_id):
        with app.app_context():
            try:
                barrier.wait()
                work(user_id)
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target, args=(u,)) for u in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.rollback()  # end this thread's read transaction: see what the threads wrote
    assert errors == []


def test_last_slot_goes_to_exactly_one(app, tmp_path, make_user):
    (ids,) = import_texts(tmp_path, ["Only one sentence here."])
    first = make_user("first").id
    label(first)  # 1 of OVERLAP=2
    racers = [make_user(f"racer{n}").id for n in range(8)]
    won = []
    run_threads(app, racers, lambda user_id: won.append(next_sentence(user_id)))
    assert sorted(won, key=str) == [ids[0]] + [None] * 7
    assert taken(ids[0]) == 2


def test_many_annotators_never_exceed_overlap(app, tmp_path, make_user):
    sentences = [f"Sentence number {n} is here." for n in range(12)]
    import_texts(tmp_path, sentences[:6], sentences[6:])
    team = [make_user(f"user{n}").id for n in range(6)]

    def work(user_id):
        while (sentence_id := next_sentence(user_id)) is not None:
            save(user_id, sentence_id, label_values())

    run_threads(app, team, work)
    counts = db.session.execute(
        select(Annotation.sentence_id, func.count()).group_by(Annotation.sentence_id)
    ).all()
    assert len(counts) == 12 and all(count == 2 for _, count in counts)
    assert db.session.scalar(select(func.max(Sentence.taken))) == 2
    assert db.session.scalar(select(func.count()).select_from(Lease)) == 0


def test_a_lease_changes_nothing_of_its_sentence_but_the_slots_taken(corpus, users):
    """On PostgreSQL the candidate, its lease and its slot are one statement, whose UPDATE
    would also set any column a parameter is named after: none is."""
    alice, bob, _ = users
    columns = (Sentence.id, Sentence.document_id, Sentence.index, Sentence.text, Sentence.taken)
    before = {row.id: row for row in db.session.execute(select(*columns))}
    label(alice)  # rule e
    bob_first = next_sentence(bob)  # rule d
    alice_next = label(alice)  # rule c
    after = {row.id: row for row in db.session.execute(select(*columns))}
    for sentence_id, row in before.items():
        gained = {alice_next: 1, bob_first: 2}.get(sentence_id, 0)
        assert after[sentence_id] == (*row[:4], row.taken + gained)
