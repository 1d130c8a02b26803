"""``flask import-annotations``: exported records read back into a database, all or nothing.

Missing documents, sentences and annotators (accounts without a password) are created;
annotations that already exist are left as they are. A record's annotation may carry only
some fields: the others stay unset. A new document gets the stance targets of the record's
``document.targets`` (the scheme's for a record from an export made before documents had
their own).
"""

import hashlib
from datetime import date, datetime

import orjson
from sqlalchemy import func, insert, select, update

from ..database import writing
from ..disputes import touched
from ..extensions import db
from ..models import ANNOTATIONS, DOCUMENTS, GOLD, SENTENCES, Document, User, utcnow
from ..targets import TargetProblem, checked
from ..text import plain
from .records import FINAL_SOURCES

# a record's final_source -> how the gold was made (the inverse of the export's map)
METHODS = {source: method for method, source in FINAL_SOURCES.items()}
BATCH = 2_000


def without_controls(record, scheme):
    """The record's names, metadata and typed text (not its sentence text, into which offsets
    point) without control, bidirectional and invisible characters, as the importer and the
    forms would have stored them; values that are not text are left for the checks."""

    def clean(holder, key, lines=False):
        if isinstance(holder, dict) and isinstance(holder.get(key), str):
            holder[key] = plain(holder[key], lines)

    def clean_labels(labels):
        for field in scheme.fields:
            if field.kind == "text":
                holder = labels
                for key in field.path[:-1]:
                    holder = holder.get(key) if isinstance(holder, dict) else None
                clean(holder, field.path[-1])

    if not isinstance(record, dict):
        return record
    for key in ("id", "title", "outlet", "publisher", "url", "author"):
        clean(record.get("document"), key)
    annotations = record.get("annotations")
    for given in annotations if isinstance(annotations, list) else ():
        clean(given, "annotator")
        clean(given, "comment", lines=True)
        clean_labels(given)
    clean_labels(record.get("final"))
    clean(record, "final_note", lines=True)
    return record


class RecordError(ValueError):
    """A malformed record: says which line and what is wrong."""


def need(condition, line, message):
    """Raise a RecordError for ``line`` unless ``condition``."""
    if not condition:
        raise RecordError(f"line {line}: {message}")


def timestamp(value, line, name, missing):
    """A UTC datetime from ``2026-11-22T10:00:00Z``; ``missing`` when there is none."""
    if value is None:
        return missing
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise RecordError(f"line {line}: {name} {value!r} is not an ISO timestamp") from None


# what an exported annotation holds besides its labels
RECORD_KEYS = {"annotator", "skipped", "flagged", "comment", "seconds", "created", "updated",
               "suggested"}  # fmt: skip
SUGGESTED_KEYS = {"value", "by", "confidence", "accepted"}


def suggested_of(given, scheme, text, line, who):
    """An exported annotation's ``suggested`` (what it recorded of the suggestions),
    checked: null, or ``{"shown": bool, "fields": {field name: {"value", "by",
    "confidence", "accepted"}}}`` whose values fit the scheme and the sentence (a span's
    text, which the export adds, is dropped)."""
    suggested = given.get("suggested")
    if suggested is None:
        return None
    fields = suggested.get("fields") if isinstance(suggested, dict) else None
    need(
        isinstance(suggested, dict)
        and suggested.keys() == {"shown", "fields"}
        and isinstance(suggested["shown"], bool)
        and isinstance(fields, dict),
        line,
        f"{who}: suggested must be null or an object of shown (true or false) and fields",
    )
    checked = {}
    for name, value in fields.items():
        field = scheme.named.get(name)
        where = f"{who}: suggested {shortened(repr(name))}"
        need(field is not None, line, f"{where} is not a field of the label scheme")
        need(
            isinstance(value, dict)
            and value.keys() == SUGGESTED_KEYS
            and isinstance(value["accepted"], bool),
            line,
            f"{where} must be an object of value, by, confidence and accepted (true or false)",
        )
        by, confidence, suggested_value = value["by"], value["confidence"], value["value"]
        need(
            by is None or (isinstance(by, str) and 0 < len(by) <= 60),
            line,
            f"{where}: by must be the suggester's name and version, at most 60 characters",
        )
        need(
            confidence is None or (type(confidence) in (int, float) and 0 <= confidence <= 1),
            line,
            f"{where}: confidence must be a number from 0 to 1, or null",
        )
        if field.kind == "span" and isinstance(suggested_value, dict):
            suggested_value = {k: suggested_value.get(k) for k in ("start", "end")}
        problem = field.problem(suggested_value, len(text))
        need(problem is None, line, f"{where}: value {shortened(repr(suggested_value))}: {problem}")
        checked[name] = {**value, "value": suggested_value}
    return {"shown": suggested["shown"], "fields": checked}


