"""Store cleaned articles as documents and sentences: one transaction, bulk inserts."""

import hashlib
import shlex
from array import array
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain

from flask import current_app
from sqlalchemy import delete, func, insert, select

from ..database import write_transaction
from ..extensions import db
from ..models import DOCUMENTS, SENTENCES, Document, Sentence
from ..queries import annotation_count
from ..text import plain
from .cleaning import clean, line_key
from .readers import ImportProblem
from .segmenting import split_document

BATCH = 20_000


@dataclass
class Summary:
    """What an import did, or with ``dry_run`` would do; ``removed`` counts the lines taken
    out of the documents imported, ``warnings`` are lines to keep that kept nothing."""

    documents: int = 0
    sentences: int = 0
    duplicates: int = 0
    replaced: int = 0
    removed: int = 0
    dry_run: bool = False
    imported: list[str] = field(default_factory=list)  # ids of the documents imported
    warnings: list[str] = field(default_factory=list)

    def __str__(self):
        if self.dry_run:
            return (
                f"Would import {self.documents} documents, {self.sentences} sentences; "
                f"skip {self.duplicates} duplicates"
                + (f"; replace {self.replaced}" if self.replaced else "")
                + (f"; remove {self.removed} lines of page furniture" if self.removed else "")
                + " (--dry-run: nothing was written)."
            )
        text = (
            f"Imported {self.documents} documents, {self.sentences} sentences; "
            f"skipped {self.duplicates} duplicates"
        )
        text += f"; replaced {self.replaced}" if self.replaced else ""
        if self.removed:
            example = shlex.quote(self.imported[0]) if len(self.imported) == 1 else "DOC"
            text += f"; removed {self.removed} lines of page furniture, see `flask show {example}`"
        return text + "."


def metadata(value):
    """A title, outlet, publisher, id or URL as stored: one line, without control,
    bidirectional or invisible characters, None when nothing is left."""
    return (plain(value) or "").strip() or None


def first_given(*candidates):
    """The first ``(value, where it came from)`` whose value is set, else ``(None, None)``."""
    for value, where in candidates:
        if value is not None:
            return value, where
    return None, None


def prepare(raw, outlet=None, publisher=None, keep=(), targets=None, targets_from=None):
    """Clean and split one raw article into a document row and its sentence spans.

    The row records where each piece of metadata came from (``sources``: the options win
    over the record's fields or the page, which win over what the text says), the lines the
    cleaning removed and why, and which of the lines to ``keep`` (``--keep-line``, and the
    record's ``keep_lines``) kept a line the cleaning would have removed. Its stance
    ``targets``: the record's, else ``targets`` (``--targets``, else the scheme's)."""
    title = raw.title if raw.from_page else None
    keep = (*keep, *raw.keep_lines)
    article = clean(raw.text, title=title, keep=keep)
    text = article.text
    spans = split_document(article.paragraphs)
    if not spans:
        raise ImportProblem(raw.where, "no sentences left after removing page furniture")
    digest = hashlib.sha256(text.encode()).hexdigest()
    given, found = raw.sources, article.sources

    def field_of(name, *before):
        return first_given(
            *before,
            (metadata(getattr(raw, name)), given.get(name, "given")),
            (metadata(getattr(article, name, None)), found.get(name)),
        )

    fields = {
        "id": first_given(
            (metadata(raw.id), given.get("id", "given")), (digest[:16], "text digest")
        ),
        "title": field_of("title"),
        "outlet": field_of("outlet", (metadata(outlet), "--outlet option")),
        "publisher": field_of("publisher", (metadata(publisher), "--publisher option")),
        "published": first_given(
            (raw.published, given.get("published", "given")),
            (article.published, found.get("published")),
        ),
        "url": field_of("url"),
        "author": field_of("author"),
    }
    document = {name: value for name, (value, _) in fields.items()} | {
        "text": text,
        "content_hash": digest,
        "source": raw.where,
        "html_digest": raw.html_digest,
        "removed": [{"text": cut.text, "reason": cut.reason} for cut in article.removed],
        "sources": {name: where for name, (value, where) in fields.items() if value is not None},
        "kept_lines": restored(raw.text, title, keep, article) if keep else [],
        "targets": list(raw.targets if raw.targets is not None else targets or ()),
    }
    if raw.targets is not None or targets_from:
        document["sources"]["targets"] = (
            "field 'targets'" if raw.targets is not None else targets_from
        )
    if len(document["id"]) > 200:
        raise ImportProblem(raw.where, "'id' is longer than 200 characters")
    return document, spans


