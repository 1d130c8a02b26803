"""Database tables: documents and their sentences, users, and annotations."""

import secrets
from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import (
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    delete,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db

ROLES = ("annotator", "reviewer", "admin")


def utcnow():
    """Timezone-aware now, the one clock every timestamp uses."""
    return datetime.now(UTC)


def inserted_at(**options):
    """A timestamp column set to now when its row is inserted: by ``utcnow``, or by the
    database when an insert leaves it out."""
    return mapped_column(default=utcnow, server_default=func.now(), **options)


class Document(db.Model):
    """One imported article: cleaned text plus the metadata recovered from it.

    ``sources`` says where each piece of metadata came from (field name → ``page metadata``,
    ``field 'outlet'``, ``dateline 'DOVER (Reuters) -'``, …), ``removed`` lists the lines
    the cleaning took out (``{"text", "reason"}``) and ``kept_lines`` the lines the lead
    asked to keep; all three are None for documents imported before they were recorded or
    read back from an export. ``html_digest`` is the SHA-256 of the saved page, if any: the
    same page imported again is a duplicate even when its cleaning has changed.
    """

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(String(200), index=True)
    publisher: Mapped[str | None] = mapped_column(String(200))
    published: Mapped[date | None]
    url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str | None] = mapped_column(Text)
    imported: Mapped[datetime] = inserted_at()
    author: Mapped[str | None] = mapped_column(Text)
    html_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    removed: Mapped[list | None] = mapped_column(JSON)
    sources: Mapped[dict | None] = mapped_column(JSON)
    kept_lines: Mapped[list | None] = mapped_column(JSON)
    # the stance targets its sentences are labelled for, in order (annotator.targets)
    targets: Mapped[list | None] = mapped_column(JSON)


# the documents with targets of their own, in import order (``targets.every`` reads them on
# every review page): few, so the index holds only them
Index(
    "ix_documents_with_targets",
    Document.seq,
    sqlite_where=Document.targets.is_not(None),
    postgresql_where=Document.targets.is_not(None),
)


