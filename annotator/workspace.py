"""What the annotation workspace shows beside the form: the article, progress, suggestions,
the way back, and the key legend."""

import time
from datetime import date, datetime
from datetime import time as clock
from functools import cache
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, exists, false, func, select

from .extensions import db
from .models import (
    ANNOTATIONS,
    DOCUMENTS,
    LEASES,
    SENTENCES,
    SUGGESTIONS,
    Annotation,
    Document,
    Sentence,
    utcnow,
)
from .sending_back import NOTE_FOR_USER

CACHE_SECONDS = 10
NO_ID_ABOVE = 2**62  # greater than every row id


def cached(name, compute):
    """``compute()``, kept for CACHE_SECONDS per app: project-wide figures that every save
    would otherwise recount over the whole table."""
    cache = current_app.extensions.setdefault("workspace_cache", {})
    value, expires = cache.get(name, (None, 0.0))
    if time.monotonic() >= expires:
        value = compute()
        cache[name] = (value, time.monotonic() + CACHE_SECONDS)
    return value


# Every workspace answer runs the statements below: built once, values bound per call
# (see assignment.py for why). They are Core statements on the tables and read plain rows:
# ORM entities and attributes cost two to four times more per execution, and the workspace
# only shows what it reads.
SENTENCES_OF_DOCUMENT = (
    select(SENTENCES.c.id, SENTENCES.c.index, SENTENCES.c.paragraph, SENTENCES.c.text)
    .where(SENTENCES.c.document_id == bindparam("document_id"))
    .order_by(SENTENCES.c.index)
)


# A sentence as the current user may open it: with its document, the user's annotation,
# whether the user holds a live lease on it and a reviewer's note sending it back to them,
# in one statement (four round trips on
# PostgreSQL otherwise).
SENTENCE_FOR_USER = (
    select(
        SENTENCES.c.id,
        SENTENCES.c.document_id,
        SENTENCES.c.index,
        SENTENCES.c.text,
        DOCUMENTS.c.title,
        DOCUMENTS.c.outlet,
        DOCUMENTS.c.publisher,
        DOCUMENTS.c.published,
        DOCUMENTS.c.targets,
        ANNOTATIONS.c.id.label("annotation_id"),
        ANNOTATIONS.c.labels,
        ANNOTATIONS.c.skipped,
        ANNOTATIONS.c.flagged,
        ANNOTATIONS.c.comment,
        ANNOTATIONS.c.revision,
        exists()
        .where(
            LEASES.c.annotator_id == bindparam("user_id"),
            LEASES.c.sentence_id == SENTENCES.c.id,
            LEASES.c.expires >= bindparam("now"),
        )
        .label("leased"),
        SUGGESTIONS.c.claim.label("suggested_claim"),
        SUGGESTIONS.c.claim_confidence,
        SUGGESTIONS.c.claim_by,
        SUGGESTIONS.c.attribution.label("suggested_attribution"),
        SUGGESTIONS.c.attribution_confidence,
        SUGGESTIONS.c.attribution_by,
        NOTE_FOR_USER.scalar_subquery().label("sent_back_note"),
    )
    .join(DOCUMENTS, DOCUMENTS.c.id == SENTENCES.c.document_id)
    .outerjoin(
        SUGGESTIONS,
        (SUGGESTIONS.c.document_id == SENTENCES.c.document_id)
        & (SUGGESTIONS.c.index == SENTENCES.c.index),
    )
    .outerjoin(
        ANNOTATIONS,
        (ANNOTATIONS.c.sentence_id == SENTENCES.c.id)
        & (ANNOTATIONS.c.annotator_id == bindparam("user_id")),
    )
    .where(SENTENCES.c.id == bindparam("sentence_id"))
)


class SentenceView(NamedTuple):
    """What the workspace shows of a sentence."""

    id: int
    document_id: str
    index: int
    text: str
    sent_back_note: str | None = None  # a reviewer sent it back to the user with this note


class DocumentView(NamedTuple):
    """What the workspace shows of the sentence's article."""

    id: str
    title: str | None
    outlet: str | None
    publisher: str | None
    published: date | None
    targets: list | None  # its stance targets (None: the scheme's)


class SuggestionView(NamedTuple):
    """The suggesters' proposal for the sentence (see ``suggesting.offered``)."""

    claim: str | None
    claim_confidence: float | None
    claim_by: str | None
    attribution: dict | None
    attribution_confidence: float | None
    attribution_by: str | None


