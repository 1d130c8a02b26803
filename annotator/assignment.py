"""Who gets which sentence next, and the leases that keep two people off the same slot.

A sentence is handed out while ``sentence.taken`` (its labels plus live leases) is below
``OVERLAP``. Every write here runs in one short transaction that holds SQLite's write lock
(``BEGIN IMMEDIATE``) or, on PostgreSQL, row locks taken with ``FOR UPDATE SKIP LOCKED`` —
so two annotators asking at once never both get the last slot. Locks are always taken in
the same order, leases before sentences, so concurrent transactions cannot deadlock.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, exists, func, select, update

from .extensions import db, write_transaction
from .models import Annotation, Lease, Sentence, utcnow


def overlap():
    """Labels wanted per sentence (setting ``OVERLAP``)."""
    return current_app.config["OVERLAP"]


def lease_length():
    """How long a handed-out sentence stays reserved (setting ``LEASE_MINUTES``)."""
    return timedelta(minutes=current_app.config["LEASE_MINUTES"])


def release_expired():
    """Delete expired leases and give their slots back; returns how many were released."""
    expired = db.session.scalars(
        delete(Lease).where(Lease.expires < utcnow()).returning(Lease.sentence_id)
    ).all()
    for sentence_id in sorted(expired):
        db.session.execute(
            update(Sentence).where(Sentence.id == sentence_id).values(taken=Sentence.taken - 1)
        )
    return len(expired)


def not_done_by(user_id):
    """Sentences the user has neither labelled nor skipped."""
    return ~exists().where(
        Annotation.sentence_id == Sentence.id, Annotation.annotator_id == user_id
    )


def open_sentences(user_id):
    """Sentences with a free slot that the user has not touched, in import order."""
    return (
        select(Sentence.id)
        .where(not_done_by(user_id))
        .order_by(Sentence.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def continuing_article(user_id):
    """(c) The next open sentence of the article the user worked on last, or None."""
    last = db.session.execute(
        select(Sentence.document_id, Sentence.index)
        .join(Annotation, Annotation.sentence_id == Sentence.id)
        .where(Annotation.annotator_id == user_id)
        .order_by(Annotation.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return None
    return (
        select(Sentence.id)
        .where(
            Sentence.document_id == last.document_id,
            Sentence.index > last.index,
            Sentence.taken < overlap(),
            not_done_by(user_id),
        )
        .order_by(Sentence.index)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def candidates(user_id):
    """The queries to try, in order of preference (rules c, d, e)."""
    article = continuing_article(user_id)
    if article is not None:
        yield article
    for taken in range(overlap() - 1, 0, -1):  # (d) started by others, nearest to done first
        yield open_sentences(user_id).where(Sentence.taken == taken)
    yield open_sentences(user_id).where(Sentence.taken == 0)  # (e) new, in import order


def next_sentence(user_id):
    """Lease the user's next sentence and return its id, or None when nothing is left."""
    write_transaction()
    try:
        release_expired()
        now = utcnow()
        held = db.session.scalar(
            select(Lease).where(Lease.annotator_id == user_id).order_by(Lease.id).limit(1)
        )
        if held is not None:  # (a) finish what you were given first; asking again renews it
            held.expires = now + lease_length()
            db.session.commit()
            return held.sentence_id
        for query in candidates(user_id):
            sentence_id = db.session.scalar(query)
            if sentence_id is not None:
                break
        else:
            db.session.commit()
            return None
        db.session.add(
            Lease(
                sentence_id=sentence_id,
                annotator_id=user_id,
                created=now,
                expires=now + lease_length(),
            )
        )
        db.session.flush()
        db.session.execute(
            update(Sentence).where(Sentence.id == sentence_id).values(taken=Sentence.taken + 1)
        )
        db.session.commit()
        return sentence_id
    except BaseException:
        db.session.rollback()
        raise


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
