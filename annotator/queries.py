"""Read queries shared by the CLI and the pages, as functions returning ``Select``."""

from sqlalchemy import func, select

from .models import Annotation, AnnotationRevision, Document, Sentence, User


def documents_with_counts():
    """Documents in import order, each with its number of sentences."""
    counts = (
        select(Sentence.document_id, func.count().label("sentences"))
        .group_by(Sentence.document_id)
        .subquery()
    )
    return (
        select(Document, func.coalesce(counts.c.sentences, 0))
        .outerjoin(counts, counts.c.document_id == Document.id)
        .order_by(Document.seq)
    )


def sentences_of(document_id):
    """The sentences of one document in reading order."""
    return select(Sentence).where(Sentence.document_id == document_id).order_by(Sentence.index)


def annotation_count(document_id):
    """How many annotations (skips too) the sentences of one document have."""
    return (
        select(func.count(Annotation.id))
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .where(Sentence.document_id == document_id)
    )


def work_per_user():
    """Each user, by name, with how many sentences they labelled and how many they skipped
    (a skip is not a label): what ``flask stats`` and ``flask users list`` both show."""
    return (
        select(
            User,
            func.count(Annotation.id).filter(~Annotation.skipped),
            func.count(Annotation.id).filter(Annotation.skipped),
        )
        .outerjoin(Annotation, Annotation.annotator_id == User.id)
        .group_by(User.id)
        .order_by(User.name)
    )


def totals():
    """Counts of documents, sentences, labelled and skipped annotations."""
    return select(
        select(func.count()).select_from(Document).scalar_subquery(),
        select(func.count()).select_from(Sentence).scalar_subquery(),
        select(func.count()).where(~Annotation.skipped).scalar_subquery(),
        select(func.count()).where(Annotation.skipped).scalar_subquery(),
    )


def history_of(user_id):
    """A user's annotations with their sentences and how many earlier versions each has,
    newest first (the annotator's history page)."""
    revisions = (
        select(AnnotationRevision.annotation_id, func.count().label("earlier"))
        .group_by(AnnotationRevision.annotation_id)
        .subquery()
    )
    return (
        select(Annotation, Sentence, func.coalesce(revisions.c.earlier, 0))
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .outerjoin(revisions, revisions.c.annotation_id == Annotation.id)
        .where(Annotation.annotator_id == user_id)
        .order_by(Annotation.updated.desc(), Annotation.id.desc())
    )


def count_of(query):
    """How many rows ``query`` gives."""
    return select(func.count()).select_from(query.order_by(None).subquery())
