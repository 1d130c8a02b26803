"""Read queries shared by the CLI and the pages, as functions returning ``Select``."""

from sqlalchemy import func, select

from .models import Annotation, Document, Sentence, User


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


def annotations_per_annotator():
    """Each user with their annotation and skip counts, by name."""
    return (
        select(
            User.name,
            User.role,
            func.count(Annotation.id),
            func.count(Annotation.id).filter(Annotation.skipped),
        )
        .outerjoin(Annotation, Annotation.annotator_id == User.id)
        .group_by(User.id)
        .order_by(User.name)
    )


def totals():
    """Counts of documents, sentences and annotations."""
    return select(
        select(func.count()).select_from(Document).scalar_subquery(),
        select(func.count()).select_from(Sentence).scalar_subquery(),
        select(func.count()).select_from(Annotation).scalar_subquery(),
    )
