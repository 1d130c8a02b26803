"""Export records (see DESIGN.md): one dict per sentence, read in batches, in a stable order."""

import hashlib
import hmac

from sqlalchemy import select

from ..extensions import db
from ..models import Annotation, Document, Gold, Sentence, User

BATCH = 2_000
FINAL_SOURCES = {"reviewer": "gold", "unanimous": "unanimous", "majority": "majority"}


def iso(moment):
    """A UTC timestamp as ``2026-11-22T10:00:00Z`` (microseconds kept when present)."""
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def pseudonym(name, secret):
    """A stable pseudonym for an annotator: the same name and secret give the same one."""
    digest = hmac.new(secret.encode(), name.encode(), hashlib.sha256).hexdigest()
    return f"annotator-{digest[:10]}"


def span_record(span, text):
    """A span with the text it covers, or None."""
    if not span or span.get("start") is None or span.get("end") is None:
        return None
    return {"start": span["start"], "end": span["end"], "text": text[span["start"] : span["end"]]}


def label_record(labels, text):
    """The four label groups of a labels object; a group that is unset is None."""
    attribution = labels.get("attribution")
    if attribution is not None:
        attribution = {
            "source_type": attribution.get("source_type"),
            "entity": attribution.get("entity"),
            "source": span_record(attribution.get("source"), text),
            "cue": span_record(attribution.get("cue"), text),
        }
    return {
        "claim": labels.get("claim"),
        "attribution": attribution,
        "stance": labels.get("stance"),
        "outlet": labels.get("outlet"),
    }


def annotation_record(name, annotation, text):
    """One annotation of a sentence, as exported."""
    return {
        "annotator": name,
        **label_record(annotation.labels or {}, text),
        "skipped": annotation.skipped,
        "flagged": annotation.flagged,
        "comment": annotation.comment,
        "seconds": annotation.seconds,
        "created": iso(annotation.created),
        "updated": iso(annotation.updated),
    }


DOCUMENTS, SENTENCES = Document.__table__, Sentence.__table__
ANNOTATIONS, GOLD = Annotation.__table__, Gold.__table__


def sentence_batches():
    """(document, sentence) rows in document order then reading order, in batches (plain
    rows, not ORM objects: memory stays flat however large the export)."""
    query = (
        select(
            DOCUMENTS.c.id.label("document_id"),
            DOCUMENTS.c.title,
            DOCUMENTS.c.outlet,
            DOCUMENTS.c.publisher,
            DOCUMENTS.c.published,
            DOCUMENTS.c.url,
            SENTENCES.c.id,
            SENTENCES.c.index,
            SENTENCES.c.start,
            SENTENCES.c.end,
            SENTENCES.c.text,
        )
        .join(SENTENCES, SENTENCES.c.document_id == DOCUMENTS.c.id)
        .order_by(DOCUMENTS.c.seq, SENTENCES.c.index)
    )
    connection = db.session.connection()
    yield from connection.execution_options(yield_per=BATCH).execute(query).partitions()


def document_record(row):
    """The document metadata of a record."""
    return {
        "id": row.document_id,
        "title": row.title,
        "outlet": row.outlet,
        "publisher": row.publisher,
        "published": row.published.isoformat() if row.published else None,
        "url": row.url,
    }


def records(final_only=False, anonymize_with=None):
    """Every sentence's record, in document order then reading order.

    ``final_only`` keeps only sentences with final labels and leaves out the annotations;
    ``anonymize_with`` (a secret) replaces annotator names with stable pseudonyms.
    """
    names = dict(db.session.execute(select(User.id, User.name)).all())
    if anonymize_with is not None:
        names = {id_: pseudonym(name, anonymize_with) for id_, name in names.items()}
    connection = db.session.connection()
    for rows in sentence_batches():
        ids = [row.id for row in rows]
        low, high = min(ids), max(ids)
        gold = {
            g.sentence_id: g
            for g in connection.execute(
                select(GOLD.c.sentence_id, GOLD.c.labels, GOLD.c.method).where(
                    GOLD.c.sentence_id.in_(ids)
                )
            )
        }
        given = {}
        if not final_only:
            # by id range (an index range scan), then only this batch's sentences
            wanted = set(ids)
            for annotation in connection.execute(
                select(ANNOTATIONS).where(ANNOTATIONS.c.sentence_id.between(low, high))
            ):
                if annotation.sentence_id in wanted:
                    given.setdefault(annotation.sentence_id, []).append(annotation)
        for row in rows:
            settled = gold.get(row.id)
            if final_only and settled is None:
                continue
            record = {
                "id": f"{row.document_id}:{row.index}",
                "text": row.text,
                "document": document_record(row),
                "position": {"index": row.index, "start": row.start, "end": row.end},
            }
            if not final_only:
                annotations = sorted(given.get(row.id, []), key=lambda a: names[a.annotator_id])
                record["annotations"] = [
                    annotation_record(names[a.annotator_id], a, row.text) for a in annotations
                ]
            record["final"] = settled and label_record(settled.labels, row.text)
            record["final_source"] = settled and FINAL_SOURCES[settled.method]
            yield record
