"""Database tables: documents and their sentences, users, and annotations."""

from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
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
    """A sentence of a document; ``document.text[start:end] == text``."""

    __tablename__ = "sentences"
    __table_args__ = (UniqueConstraint("document_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    index: Mapped[int]
    paragraph: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)


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

    @property
    def is_active(self):
        """Flask-Login refuses sessions of deactivated users."""
        return self.active

    def set_password(self, password):
        """Store a salted scrypt hash, never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        """True when ``password`` matches; always False for password-less accounts."""
        return self.password_hash is not None and check_password_hash(self.password_hash, password)


class Annotation(db.Model):
    """One annotator's labels for one sentence."""

    __tablename__ = "annotations"
    __table_args__ = (UniqueConstraint("sentence_id", "annotator_id"),)

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
