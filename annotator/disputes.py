"""The kept table of disagreements (``disputes``): one row per sentence whose annotators
differ, saying on which fields, how far they agree, who labelled it, whether anyone flagged
or skipped it and whether it is settled.

It is kept in step with the annotations and gold labels in the same transaction as every
change to them: the ORM's flushes say which annotations, gold labels and documents (their
stance targets) changed, writes made with Core statements name their sentences with
``touched``, and before each commit the rows of those sentences are computed again
(``refresh``). ``rebuild`` computes the whole table from scratch (``flask disagreements
--rebuild``); both go through ``state_of``, the one home of what a row holds.
"""

from collections import Counter
from itertools import groupby
from operator import attrgetter

import orjson
from flask import current_app, has_app_context
from sqlalchemy import bindparam, delete, event, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from . import targets
from .models import (
    ANNOTATIONS,
    DISPUTES,
    DOCUMENTS,
    GOLD,
    SENTENCES,
    USERS,
    Annotation,
    Document,
    Gold,
)

BATCH = 2_000
SEPARATOR = "\n"  # between field names in ``fields``: no field or target name holds one
STALE = "disputes: stale sentences"  # session.info keys
STALE_DOCUMENTS = "disputes: stale documents"
IDS = bindparam("ids", expanding=True)

# Everything a sentence's row is computed from: its annotations (skips too: they remark
# it), the annotators' names, its document's place and targets, and whether it has gold.
ROWS_OF = (
    select(
        ANNOTATIONS.c.sentence_id,
        ANNOTATIONS.c.labels,
        ANNOTATIONS.c.skipped,
        ANNOTATIONS.c.flagged,
        USERS.c.name,
        SENTENCES.c.index,
        DOCUMENTS.c.seq,
        DOCUMENTS.c.targets,
        GOLD.c.id.is_not(None).label("settled"),
    )
    .join(USERS, USERS.c.id == ANNOTATIONS.c.annotator_id)
    .join(SENTENCES, SENTENCES.c.id == ANNOTATIONS.c.sentence_id)
    .join(DOCUMENTS, DOCUMENTS.c.id == SENTENCES.c.document_id)
    .outerjoin(GOLD, GOLD.c.sentence_id == ANNOTATIONS.c.sentence_id)
    .order_by(ANNOTATIONS.c.sentence_id, USERS.c.name)
)
KEPT = list(DISPUTES.c)
# ... of some sentences, each row with the sentence's kept row as it is now (``kept_*``),
# so that one read tells what to write: on a first label, nothing.
ROWS_AND_KEPT_OF = (
    ROWS_OF.add_columns(*(column.label(f"kept_{column.key}") for column in KEPT))
    .outerjoin(DISPUTES, DISPUTES.c.sentence_id == ANNOTATIONS.c.sentence_id)
    .where(ANNOTATIONS.c.sentence_id.in_(IDS))
)
DROP = delete(DISPUTES).where(DISPUTES.c.sentence_id.in_(IDS))
# PostgreSQL: a transaction-scoped advisory lock per sentence (``LOCK_KIND`` tells ours
# apart), in the order of ``ids``
LOCK_KIND = 19
TAKE_TURNS = text(
    "SELECT count(pg_advisory_xact_lock(:kind, id)) FROM unnest(CAST(:ids AS integer[])) AS t(id)"
)
SETTLE = update(DISPUTES).where(DISPUTES.c.sentence_id.in_(IDS)).values(settled=True)
ADD = insert(DISPUTES)
SENTENCES_OF_DOCUMENTS = (
    select(ANNOTATIONS.c.sentence_id)
    .distinct()
    .join(SENTENCES, SENTENCES.c.id == ANNOTATIONS.c.sentence_id)
    .where(SENTENCES.c.document_id.in_(IDS))
)


def batches(items, size):
    """``items`` in lists of at most ``size``."""
    items = list(items)
    return [items[start : start + size] for start in range(0, len(items), size)]


