"""What annotators tell reviewers: sentences flagged for review (with a comment) or skipped
(with a reason, kept in the comment)."""

from sqlalchemy import func, or_, select

from .models import Annotation, Document, Sentence, User

KINDS = ("flagged", "skipped")


def remarked(kind=None):
    """The condition on an annotation: flagged, skipped, or (no ``kind``) either."""
    if kind in KINDS:
        return getattr(Annotation, kind).is_(True)
    return or_(Annotation.flagged.is_(True), Annotation.skipped.is_(True))


def remarked_sentences(kind=None):
    """Sentences with a flagged or skipped annotation (or one ``kind``) with their document,
    in document order."""
    return (
        select(Sentence.id, Sentence.document_id, Sentence.index, Sentence.text, Document.outlet)
        .join(Document, Document.id == Sentence.document_id)
        .where(Sentence.id.in_(select(Annotation.sentence_id).where(remarked(kind))))
        .order_by(Document.seq, Sentence.index)
    )


def remarks_on(sentence_ids, kind=None):
    """(sentence id, annotator name, Annotation) of the flagged or skipped annotations (or
    one ``kind``) of these sentences, by name."""
    return (
        select(Annotation.sentence_id, User.name, Annotation)
        .join(User, User.id == Annotation.annotator_id)
        .where(Annotation.sentence_id.in_(sentence_ids), remarked(kind))
        .order_by(User.name)
    )


def remark_counts():
    """(flags, skips) over the whole project."""
    return select(
        func.count().filter(Annotation.flagged.is_(True)),
        func.count().filter(Annotation.skipped.is_(True)),
    ).select_from(Annotation)
