"""Who gets which sentence next, and the leases that keep two people off the same slot.

A sentence is handed out while ``sentence.taken`` (its labels plus live leases) is below
``OVERLAP``. Every write here runs in one short transaction that holds SQLite's write lock
(``BEGIN IMMEDIATE``) or, on PostgreSQL, row locks taken with ``FOR UPDATE SKIP LOCKED`` —
so two annotators asking at once never both get the last slot. Locks are always taken in
the same order, leases before sentences, so concurrent transactions cannot deadlock.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import (
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    select,
    true,
    update,
)

from .database import writing
from .extensions import db
from .models import ANNOTATIONS, LEASES, SENTENCES, Annotation, utcnow


def overlap():
    """Labels wanted per sentence (setting ``OVERLAP``)."""
    return current_app.config["OVERLAP"]


def lease_length():
    """How long a handed-out sentence stays reserved (setting ``LEASE_MINUTES``)."""
    return timedelta(minutes=current_app.config["LEASE_MINUTES"])


# Every save-and-next runs the statements below. They are built once, with their values
# bound per call: a statement built afresh costs ~60 µs more each time (SQLAlchemy derives
# its cache key again), which adds up to a millisecond per request.
EXPIRED_LEASES = (
    delete(LEASES).where(LEASES.c.expires < bindparam("now")).returning(LEASES.c.sentence_id)
)
GIVE_BACK_SLOT = (
    update(SENTENCES)
    .where(SENTENCES.c.id == bindparam("sentence_id"))
    .values(taken=SENTENCES.c.taken - 1)
)
TAKE_LEASED_SLOT = (
    update(SENTENCES)
    .where(SENTENCES.c.id == bindparam("sentence_id"))
    .values(taken=SENTENCES.c.taken + 1)
)
HELD_LEASE = (
    select(LEASES.c.id, LEASES.c.sentence_id)
    .where(LEASES.c.annotator_id == bindparam("user_id"))
    .order_by(LEASES.c.id)
    .limit(1)
)
# a sentence the user labelled whose new stance targets the lead wants answered
ASKED_AGAIN = (
    select(ANNOTATIONS.c.sentence_id)
    .where(ANNOTATIONS.c.annotator_id == bindparam("user_id"), ANNOTATIONS.c.asked_again == true())
    .order_by(ANNOTATIONS.c.sentence_id)
    .limit(1)
)
RENEW_LEASE = update(LEASES).where(LEASES.c.id == bindparam("lease_id"))
NEW_LEASE = insert(LEASES)
LAST_LABELLED = (
    select(SENTENCES.c.document_id, SENTENCES.c.index)
    .join(ANNOTATIONS, ANNOTATIONS.c.sentence_id == SENTENCES.c.id)
    .where(ANNOTATIONS.c.annotator_id == bindparam("user_id"))
    .order_by(ANNOTATIONS.c.id.desc())
    .limit(1)
)
NOT_DONE_BY_USER = ~exists().where(
    ANNOTATIONS.c.sentence_id == SENTENCES.c.id,
    ANNOTATIONS.c.annotator_id == bindparam("user_id"),
)


def first_open(*conditions):
    """The first sentence (in the given order) matching ``conditions`` that the user
    (``:user_id``) has not touched, locked for this transaction; other transactions skip
    it rather than wait."""
    return (
        select(SENTENCES.c.id)
        .where(*conditions, NOT_DONE_BY_USER)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


NEXT_IN_ARTICLE = first_open(
    SENTENCES.c.document_id == bindparam("document_id"),
    SENTENCES.c.index > bindparam("index"),
    SENTENCES.c.taken < bindparam("overlap"),
).order_by(SENTENCES.c.index)
STARTED_BY_OTHERS = first_open(SENTENCES.c.taken == bindparam("taken")).order_by(SENTENCES.c.id)
# a literal 0, so that both databases may use the partial index of fresh sentences
NEW_IN_ORDER = first_open(SENTENCES.c.taken == literal_column("0")).order_by(SENTENCES.c.id)


def release_expired():
    """Delete expired leases and give their slots back; returns how many were released."""
    expired = db.session.scalars(EXPIRED_LEASES, {"now": utcnow()}).all()
    for sentence_id in sorted(expired):
        db.session.execute(GIVE_BACK_SLOT, {"sentence_id": sentence_id})
    return len(expired)


def candidates(user_id):
    """``(rule, statement, parameters)`` to try in order of preference (rules c, d, e)."""
    user = {"user_id": user_id}
    last = db.session.execute(LAST_LABELLED, user).first()
    if last is not None:
        where = {"document_id": last.document_id, "index": last.index, "overlap": overlap()}
        yield "c: next in the same article", NEXT_IN_ARTICLE, {**user, **where}
    for taken in range(overlap() - 1, 0, -1):
        yield (
            f"d: started by others ({taken} of {overlap()})",
            STARTED_BY_OTHERS,
            {**user, "taken": taken},
        )
    yield "e: new, in import order", NEW_IN_ORDER, user


def next_sentence(user_id):
    """Lease the user's next sentence and return its id, or None when nothing is left."""
    with writing():
        release_expired()
        return lease_next(user_id)


def lease_next(user_id):
    """Within a write transaction: renew the lease the user holds, or give back a sentence
    they labelled that is asked again, or lease the best candidate (rules c, d, e); the
    sentence id, or None."""
    now = utcnow()
    expires = now + lease_length()
    held = db.session.execute(HELD_LEASE, {"user_id": user_id}).first()
    if held is not None:  # (a) finish what you were given first; asking again renews it
        db.session.execute(RENEW_LEASE, {"lease_id": held.id, "expires": expires})
        return held.sentence_id
    # asked again: no lease, as their annotation holds the sentence's slot and opens it to them
    again = db.session.scalar(ASKED_AGAIN, {"user_id": user_id})
    if again is not None:
        return again
    for _rule, statement, parameters in candidates(user_id):
        sentence_id = db.session.scalar(statement, parameters)
        if sentence_id is not None:
            db.session.execute(
                NEW_LEASE,
                {
                    "sentence_id": sentence_id,
                    "annotator_id": user_id,
                    "created": now,
                    "expires": expires,
                },
            )
            db.session.execute(TAKE_LEASED_SLOT, {"sentence_id": sentence_id})
            return sentence_id
    return None


def my_counts(user_id):
    """(labelled, skipped) by this user."""
    labelled, skipped = db.session.execute(
        select(
            func.count(Annotation.id).filter(~Annotation.skipped),
            func.count(Annotation.id).filter(Annotation.skipped),
        ).where(Annotation.annotator_id == user_id)
    ).one()
    return labelled, skipped