def vote(value):
    """A value as a comparable, hashable vote (span and stance objects included)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def state_of(rows, scheme):
    """The row a sentence keeps in ``disputes`` (a dict of its columns), from its
    annotations' rows (sorted by annotator name), or None when it has fewer than two
    labels or they agree on every field its document asks."""
    labelled = [row for row in rows if not row.skipped]
    if len(labelled) < 2:
        return None
    first = labelled[0]
    if all(row.labels == first.labels for row in labelled):  # the common case, and cheap
        return None
    scheme = targets.scheme_of(first, scheme)
    values = [scheme.values(row.labels) for row in labelled]
    differing, pairs, agreeing = [], 0, 0
    for field, column in zip(scheme.fields, zip(*values, strict=True), strict=True):
        votes = Counter(map(vote, targets.asked(field, column)))
        if len(votes) > 1:
            differing.append(field.name)
        given = sum(votes.values())
        pairs += given * (given - 1) // 2
        agreeing += sum(count * (count - 1) // 2 for count in votes.values())
    if not differing:
        return None
    return {
        "sentence_id": first.sentence_id,
        "document_seq": first.seq,
        "sentence_index": first.index,
        "fields": SEPARATOR + SEPARATOR.join(differing) + SEPARATOR,
        "field_count": len(differing),
        "agreement": agreeing / pairs if pairs else 0.0,
        "labelled_by": ", ".join(row.name for row in labelled),
        "remarked": any(row.flagged or row.skipped for row in rows),
        "settled": bool(first.settled),
    }


def field_names(fields):
    """The field names a ``fields`` column holds, in scheme order."""
    return fields.strip(SEPARATOR).split(SEPARATOR)


def dialect_of(connection):
    """The dialect of a Session or a Connection."""
    return getattr(connection, "dialect", None) or connection.get_bind().dialect


def kept_of(row):
    """The kept row a ``ROWS_AND_KEPT_OF`` row carries, or None."""
    if row.kept_sentence_id is None:
        return None
    return {column.key: getattr(row, f"kept_{column.key}") for column in KEPT}


def refresh(connection, sentence_ids, scheme=None):
    """Compute the rows of these sentences again and write those that changed. On
    PostgreSQL, two transactions refreshing the same sentence take turns (a lock per
    sentence, held to the commit, taken in id order): the second reads the first's
    annotations once they are committed, so neither writes a row that misses the other's."""
    scheme = scheme or current_app.extensions["scheme"]
    for batch in batches(sorted(sentence_ids), BATCH):
        if dialect_of(connection).name == "postgresql":
            connection.execute(TAKE_TURNS, {"kind": LOCK_KIND, "ids": batch})
        gone, new = [], []
        rows = connection.execute(ROWS_AND_KEPT_OF, {"ids": batch})
        for sentence_id, given in groupby(rows, key=attrgetter("sentence_id")):
            given = list(given)
            state, kept = state_of(given, scheme), kept_of(given[0])
            if state != kept:
                gone += [sentence_id] if kept else []
                new += [state] if state else []
        if gone:
            connection.execute(DROP, {"ids": gone})
        if new:
            connection.execute(ADD, new)


def computed(connection, scheme=None):
    """Every row the table should hold, computed from the annotations and streamed in
    sentence order; writes nothing (what ``rebuild`` writes, and what a check compares the
    kept rows with while others write)."""
    scheme = scheme or current_app.extensions["scheme"]
    rows = connection.execute(ROWS_OF.execution_options(yield_per=10 * BATCH))
    for _, given in groupby(rows, key=attrgetter("sentence_id")):
        state = state_of(list(given), scheme)
        if state is not None:
            yield state


def rebuild(connection, scheme=None):
    """Empty the table and compute every row from the annotations, streamed in sentence
    order; returns how many sentences disagree."""
    connection.execute(delete(DISPUTES))
    written, pending = 0, []
    for state in computed(connection, scheme):
        pending.append(state)
        if len(pending) >= BATCH:
            connection.execute(ADD, pending)
            written, pending = written + len(pending), []
    if pending:
        connection.execute(ADD, pending)
        written += len(pending)
    return written


def kept_rows(connection):
    """Every row of the table, by sentence: what ``rebuild`` gives back when it was kept."""
    query = select(*KEPT).order_by(DISPUTES.c.sentence_id)
    return [row._asdict() for row in connection.execute(query)]


def settled(connection, sentence_ids):
    """Mark these sentences settled: they got gold through Core statements (gold is never
    deleted, so nothing else about their rows changes)."""
    for batch in batches(sentence_ids, BATCH):
        connection.execute(SETTLE, {"ids": batch})


def touched(session, sentence_ids):
    """Say that these sentences' annotations or gold changed through Core statements: their
    rows are computed again before the transaction commits."""
    session.info.setdefault(STALE, set()).update(sentence_ids)


@event.listens_for(Session, "after_flush")
def _note_changes(session, _context):
    """Note the sentences whose annotations or gold labels the flush wrote, and the
    documents whose stance targets changed."""
    for instance in (*session.new, *session.dirty):
        if isinstance(instance, Annotation | Gold):
            touched(session, [instance.sentence_id])
        elif (
            isinstance(instance, Document) and inspect(instance).attrs.targets.history.has_changes()
        ):
            session.info.setdefault(STALE_DOCUMENTS, set()).add(instance.id)


@event.listens_for(Session, "before_commit")
def _refresh_before_commit(session):
    """Bring the rows of every noted sentence up to date, inside the committing transaction."""
    if not has_app_context():
        return
    session.flush()
    documents = session.info.pop(STALE_DOCUMENTS, None)
    if documents:
        touched(session, session.scalars(SENTENCES_OF_DOCUMENTS, {"ids": list(documents)}))
    stale = session.info.pop(STALE, None)
    if stale:
        refresh(session, stale)


@event.listens_for(Session, "after_rollback")
def _forget_changes(session):
    """Nothing rolled back needs a row."""
    session.info.pop(STALE, None)
    session.info.pop(STALE_DOCUMENTS, None)