class AnnotationView(NamedTuple):
    """The user's stored annotation, to fill the form with."""

    labels: dict
    skipped: bool
    flagged: bool
    comment: str | None
    revision: int


def sentence_for(user_id, sentence_id):
    """``(sentence, document, annotation, leased, suggestion)`` for the user, or None when
    the sentence does not exist; ``annotation`` is None when the user has not labelled it,
    ``suggestion`` when the sentence has none."""
    parameters = {"user_id": user_id, "sentence_id": sentence_id, "now": utcnow()}
    row = db.session.execute(SENTENCE_FOR_USER, parameters).first()
    if row is None:
        return None
    sentence = SentenceView(row.id, row.document_id, row.index, row.text, row.sent_back_note)
    document = DocumentView(
        row.document_id, row.title, row.outlet, row.publisher, row.published, row.targets
    )
    annotation = None
    if row.annotation_id is not None:
        annotation = AnnotationView(row.labels, row.skipped, row.flagged, row.comment, row.revision)
    suggestion = None
    if row.claim_by is not None or row.attribution_by is not None:
        suggestion = SuggestionView(
            row.suggested_claim,
            row.claim_confidence,
            row.claim_by,
            row.suggested_attribution,
            row.attribution_confidence,
            row.attribution_by,
        )
    return sentence, document, annotation, bool(row.leased), suggestion


def labelled_count(*conditions):
    """How many sentences the user ``:user_id`` labelled (not skipped), counted over the
    covering index ``ix_annotations_progress`` with no work per row."""
    return (
        select(func.count())
        .select_from(ANNOTATIONS)
        .where(
            ANNOTATIONS.c.annotator_id == bindparam("user_id"),
            ANNOTATIONS.c.skipped == false(),
            *conditions,
        )
        .scalar_subquery()
    )


TODAY = labelled_count(ANNOTATIONS.c.created >= bindparam("midnight")).label("today")
TOTAL = labelled_count().label("total")
MY_PROGRESS = select(TODAY, TOTAL)
MINE = ANNOTATIONS.alias("mine")
# The article as the user labels it, in one statement (three round trips on PostgreSQL
# otherwise): its sentences in reading order, each with the user's labels of it (the entity
# field offers the names they gave in it; one probe of the unique index per sentence,
# which no planner estimate can turn into a scan of all the user's annotations), and their
# progress (two counts, each computed once for the statement).
ARTICLE_FOR_USER = (
    select(
        SENTENCES.c.id,
        SENTENCES.c.index,
        SENTENCES.c.paragraph,
        SENTENCES.c.text,
        select(MINE.c.labels)
        .where(MINE.c.sentence_id == SENTENCES.c.id, MINE.c.annotator_id == bindparam("user_id"))
        .scalar_subquery()
        .label("my_labels"),
        TODAY,
        TOTAL,
    )
    .where(SENTENCES.c.document_id == bindparam("document_id"))
    .order_by(SENTENCES.c.index)
)
MY_ANNOTATION_ID = (
    select(ANNOTATIONS.c.id)
    .where(
        ANNOTATIONS.c.annotator_id == bindparam("user_id"),
        ANNOTATIONS.c.sentence_id == bindparam("sentence_id"),
    )
    .scalar_subquery()
)
LABELLED_BEFORE = (
    select(ANNOTATIONS.c.sentence_id)
    .where(ANNOTATIONS.c.annotator_id == bindparam("user_id"))
    .where(ANNOTATIONS.c.id < func.coalesce(MY_ANNOTATION_ID, NO_ID_ABOVE))
    .order_by(ANNOTATIONS.c.id.desc())
    .limit(1)
)


def in_paragraphs(sentences):
    """Sentences (rows with ``paragraph``, in reading order) grouped into paragraphs."""
    grouped = {}
    for sentence in sentences:
        grouped.setdefault(sentence.paragraph, []).append(sentence)
    return list(grouped.values())


def paragraphs(document_id):
    """The document's sentences (id, index, paragraph, text) grouped into paragraphs, in
    reading order; plain rows, as every workspace answer shows the whole article."""
    return in_paragraphs(db.session.execute(SENTENCES_OF_DOCUMENT, {"document_id": document_id}))


def midnight():
    """Today's start (UTC), from which "labelled today" counts."""
    return datetime.combine(utcnow().date(), clock.min, tzinfo=utcnow().tzinfo)


