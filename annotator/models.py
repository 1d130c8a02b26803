"""Database tables: documents and their sentences, users, and annotations."""

import secrets
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db

ROLES = ("annotator", "reviewer", "admin")


def utcnow():
    """Timezone-aware now, the one clock every timestamp uses."""
    return datetime.now(UTC)


class Document(db.Model):
    """One imported article: cleaned text plus the metadata recovered from it."""

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
    imported: Mapped[datetime] = mapped_column(default=utcnow)


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


def new_session_token():
    """A random token; changing it ends every session of that user."""
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    """An account; imported annotators may have no password and cannot log in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default="annotator")
    active: Mapped[bool] = mapped_column(default=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime | None]
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)

    @property
    def is_active(self):
        """Flask-Login refuses sessions of deactivated users."""
        return self.active

    def get_id(self):
        """Session identity: id plus a token that a password change or deactivation renews."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self):
        """Log this user out everywhere."""
        self.session_token = new_session_token()

    def set_password(self, password):
        """Store a salted scrypt hash, never the password; ends the user's other sessions."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password):
        """True when ``password`` matches; always False for password-less accounts."""
        return self.password_hash is not None and check_password_hash(self.password_hash, password)


class Lease(db.Model):
    """A sentence handed to an annotator, reserved until ``expires``."""

    __tablename__ = "leases"
    __table_args__ = (UniqueConstraint("sentence_id", "annotator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sentence_id: Mapped[int] = mapped_column(ForeignKey("sentences.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    expires: Mapped[datetime] = mapped_column(index=True)


class Annotation(db.Model):
    """One annotator's labels for one sentence; every edit keeps the previous version."""

    __tablename__ = "annotations"
    __table_args__ = (
        UniqueConstraint("sentence_id", "annotator_id"),
        # covers "my progress" (labelled today / in all) on every workspace answer
        Index("ix_annotations_progress", "annotator_id", "skipped", "created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sentence_id: Mapped[int] = mapped_column(ForeignKey("sentences.id"), index=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    skipped: Mapped[bool] = mapped_column(default=False)
    flagged: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float | None]
    created: Mapped[datetime] = mapped_column(default=utcnow)
    updated: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    revision: Mapped[int] = mapped_column(default=1, server_default="1")


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


GOLD_METHODS = ("reviewer", "unanimous", "majority")


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
    revision: Mapped[int] = mapped_column(default=1)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    updated: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


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
