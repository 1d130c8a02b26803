"""What the annotation workspace shows beside the form: the article, progress, suggestions,
the way back, and the key legend."""

import time
from datetime import datetime
from datetime import time as clock

from flask import current_app
from sqlalchemy import func, select

from .extensions import db
from .models import Annotation, Document, Sentence, utcnow

CACHE_SECONDS = 10


def cached(name, compute):
    """``compute()``, kept for CACHE_SECONDS per app: project-wide figures that every save
    would otherwise recount over the whole table."""
    cache = current_app.extensions.setdefault("workspace_cache", {})
    value, expires = cache.get(name, (None, 0.0))
    if time.monotonic() >= expires:
        value = compute()
        cache[name] = (value, time.monotonic() + CACHE_SECONDS)
    return value


def paragraphs(document_id):
    """The document's sentences grouped into paragraphs, in reading order."""
    grouped = {}
    for sentence in db.session.scalars(
        select(Sentence).where(Sentence.document_id == document_id).order_by(Sentence.index)
    ):
        grouped.setdefault(sentence.paragraph, []).append(sentence)
    return list(grouped.values())


def my_progress(user_id):
    """Sentences this user labelled today (UTC) and in all."""
    midnight = datetime.combine(utcnow().date(), clock.min, tzinfo=utcnow().tzinfo)
    today, total = db.session.execute(
        select(
            func.count(Annotation.id).filter(Annotation.created >= midnight),
            func.count(Annotation.id),
        ).where(Annotation.annotator_id == user_id, ~Annotation.skipped)
    ).one()
    return {"today": today, "total": total}


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


def entity_suggestions(user_id, document_id):
    """Entity names this user already gave in this document, for the entity field."""
    labels = db.session.scalars(
        select(Annotation.labels)
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .where(Annotation.annotator_id == user_id, Sentence.document_id == document_id)
    )
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
    mine = db.session.scalar(
        select(Annotation.id).where(
            Annotation.annotator_id == user_id, Annotation.sentence_id == sentence_id
        )
    )
    query = select(Annotation.sentence_id).where(Annotation.annotator_id == user_id)
    if mine is not None:
        query = query.where(Annotation.id < mine)
    return db.session.scalar(query.order_by(Annotation.id.desc()).limit(1))


def key_groups(scheme):
    """The radio groups in keyboard order: (field name, legend, labels)."""
    groups = [("claim", "Claim", scheme.claim_labels)]
    groups.append(("source_type", "Source type", scheme.source_types))
    groups.extend(
        (f"stance_{n}", f"Stance: {target}", scheme.stance_labels)
        for n, target in enumerate(scheme.stance_targets)
    )
    return groups


GLOBAL_KEYS = [
    ("1–9", "choose in the active group, then go to the next group"),
    ("Tab / Shift+Tab", "next / previous group"),
    ("Enter", "save and next"),
    ("s / c", "mark the selected text as source / cue"),
    ("Shift+S / Shift+C", "clear the source / cue"),
    ("e / o", "edit entity / outlet"),
    ("f", "flag and comment"),
    ("k", "skip (type a reason, Enter)"),
    ("b", "back to the previous sentence"),
    ("h", "history"),
    ("?", "guidelines"),
    ("Esc", "leave a text field"),
]
