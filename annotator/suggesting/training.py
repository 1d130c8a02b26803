"""The suggesters' background work: never on a request, never in an import.

Each server process runs one worker thread (started by its first request) that every
``SUGGESTER_SECONDS`` makes the suggestions of newly imported documents, and once ``EVERY``
annotations (or a tenth of the labels it learned from, if more) were saved since the newest
claim classifier was trained, trains a new one,
stores it (two processes training at once: the second one's is refused by the version's
uniqueness, and dropped) and makes the claim suggestions again for the sentences nobody has
been handed yet. ``flask suggest --missing`` and ``--train`` do the same at once.
"""

import os
import threading
import time
import uuid
from collections import Counter

from flask import current_app
from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from .. import suggesting
from ..database import writing
from ..extensions import db
from ..models import ANNOTATIONS, GOLD, SENTENCES, SUGGESTIONS, TURNS, SuggesterModel, utcnow
from . import claims

EVERY = 50  # new annotations that make a retraining worth it
GROWTH = 10  # and at least a tenth of those it learned from: a large project is not
# retrained after every 50 of its 100,000 labels (each training reads them all)
RETRAIN_SECONDS = 60  # and no sooner after the last: 50 annotators give 50 labels a second
REFRESH_BATCH = 2_000
# A new classifier's suggestions replace those of the sentences next in line (in the order
# they are handed out), not of every unhanded one: on a fresh project of 100,000 sentences
# each retraining would classify them all again, a core's worth of work while 50 people save.
REFRESH_AT_MOST = 10_000


def newest_annotation():
    """The newest annotation's id (read from the key's index: cheap every few seconds)."""
    return db.session.scalar(select(func.coalesce(func.max(ANNOTATIONS.c.id), 0)))


def attributed(attribution):
    """Whether a stored attribution suggestion names a source."""
    return bool(attribution) and attribution.get("source_type", "author") != "author"


def examples():
    """(classifier input, label) for every labelled sentence: its gold claim when settled,
    else its annotators' most common one (the first saved among equals)."""
    texts, votes = {}, {}
    rows = db.session.execute(
        select(SENTENCES.c.id, SENTENCES.c.text, SUGGESTIONS.c.attribution, ANNOTATIONS.c.labels)
        .join(ANNOTATIONS, ANNOTATIONS.c.sentence_id == SENTENCES.c.id)
        .outerjoin(
            SUGGESTIONS,
            (SUGGESTIONS.c.document_id == SENTENCES.c.document_id)
            & (SUGGESTIONS.c.index == SENTENCES.c.index),
        )
        .where(~ANNOTATIONS.c.skipped)
        .order_by(ANNOTATIONS.c.id)
    )
    for sentence_id, text, attribution, labels in rows:
        claim = (labels or {}).get("claim")
        if claim is None:
            continue
        texts[sentence_id] = claims.classifier_input(
            text, claims.signs(text, attributed(attribution))
        )
        votes.setdefault(sentence_id, Counter())[claim] += 1
    settled = dict(db.session.execute(select(GOLD.c.sentence_id, GOLD.c.labels)).all())
    found = []
    for sentence_id, text in texts.items():
        gold = (settled.get(sentence_id) or {}).get("claim")
        found.append((text, gold or votes[sentence_id].most_common(1)[0][0]))
    return found


