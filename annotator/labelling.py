"""Saving an annotator's labels: first save from a lease, edits that keep every version, skips."""

from sqlalchemy import delete, select, update

from .assignment import lease_next, overlap, release_expired
from .extensions import db, writing
from .models import Annotation, AnnotationRevision, Lease, Sentence, utcnow


class SaveRefused(Exception):
    """A save that must not happen; ``status`` is the HTTP status to answer with."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def take_slot(sentence_id):
    """Count one more label on the sentence if it has room; False when it is full."""
    result = db.session.execute(
        update(Sentence)
        .where(Sentence.id == sentence_id, Sentence.taken < overlap())
        .values(taken=Sentence.taken + 1)
    )
    return result.rowcount == 1


def free_slot(sentence_id):
    """Count one label fewer on the sentence."""
    db.session.execute(
        update(Sentence).where(Sentence.id == sentence_id).values(taken=Sentence.taken - 1)
    )


def save(user_id, sentence_id, values, revision=None):
    """Store the user's annotation of a sentence; ``values`` are the Annotation's columns.

    Returns the Annotation. Raises SaveRefused, storing nothing, when the sentence is not
    the user's to label or the form was stale.
    """
    with writing():
        annotation = db.session.scalar(
            select(Annotation)
            .where(Annotation.sentence_id == sentence_id, Annotation.annotator_id == user_id)
            .with_for_update()
        )
        if annotation is None:
            return create(user_id, sentence_id, values)
        edit(annotation, values, revision)
        return annotation


def save_and_next(user_id, sentence_id, values, revision=None):
    """Save, then lease the user's next sentence, in one transaction (one durable commit);
    returns the next sentence's id or None. Raises SaveRefused, storing nothing."""
    with writing():
        release_expired()
        save(user_id, sentence_id, values, revision)
        return lease_next(user_id)


def create(user_id, sentence_id, values):
    """First save: turn the user's lease into an annotation."""
    now = utcnow()
    lease = db.session.scalar(
        select(Lease).where(Lease.annotator_id == user_id, Lease.sentence_id == sentence_id)
    )
    if lease is None:
        raise SaveRefused(
            403,
            "This sentence is not handed to you (or your reservation ran out and it went to "
            "someone else). Nothing was saved; ask for the next sentence.",
        )
    db.session.execute(delete(Lease).where(Lease.id == lease.id))
    lease_was_live = lease.expires >= now
    if lease_was_live and values["skipped"]:
        free_slot(sentence_id)
    elif not lease_was_live:
        free_slot(sentence_id)  # the expired lease still held a slot
        if not values["skipped"] and not take_slot(sentence_id):
            raise SaveRefused(
                409,
                "Your reservation of this sentence ran out and it now has all the labels it "
                "needs. Nothing was saved; ask for the next sentence.",
            )
    if values.get("seconds") is None:
        values = {**values, "seconds": round((now - lease.created).total_seconds(), 1)}
    annotation = Annotation(sentence_id=sentence_id, annotator_id=user_id, **values)
    db.session.add(annotation)
    db.session.flush()
    return annotation


def edit(annotation, values, revision):
    """Later saves: keep the current version as a revision, then change it."""
    if revision is not None and revision != annotation.revision:
        raise SaveRefused(
            409,
            "These labels were changed elsewhere (another tab?) since you opened them. "
            "Nothing was saved; reload to see the latest version.",
        )
    if annotation.skipped and not values["skipped"] and not take_slot(annotation.sentence_id):
        raise SaveRefused(
            409, "This sentence now has all the labels it needs; your skip stays as it was."
        )
    if values["skipped"] and not annotation.skipped:
        free_slot(annotation.sentence_id)
    db.session.add(
        AnnotationRevision(
            annotation_id=annotation.id,
            revision=annotation.revision,
            labels=annotation.labels,
            skipped=annotation.skipped,
            flagged=annotation.flagged,
            comment=annotation.comment,
            seconds=annotation.seconds,
            saved=annotation.updated,
        )
    )
    for name, value in values.items():
        if name != "seconds":
            setattr(annotation, name, value)
        elif value is not None:  # time spent adds up over visits
            annotation.seconds = round((annotation.seconds or 0) + value, 1)
    annotation.revision += 1
    annotation.updated = utcnow()
