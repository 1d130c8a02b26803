"""``flask import-annotations``: exported records read back into a database, all or nothing.

Missing documents, sentences and annotators (accounts without a password) are created;
annotations that already exist are left as they are. A record's annotation may carry only
some fields: the others stay unset.
"""

import hashlib
import json
from datetime import date, datetime

from sqlalchemy import func, insert, select

from ..extensions import db, writing
from ..models import Annotation, Document, Gold, Sentence, User

METHODS = {"gold": "reviewer", "unanimous": "unanimous", "majority": "majority"}
LABEL_GROUPS = ("claim", "attribution", "stance", "outlet")


class RecordError(ValueError):
    """A malformed record: says which line and what is wrong."""


def need(condition, line, message):
    """Raise a RecordError for ``line`` unless ``condition``."""
    if not condition:
        raise RecordError(f"line {line}: {message}")


def timestamp(value, line, name):
    """A UTC datetime from ``2026-11-22T10:00:00Z``."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise RecordError(f"line {line}: {name} {value!r} is not an ISO timestamp") from None


def stored_labels(given, text, scheme, line, who):
    """The labels object to store from an exported one (spans lose their text)."""
    labels = {}
    for group in LABEL_GROUPS:
        if given.get(group) is not None:
            labels[group] = given[group]
    where = f"{who}:"
    claim = labels.get("claim")
    need(
        claim is None or claim in scheme.claim_labels,
        line,
        f"{where} claim {claim!r} is not in the scheme",
    )
    attribution = labels.get("attribution")
    if attribution is not None:
        need(isinstance(attribution, dict), line, f"{where} attribution must be an object")
        kind = attribution.get("source_type")
        need(
            kind is None or kind in scheme.source_types,
            line,
            f"{where} source_type {kind!r} is not in the scheme",
        )
        attribution = dict(attribution)
        for name in ("source", "cue"):
            span = attribution.get(name)
            if span is not None:
                start, end = span.get("start"), span.get("end")
                need(
                    isinstance(start, int)
                    and isinstance(end, int)
                    and 0 <= start < end <= len(text),
                    line,
                    f"{where} {name} span {start}–{end} is not inside the sentence",
                )
                attribution[name] = {"start": start, "end": end}
        labels["attribution"] = attribution
    stance = labels.get("stance")
    if stance is not None:
        need(isinstance(stance, dict), line, f"{where} stance must be an object")
        for target, value in stance.items():
            need(
                value in scheme.stance_labels,
                line,
                f"{where} stance {value!r} on {target!r} is not in the scheme",
            )
    return labels


class Importer:
    """State of one import: what exists, what was created."""

    def __init__(self, scheme):
        self.scheme = scheme
        self.users = dict(db.session.execute(select(User.name, User.id)).all())
        self.documents = set(db.session.scalars(select(Document.id)))
        self.seq = db.session.scalar(select(func.coalesce(func.max(Document.seq), 0)))
        self.new_documents = {}  # id -> [(start, end, text)]
        self.counts = {
            "documents": 0,
            "sentences": 0,
            "annotations": 0,
            "accounts": 0,
            "gold": 0,
            "already there": 0,
        }

    def user(self, name):
        """The id of annotator ``name``, creating a password-less account."""
        if name not in self.users:
            user = User(name=name, role="annotator")
            db.session.add(user)
            db.session.flush()
            self.users[name] = user.id
            self.counts["accounts"] += 1
        return self.users[name]

    def document(self, given, line):
        """Create the record's document unless it exists."""
        need(isinstance(given, dict) and given.get("id"), line, "document.id is missing")
        if given["id"] in self.documents:
            return given["id"]
        published = given.get("published")
        try:
            published = date.fromisoformat(published) if published else None
        except ValueError:
            raise RecordError(
                f"line {line}: document.published {published!r} is not a date"
            ) from None
        self.seq += 1
        db.session.add(
            Document(
                id=given["id"],
                seq=self.seq,
                title=given.get("title"),
                outlet=given.get("outlet"),
                publisher=given.get("publisher"),
                published=published,
                url=given.get("url"),
                text="",
                content_hash=f"import:{given['id']}",
            )
        )
        self.documents.add(given["id"])
        self.new_documents[given["id"]] = []
        self.counts["documents"] += 1
        return given["id"]

    def sentence(self, record, document_id, line):
        """The record's sentence id, created when missing."""
        position = record.get("position")
        need(isinstance(position, dict), line, "position is missing")
        index, start, end = position.get("index"), position.get("start"), position.get("end")
        need(
            all(isinstance(v, int) for v in (index, start, end)) and 0 <= start <= end,
            line,
            "position needs whole numbers index, start and end, with start <= end",
        )
        text = record.get("text")
        need(isinstance(text, str) and text, line, "text is missing")
        found = db.session.scalar(
            select(Sentence.id).where(Sentence.document_id == document_id, Sentence.index == index)
        )
        if found is not None:
            return found, False
        sentence = Sentence(
            document_id=document_id,
            index=index,
            paragraph=0,
            start=start,
            end=end,
            text=text,
            taken=0,
        )
        db.session.add(sentence)
        db.session.flush()
        if document_id in self.new_documents:
            self.new_documents[document_id].append((start, end, text))
        self.counts["sentences"] += 1
        return sentence.id, True

    def record(self, record, line):
        """Import one record."""
        need(isinstance(record, dict), line, "a record must be a JSON object")
        document_id = self.document(record.get("document"), line)
        sentence_id, _ = self.sentence(record, document_id, line)
        text = record["text"]
        existing = set(
            db.session.scalars(
                select(Annotation.annotator_id).where(Annotation.sentence_id == sentence_id)
            )
        )
        rows, labelled = [], 0
        for number, given in enumerate(record.get("annotations") or [], start=1):
            need(
                isinstance(given, dict) and given.get("annotator"),
                line,
                f"annotation {number} has no annotator",
            )
            who = f"annotation by {given['annotator']}"
            labels = stored_labels(given, text, self.scheme, line, who)
            annotator_id = self.user(given["annotator"])
            if annotator_id in existing:
                self.counts["already there"] += 1
                continue
            skipped = bool(given.get("skipped"))
            labelled += not skipped
            rows.append(
                {
                    "sentence_id": sentence_id,
                    "annotator_id": annotator_id,
                    "labels": {} if skipped else labels,
                    "skipped": skipped,
                    "flagged": bool(given.get("flagged")),
                    "comment": given.get("comment"),
                    "seconds": given.get("seconds"),
                    "created": timestamp(given.get("created"), line, "created"),
                    "updated": timestamp(given.get("updated"), line, "updated"),
                    "revision": 1,
                }
            )
            existing.add(annotator_id)
        if rows:
            db.session.execute(insert(Annotation.__table__), rows)
            db.session.execute(
                Sentence.__table__.update()
                .where(Sentence.id == sentence_id)
                .values(taken=Sentence.taken + labelled)
            )
            self.counts["annotations"] += len(rows)
        self.gold(record, sentence_id, text, line)

    def gold(self, record, sentence_id, text, line):
        """Keep the record's final labels as gold, unless the sentence has gold already."""
        final, source = record.get("final"), record.get("final_source")
        if final is None:
            return
        need(
            source in METHODS,
            line,
            f"final_source {source!r} is not one of gold, unanimous, majority",
        )
        if db.session.scalar(select(Gold.id).where(Gold.sentence_id == sentence_id)) is None:
            labels = stored_labels(final, text, self.scheme, line, "final")
            db.session.add(Gold(sentence_id=sentence_id, labels=labels, method=METHODS[source]))
            self.counts["gold"] += 1

    def finish(self):
        """Give each new document a text in which its sentences sit at their offsets."""
        for document_id, sentences in self.new_documents.items():
            size = max((end for _, end, _ in sentences), default=0)
            characters = [" "] * size
            for start, end, text in sentences:
                characters[start:end] = text[: end - start].ljust(end - start)
            text = "".join(characters)
            digest = hashlib.sha256(f"{document_id}\n{text}".encode()).hexdigest()
            db.session.execute(
                Document.__table__.update()
                .where(Document.id == document_id)
                .values(text=text, content_hash=digest)
            )


def import_annotations(lines, scheme):
    """Import records from an iterable of JSON lines in one transaction; returns the counts.
    Raises RecordError (and imports nothing) at the first malformed record."""
    with writing():
        importer = Importer(scheme)
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise RecordError(f"line {number}: not JSON ({error.msg})") from None
            importer.record(record, number)
        importer.finish()
    return importer.counts