def retrain(force=False, tried=None):
    """Train, store and use a new claim classifier when ``EVERY`` annotations were saved
    since the newest was trained (``force``: whenever there are enough labels at all);
    returns it, or None when nothing was trained. ``tried`` (a worker's dict) remembers the
    last attempt, so that labels too few or all alike are not read again every round."""
    latest, tried = suggesting.newest_model(suggesting.FACTS), tried if tried is not None else {}
    upto = newest_annotation()
    learned = max(latest.labels if latest else 0, tried.get("labels", 0))
    since = max(latest.upto if latest else 0, tried.get("upto", 0))
    outdated = latest is not None and latest.library != claims.library()  # cannot be loaded
    if not force and not outdated:
        if upto - since < max(EVERY, learned // GROWTH):
            return None
        if latest is not None and too_soon(latest.trained):
            return None
    found = examples()
    db.session.rollback()  # no read transaction stays open while it trains
    tried |= {"upto": upto, "labels": len(found)}
    classifier = claims.train(found, version=(latest.version if latest else 0) + 1)
    if classifier is None:
        return None
    model = classifier.dumps()
    try:
        with writing():
            db.session.execute(
                insert(SuggesterModel.__table__).values(
                    name=claims.CLASSIFIER,
                    version=classifier.version,
                    labels=classifier.labels,
                    upto=upto,
                    held_out=classifier.held_out,
                    accuracy=classifier.accuracy,
                    prior_accuracy=classifier.prior_accuracy,
                    library=claims.library(),
                    model=model,
                    signature=claims.signature(model, current_app.secret_key),
                )
            )
    except IntegrityError:
        return None  # another process stored this version first
    if classifier.better_than_prior:  # ``flask suggest --train``: every unhanded sentence
        refresh(classifier, None if force else REFRESH_AT_MOST)
    return classifier


def too_soon(trained):
    """Whether a classifier trained at ``trained`` is too recent to train another."""
    return (utcnow() - trained).total_seconds() < RETRAIN_SECONDS


def unhanded():
    """Suggestion rows of sentences nobody holds or has labelled: the ones a new claim
    suggestion may replace."""
    return (
        (SUGGESTIONS.c.document_id == SENTENCES.c.document_id)
        & (SUGGESTIONS.c.index == SENTENCES.c.index)
        & (SENTENCES.c.taken == 0)
        & ~exists().where(ANNOTATIONS.c.sentence_id == SENTENCES.c.id)
    )


def refresh(classifier, at_most=None):
    """Make the claim suggestions of the sentences nobody was handed yet with
    ``classifier``: the first ``at_most`` of them in import order (new sentences are handed
    out in that order; None: all), a batch per short transaction (annotators' saves go on
    meanwhile)."""
    at_most = float("inf") if at_most is None else at_most
    after, read, refreshed = 0, 0, 0
    while read < at_most:
        rows = db.session.execute(
            select(
                SENTENCES.c.id,
                SUGGESTIONS.c.document_id,
                SUGGESTIONS.c.index,
                SENTENCES.c.text,
                SUGGESTIONS.c.attribution,
            )
            .where(unhanded(), SENTENCES.c.id > after)
            .order_by(SENTENCES.c.id)
            .limit(min(REFRESH_BATCH, at_most - read))
        ).all()
        db.session.rollback()
        if not rows:
            return refreshed
        after, read = rows[-1].id, read + len(rows)
        rows = [row for row in rows if not classifier.knows(row.text)]  # the same words
        if not rows:
            continue
        inputs = [
            claims.classifier_input(r.text, claims.signs(r.text, attributed(r.attribution)))
            for r in rows
        ]
        predicted = classifier.predict(inputs)
        changes = [
            {"d": row.document_id, "i": row.index, "claim": claim, "p": confidence}
            for row, (claim, confidence) in zip(rows, predicted, strict=True)
        ]
        with writing():
            still = select(SENTENCES.c.id).where(unhanded()).exists()
            statement = (
                update(SUGGESTIONS)
                .where(SUGGESTIONS.c.document_id == db.bindparam("d"))
                .where(SUGGESTIONS.c.index == db.bindparam("i"))
                .where(still)
                .values(
                    claim=db.bindparam("claim"),
                    claim_confidence=db.bindparam("p"),
                    claim_by=classifier.name,
                )
            )
            db.session.execute(statement, changes)
        refreshed += len(rows)
    return refreshed


TURN = "suggester"


def my_turn(holder, seconds):
    """Whether process ``holder`` does this round: it takes, or renews, the turn for
    ``seconds`` unless another process holds it (whose turn ends if it stops renewing it).
    One process at a time: several would each make the same suggestions and train the
    same classifier, stealing each other's CPU from the annotators."""
    now = time.time()
    try:
        with writing():
            renewed = db.session.execute(
                update(TURNS)
                .where(TURNS.c.name == TURN, (TURNS.c.until < now) | (TURNS.c.holder == holder))
                .values(holder=holder, until=now + seconds)
            ).rowcount
            if renewed:
                return True
            if db.session.scalar(select(TURNS.c.name).where(TURNS.c.name == TURN)) is not None:
                return False
            db.session.execute(insert(TURNS).values(name=TURN, holder=holder, until=now + seconds))
            return True
    except IntegrityError:
        return False  # another process took the first turn at the same moment


class Worker:
    """The background thread of one server process."""

    def __init__(self, app, seconds):
        self.app, self.seconds = app, seconds
        self.holder = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.stopped = threading.Event()
        self.tried = {}  # the last retraining attempt (see ``retrain``)
        self.thread = threading.Thread(target=self.run, name="suggester", daemon=True)

    def run(self):
        """A round every ``seconds`` (the first after ``seconds``: a process that has just
        started is serving its first requests) until stopped."""
        while not self.stopped.wait(self.seconds):
            self.round()

    def round(self):
        """Make missing suggestions, then retrain if it is time; a failure is logged and
        the next round tries again."""
        with self.app.app_context():
            log = current_app.logger
            try:
                if not my_turn(self.holder, max(60, 3 * self.seconds)):
                    return
                made = suggesting.make_missing()
                classifier = retrain(tried=self.tried)
            except OperationalError as error:  # the database is away, read-only or busy
                log.warning("the suggester's background round waits: %s", error.orig)
                db.session.remove()
                db.engine.dispose()  # no connection of this thread outlives the outage
                return
            except Exception:  # a bad round must not end the thread
                log.exception("the suggester's background round failed")
                return
            finally:
                db.session.remove()
            if made:
                log.info("suggestions made for %d sentences", made)
            if classifier is not None:
                log.info(
                    "claim classifier %s trained on %d labels, held-out accuracy %s",
                    classifier.name, classifier.labels, classifier.accuracy,
                )  # fmt: skip


def init_app(app):
    """Start the process's worker at its first request (a server's, not a command's)."""
    seconds = app.config["SUGGESTER_SECONDS"]
    if not seconds:
        return
    lock = threading.Lock()

    @app.before_request
    def start_worker():
        if "suggester" in app.extensions:
            return
        with lock:
            if "suggester" not in app.extensions:
                worker = app.extensions["suggester"] = Worker(app, seconds)
                worker.thread.start()