def shortened(text, most=80):
    """``text``, or its first ``most`` characters and an ellipsis."""
    return text if len(text) <= most else text[: most - 1] + "…"


def stored_labels(given, text, scheme, line, who):
    """The labels object to store from an exported one, checked as the form checks labels
    but letting fields be unset (spans lose their text)."""
    unknown = given.keys() - RECORD_KEYS - scheme.top_level_keys
    if unknown:
        named = ", ".join(map(repr, sorted(unknown)))
        raise RecordError(
            f"line {line}: {who}: {named} is not a field of the label scheme; add it to the "
            "scheme file (ANNOTATOR_SCHEMA_FILE) or remove it from the records"
        )
    errors = scheme.check(given, len(text), complete=False)
    for name, message in errors.items():
        field = scheme.named.get(name)
        given_value = f" {shortened(repr(field.value(given)))}" if field else ""
        raise RecordError(f"line {line}: {who}: {name}{given_value}: {message}")
    return scheme.stored(given)


class Importer:
    """State of one import: what exists, what was created, what waits to be written.

    Records of documents new to the database (the usual case: an empty database) are
    written in batches; a record of a document already there is merged on its own.
    """

    def __init__(self, scheme):
        self.scheme = scheme
        self.users = dict(db.session.execute(select(User.name, User.id)).all())
        self.documents = set(db.session.scalars(select(Document.id)))
        self.seq = db.session.scalar(select(func.coalesce(func.max(Document.seq), 0)))
        self.new_documents = {}  # id -> [(start, end, text)], for their texts at the end
        self.seen = set()  # (document, index) of new sentences
        self.now = utcnow()  # the time of annotations that do not say when they were made
        self.pending_documents, self.pending = [], []
        self.counts = dict.fromkeys(
            ("documents", "sentences", "annotations", "accounts", "gold", "already there"), 0
        )

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
        """The record's document id; a new document waits to be written with its batch."""
        need(isinstance(given, dict) and given.get("id"), line, "document.id is missing")
        if given["id"] in self.documents:
            return given["id"]
        published = given.get("published")
        try:
            published = date.fromisoformat(published) if published else None
        except (TypeError, ValueError):
            raise RecordError(
                f"line {line}: document.published {published!r} is not a date"
            ) from None
        self.seq += 1
        asked = given.get("targets")
        if asked is None:
            asked = self.scheme.stance_targets
        need(isinstance(asked, list | tuple), line, "document.targets must be a list of strings")
        try:
            asked = checked(asked, "document.targets")
        except TargetProblem as problem:
            raise RecordError(f"line {line}: {problem}") from None
        self.pending_documents.append(
            {
                "id": given["id"],
                "seq": self.seq,
                "title": given.get("title"),
                "outlet": given.get("outlet"),
                "publisher": given.get("publisher"),
                "published": published,
                "url": given.get("url"),
                "author": given.get("author"),
                "targets": list(asked),
                "text": "",
                "content_hash": f"import:{given['id']}",
                "imported": utcnow(),
            }
        )
        self.documents.add(given["id"])
        self.new_documents[given["id"]] = []
        self.counts["documents"] += 1
        return given["id"]

    def annotations(self, record, text, line):
        """The record's annotations as rows (without their sentence), one per annotator."""
        rows, annotators = [], set()
        for number, given in enumerate(record.get("annotations") or [], start=1):
            need(
                isinstance(given, dict) and given.get("annotator"),
                line,
                f"annotation {number} has no annotator",
            )
            who = f"annotation by {given['annotator']}"
            labels = stored_labels(given, text, self.scheme, line, who)
            annotator_id = self.user(given["annotator"])
            need(annotator_id not in annotators, line, f"{given['annotator']} annotates it twice")
            annotators.add(annotator_id)
            skipped = bool(given.get("skipped"))
            rows.append(
                {
                    "annotator_id": annotator_id,
                    "labels": {} if skipped else labels,
                    "skipped": skipped,
                    "flagged": bool(given.get("flagged")),
                    "comment": given.get("comment"),
                    "seconds": given.get("seconds"),
                    "created": timestamp(given.get("created"), line, "created", self.now),
                    "updated": timestamp(given.get("updated"), line, "updated", self.now),
                    "revision": 1,
                    "suggested": suggested_of(given, self.scheme, text, line, who),
                }
            )
        return rows

    def gold(self, record, text, line):
        """The record's final labels as a gold row (without its sentence), or None."""
        final, source = record.get("final"), record.get("final_source")
        if final is None:
            return None
        need(
            source in METHODS,
            line,
            f"final_source {source!r} is not one of gold, unanimous, majority",
        )
        need(isinstance(final, dict), line, "final must be an object of labels or null")
        labels = stored_labels(final, text, self.scheme, line, "final")
        now = utcnow()
        note = record.get("final_note")
        need(note is None or isinstance(note, str), line, "final_note must be text or null")
        return {"labels": labels, "method": METHODS[source], "note": note, "revision": 1,
                "created": now, "updated": now}  # fmt: skip

    def record(self, record, line):
        """Check one record and import it (or queue it for its batch)."""
        need(isinstance(record, dict), line, "a record must be a JSON object")
        document_id = self.document(record.get("document"), line)
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
        annotations = self.annotations(record, text, line)
        gold = self.gold(record, text, line)
        sentence = {"document_id": document_id, "index": index, "paragraph": 0, "start": start,
                    "end": end, "text": text}  # fmt: skip
        if document_id in self.new_documents:
            need((document_id, index) not in self.seen, line,
                 f"sentence {index} of document {document_id} appears twice")  # fmt: skip
            self.seen.add((document_id, index))
            self.new_documents[document_id].append((start, end, text))
            self.pending.append((sentence, annotations, gold))
            if len(self.pending) >= BATCH:
                self.flush()
        else:
            self.flush()
            self.merge(sentence, annotations, gold)

    def flush(self):
        """Write the queued documents, sentences, annotations and gold."""
        if self.pending_documents:
            db.session.execute(insert(DOCUMENTS), self.pending_documents)
            self.pending_documents = []
        if not self.pending:
            return
        for sentence, annotations, _ in self.pending:
            sentence["taken"] = sum(not a["skipped"] for a in annotations)
        ids = db.session.scalars(
            insert(SENTENCES).returning(SENTENCES.c.id, sort_by_parameter_order=True),
            [sentence for sentence, _, _ in self.pending],
        ).all()
        annotations = [
            {**row, "sentence_id": sentence_id}
            for sentence_id, (_, rows, _) in zip(ids, self.pending, strict=True)
            for row in rows
        ]
        gold = [
            {**row, "sentence_id": sentence_id}
            for sentence_id, (_, _, row) in zip(ids, self.pending, strict=True)
            if row is not None
        ]
        if annotations:
            db.session.execute(insert(ANNOTATIONS), annotations)
        if gold:
            db.session.execute(insert(GOLD), gold)
        touched(db.session, {row["sentence_id"] for row in annotations})
        self.counts["sentences"] += len(ids)
        self.counts["annotations"] += len(annotations)
        self.counts["gold"] += len(gold)
        self.pending = []

    def merge(self, sentence, annotations, gold):
        """A record of a document already in the database: add what is missing."""
        sentence_id = db.session.scalar(
            select(SENTENCES.c.id).where(
                SENTENCES.c.document_id == sentence["document_id"],
                SENTENCES.c.index == sentence["index"],
            )
        )
        if sentence_id is None:
            sentence_id = db.session.scalar(
                insert(SENTENCES).values(**sentence, taken=0).returning(SENTENCES.c.id)
            )
            self.counts["sentences"] += 1
        existing = set(
            db.session.scalars(
                select(ANNOTATIONS.c.annotator_id).where(ANNOTATIONS.c.sentence_id == sentence_id)
            )
        )
        new = [{**row, "sentence_id": sentence_id} for row in annotations
               if row["annotator_id"] not in existing]  # fmt: skip
        self.counts["already there"] += len(annotations) - len(new)
        if new:
            db.session.execute(insert(ANNOTATIONS), new)
            labelled = sum(not row["skipped"] for row in new)
            db.session.execute(
                update(SENTENCES)
                .where(SENTENCES.c.id == sentence_id)
                .values(taken=SENTENCES.c.taken + labelled)
            )
            self.counts["annotations"] += len(new)
        has_gold = db.session.scalar(select(GOLD.c.id).where(GOLD.c.sentence_id == sentence_id))
        if gold is not None and has_gold is None:
            db.session.execute(insert(GOLD), [{**gold, "sentence_id": sentence_id}])
            self.counts["gold"] += 1
        touched(db.session, [sentence_id])

    def finish(self):
        """Write what is queued, then give each new document a text in which its sentences
        sit at their offsets."""
        self.flush()
        for document_id, sentences in self.new_documents.items():
            size = max((end for _, end, _ in sentences), default=0)
            characters = [" "] * size
            for start, end, text in sentences:
                characters[start:end] = text[: end - start].ljust(end - start)
            text = "".join(characters)
            digest = hashlib.sha256(f"{document_id}\n{text}".encode()).hexdigest()
            db.session.execute(
                update(DOCUMENTS)
                .where(DOCUMENTS.c.id == document_id)
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
                record = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                raise RecordError(f"line {number}: not JSON ({error})") from None
            importer.record(without_controls(record, scheme), number)
        importer.finish()
    return importer.counts
