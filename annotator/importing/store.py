"""Store cleaned articles as documents and sentences: one transaction, bulk inserts."""

import hashlib
from array import array
from dataclasses import dataclass
from itertools import chain

from sqlalchemy import delete, func, insert, select

from ..database import write_transaction
from ..extensions import db
from ..models import DOCUMENTS, SENTENCES, Annotation, Document, Sentence
from ..text import plain
from .cleaning import clean
from .readers import ImportProblem
from .segmenting import split_document

BATCH = 20_000


@dataclass
class Summary:
    """What an import did."""

    documents: int = 0
    sentences: int = 0
    duplicates: int = 0
    replaced: int = 0

    def __str__(self):
        text = (
            f"Imported {self.documents} documents, {self.sentences} sentences; "
            f"skipped {self.duplicates} duplicates"
        )
        return text + (f"; replaced {self.replaced}" if self.replaced else "") + "."


def metadata(value):
    """A title, outlet, publisher, id or URL as stored: one line, without control,
    bidirectional or invisible characters, None when nothing is left."""
    return (plain(value) or "").strip() or None


def prepare(raw, outlet=None, publisher=None):
    """Clean and split one raw article into a document row and its sentence spans."""
    article = clean(raw.text, title=raw.title if raw.from_page else None)
    text = article.text
    spans = split_document(article.paragraphs)
    if not spans:
        raise ImportProblem(raw.where, "no sentences left after removing page furniture")
    digest = hashlib.sha256(text.encode()).hexdigest()
    document = {
        "id": metadata(raw.id) or digest[:16],
        "title": metadata(raw.title) or article.title,
        "outlet": metadata(outlet or raw.outlet) or article.outlet,
        "publisher": metadata(publisher or raw.publisher) or article.publisher,
        "published": raw.published or article.published,
        "url": metadata(raw.url),
        "text": text,
        "content_hash": digest,
        "source": raw.where,
    }
    if len(document["id"]) > 200:
        raise ImportProblem(raw.where, "'id' is longer than 200 characters")
    return document, spans


class Prepared:
    """A cleaned and split article waiting to be written: its document row, and its
    sentence spans packed as (paragraph, start, end) triples (12 bytes each, not ~120 as
    tuples: a million sentences wait in memory during a large import)."""

    __slots__ = ("document", "packed", "where")

    def __init__(self, raw, outlet=None, publisher=None):
        self.where = raw.where
        self.document, spans = prepare(raw, outlet, publisher)
        self.packed = array("i", chain.from_iterable(spans))

    def spans(self):
        """The (paragraph, start, end) triples again."""
        values = iter(self.packed)
        return zip(values, values, values, strict=True)


class Importer:
    """Accumulates rows and writes them in batches inside the caller's transaction."""

    def __init__(self, replace=False):
        self.replace = replace
        self.summary = Summary()
        rows = db.session.execute(select(Document.id, Document.content_hash)).all()
        self.hash_by_id = dict(rows)
        self.id_by_hash = {digest: doc_id for doc_id, digest in rows}
        self.seq = db.session.scalar(select(func.coalesce(func.max(Document.seq), 0)))
        self.documents, self.sentences = [], []
        self.ids_in_this_import = set()

    def add(self, article):
        """Check one prepared article against what exists and queue its rows."""
        document = article.document
        doc_id, digest = document["id"], document["content_hash"]
        if doc_id in self.ids_in_this_import and self.hash_by_id[doc_id] != digest:
            raise ImportProblem(
                article.where, f"document id '{doc_id}' appears twice, with different text"
            )
        if self.hash_by_id.get(doc_id) == digest or digest in self.id_by_hash:
            self.summary.duplicates += 1
            return
        if doc_id in self.hash_by_id:
            self.replace_existing(article.where, doc_id)
        self.ids_in_this_import.add(doc_id)
        self.hash_by_id[doc_id] = digest
        self.id_by_hash[digest] = doc_id
        self.seq += 1
        self.documents.append({**document, "seq": self.seq})
        text = document["text"]
        self.sentences.extend(
            {
                "document_id": doc_id,
                "index": index,
                "paragraph": paragraph,
                "start": start,
                "end": end,
                "text": text[start:end],
            }
            for index, (paragraph, start, end) in enumerate(article.spans())
        )
        self.summary.documents += 1
        self.summary.sentences += len(article.packed) // 3
        if len(self.sentences) >= BATCH:
            self.flush()

    def replace_existing(self, where, doc_id):
        """Remove an existing document for ``--replace``; refuse when it would lose labels."""
        if not self.replace:
            raise ImportProblem(
                where,
                f"document '{doc_id}' already exists with different text; "
                "use --replace to replace it",
            )
        annotated = db.session.scalar(
            select(func.count(Annotation.id))
            .join(Sentence, Sentence.id == Annotation.sentence_id)
            .where(Sentence.document_id == doc_id)
        )
        if annotated:
            raise ImportProblem(
                where,
                f"document '{doc_id}' has {annotated} annotations; it cannot be replaced "
                "without losing them (export them first, or import the new text under another id)",
            )
        self.flush()
        db.session.execute(delete(Sentence).where(Sentence.document_id == doc_id))
        db.session.execute(delete(Document).where(Document.id == doc_id))
        del self.id_by_hash[self.hash_by_id.pop(doc_id)]
        self.summary.replaced += 1

    def flush(self):
        """Write queued documents, then their sentences."""
        if self.documents:
            db.session.execute(insert(DOCUMENTS), self.documents)
            self.documents = []
        if self.sentences:
            db.session.execute(insert(SENTENCES), self.sentences)
            self.sentences = []


def import_articles(raw_articles, outlet=None, publisher=None, replace=False):
    """Import raw articles all-or-nothing and return a Summary; raises ImportProblem.

    Every article is read, cleaned and split before the database is touched, so a bad one
    stops the import before it begins, and SQLite's write lock, which keeps annotators'
    saves waiting, is held only while rows are checked and written."""
    articles = [Prepared(raw, outlet, publisher) for raw in raw_articles]
    write_transaction()  # SQLite: hold the write lock from the first read on
    try:
        importer = Importer(replace)
        for article in articles:
            importer.add(article)
        importer.flush()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return importer.summary
