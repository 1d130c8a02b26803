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
    false,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    true,
    union_all,
    update,
)

from .database import writing
from .extensions import db
from .models import ANNOTATIONS, LEASES, SENTENCES, Annotation, utcnow
from .sending_back import SENT_BACK


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
# The sentences the user's page holds already (on screen, fetched ahead, saves on the way):
# never handed out again in the same page. Empty for a plain page.
HOLDING = bindparam("holding", expanding=True)
# a sentence the user labelled whose new stance targets the lead wants answered
ASKED_AGAIN = (
    select(ANNOTATIONS.c.sentence_id)
    .where(
        ANNOTATIONS.c.annotator_id == bindparam("user_id"),
        ANNOTATIONS.c.asked_again == true(),
        ANNOTATIONS.c.sentence_id.not_in(HOLDING),
    )
    .order_by(ANNOTATIONS.c.sentence_id)
    .limit(1)
    .subquery()
)
HELD_LEASE = (
    select(LEASES.c.id, LEASES.c.sentence_id)
    .where(LEASES.c.annotator_id == bindparam("user_id"), LEASES.c.sentence_id.not_in(HOLDING))
    .order_by(LEASES.c.id)
    .limit(1)
    .subquery()
)
SENT_BACK_ROW = SENT_BACK.subquery()
# What comes before any other sentence, in one statement, in this order: (a) a lease the
# user holds (other than on what their page holds), to be renewed; then a sentence a
# reviewer sent back to them (``new``: one they never labelled, which needs a lease); then
# one asked again.
QUEUED_FIRST = union_all(
    select(
        HELD_LEASE.c.sentence_id,
        false().label("new"),
        literal(0).label("rank"),
        HELD_LEASE.c.id.label("lease_id"),
    ),
    select(SENT_BACK_ROW.c.sentence_id, SENT_BACK_ROW.c.new, literal(1), null()),
    select(ASKED_AGAIN.c.sentence_id, false(), literal(2), null()),
).subquery()
FIRST_IN_QUEUE = select(QUEUED_FIRST).order_by(QUEUED_FIRST.c.rank).limit(1)
RENEW_LEASE = update(LEASES).where(LEASES.c.id == bindparam("lease_id"))
RENEW_HELD = update(LEASES).where(
    LEASES.c.annotator_id == bindparam("user_id"), LEASES.c.sentence_id.in_(HOLDING)
)
# what is left of a lease a page gave back (below)
RELEASE_GRACE = timedelta(minutes=2)
SHORTEN_HELD = (
    update(LEASES)
    .where(
        LEASES.c.annotator_id == bindparam("user_id"),
        LEASES.c.sentence_id.in_(HOLDING),
        LEASES.c.expires > bindparam("soon"),
    )
    .values(expires=bindparam("soon"))
)
NEW_LEASE = insert(LEASES)
LAST_LABELLED = (
    select(SENTENCES.c.document_id, SENTENCES.c.index)
    .join(ANNOTATIONS, ANNOTATIONS.c.sentence_id == SENTENCES.c.id)
    .where(ANNOTATIONS.c.annotator_id == bindparam("user_id"))
    .order_by(ANNOTATIONS.c.id.desc())
    .limit(1)
)
PLACE = SENTENCES.alias("place")  # the sentence the page shows, which rule c continues
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
        .where(*conditions, NOT_DONE_BY_USER, SENTENCES.c.id.not_in(HOLDING))
        .limit(1)
        .with_for_update(skip_locked=True)
    )


NEXT_IN_ARTICLE = first_open(
    SENTENCES.c.document_id == bindparam("article"),
    SENTENCES.c.index > bindparam("after_index"),
    SENTENCES.c.taken < bindparam("overlap"),
).order_by(SENTENCES.c.index)
# the same, after the sentence ``:after`` (its place read in the same statement)
NEXT_AFTER = first_open(
    SENTENCES.c.document_id
    == select(PLACE.c.document_id).where(PLACE.c.id == bindparam("after")).scalar_subquery(),
    SENTENCES.c.index
    > select(PLACE.c.index).where(PLACE.c.id == bindparam("after")).scalar_subquery(),
    SENTENCES.c.taken < bindparam("overlap"),
).order_by(SENTENCES.c.index)
STARTED_BY_OTHERS = first_open(SENTENCES.c.taken == bindparam("slots_taken")).order_by(
    SENTENCES.c.id
)
# a literal 0, so that both databases may use the partial index of fresh sentences
NEW_IN_ORDER = first_open(SENTENCES.c.taken == literal_column("0")).order_by(SENTENCES.c.id)


def picked_and_leased(pick):
    """PostgreSQL: ``pick`` (a ``first_open`` statement), the lease of what it picks and
    the slot it takes, in one statement (three round trips otherwise): the leased
    sentence's id, or None. SQLite has no writes inside WITH (see ``take``).

    Careful: SQLAlchemy reads a parameter named like a column of ``sentences`` as a value
    to SET in the UPDATE below, so no parameter of the candidates is named so."""
    picked = pick.cte("picked")
    slot = (
        update(SENTENCES)
        .where(SENTENCES.c.id.in_(select(picked.c.id)))
        .values(taken=SENTENCES.c.taken + 1)
        .cte("slot")
    )
    values = select(
        picked.c.id,
        bindparam("user_id", type_=LEASES.c.annotator_id.type),
        bindparam("created", type_=LEASES.c.created.type),
        bindparam("expires", type_=LEASES.c.expires.type),
    )
    columns = ["sentence_id", "annotator_id", "created", "expires"]
    return insert(LEASES).from_select(columns, values).returning(LEASES.c.sentence_id).add_cte(slot)


