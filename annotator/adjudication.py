"""Gold labels: saved by reviewers, or filled in where annotators agree, never overwriting
an annotation and keeping every earlier version of a gold label."""

from collections import Counter
from itertools import groupby
from operator import itemgetter

import orjson
from sqlalchemy import select

from . import targets
from .database import writing
from .extensions import db
from .models import Annotation, Document, Gold, Sentence, revision_of, utcnow

AUTO_METHODS = ("unanimous", "majority")
BATCH = 5_000


def field_values(labels, scheme):
    """The labels as (field, value) pairs, one per field that can be agreed on."""
    return list(zip(scheme.names, scheme.values(labels), strict=True))


def asked(field, column):
    """A field's values from every annotation, less those of annotators who were not asked
    it (a stance target added to the document after they labelled: its value is unset)."""
    if field.target is None:
        return column
    return [value for value in column if value is not None]


def agreement(all_labels, scheme):
    """How the annotators agree, field by field: ("unanimous", labels) when all of them gave
    the same value on every field, ("majority", labels) when a strict majority did, else
    None (and None for fewer than two annotations). A stance target counts the annotators
    who were asked it; fewer than two of them leave it unset in the labels."""
    if len(all_labels) < 2:
        return None
    first = all_labels[0]
    if all(labels == first for labels in all_labels[1:]):  # the common case, and cheap
        return "unanimous", scheme.labels(dict(field_values(first, scheme)))
    values = [scheme.values(labels) for labels in all_labels]
    method, agreed = "unanimous", {}
    for field, column in zip(scheme.fields, zip(*values, strict=True), strict=True):
        column = asked(field, column)
        if len(column) < 2:
            continue
        votes = [orjson.dumps(value, option=orjson.OPT_SORT_KEYS) for value in column]
        vote, count = Counter(votes).most_common(1)[0]
        if count <= len(column) // 2:  # two annotators: a majority is both
            return None
        if count < len(column):
            method = "majority"
        agreed[field.name] = column[votes.index(vote)]
    return method, scheme.labels(agreed)


def same_where_asked(first, second, scheme):
    """Whether two annotations agree on every field both were asked."""
    return all(
        a == b or (field.target is not None and (a is None or b is None))
        for field, a, b in zip(
            scheme.fields, scheme.values(first), scheme.values(second), strict=True
        )
    )


def why_unsettled(all_labels, scheme):
    """Why a sentence has no gold, from its annotators' labels (skips left out), as objects
    or as the JSON text SQLite keeps them in: ``no annotations``, ``one annotation``,
    ``disagree`` (no strict majority on some field: a reviewer must decide), or
    ``unanimous`` / ``majority`` (``auto_adjudicate`` with that method would settle it).
    Runs for every unsettled sentence of an export: the same text is not parsed, and two
    annotators are compared without building the agreed labels."""
    if len(all_labels) < 2:
        return "one annotation" if all_labels else "no annotations"
    if all(labels == all_labels[0] for labels in all_labels):
        return "unanimous"
    objects = [orjson.loads(labels) if isinstance(labels, str) else labels for labels in all_labels]
    if len(objects) == 2:  # a majority of two is both
        first, second = objects
        # claim first: the field most often disputed, and the cheapest to look at
        same = first.get("claim") == second.get("claim") and same_where_asked(first, second, scheme)
        return "unanimous" if same else "disagree"
    found = agreement(objects, scheme)
    return found[0] if found else "disagree"


def save_gold(sentence_id, labels, method, reviewer_id=None, note=None):
    """Set the gold labels of a sentence, keeping the previous version; returns the Gold, or
    None when it already held exactly these labels."""
    with writing():
        gold = db.session.scalar(
            select(Gold).where(Gold.sentence_id == sentence_id).with_for_update()
        )
        if gold is None:
            gold = Gold(
                sentence_id=sentence_id,
                labels=labels,
                method=method,
                reviewer_id=reviewer_id,
                note=note,
            )
            db.session.add(gold)
            db.session.flush()
            return gold
        if (gold.labels, gold.method, gold.reviewer_id, gold.note) == (
            labels,
            method,
            reviewer_id,
            note,
        ):
            return None  # nothing changed: no new version
        db.session.add(revision_of(gold))
        gold.labels, gold.method, gold.reviewer_id, gold.note = labels, method, reviewer_id, note
        gold.revision += 1
        gold.updated = utcnow()
        return gold


def auto_adjudicate(method, scheme):
    """Fill gold where the annotators agree (``method``), in one transaction, each sentence
    under its document's targets; a reviewer's gold is never touched, earlier automatic
    gold is updated (its old version kept). Returns (sentences looked at, gold written)."""
    looked = written = 0
    with writing():
        reviewed = set(
            db.session.scalars(select(Gold.sentence_id).where(Gold.method == "reviewer"))
        )
        rows = db.session.execute(
            select(Annotation.sentence_id, Annotation.labels, Document.targets)
            .join(Sentence, Sentence.id == Annotation.sentence_id)
            .join(Document, Document.id == Sentence.document_id)
            .where(Annotation.skipped.is_(False))
            .order_by(Annotation.sentence_id)
            .execution_options(yield_per=BATCH)
        )
        for sentence_id, given in groupby(rows, key=itemgetter(0)):
            given = list(given)
            if sentence_id in reviewed or len(given) < 2:
                continue
            looked += 1
            found = agreement([row.labels for row in given], targets.scheme_of(given[0], scheme))
            # all agreeing is the stronger statement, whichever method was asked for
            if found is not None and (found[0] == "unanimous" or method == "majority"):
                written += save_gold(sentence_id, found[1], found[0]) is not None
    return looked, written


def settle_agreed(method, scheme):
    """``auto_adjudicate``, then one line saying what it did (for ``flask adjudicate --auto``
    and ``flask export --auto``)."""
    looked, written = auto_adjudicate(method, scheme)
    return (
        f"{written} of {looked} sentences with two or more annotations and no reviewer's "
        f"gold got {method} gold labels (a reviewer's gold is left as it is)."
    )
