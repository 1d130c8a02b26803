"""Who gets which sentence next, and the leases that keep two people off the same slot.

A sentence is handed out while ``sentence.taken`` (its labels plus live leases) is below
``OVERLAP``. Every write here runs in one short transaction that holds SQLite's write lock
(``BEGIN IMMEDIATE``) or, on PostgreSQL, row locks taken with ``FOR UPDATE SKIP LOCKED`` —
so two annotators asking at once never both get the last slot. Locks are always taken in
the same order, leases before sentences, so concurrent transactions cannot deadlock.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, exists, func, insert, select, update

from .extensions import db, writing
from .models import Annotation, Lease, Sentence, utcnow


def overlap():
    """Labels wanted per sentence (setting ``OVERLAP``)."""
    return current_app.config["OVERLAP"]


def lease_length():
    """How long a handed-out sentence stays reserved (setting ``LEASE_MINUTES``)."""
    return timedelta(minutes=current_app.config["LEASE_MINUTES"])


SENTENCES = Sentence.__table__
ANNOTATIONS = Annotation.__table__
LEASES = Lease.__table__


def release_expired():
    """Delete expired leases and give their slots back; returns how many were released."""
    expired = db.session.scalars(
        delete(LEASES).where(LEASES.c.expires < utcnow()).returning(LEASES.c.sentence_id)
    ).all()
    for sentence_id in sorted(expired):
        db.session.execute(
            update(SENTENCES)
            .where(SENTENCES.c.id == sentence_id)
            .values(taken=SENTENCES.c.taken - 1)
        )
    return len(expired)


def not_done_by(user_id):
    """Sentences the user has neither labelled nor skipped."""
    return ~exists().where(
        ANNOTATIONS.c.sentence_id == SENTENCES.c.id, ANNOTATIONS.c.annotator_id == user_id
    )


def first_open(user_id, *conditions):
    """The first sentence (in the given order) matching ``conditions`` that the user has not
    touched, locked for this transaction; other transactions skip it rather than wait."""
    return (
        select(SENTENCES.c.id)
        .where(*conditions, not_done_by(user_id))
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def continuing_article(user_id):
    """(c) The next open sentence of the article the user worked on last, or None."""
    last = db.session.execute(
        select(SENTENCES.c.document_id, SENTENCES.c.index)
        .join(ANNOTATIONS, ANNOTATIONS.c.sentence_id == SENTENCES.c.id)
        .where(ANNOTATIONS.c.annotator_id == user_id)
        .order_by(ANNOTATIONS.c.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return None
    return first_open(
        user_id,
        SENTENCES.c.document_id == last.document_id,
        SENTENCES.c.index > last.index,
        SENTENCES.c.taken < overlap(),
    ).order_by(SENTENCES.c.index)


def candidates(user_id):
    """``(rule, query)`` pairs to try in order of preference (rules c, d, e)."""
    article = continuing_article(user_id)
    if article is not None:
        yield "c: next in the same article", article
    for taken in range(overlap() - 1, 0, -1):
        yield (
            f"d: started by others ({taken} of {overlap()})",
            first_open(user_id, SENTENCES.c.taken == taken).order_by(SENTENCES.c.id),
        )
    yield (
        "e: new, in import order",
        first_open(user_id, SENTENCES.c.taken == 0).order_by(SENTENCES.c.id),
    )


def next_sentence(user_id):
    """Lease the user's next sentence and return its id, or None when nothing is left."""
    with writing():
        release_expired()
        return lease_next(user_id)


def lease_next(user_id):
    """Within a write transaction: renew the lease the user holds, or lease the best
    candidate (rules c, d, e); the sentence id, or None."""
    now = utcnow()
    expires = now + lease_length()
    held = db.session.execute(
        select(LEASES.c.id, LEASES.c.sentence_id)
        .where(LEASES.c.annotator_id == user_id)
        .order_by(LEASES.c.id)
        .limit(1)
    ).first()
    if held is not None:  # (a) finish what you were given first; asking again renews it
        db.session.execute(update(LEASES).where(LEASES.c.id == held.id).values(expires=expires))
        return held.sentence_id
    for _rule, query in candidates(user_id):
        sentence_id = db.session.scalar(query)
        if sentence_id is not None:
            db.session.execute(
                insert(LEASES).values(
                    sentence_id=sentence_id, annotator_id=user_id, created=now, expires=expires
                )
            )
            db.session.execute(
                update(SENTENCES)
                .where(SENTENCES.c.id == sentence_id)
                .values(taken=SENTENCES.c.taken + 1)
            )
            return sentence_id
    return None


def live_lease(user_id, sentence_id):
    """The user's unexpired lease on the sentence, or None."""
    return db.session.scalar(
        select(Lease).where(
            Lease.annotator_id == user_id,
            Lease.sentence_id == sentence_id,
            Lease.expires >= utcnow(),
        )
    )


def my_counts(user_id):
    """(labelled, skipped) by this user."""
    labelled, skipped = db.session.execute(
        select(
            func.count(Annotation.id).filter(~Annotation.skipped),
            func.count(Annotation.id).filter(Annotation.skipped),
        ).where(Annotation.annotator_id == user_id)
    ).one()
    return labelled, skipped