PICKED_AND_LEASED = {
    pick: picked_and_leased(pick)
    for pick in (NEXT_IN_ARTICLE, NEXT_AFTER, STARTED_BY_OTHERS, NEW_IN_ORDER)
}


def release_expired():
    """Delete expired leases and give their slots back; returns how many were released."""
    expired = db.session.scalars(EXPIRED_LEASES, {"now": utcnow()}).all()
    for sentence_id in sorted(expired):
        db.session.execute(GIVE_BACK_SLOT, {"sentence_id": sentence_id})
    return len(expired)


def candidates(user_id, holding=(), after=None):
    """``(rule, statement, parameters)`` to try in order of preference (rules c, d, e);
    ``after``: the sentence the user's page shows, whose article rule c continues (else the
    one they labelled last)."""
    user = {"user_id": user_id, "holding": list(holding)}
    if after is not None:
        where = {"after": after, "overlap": overlap()}
        yield "c: next in the same article", NEXT_AFTER, {**user, **where}
    else:
        last = db.session.execute(LAST_LABELLED, user).first()
        if last is not None:
            where = {"article": last.document_id, "after_index": last.index, "overlap": overlap()}
            yield "c: next in the same article", NEXT_IN_ARTICLE, {**user, **where}
    for taken in range(overlap() - 1, 0, -1):
        yield (
            f"d: started by others ({taken} of {overlap()})",
            STARTED_BY_OTHERS,
            {**user, "slots_taken": taken},
        )
    yield "e: new, in import order", NEW_IN_ORDER, user


def next_sentence(user_id, holding=(), after=None):
    """Lease the user's next sentence and return its id, or None when nothing is left;
    ``holding``: the sentences the user's page holds already (their leases are renewed, and
    none of them is handed out again), ``after``: the one it shows."""
    with writing():
        release_expired()
        renew(user_id, holding)
        return lease_next(user_id, holding, after)


def renew(user_id, holding):
    """Renew the user's leases on the sentences their page holds (shown, or fetched ahead
    and not yet shown): a page in use keeps what it holds."""
    if holding:
        parameters = {"user_id": user_id, "holding": list(holding)}
        db.session.execute(RENEW_HELD, {**parameters, "expires": utcnow() + lease_length()})


def release(user_id, sentence_ids):
    """Let the user's leases on these sentences run out within RELEASE_GRACE (a page that
    fetched them ahead was left): the slots return to the pool then, not LEASE_MINUTES
    later. Not at once: another tab of the same user may hold the same lease (each is
    handed the lease its user holds), and its next save renews it. How many were shortened."""
    soon = utcnow() + RELEASE_GRACE
    with writing():
        parameters = {"user_id": user_id, "holding": list(sentence_ids), "soon": soon}
        return db.session.execute(SHORTEN_HELD, parameters).rowcount


def lease_next(user_id, holding=(), after=None):
    """Within a write transaction: renew a lease the user holds (other than on the sentences
    in ``holding``), or hand them a sentence a reviewer sent back to them, or give back a
    sentence they labelled that is asked again, or lease the
    best candidate (rules c, d, e; continuing the article of ``after``); the sentence id,
    or None."""
    now = utcnow()
    expires = now + lease_length()
    user = {"user_id": user_id, "holding": list(holding)}
    first = db.session.execute(FIRST_IN_QUEUE, user).first()
    if first is not None:
        if first.lease_id is not None:  # (a) finish what you were given first; renewed
            db.session.execute(RENEW_LEASE, {"lease_id": first.lease_id, "expires": expires})
        # sent back or asked again: no lease for a sentence they labelled, as their
        # annotation holds its slot and opens it to them; a new annotator's takes a slot
        # beyond OVERLAP
        elif first.new:
            lease(user_id, first.sentence_id, now, expires)
        return first.sentence_id
    for _rule, statement, parameters in candidates(user_id, holding, after):
        sentence_id = take(statement, parameters, user_id, now, expires)
        if sentence_id is not None:
            return sentence_id
    return None


def take(pick, parameters, user_id, now, expires):
    """Lease the sentence ``pick`` finds to the user; its id, or None when it finds none."""
    if db.session.get_bind().dialect.name == "postgresql":
        leasing = {**parameters, "created": now, "expires": expires}
        return db.session.scalar(PICKED_AND_LEASED[pick], leasing)
    sentence_id = db.session.scalar(pick, parameters)
    if sentence_id is not None:
        lease(user_id, sentence_id, now, expires)
    return sentence_id


def lease(user_id, sentence_id, now, expires):
    """Lease the sentence to the user, taking one of its slots."""
    parameters = {"sentence_id": sentence_id, "annotator_id": user_id}
    db.session.execute(NEW_LEASE, {**parameters, "created": now, "expires": expires})
    db.session.execute(TAKE_LEASED_SLOT, {"sentence_id": sentence_id})


def my_counts(user_id):
    """(labelled, skipped) by this user."""
    labelled, skipped = db.session.execute(
        select(
            func.count(Annotation.id).filter(~Annotation.skipped),
            func.count(Annotation.id).filter(Annotation.skipped),
        ).where(Annotation.annotator_id == user_id)
    ).one()
    return labelled, skipped