class Sentence(db.Model):
    """A sentence of a document; ``document.text[start:end] == text``.

    ``taken`` counts the labels it has (annotations not skipped) plus live leases: the
    assignment hands it out while ``taken < OVERLAP``. Ids follow import order.
    """

    __tablename__ = "sentences"
    __table_args__ = (
        UniqueConstraint("document_id", "index"),
        Index("ix_sentences_taken_id", "taken", "id"),
        Index(
            "ix_sentences_fresh",
            "id",
            postgresql_where=text("taken = 0"),
            sqlite_where=text("taken = 0"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    index: Mapped[int]
    paragraph: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    taken: Mapped[int] = mapped_column(default=0, server_default="0")


@cache
def stand_in_hash():
    """A hash of a random password, made once per process with the method of every stored
    hash: what an unknown name, a deactivated or a password-less account is checked against,
    so that they answer as slowly as a wrong password and timing does not tell which exist."""
    return generate_password_hash(secrets.token_hex(16))


def password_matches(password_hash, password):
    """Check ``password`` against ``password_hash``; with none, as slowly, and say False.
    The stand-in is made on the first check of a process, whatever the name: that first
    login is slower for a real account too."""
    stand_in = stand_in_hash()
    if password_hash is None:
        check_password_hash(stand_in, password)
        return False
    return check_password_hash(password_hash, password)


class User(db.Model):
    """An account; imported annotators may have no password and cannot log in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default="annotator", server_default="annotator")
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created: Mapped[datetime] = inserted_at()
    last_seen: Mapped[datetime | None]

    def end_sessions(self):
        """Log this user out everywhere."""
        if self.id is not None:
            db.session.execute(delete(LoginSession).where(LoginSession.user_id == self.id))

    def set_password(self, password):
        """Store a salted scrypt hash, never the password; ends the user's other sessions."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password):
        """True when ``password`` matches; always False (as slowly) for password-less accounts."""
        return password_matches(self.password_hash, password)


class LoginSession(db.Model):
    """One login, in one browser. The browser's cookie holds a random key, this table only
    its SHA-256: logging out deletes the row, so a copied cookie is worth nothing after it;
    a session idle too long or older than its lifetime no longer counts (``sessions.py``)."""

    __tablename__ = "login_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started: Mapped[datetime] = inserted_at()
    seen: Mapped[datetime] = inserted_at()


class RateLimitCounter(db.Model):
    """A fixed-window counter of the login limits (``throttling.py``): shared by every
    server process and machine that uses this database."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int]
    expires: Mapped[float] = mapped_column(index=True)  # seconds since the epoch


class Lease(db.Model):
    """A sentence handed to an annotator, reserved until ``expires``."""

    __tablename__ = "leases"
    __table_args__ = (UniqueConstraint("sentence_id", "annotator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sentence_id: Mapped[int] = mapped_column(ForeignKey("sentences.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created: Mapped[datetime] = inserted_at()
    expires: Mapped[datetime] = mapped_column(index=True)


class Annotation(db.Model):
    """One annotator's labels for one sentence; every edit keeps the previous version.

    ``asked_again``: its document has gained a stance target since, and the lead asked for
    it to be answered (``flask targets --requeue``): the annotator gets the sentence again
    before any other, and the next save of it clears the mark."""

    __tablename__ = "annotations"
    __table_args__ = (
        UniqueConstraint("sentence_id", "annotator_id"),
        # covers "my progress" (labelled today / in all) on every workspace answer
        Index("ix_annotations_progress", "annotator_id", "skipped", "created"),
        # the few asked again, looked up on every hand-out
        Index(
            "ix_annotations_asked_again",
            "annotator_id",
            "sentence_id",
            postgresql_where=text("asked_again"),
            sqlite_where=text("asked_again = 1"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sentence_id: Mapped[int] = mapped_column(ForeignKey("sentences.id"), index=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    labels: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    skipped: Mapped[bool] = mapped_column(default=False, server_default=false())
    flagged: Mapped[bool] = mapped_column(default=False, server_default=false())
    comment: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float | None]
    created: Mapped[datetime] = inserted_at()
    updated: Mapped[datetime] = inserted_at(onupdate=utcnow)
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    asked_again: Mapped[bool] = mapped_column(default=False, server_default=false())
    # what the suggesters proposed when it was first saved, and whether each field was kept
    # (annotator.suggesting.provenance); None: no suggestion existed for the sentence
    suggested: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))


class AnnotationRevision(db.Model):
    """An earlier version of an annotation, kept when it was edited."""

    __tablename__ = "annotation_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotations.id"), index=True)
    revision: Mapped[int]
    labels: Mapped[dict] = mapped_column(JSON)
    skipped: Mapped[bool]
    flagged: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float | None]
    saved: Mapped[datetime]


class Gold(db.Model):
    """The settled labels of a sentence, apart from the annotations they came from.

    ``method`` says how: a reviewer decided, or ``flask adjudicate --auto`` found the
    annotators unanimous or a strict majority. Every change keeps the previous version.
    """

    __tablename__ = "gold"

    id: Mapped[int] = mapped_column(primary_key=True)
    sentence_id: Mapped[int] = mapped_column(ForeignKey("sentences.id"), unique=True)
    labels: Mapped[dict] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(String(20))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    created: Mapped[datetime] = inserted_at()
    updated: Mapped[datetime] = inserted_at(onupdate=utcnow)


class GoldRevision(db.Model):
    """An earlier version of a gold label, kept when it was changed."""

    __tablename__ = "gold_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    gold_id: Mapped[int] = mapped_column(ForeignKey("gold.id"), index=True)
    revision: Mapped[int]
    labels: Mapped[dict] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(String(20))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    saved: Mapped[datetime]


class Dispute(db.Model):
    """A sentence whose annotators disagree (``annotator.disputes``): kept in step with
    every save, edit, skip, import and gold change, in the same transaction, so that the
    reviewers' list, its counts, filters and orders are indexed reads. ``fields`` holds the
    dotted names of the fields they differ on, each between newlines; ``agreement`` the share
    of annotator pairs that agree, over the fields each pair was asked; ``labelled_by`` the
    names of its annotators (skips aside), sorted and joined by ", "."""

    __tablename__ = "disputes"
    __table_args__ = (
        Index("ix_disputes_agreement", "agreement", "document_seq", "sentence_index"),
        Index("ix_disputes_document", "document_seq", "sentence_index"),
        Index("ix_disputes_annotators", "labelled_by", "document_seq", "sentence_index"),
    )

    sentence_id: Mapped[int] = mapped_column(
        ForeignKey("sentences.id", ondelete="CASCADE"), primary_key=True
    )
    document_seq: Mapped[int]
    sentence_index: Mapped[int]
    fields: Mapped[str] = mapped_column(Text)
    field_count: Mapped[int]
    agreement: Mapped[float]
    labelled_by: Mapped[str] = mapped_column(Text)
    remarked: Mapped[bool]  # an annotator flagged or skipped it
    settled: Mapped[bool]  # it has gold labels


# most disputed first, then in document order: the reviewers' default order
Index(
    "ix_disputes_disputed",
    Dispute.field_count.desc(),
    Dispute.document_seq,
    Dispute.sentence_index,
)


class SendBack(db.Model):
    """A reviewer's request that an annotator label a sentence (again), with a note: the
    annotator is handed it before any other sentence. It is open while that annotator's
    annotation of the sentence is older than ``sent`` (or missing), answered by their next
    save of it: nothing on the annotator's path writes here."""

    __tablename__ = "send_backs"
    __table_args__ = (Index("ix_send_backs_annotator", "annotator_id", "sentence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sentence_id: Mapped[int] = mapped_column(
        ForeignKey("sentences.id", ondelete="CASCADE"), index=True
    )
    annotator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    sent: Mapped[datetime] = inserted_at()


class SentenceSuggestion(db.Model):
    """What the suggesters propose for a sentence (``annotator.suggesting``): made when it is
    imported; its claim is made again when the classifier is retrained, until the sentence
    is first handed out, so every annotator of a sentence is offered the same suggestion,
    and never one learned from that sentence's own labels. ``*_by`` name the suggester and
    its version (``attribution-rules/1``)."""

    __tablename__ = "suggestions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["document_id", "index"],
            ["sentences.document_id", "sentences.index"],
            ondelete="CASCADE",
        ),
    )

    document_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    index: Mapped[int] = mapped_column(primary_key=True)
    claim: Mapped[str | None] = mapped_column(String(100))
    claim_confidence: Mapped[float | None]
    claim_by: Mapped[str | None] = mapped_column(String(60))
    # {"source_type", "entity", "source": {"start", "end"}, "cue": {...}}; None: no cue found
    attribution: Mapped[dict | None] = mapped_column(JSON)
    attribution_confidence: Mapped[float | None]
    attribution_by: Mapped[str | None] = mapped_column(String(60))


class SuggesterModel(db.Model):
    """A trained claim classifier (``annotator.suggesting.training``): the newest is used."""

    __tablename__ = "suggester_models"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    labels: Mapped[int]  # labelled sentences it learned from
    upto: Mapped[int]  # the newest annotation's id when it was trained
    held_out: Mapped[int]  # of which this many were first held out to score it
    accuracy: Mapped[float | None]  # on those
    prior_accuracy: Mapped[float | None]  # the rule-based prior's on the same sentences
    library: Mapped[str] = mapped_column(String(60))  # "scikit-learn 1.9.1": loadable only by it
    signature: Mapped[str] = mapped_column(String(64))  # HMAC of ``model`` (claims.signature)
    trained: Mapped[datetime] = inserted_at()
    model: Mapped[bytes] = mapped_column(LargeBinary)


class BackgroundTurn(db.Model):
    """Whose turn it is to do a background job (``suggesting.training``): one server process
    at a time, until ``until`` (seconds since the epoch) unless it renews its turn."""

    __tablename__ = "background_turns"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(40))
    until: Mapped[float]


# A record kept with its earlier versions: the table they go to, and its column naming the record.
REVISIONS = {Annotation: (AnnotationRevision, "annotation_id"), Gold: (GoldRevision, "gold_id")}


@cache
def copied_columns(record_class):
    """The columns a record's revision copies from it: every one the two tables share."""
    revision_class = REVISIONS[record_class][0]
    record_columns = record_class.__table__.columns
    return [
        column.key
        for column in revision_class.__table__.columns
        if column.key in record_columns and column.key != "id"
    ]


def revision_of(record):
    """The record's current version as a row of its revisions table (an Annotation's as an
    AnnotationRevision, a Gold's as a GoldRevision), saved when the record last changed."""
    revision_class, record_id = REVISIONS[type(record)]
    copied = {name: getattr(record, name) for name in copied_columns(type(record))}
    return revision_class(**copied, **{record_id: record.id}, saved=record.updated)


# The tables themselves, for Core statements: bulk inserts, and the statements built once
# and run on every request (plain rows cost a fraction of ORM entities).
DOCUMENTS, SENTENCES, USERS = Document.__table__, Sentence.__table__, User.__table__
SESSIONS, LEASES = LoginSession.__table__, Lease.__table__
ANNOTATIONS, GOLD = Annotation.__table__, Gold.__table__
SUGGESTIONS, TURNS = SentenceSuggestion.__table__, BackgroundTurn.__table__
DISPUTES, SEND_BACKS = Dispute.__table__, SendBack.__table__
