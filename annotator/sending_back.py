"""A reviewer sends a disputed sentence back to annotators, with a note, instead of deciding
it: to those who labelled it (they are handed it again, their labels filled in) or to a new
annotator (who is handed it as an extra label, beyond ``OVERLAP``). Either way it comes
first in their queue, the note shown above it, until they save it.

A send-back is open while its annotator's annotation of the sentence is older than the
send-back (or missing): the annotator's save answers it without any write here, so the
save path costs nothing more."""

from sqlalchemy import bindparam, exists, insert, select

from .database import writing
from .extensions import db
from .models import ANNOTATIONS, SEND_BACKS, USERS, User, utcnow


class SendBackRefused(Exception):
    """A send-back that cannot be made; the message says why."""


def answered_since(send_backs=SEND_BACKS):
    """The condition that the send-back's annotator has saved the sentence since."""
    return exists().where(
        ANNOTATIONS.c.sentence_id == send_backs.c.sentence_id,
        ANNOTATIONS.c.annotator_id == send_backs.c.annotator_id,
        ANNOTATIONS.c.updated >= send_backs.c.sent,
    )


OPEN = ~answered_since()
# the user's oldest open send-back (``new``: they have no annotation of it, so it needs a
# lease), on the sentences their page does not hold already
SENT_BACK = (
    select(
        SEND_BACKS.c.sentence_id,
        ~exists()
        .where(
            ANNOTATIONS.c.sentence_id == SEND_BACKS.c.sentence_id,
            ANNOTATIONS.c.annotator_id == SEND_BACKS.c.annotator_id,
        )
        .label("new"),
    )
    .where(
        SEND_BACKS.c.annotator_id == bindparam("user_id"),
        OPEN,
        SEND_BACKS.c.sentence_id.not_in(bindparam("holding", expanding=True)),
    )
    .order_by(SEND_BACKS.c.id)
    .limit(1)
)
# the note of the user's open send-back of a sentence, for the workspace
NOTE_FOR_USER = (
    select(SEND_BACKS.c.note)
    .where(
        SEND_BACKS.c.sentence_id == bindparam("sentence_id"),
        SEND_BACKS.c.annotator_id == bindparam("user_id"),
        OPEN,
    )
    .order_by(SEND_BACKS.c.id.desc())
    .limit(1)
)


def send_back(sentence_id, annotator_ids, reviewer_id, note):
    """Send the sentence to these annotators (active accounts) with the note; returns their
    names. Raises SendBackRefused, storing nothing."""
    annotator_ids = sorted(set(annotator_ids))
    if not annotator_ids:
        raise SendBackRefused("Choose at least one annotator to send the sentence to.")
    with writing():
        users = db.session.execute(
            select(User.id, User.name, User.active).where(User.id.in_(annotator_ids))
        ).all()
        inactive = [user.name for user in users if not user.active]
        if len(users) != len(annotator_ids) or inactive:
            raise SendBackRefused(
                "Only active accounts can be sent a sentence"
                + (f" ({', '.join(inactive)} is deactivated)." if inactive else ".")
            )
        now = utcnow()
        rows = [
            {"sentence_id": sentence_id, "annotator_id": user_id, "reviewer_id": reviewer_id,
             "note": note, "sent": now}
            for user_id in annotator_ids
        ]  # fmt: skip
        db.session.execute(insert(SEND_BACKS), rows)
    return sorted(user.name for user in users)


def waiting_for(sentence_ids):
    """{sentence id: [(annotator name, note), …]}: the open send-backs of these sentences."""
    query = (
        select(SEND_BACKS.c.sentence_id, USERS.c.name, SEND_BACKS.c.note)
        .join(USERS, USERS.c.id == SEND_BACKS.c.annotator_id)
        .where(SEND_BACKS.c.sentence_id.in_(sentence_ids), OPEN)
        .order_by(SEND_BACKS.c.sentence_id, USERS.c.name)
    )
    found = {}
    for sentence_id, name, note in db.session.execute(query):
        found.setdefault(sentence_id, []).append((name, note))
    return found


def note_for(user_id, sentence_id):
    """The note of the user's open send-back of this sentence, or None."""
    return db.session.scalar(NOTE_FOR_USER, {"user_id": user_id, "sentence_id": sentence_id})


def others(sentence_id):
    """Active annotators who have not labelled (nor skipped) the sentence, by name: whom it
    can be sent to as a new annotator."""
    return db.session.execute(
        select(User.id, User.name)
        .where(
            User.active.is_(True),
            User.role == "annotator",
            ~exists().where(
                ANNOTATIONS.c.sentence_id == sentence_id, ANNOTATIONS.c.annotator_id == User.id
            ),
        )
        .order_by(User.name)
    ).all()
