"""Sentences whose annotators disagree, for reviewers to settle into gold: read from the kept
table (``annotator.disputes``), filtered, in the queue's orders, a page at a time."""

from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, or_, select

from . import targets
from .disputes import SEPARATOR, field_names
from .extensions import db
from .models import ANNOTATIONS, DISPUTES, DOCUMENTS, GOLD, SENTENCES, USERS, Annotation, Gold, User


@dataclass
class Disagreement:
    """One sentence with two or more annotations that differ on some fields."""

    sentence_id: int
    document_id: str
    index: int
    text: str
    outlet: str | None
    annotators: list
    fields: list = field(default_factory=list)  # fields on which they differ
    gold: str | None = None  # the gold method, if settled
    remarked: bool = False  # an annotator flagged or skipped it


def labellers():
    """Names of the users who gave labels (skips aside), by name: the only names a
    disagreement can show. Not "users with the role annotator": reviewers and admins may
    label too, and an annotator who has labelled nothing yet would filter to nothing."""
    labelled = exists().where(Annotation.annotator_id == User.id, Annotation.skipped.is_(False))
    return select(User.name).where(labelled).order_by(User.name)


def gold_of(sentence_ids):
    """The gold of these sentences, each with the name of the reviewer who settled it
    (None for gold filled in by ``flask adjudicate``)."""
    return (
        select(Gold, User.name)
        .outerjoin(User, User.id == Gold.reviewer_id)
        .where(Gold.sentence_id.in_(sentence_ids))
    )


# The orders of the review queue: (what the list says, its sort key as (column, descending)).
PLACE = [(DISPUTES.c.document_seq, False), (DISPUTES.c.sentence_index, False)]
ORDERS = {
    "disputed": ("most disputed first", [(DISPUTES.c.field_count, True), *PLACE]),
    "agreement": ("lowest agreement first", [(DISPUTES.c.agreement, False), *PLACE]),
    "annotators": ("by annotators", [(DISPUTES.c.labelled_by, False), *PLACE]),
    "document": ("in document order", PLACE),
}
DEFAULT_ORDER = "disputed"


def holding(name):
    """The condition that a kept row's ``fields`` holds this field name."""
    return DISPUTES.c.fields.contains(f"{SEPARATOR}{name}{SEPARATOR}", autoescape=True)


def conditions(field=None, outlet=None, annotator=None, document=None, flagged=None, target=None):
    """The filters of the list as conditions on the kept rows (``flagged``: only those an
    annotator flagged or skipped; ``target``: those that disagree on that stance target)."""
    found = []
    if field:
        found.append(holding(field))
    if target:
        found.append(holding(f"{targets.GROUP}.{target}"))
    if outlet:
        found.append(
            DISPUTES.c.document_seq.in_(select(DOCUMENTS.c.seq).where(DOCUMENTS.c.outlet == outlet))
        )
    if document:
        seq = select(DOCUMENTS.c.seq).where(DOCUMENTS.c.id == document).scalar_subquery()
        found.append(DISPUTES.c.document_seq == seq)
    if annotator:
        found.append(
            exists().where(
                ANNOTATIONS.c.sentence_id == DISPUTES.c.sentence_id,
                ANNOTATIONS.c.annotator_id
                == select(USERS.c.id).where(USERS.c.name == annotator).scalar_subquery(),
                ANNOTATIONS.c.skipped.is_(False),
            )
        )
    if flagged:
        found.append(DISPUTES.c.remarked.is_(True))
    return found


def sort_key(order):
    """The ORDER BY of a queue order."""
    return [column.desc() if descending else column for column, descending in ORDERS[order][1]]


def after(order, place):
    """The condition that a kept row comes after ``place`` (its sort key's values) in
    ``order``: lexicographic, each column in its own direction."""
    key = ORDERS[order][1]
    alternatives = []
    for position, (column, descending) in enumerate(key):
        earlier = [key[i][0] == place[i] for i in range(position)]
        beyond = column < place[position] if descending else column > place[position]
        alternatives.append(and_(*earlier, beyond))
    return or_(*alternatives)


COUNT_UP_TO = 10_000  # beyond this, the list says "more than" rather than read every row


def counts(filters):
    """(disagreements, settled ones, whether there are more) with these filters, counted up
    to COUNT_UP_TO: an exact count would read every kept row on each request (about 100 ms
    at 760,000 on either database), which the first page does not need."""
    counted = select(DISPUTES.c.settled).where(*conditions(**filters)).limit(COUNT_UP_TO + 1)
    counted = counted.subquery()
    total, settled = db.session.execute(
        select(func.count(), func.count().filter(counted.c.settled.is_(True)))
    ).one()
    return min(total, COUNT_UP_TO), settled, total > COUNT_UP_TO


def page_of(filters, order, offset, limit):
    """A page of the list: Disagreements with these filters, in this order. The page's ids
    are found on the kept table alone (its order's index), then only they are joined with
    their sentences, documents and gold: a deep page skips rows without joining them."""
    chosen = (
        select(DISPUTES.c.sentence_id)
        .where(*conditions(**filters))
        .order_by(*sort_key(order))
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    query = (
        select(
            DISPUTES,
            SENTENCES.c.document_id,
            SENTENCES.c.text,
            DOCUMENTS.c.outlet,
            GOLD.c.method.label("gold"),
        )
        .join(chosen, chosen.c.sentence_id == DISPUTES.c.sentence_id)
        .join(SENTENCES, SENTENCES.c.id == DISPUTES.c.sentence_id)
        .join(DOCUMENTS, DOCUMENTS.c.seq == DISPUTES.c.document_seq)
        .outerjoin(GOLD, GOLD.c.sentence_id == DISPUTES.c.sentence_id)
        .order_by(*sort_key(order))
    )
    return [
        Disagreement(row.sentence_id, row.document_id, row.sentence_index, row.text, row.outlet,
                     row.labelled_by.split(", "), field_names(row.fields), row.gold, row.remarked)
        for row in db.session.execute(query)
    ]  # fmt: skip


def next_unsettled(sentence_id, filters, order):
    """The id of the first unsettled disagreement after this one in the list (from its start
    when this one is not in it), or None."""
    chosen = conditions(**filters)
    key = [column for column, _ in ORDERS[order][1]]
    place = db.session.execute(
        select(*key).where(*chosen, DISPUTES.c.sentence_id == sentence_id)
    ).first()
    query = select(DISPUTES.c.sentence_id).where(
        *chosen, DISPUTES.c.settled.is_(False), DISPUTES.c.sentence_id != sentence_id
    )
    if place is not None:
        query = query.where(after(order, tuple(place)))
    return db.session.scalar(query.order_by(*sort_key(order)).limit(1))


def disputed_fields(sentence_id):
    """The fields on which the sentence's annotators differ (none when they agree)."""
    fields = db.session.scalar(
        select(DISPUTES.c.fields).where(DISPUTES.c.sentence_id == sentence_id)
    )
    return field_names(fields) if fields else []


def gold_for(sentence_id):
    """The gold labels of one sentence (none when it has none)."""
    return select(Gold).where(Gold.sentence_id == sentence_id)


def annotations_of(sentence_id, skipped=False):
    """(annotator name, Annotation) of every annotation (or, with ``skipped``, every skip)
    of the sentence, by name."""
    return db.session.execute(
        select(User.name, Annotation)
        .join(User, User.id == Annotation.annotator_id)
        .where(Annotation.sentence_id == sentence_id, Annotation.skipped.is_(skipped))
        .order_by(User.name)
    ).all()