def my_progress(user_id):
    """Sentences this user labelled today (UTC) and in all."""
    parameters = {"user_id": user_id, "midnight": midnight()}
    today, total = db.session.execute(MY_PROGRESS, parameters).one()
    return {"today": today, "total": total}


class ArticleView(NamedTuple):
    """What the workspace shows of a sentence's article for the user."""

    paragraphs: list  # the sentences (id, index, paragraph, text), grouped into paragraphs
    entities: list  # entity names the user gave in this article, for the entity field
    mine: dict  # the user's progress (see ``my_progress``)


def article_for(user_id, document_id):
    """The article with what the user gave in it, and their progress, in one read."""
    parameters = {"user_id": user_id, "document_id": document_id, "midnight": midnight()}
    rows = db.session.execute(ARTICLE_FOR_USER, parameters).all()
    if not rows:  # an article has sentences; if it had none, nothing would carry the counts
        return ArticleView([], [], my_progress(user_id))
    return ArticleView(
        in_paragraphs(rows),
        entity_names(row.my_labels for row in rows),
        {"today": rows[0].today, "total": rows[0].total},
    )


def project_progress():
    """Labels given towards the goal of OVERLAP per sentence, as counts and a percentage."""

    def compute():
        overlap = current_app.config["OVERLAP"]
        sentences = db.session.scalar(select(func.count()).select_from(Sentence))
        # SQLite spells LEAST as the two-argument MIN
        least = func.least if db.engine.dialect.name == "postgresql" else func.min
        per_sentence = (
            select(least(func.count(), overlap).label("given"))
            .where(~Annotation.skipped)
            .group_by(Annotation.sentence_id)
            .subquery()
        )
        given = db.session.scalar(select(func.coalesce(func.sum(per_sentence.c.given), 0)))
        needed = sentences * overlap
        return {
            "given": min(given, needed),
            "needed": needed,
            "percent": round(100 * min(given, needed) / needed, 1) if needed else 0.0,
        }

    return cached("project_progress", compute)


def entity_names(labels):
    """The entity names a user's labels (None: not labelled) give, sorted, once each."""
    names = {((label or {}).get("attribution") or {}).get("entity") for label in labels}
    return sorted(name for name in names if name)


def known_outlets():
    """Every outlet named by an imported document."""
    return cached(
        "known_outlets",
        lambda: db.session.scalars(
            select(Document.outlet)
            .distinct()
            .where(Document.outlet.is_not(None))
            .order_by(Document.outlet)
        ).all(),
    )


def previous_sentence(user_id, sentence_id):
    """The sentence this user labelled before the given one (or last, if it is new)."""
    return db.session.scalar(LABELLED_BEFORE, {"user_id": user_id, "sentence_id": sentence_id})


@cache
def key_legend(scheme):
    """The workspace's keys and what they do; the span and text fields' keys are the
    scheme's (worked out once per scheme, not on every page)."""
    spans = [field for field in scheme.span_fields if field.key]
    typed = [field for field in scheme.fields if field.kind == "text" and field.key]
    legend = [
        ("1–9", "choose in the active group, then go to the next group"),
        ("Tab / Shift+Tab", "next / previous group"),
        ("Enter", "save and next (accepting what is suggested)"),
    ]
    if spans:
        names = " / ".join(field.title.lower() for field in spans)
        legend.append(
            (
                " / ".join(f.key for f in spans),
                f"mark the {names}: words selected with the mouse, or a word cursor",
            )
        )
        legend.append(("← →", "while marking: the word before / after"))
        legend.append(("Shift+← →", "while marking: widen or narrow by a word"))
        legend.append(("↑ ↓", "while marking: the previous / next clause (Shift: widen)"))
        legend.append(("Enter / Esc", "while marking: mark it / leave it as it was"))
        legend.append((" / ".join(f"Shift+{f.key.upper()}" for f in spans), f"clear the {names}"))
    if typed:
        names = " / ".join(field.title.lower() for field in typed)
        legend.append((" / ".join(field.key for field in typed), f"edit {names}"))
    return legend + OTHER_KEYS


OTHER_KEYS = [
    ("f", "flag and comment"),
    ("k", "skip (type a reason, Enter)"),
    ("b", "back to the previous sentence"),
    ("h", "history"),
    ("?", "guidelines"),
    ("Esc", "leave a text field"),
]