def restored(raw, title, keep, article):
    """Which of the lines to ``keep`` (as ``line_key`` writes them) kept a line that the
    cleaning, without them, removes: it cleans the text again without them."""
    removed = Counter(line_key(cut.text) for cut in article.removed)
    without = Counter(line_key(cut.text) for cut in clean(raw, title=title).removed)
    return [line for line in dict.fromkeys(map(line_key, keep)) if without[line] > removed[line]]


class Prepared:
    """A cleaned and split article waiting to be written: its document row, and its
    sentence spans packed as (paragraph, start, end) triples (12 bytes each, not ~120 as
    tuples: a million sentences wait in memory during a large import)."""

    __slots__ = ("asked", "document", "packed", "where")

    def __init__(self, raw, outlet=None, publisher=None, keep=(), targets=None, targets_from=None):
        self.where = raw.where
        self.asked = raw.keep_lines  # the record's own lines to keep
        self.document, spans = prepare(raw, outlet, publisher, keep, targets, targets_from)
        self.packed = array("i", chain.from_iterable(spans))

    @property
    def sentences(self):
        """How many sentences it has."""
        return len(self.packed) // 3

    def spans(self):
        """The (paragraph, start, end) triples again."""
        values = iter(self.packed)
        return zip(values, values, values, strict=True)

    def still_removed(self, line):
        """Why the cleaning removed ``line`` (a line to keep) all the same, or None."""
        return next(
            (c["reason"] for c in self.document["removed"] if line_key(c["text"]) == line), None
        )


def unkept(removed_by, scope):
    """Why a line to keep kept nothing: it matches no removed line (in ``scope``), or one
    that the cleaning removes all the same (``removed_by``: its reason)."""
    if removed_by:
        return f"matched a line removed all the same ({removed_by}): it changed nothing"
    return f"matched no removed line {scope}"


def keep_warnings(articles, keep):
    """A line for each line to keep that kept nothing: of ``--keep-line`` in any document,
    of a record's ``keep_lines`` in its own."""
    warnings = []
    for article in articles:
        for line in article.asked:
            if line not in article.document["kept_lines"]:
                why = unkept(article.still_removed(line), "of its document")
                warnings.append(f"{article.where}: keep_lines {line!r} {why}")
    kept = {line for article in articles for line in article.document["kept_lines"]}
    for line in keep:
        if line not in kept:
            removed_by = next(filter(None, (a.still_removed(line) for a in articles)), None)
            warnings.append(f"--keep-line {line!r} {unkept(removed_by, 'in any document')}")
    return warnings


