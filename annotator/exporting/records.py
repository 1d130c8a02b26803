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


def document_record(document):
    """The document metadata of a record."""
    return {
        "id": document.id,
        "title": document.title,
        "outlet": document.outlet,
        "publisher": document.publisher,
        "published": document.published.isoformat() if document.published else None,
        "url": document.url,
    }


def sentence_batches():
    """(document, sentence) rows in document order then reading order, in batches."""
    query = (
        select(Document, Sentence)
        .join(Sentence, Sentence.document_id == Document.id)
        .order_by(Document.seq, Sentence.index)
        .execution_options(yield_per=BATCH)
    )
    for rows in db.session.execute(query).partitions():
        yield rows
        db.session.expunge_all()  # keep memory flat however large the export


def records(final_only=False, anonymize_with=None):
    """Every sentence's record, in document order then reading order.

    ``final_only`` keeps only sentences with final labels and leaves out the annotations;
    ``anonymize_with`` (a secret) replaces annotator names with stable pseudonyms.
    """
    names = dict(db.session.execute(select(User.id, User.name)).all())
    if anonymize_with is not None:
        names = {id_: pseudonym(name, anonymize_with) for id_, name in names.items()}
    for rows in sentence_batches():
        ids = [sentence.id for _, sentence in rows]
        gold = {
            g.sentence_id: g
            for g in db.session.scalars(select(Gold).where(Gold.sentence_id.in_(ids)))
        }
        given = {}
        if not final_only:
            for annotation in db.session.scalars(
                select(Annotation).where(Annotation.sentence_id.in_(ids))
            ):
                given.setdefault(annotation.sentence_id, []).append(annotation)
        for document, sentence in rows:
            settled = gold.get(sentence.id)
            if final_only and settled is None:
                continue
            record = {
                "id": f"{document.id}:{sentence.index}",
                "text": sentence.text,
                "document": document_record(document),
                "position": {"index": sentence.index, "start": sentence.start, "end": sentence.end},
            }
            if not final_only:
                annotations = sorted(
                    given.get(sentence.id, []), key=lambda a: names[a.annotator_id]
                )
                record["annotations"] = [
                    annotation_record(names[a.annotator_id], a, sentence.text) for a in annotations
                ]
            record["final"] = settled and label_record(settled.labels, sentence.text)
            record["final_source"] = settled and FINAL_SOURCES[settled.method]
            yield record
