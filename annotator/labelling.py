"""Saving an annotator's labels: first save from a lease, edits that keep every version, skips."""

from sqlalchemy import bindparam, delete, insert, select, update

from .assignment import GIVE_BACK_SLOT, lease_next, overlap, release_expired, renew
from .database import writing
from .disputes import touched
from .extensions import db
from .models import ANNOTATIONS, LEASES, SENTENCES, Annotation, revision_of, utcnow


class SaveRefused(Exception):
    """A save that must not happen; the message says why and what to do."""


class NotHanded(SaveRefused):
    """The sentence was never handed to this user."""


class NoRoom(SaveRefused):
    """The sentence has all the labels it needs (a lease that ran out, an undone skip)."""


# Built once, values bound per call (see assignment.py): the hot path of labelling.
MY_ANNOTATION = (
    select(Annotation)
    .where(
        Annotation.sentence_id == bindparam("sentence_id"),
        Annotation.annotator_id == bindparam("user_id"),
    )
    .with_for_update()
)
# the user's lease on the sentence, ended and read in one statement (undone with the
# transaction if the save is refused after all)
END_MY_LEASE = (
    delete(LEASES)
    .where(
        LEASES.c.annotator_id == bindparam("user_id"),
        LEASES.c.sentence_id == bindparam("sentence_id"),
    )
    .returning(LEASES.c.created, LEASES.c.expires)
)
NEW_ANNOTATION = insert(ANNOTATIONS).returning(ANNOTATIONS.c.id)
TAKE_SLOT_IF_ROOM = (
    update(SENTENCES)
    .where(SENTENCES.c.id == bindparam("sentence_id"), SENTENCES.c.taken < bindparam("overlap"))
    .values(taken=SENTENCES.c.taken + 1)
)


def take_slot(sentence_id):
    """Count one more label on the sentence if it has room; False when it is full."""
    parameters = {"sentence_id": sentence_id, "overlap": overlap()}
    return db.session.execute(TAKE_SLOT_IF_ROOM, parameters).rowcount == 1


def free_slot(sentence_id):
    """Count one label fewer on the sentence."""
    db.session.execute(GIVE_BACK_SLOT, {"sentence_id": sentence_id})


def save(user_id, sentence_id, values, revision=None, handed=False):
    """Store the user's annotation of a sentence; ``values`` are the Annotation's columns.

    ``handed`` says the sentence was handed to the user earlier (their form proves it), so
    that a first save after their lease ran out and was swept away is still kept while the
    sentence has room. ``revision`` is the version the form showed: 0 for a sentence the
    user had not labelled, None when unknown (no check).

    Returns the annotation's id. Raises SaveRefused, storing nothing, when the sentence is not
    the user's to label or the form was stale.
    """
    with writing():
        annotation = db.session.scalar(
            MY_ANNOTATION, {"sentence_id": sentence_id, "user_id": user_id}
        )
        if annotation is None:
            return create(user_id, sentence_id, values, handed)
        edit(annotation, values, revision)
        return annotation.id


def save_and_next(
    user_id, sentence_id, values, revision=None, handed=False, holding=(), after=None
):
    """Save, then lease the user's next sentence, in one transaction (one durable commit);
    returns the next sentence's id or None. ``holding``: the sentences the user's page holds
    besides this one (renewed, and not handed out again), ``after``: the one it shows now,
    whose article the next continues. Raises SaveRefused, storing nothing."""
    with writing():
        release_expired()
        save(user_id, sentence_id, values, revision, handed)
        renew(user_id, holding)
        return lease_next(user_id, holding, after)


def create(user_id, sentence_id, values, handed=False):
    """First save: turn the user's lease into an annotation. A lease that ran out (still
    there, or already swept away when ``handed``) no longer holds a slot: the label is kept
    only if the sentence has room."""
    now = utcnow()
    parameters = {"user_id": user_id, "sentence_id": sentence_id}
    lease = db.session.execute(END_MY_LEASE, parameters).first()
    if lease is None and not handed:
        raise NotHanded(
            "This sentence is not handed to you. Nothing was saved; ask for the next sentence.",
        )
    lease_was_live = lease is not None and lease.expires >= now
    if lease is not None and (values["skipped"] or not lease_was_live):
        free_slot(sentence_id)  # a skip gives its slot back; an expired lease still held one
    if not lease_was_live and not values["skipped"] and not take_slot(sentence_id):
        raise NoRoom(
            "Your reservation of this sentence ran out and it now has all the labels it "
            "needs. Nothing was saved (your entries are still on screen); go to Annotate "
            "for the next sentence.",
        )
    if values.get("seconds") is None and lease is not None:
        values = {**values, "seconds": round((now - lease.created).total_seconds(), 1)}
    row = {
        "sentence_id": sentence_id,
        "annotator_id": user_id,
        "created": now,
        "updated": now,
        "revision": 1,
        **values,
    }
    touched(db.session, [sentence_id])  # its disputes row, before the commit
    return db.session.scalar(NEW_ANNOTATION, row)


class StaleForm(SaveRefused):
    """The form showed an older version of the labels than the one stored."""

    def __init__(self):
        super().__init__(
            "These labels were saved elsewhere (in another tab, or before you went back) "
            "since this form was shown. Nothing was saved: the form now shows the saved "
            "labels, and what you had entered is listed below. Change them and save again.",
        )


class TargetsChanged(StaleForm):
    """The form asked other stance targets than the sentence's document has now (the lead
    changed them while it was open): its stance rows cannot be read as the current ones."""

    def __init__(self, shown, now):
        SaveRefused.__init__(
            self,
            "The stance targets of this article changed since this form was shown (it "
            f"asked {', '.join(shown) or 'none'}; now: {', '.join(now) or 'none'}). Nothing "
            "was saved: the form now asks the current targets, and what you had entered is "
            "listed below. Check them and save again.",
        )


def edit(annotation, values, revision):
    """Later saves: keep the current version as a revision, then change it."""
    if revision is not None and revision != annotation.revision:
        raise StaleForm()
    if annotation.skipped and not values["skipped"] and not take_slot(annotation.sentence_id):
        raise NoRoom("This sentence now has all the labels it needs; your skip stays as it was.")
    if values["skipped"] and not annotation.skipped:
        free_slot(annotation.sentence_id)
    db.session.add(revision_of(annotation))
    was_skipped = annotation.skipped
    for name, value in values.items():
        if name == "suggested":
            if was_skipped:  # labelled after a skip: what it was offered now
                annotation.suggested = value
            continue  # else what was offered when it was first labelled; an edit offers none
        if name != "seconds":
            setattr(annotation, name, value)
        elif value is not None:  # time spent adds up over visits
            annotation.seconds = round((annotation.seconds or 0) + value, 1)
    annotation.revision += 1
    annotation.updated = utcnow()
    annotation.asked_again = False  # answered, or skipped, with the document's targets of now
