"""Sentences whose annotators disagree, for reviewers to settle into gold."""

from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter

import orjson
from sqlalchemy import exists, func, select

from . import targets
from .adjudication import asked
from .extensions import db
from .models import Annotation, Document, Gold, Sentence, User
from .remarks import remarked


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


def differing_fields(all_labels, scheme):
    """The fields on which these labels are not all the same (a stance target: among the
    annotators who were asked it)."""
    first = all_labels[0]
    if all(labels == first for labels in all_labels):  # the common case, and cheap
        return []
    values = [scheme.values(labels) for labels in all_labels]
    return [
        field.name
        for field, column in zip(scheme.fields, zip(*values, strict=True), strict=True)
        if len({orjson.dumps(v, option=orjson.OPT_SORT_KEYS) for v in asked(field, column)}) > 1
    ]


def disagreements(
    scheme,
    field=None,
    outlet=None,
    annotator=None,
    document=None,
    flagged=None,
    target=None,
):
    """Every sentence whose annotators disagree, each under its document's targets,
    filtered (``flagged``: only those that an annotator flagged or skipped; ``target``:
    those that disagree on that stance target), most disputed first."""
    shared = (
        select(Annotation.sentence_id)
        .where(Annotation.skipped.is_(False))
        .group_by(Annotation.sentence_id)
        .having(func.count() >= 2)
    )
    query = (
        select(
            Annotation.sentence_id,
            Annotation.labels,
            User.name,
            Sentence.document_id,
            Sentence.index,
            Sentence.text,
            Document.outlet,
            Document.seq,
            Document.targets,
        )
        .join(User, User.id == Annotation.annotator_id)
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .join(Document, Document.id == Sentence.document_id)
        .where(Annotation.skipped.is_(False), Annotation.sentence_id.in_(shared))
        .order_by(Document.seq, Sentence.index, User.name)
    )
    if outlet:
        query = query.where(Document.outlet == outlet)
    if document:
        query = query.where(Sentence.document_id == document)
    gold = dict(db.session.execute(select(Gold.sentence_id, Gold.method)).all())
    remarks = set(db.session.scalars(select(Annotation.sentence_id).where(remarked())))
    found = []
    for sentence_id, rows in groupby(db.session.execute(query), key=attrgetter("sentence_id")):
        rows = list(rows)
        names = [row.name for row in rows]
        if (annotator and annotator not in names) or (flagged and sentence_id not in remarks):
            continue
        first = rows[0]
        asked_for = targets.scheme_of(first, scheme)
        if target and target not in asked_for.stance_targets:
            continue
        fields = differing_fields([row.labels for row in rows], asked_for)
        if not fields or (field and field not in fields):
            continue
        if target and target not in {asked_for.named[name].target for name in fields}:
            continue
        found.append(
            Disagreement(sentence_id, first.document_id, first.index, first.text, first.outlet,
                         names, fields, gold.get(sentence_id), sentence_id in remarks)
        )  # fmt: skip
    found.sort(key=lambda d: -len(d.fields))  # stable: document order within each count
    return found


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
