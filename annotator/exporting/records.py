"""Export records (see DESIGN.md): one dict per sentence, read in batches, in a stable order."""

import hashlib
import hmac
from datetime import datetime

import orjson
from sqlalchemy import Text, bindparam, select, type_coerce

from .. import targets
from ..extensions import db
from ..models import (
    ANNOTATIONS,
    DOCUMENTS,
    GOLD,
    SENTENCES,
    User,
)

BATCH = 2_000
FINAL_SOURCES = {"reviewer": "gold", "unanimous": "unanimous", "majority": "majority"}


def moment(value):
    """A stored timestamp as a datetime (SQLite hands back its text); the writer prints it
    as ``2026-11-22T10:00:00Z``, naive values being UTC."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def pseudonym(name, secret):
    """A stable pseudonym for an annotator: the same name and secret give the same one."""
    digest = hmac.new(secret.encode(), name.encode(), hashlib.sha256).hexdigest()
    return f"annotator-{digest[:10]}"


def span_record(span, text):
    """A span with the text it covers, or None."""
    if not span or span.get("start") is None or span.get("end") is None:
        return None
    return {"start": span["start"], "end": span["end"], "text": text[span["start"] : span["end"]]}


def record_shape(scheme):
    """How the scheme's labels become a record, per top-level key: (key, None) for a value
    or a map kept as stored (stance per target), or (key, ((name, is a span), ...)) for a
    group whose spans gain their text and whose unset keys are null."""
    shape = []
    for key in scheme.top_level:
        fields = scheme.groups.get(key)
        if fields is None or fields[0].target is not None:
            shape.append((key, None))
        else:
            shape.append((key, tuple((f.path[-1], f.kind == "span") for f in fields)))
    return tuple(shape)


def label_record(labels, text, shape, record=None):
    """The label groups of a labels object, shaped by ``record_shape``, added to ``record``
    (a new dict by default); an unset group is None. Runs for every annotation exported."""
    record = {} if record is None else record
    for key, parts in shape:
        value = labels.get(key)
        if parts is not None and value is not None:
            value = {
                name: span_record(value.get(name), text) if span else value.get(name)
                for name, span in parts
            }
        record[key] = value
    return record


def parsed(labels):
    """A stored labels object: JSON text on SQLite; PostgreSQL's driver has parsed it."""
    return orjson.loads(labels) if isinstance(labels, str) else labels or {}


def annotation_record(
    name, given, skipped, flagged, comment, seconds, created, updated, suggested, text, shape
):
    """One annotation of a sentence, as exported (``given``: its parsed labels;
    ``suggested``: what it recorded of the suggestions, as stored); this runs for every
    annotation of every export."""
    record = label_record(given, text, shape, {"annotator": name})
    record["skipped"] = bool(skipped)  # SQLite's driver gives 0 and 1
    record["flagged"] = bool(flagged)
    record["comment"] = comment
    record["seconds"] = seconds
    record["created"] = moment(created)
    record["updated"] = moment(updated)
    record["suggested"] = suggested_record(suggested, text)
    return record


def suggested_record(suggested, text):
    """An annotation's ``suggested`` as exported: suggested spans carry the text they cover,
    as the labels' spans do (``import-annotations`` drops it again)."""
    if isinstance(suggested, str):
        suggested = orjson.loads(suggested)
    if not suggested:
        return None
    for given in suggested.get("fields", {}).values():
        span = given.get("value")
        if isinstance(span, dict) and "start" in span:
            given["value"] = span_record(span, text)
    return suggested


# labels as their JSON text: parsed with orjson, several times faster than the JSON type
# and timestamps as the database gives them (see ``moment``)
RAW_ANNOTATION = [
    ANNOTATIONS.c.sentence_id,
    ANNOTATIONS.c.annotator_id,
    type_coerce(ANNOTATIONS.c.labels, Text),
    ANNOTATIONS.c.skipped,
    ANNOTATIONS.c.flagged,
    ANNOTATIONS.c.comment,
    ANNOTATIONS.c.seconds,
    type_coerce(ANNOTATIONS.c.created, Text),
    type_coerce(ANNOTATIONS.c.updated, Text),
    type_coerce(ANNOTATIONS.c.suggested, Text),
]


class DriverQuery:
    """A statement run on the database driver's own cursor, for plain tuples: two million
    rows skip SQLAlchemy's per-row work (about 4 seconds of an export)."""

    def __init__(self, connection, statement):
        self.compiled = statement.compile(dialect=connection.dialect)
        self.driver = connection.connection.driver_connection

    def rows(self, **values):
        """All rows for these parameter values."""
        parameters = self.compiled.construct_params(values)
        if self.compiled.positiontup is not None:  # "?" placeholders, in order
            parameters = [parameters[name] for name in self.compiled.positiontup]
        cursor = self.driver.cursor()
        try:
            cursor.execute(self.compiled.string, parameters)
            return cursor.fetchall()
        finally:
            cursor.close()