class Importer:
    """Checks prepared articles against what is stored and accumulates their rows, written
    in batches inside the caller's transaction; with ``dry_run`` it checks alike and writes
    nothing."""

    def __init__(self, replace=False, dry_run=False):
        self.replace, self.dry_run = replace, dry_run
        self.summary = Summary(dry_run=dry_run)
        rows = db.session.execute(
            select(Document.id, Document.content_hash, Document.html_digest)
        ).all()
        self.hash_by_id = {doc_id: digest for doc_id, digest, _ in rows}
        self.id_by_hash = {digest: doc_id for doc_id, digest, _ in rows}
        self.page_by_id = {doc_id: page for doc_id, _, page in rows if page}
        self.id_by_page = {page: doc_id for doc_id, page in self.page_by_id.items()}
        self.seq = db.session.scalar(select(func.coalesce(func.max(Document.seq), 0)))
        self.documents, self.sentences = [], []
        self.ids_in_this_import = set()

    def stored_as(self, document):
        """``(id, "text" or "page")`` of a stored document this one duplicates, else None.

        The same text is a duplicate under any id. So is the same web page, whatever its
        cleaning gives now, unless lines to keep changed its text (under its own id, or under
        another when the stored one has labels) or, under its own id, ``--replace`` asks for
        the new text."""
        doc_id, digest = document["id"], document["content_hash"]
        if self.hash_by_id.get(doc_id) == digest:
            return doc_id, "text"
        if digest in self.id_by_hash:
            return self.id_by_hash[digest], "text"
        holder = self.id_by_page.get(document["html_digest"])
        if (
            holder is not None
            and not document["kept_lines"]
            and (holder != doc_id or not self.replace)
        ):
            return holder, "page"
        return None

    def add(self, article):
        """Check one prepared article against what exists and queue its rows; returns what
        happens to it, as a phrase: ``new``, ``replaces …``, ``duplicate of …``."""
        document = article.document
        doc_id, digest, page = document["id"], document["content_hash"], document["html_digest"]
        if doc_id in self.ids_in_this_import and self.hash_by_id[doc_id] != digest:
            raise ImportProblem(
                article.where, f"document id '{doc_id}' appears twice, with different text"
            )
        duplicate = self.stored_as(document)
        if duplicate:
            self.summary.duplicates += 1
            return "duplicate of '{}' (the same {}), skipped".format(*duplicate)
        outcome = "new"
        if doc_id in self.hash_by_id:
            self.replace_existing(article.where, doc_id)
            outcome = "replaces the stored document"
        self.ids_in_this_import.add(doc_id)
        self.hash_by_id[doc_id] = digest
        self.id_by_hash[digest] = doc_id
        if page:
            self.id_by_page[page], self.page_by_id[doc_id] = doc_id, page
        self.seq += 1
        self.summary.documents += 1
        self.summary.sentences += article.sentences
        self.summary.removed += len(document["removed"])
        self.summary.imported.append(doc_id)
        if not self.dry_run:
            self.queue(article, {**document, "seq": self.seq})
        return outcome

    def queue(self, article, document):
        """Queue the rows of a document and its sentences, writing a batch when it is full."""
        self.documents.append(document)
        text, doc_id = document["text"], document["id"]
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
        annotated = db.session.scalar(annotation_count(doc_id))
        if annotated:
            raise ImportProblem(
                where,
                f"document '{doc_id}' has {annotated} annotations; it cannot be replaced "
                "without losing them (export them first, or import the new text under another id)",
            )
        if not self.dry_run:
            self.flush()
            db.session.execute(delete(Sentence).where(Sentence.document_id == doc_id))
            db.session.execute(delete(Document).where(Document.id == doc_id))
        del self.id_by_hash[self.hash_by_id.pop(doc_id)]
        self.id_by_page.pop(self.page_by_id.pop(doc_id, None), None)
        self.summary.replaced += 1

    def flush(self):
        """Write queued documents, then their sentences."""
        if self.documents:
            db.session.execute(insert(DOCUMENTS), self.documents)
            self.documents = []
        if self.sentences:
            db.session.execute(insert(SENTENCES), self.sentences)
            self.sentences = []


def import_articles(
    raw_articles,
    outlet=None,
    publisher=None,
    replace=False,
    keep=(),
    dry_run=False,
    each=None,
    targets=None,
):
    """Import raw articles all-or-nothing and return a Summary; raises ImportProblem.

    Every article is read, cleaned and split before the database is touched, so a bad one
    stops the import before it begins, and SQLite's write lock, which keeps annotators'
    saves waiting, is held only while rows are checked and written. ``keep``: lines the
    cleaning must leave in every article. With ``dry_run`` everything is checked the same
    and nothing is written (nor is the write lock taken). ``each(document, sentences,
    outcome)`` is called for every article, in order, once it is checked. ``targets``: the
    stance targets of articles whose record gives none (``--targets``); the scheme's when
    None."""
    keep = tuple(dict.fromkeys(line_key(plain(line)) for line in keep))
    if "" in keep:
        raise ImportProblem("--keep-line", "an empty line; give the text of the line to keep")
    targets_from = "--targets option" if targets is not None else "the scheme's"
    if targets is None:
        targets = current_app.extensions["scheme"].stance_targets
    articles = [
        Prepared(raw, outlet, publisher, keep, targets, targets_from) for raw in raw_articles
    ]
    if not dry_run:
        write_transaction()  # SQLite: hold the write lock from the first read on
    try:
        importer = Importer(replace, dry_run)
        for article in articles:
            outcome = importer.add(article)
            if each:
                each(article.document, article.sentences, outcome)
        if dry_run:
            db.session.rollback()
        else:
            importer.flush()
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    importer.summary.warnings = keep_warnings(articles, keep)
    return importer.summary
