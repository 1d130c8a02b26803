"""Gold labels: saved by reviewers, or filled in where annotators agree, never overwriting
an annotation and keeping every earlier version of a gold label."""

from collections import Counter
from itertools import groupby
from operator import itemgetter

import orjson
from sqlalchemy import Text, bindparam, func, insert, select, type_coerce, update

from . import targets
from .database import writing
from .disputes import settled
from .extensions import db
from .models import (
    ANNOTATIONS,
    DOCUMENTS,
    GOLD,
    SENTENCES,
    Gold,
    GoldRevision,
    copied_columns,
    revision_of,
    utcnow,
)

AUTO_METHODS = ("unanimous", "majority")
BATCH = 5_000


def field_values(labels, scheme):
    """The labels as (field, value) pairs, one per field that can be agreed on."""
    return list(zip(scheme.names, scheme.values(labels), strict=True))


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
        column = targets.asked(field, column)
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


# one range of sentences' annotations (skips left out), their labels as stored text where
# the database keeps text, with their document's targets
RANGE_ANNOTATIONS = (
    select(ANNOTATIONS.c.sentence_id, type_coerce(ANNOTATIONS.c.labels, Text), DOCUMENTS.c.targets)
    .join(SENTENCES, SENTENCES.c.id == ANNOTATIONS.c.sentence_id)
    .join(DOCUMENTS, DOCUMENTS.c.id == SENTENCES.c.document_id)
    .where(
        ANNOTATIONS.c.sentence_id > bindparam("low"),
        ANNOTATIONS.c.sentence_id <= bindparam("high"),
        ANNOTATIONS.c.skipped.is_(False),
    )
    .order_by(ANNOTATIONS.c.sentence_id)
)
RANGE_GOLD = select(
    GOLD.c.id, GOLD.c.sentence_id, GOLD.c.labels, GOLD.c.method, GOLD.c.reviewer_id,
    GOLD.c.note, GOLD.c.revision,
).where(GOLD.c.sentence_id > bindparam("low"), GOLD.c.sentence_id <= bindparam("high"))  # fmt: skip
# the current versions of these gold labels, kept as revisions (in the database: no
# timestamps parsed and written back)
KEEP_VERSIONS = insert(GoldRevision.__table__).from_select(
    ["gold_id", *copied_columns(Gold), "saved"],
    select(GOLD.c.id, *(GOLD.c[name] for name in copied_columns(Gold)), GOLD.c.updated).where(
        GOLD.c.id.in_(bindparam("ids", expanding=True))
    ),
)
CHANGE_GOLD = (
    update(GOLD)
    .where(GOLD.c.id == bindparam("gold_id"))
    .values(
        labels=bindparam("new_labels"),
        method=bindparam("new_method"),
        reviewer_id=None,
        note=None,
        revision=bindparam("new_revision"),
        updated=bindparam("now"),
    )
)


def parsed(texts):
    """Stored labels as objects (text from SQLite, objects from PostgreSQL), the same text
    parsed once."""
    if all(text == texts[0] for text in texts):
        one = orjson.loads(texts[0]) if isinstance(texts[0], str) else texts[0]
        return [one] * len(texts)
    return [orjson.loads(text) if isinstance(text, str) else text for text in texts]


def auto_adjudicate(method, scheme, after=0, progress=None):
    """Fill gold where the annotators agree (``method``), each sentence under its document's
    targets; a reviewer's gold is never touched, earlier automatic gold is updated (its old
    version kept). Works through the sentences in id order, BATCH ids at a time, each range
    in its own short transaction: memory stays flat, the server's writers wait at most one
    range, and an interrupted run keeps what it wrote — run again, or go on ``after`` the
    last sentence id it reported. ``progress(done_up_to, last_id)`` after each range.
    Returns (sentences looked at, gold written)."""
    looked = written = 0
    last = db.session.scalar(select(func.max(SENTENCES.c.id))) or 0
    db.session.rollback()  # no read transaction held open between ranges
    # one range at least: an empty project still meets a missing table
    for low in range(after, max(last, after + 1), BATCH):
        with writing():
            counts = adjudicate_range(method, scheme, low, min(low + BATCH, last))
        looked, written = looked + counts[0], written + counts[1]
        if progress:
            progress(min(low + BATCH, last), last)
    return looked, written


def adjudicate_range(method, scheme, low, high):
    """``auto_adjudicate`` over the sentences with ids in (low, high], in bulk statements."""
    bounds = {"low": low, "high": high}
    golds = {gold.sentence_id: gold for gold in db.session.execute(RANGE_GOLD, bounds)}
    rows = db.session.execute(RANGE_ANNOTATIONS, bounds)
    looked, new, changed, now = 0, [], [], utcnow()
    for sentence_id, given in groupby(rows, key=itemgetter(0)):
        given = list(given)
        gold = golds.get(sentence_id)
        if len(given) < 2 or (gold is not None and gold.method == "reviewer"):
            continue
        looked += 1
        scheme_here = targets.scheme_of(given[0], scheme)
        objects = parsed([row[1] for row in given])
        if len(objects) == 2 and (
            objects[0].get("claim") != objects[1].get("claim")
            or not same_where_asked(*objects, scheme_here)
        ):
            continue  # two who differ: no majority (the common case; the claim first, cheapest)
        found = agreement(objects, scheme_here)
        # all agreeing is the stronger statement, whichever method was asked for
        if found is None or (found[0] != "unanimous" and method != "majority"):
            continue
        agreed_method, labels = found
        if gold is None:
            new.append({"sentence_id": sentence_id, "labels": labels, "method": agreed_method,
                        "created": now, "updated": now, "revision": 1})  # fmt: skip
        elif (gold.labels, gold.method, gold.reviewer_id, gold.note) != (
            labels, agreed_method, None, None,
        ):  # fmt: skip
            changed.append((gold, labels, agreed_method))
    if new:
        db.session.execute(insert(GOLD), new)
        settled(db.session, [row["sentence_id"] for row in new])
    if changed:
        db.session.execute(KEEP_VERSIONS, {"ids": [gold.id for gold, _, _ in changed]})
        db.session.execute(
            CHANGE_GOLD,
            [{"gold_id": gold.id, "new_labels": labels, "new_method": agreed_method,
              "new_revision": gold.revision + 1, "now": now}
             for gold, labels, agreed_method in changed],
        )  # fmt: skip
    return looked, len(new) + len(changed)


def settle_agreed(method, scheme, after=0, progress=None):
    """``auto_adjudicate``, then one line saying what it did (for ``flask adjudicate --auto``
    and ``flask export --auto``)."""
    looked, written = auto_adjudicate(method, scheme, after, progress)
    return (
        f"{written} of {looked} sentences with two or more annotations and no reviewer's "
        f"gold got {method} gold labels (a reviewer's gold is left as it is)."
    )