def sentence_batches():
    """Sentence rows in document order then reading order, in batches (plain rows, not ORM
    objects: memory stays flat however large the export)."""
    query = (
        select(
            SENTENCES.c.id,
            SENTENCES.c.document_id,
            SENTENCES.c.index,
            SENTENCES.c.start,
            SENTENCES.c.end,
            SENTENCES.c.text,
        )
        .join(DOCUMENTS, SENTENCES.c.document_id == DOCUMENTS.c.id)
        .order_by(DOCUMENTS.c.seq, SENTENCES.c.index)
    )
    connection = db.session.connection()
    yield from connection.execution_options(yield_per=BATCH).execute(query).partitions()


def document_records(scheme):
    """{document id: its metadata as exported}, read once; ``targets`` are its stance
    targets (``scheme``'s for a document without any recorded)."""
    query = select(
        DOCUMENTS.c.id,
        DOCUMENTS.c.title,
        DOCUMENTS.c.outlet,
        DOCUMENTS.c.publisher,
        DOCUMENTS.c.published,
        DOCUMENTS.c.url,
        DOCUMENTS.c.author,
        DOCUMENTS.c.targets,
    )
    return {
        row.id: {
            "id": row.id,
            "title": row.title,
            "outlet": row.outlet,
            "publisher": row.publisher,
            "published": row.published.isoformat() if row.published else None,
            "url": row.url,
            "author": row.author,
            "targets": list(targets.of(row, scheme)),
        }
        for row in db.session.execute(query)
    }


def records(scheme, final_only=False, anonymize_with=None, unsettled=None, comments=True):
    """Every sentence's record under ``scheme`` (the app's: a document without targets
    recorded has its targets), in document order then reading order. An annotation's and
    the final ``stance`` hold the targets they hold in the database: those asked.

    ``final_only`` keeps only sentences with final labels and leaves out the annotations;
    ``anonymize_with`` (a secret) replaces annotator names with stable pseudonyms;
    without ``comments`` every comment (skip reasons included) and gold note is null;
    ``unsettled(labels)`` is called for every sentence without final labels, exported or
    not, with its annotators' labels (skips left out).
    """
    names = dict(db.session.execute(select(User.id, User.name)).all())
    if anonymize_with is not None:
        names = {id_: pseudonym(name, anonymize_with) for id_, name in names.items()}
    connection = db.session.connection()
    documents = document_records(scheme)
    shape = record_shape(targets.every(scheme))
    annotations = DriverQuery(
        connection,
        select(*RAW_ANNOTATION).where(
            ANNOTATIONS.c.sentence_id.between(bindparam("low"), bindparam("high"))
        ),
    )
    for rows in sentence_batches():
        ids = [row.id for row in rows]
        low, high = min(ids), max(ids)
        gold = {
            g.sentence_id: g
            for g in connection.execute(
                select(GOLD.c.sentence_id, GOLD.c.labels, GOLD.c.method, GOLD.c.note).where(
                    GOLD.c.sentence_id.between(low, high)
                )
            )
        }
        given, labelled = {}, {}
        if not final_only or (unsettled and len(gold) < len(rows)):
            # by id range (an index range scan), then only this batch's sentences
            texts = {row.id: row.text for row in rows}
            for sentence_id, annotator_id, labels, skipped, *values in annotations.rows(
                low=low, high=high
            ):
                text = texts.get(sentence_id)
                if text is None:
                    continue
                if unsettled and not skipped and sentence_id not in gold:
                    # as the database gives them: on SQLite JSON text, which the garbage
                    # collector need not scan and which, when the same, need not be parsed
                    labelled.setdefault(sentence_id, []).append(labels)
                if not final_only:
                    name = names[annotator_id]
                    record = annotation_record(name, parsed(labels), skipped, *values, text, shape)
                    if not comments:
                        record["comment"] = None
                    given.setdefault(sentence_id, []).append((name, record))
        for row in rows:
            settled = gold.get(row.id)
            if settled is None and unsettled:
                unsettled(labelled.get(row.id, []))
            if final_only and settled is None:
                continue
            record = {
                "id": f"{row.document_id}:{row.index}",
                "text": row.text,
                "document": documents[row.document_id],  # shared by a document's records
                "position": {"index": row.index, "start": row.start, "end": row.end},
            }
            if not final_only:
                record["annotations"] = [a for _, a in sorted(given.get(row.id, ()))]
            record["final"] = settled and label_record(settled.labels, row.text, shape)
            record["final_source"] = settled and FINAL_SOURCES[settled.method]
            record["final_note"] = settled.note if settled and comments else None
            yield record
