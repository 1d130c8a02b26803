"""Retraining the claim classifier as labels arrive: in the background, never on a request.

Each server process runs one thread (started by its first request) that every
``SUGGESTION_TRAINING_SECONDS`` counts the labelled sentences; once there are ``EVERY`` more
than the newest classifier learned from, it trains a new one, stores it (two processes
training at once: the second one's is refused by the version's uniqueness, and dropped),
and makes the claim suggestions again for the sentences nobody has been handed yet.
``flask suggest --train`` does the same at once.
"""

import threading
from collections import Counter

from flask import current_app
from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..database import writing
from ..extensions import db
from ..models import ANNOTATIONS, GOLD, SENTENCES, SUGGESTIONS, SuggesterModel
from . import claims

EVERY = 50  # new labelled sentences that make a retraining worth it
REFRESH_BATCH = 2_000


def labelled_sentences():
    """How many sentences have at least one label (not a skip)."""
    return db.session.scalar(
        select(func.count(func.distinct(ANNOTATIONS.c.sentence_id))).where(~ANNOTATIONS.c.skipped)
    )


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
        texts[sentence_id] = claims.classifier_input(text, attributed(attribution))
        votes.setdefault(sentence_id, Counter())[claim] += 1
    settled = dict(db.session.execute(select(GOLD.c.sentence_id, GOLD.c.labels)).all())
    found = []
    for sentence_id, text in texts.items():
        gold = (settled.get(sentence_id) or {}).get("claim")
        found.append((text, gold or votes[sentence_id].most_common(1)[0][0]))
    return found


def newest():
    """The newest stored classifier's row, or None."""
    return db.session.scalars(
        select(SuggesterModel)
        .where(SuggesterModel.name == claims.CLASSIFIER)
        .order_by(SuggesterModel.version.desc())
        .limit(1)
    ).first()


def retrain(force=False):
    """Train, store and use a new claim classifier when ``EVERY`` more sentences were
    labelled since the newest (``force``: whenever there are enough labels at all); returns
    it, or None when nothing was trained."""
    latest = newest()
    known = latest.labels if latest else 0
    if not force and labelled_sentences() - known < EVERY:
        return None
    classifier = claims.train(examples(), version=(latest.version if latest else 0) + 1)
    db.session.rollback()  # end the read transaction before the long work is written
    if classifier is None:
        return None
    try:
        with writing():
            db.session.execute(
                insert(SuggesterModel.__table__).values(
                    name=claims.CLASSIFIER,
                    version=classifier.version,
                    labels=classifier.labels,
                    held_out=classifier.held_out,
                    accuracy=classifier.accuracy,
                    library=claims.library(),
                    model=classifier.dumps(),
                )
            )
    except IntegrityError:
        return None  # another process stored this version first
    refresh(classifier)
    return classifier


def unhanded():
    """Suggestion rows of sentences nobody holds or has labelled: the ones a new claim
    suggestion may replace."""
    return (
        (SUGGESTIONS.c.document_id == SENTENCES.c.document_id)
        & (SUGGESTIONS.c.index == SENTENCES.c.index)
        & (SENTENCES.c.taken == 0)
        & ~exists().where(ANNOTATIONS.c.sentence_id == SENTENCES.c.id)
    )


def refresh(classifier):
    """Make the claim suggestions of the sentences nobody was handed yet with
    ``classifier``, a batch per short transaction (annotators' saves go on meanwhile)."""
    after, refreshed = ("", -1), 0
    while True:
        rows = db.session.execute(
            select(
                SUGGESTIONS.c.document_id,
                SUGGESTIONS.c.index,
                SENTENCES.c.text,
                SUGGESTIONS.c.attribution,
            )
            .where(unhanded())
            .where(
                (SUGGESTIONS.c.document_id > after[0])
                | ((SUGGESTIONS.c.document_id == after[0]) & (SUGGESTIONS.c.index > after[1]))
            )
            .order_by(SUGGESTIONS.c.document_id, SUGGESTIONS.c.index)
            .limit(REFRESH_BATCH)
        ).all()
        db.session.rollback()
        if not rows:
            return refreshed
        inputs = [claims.classifier_input(r.text, attributed(r.attribution)) for r in rows]
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
        after = (rows[-1].document_id, rows[-1].index)


class Trainer:
    """The background thread of one server process."""

    def __init__(self, app, seconds):
        self.app, self.seconds = app, seconds
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name="claim-training", daemon=True)

    def run(self):
        """Look for new labels every ``seconds`` until stopped."""
        while not self.stopped.wait(self.seconds):
            with self.app.app_context():
                try:
                    classifier = retrain()
                except Exception:  # a bad round must not end the thread; it is logged
                    current_app.logger.exception("retraining the claim classifier failed")
                    db.session.rollback()
                    continue
                finally:
                    db.session.remove()
                if classifier is not None:
                    current_app.logger.info(
                        "claim classifier %s trained on %d labels, held-out accuracy %s",
                        classifier.name, classifier.labels, classifier.accuracy,
                    )  # fmt: skip


def init_app(app):
    """Start the process's trainer at its first request (a server's worker, not a command)."""
    seconds = app.config["SUGGESTION_TRAINING_SECONDS"]
    if not seconds:
        return
    lock = threading.Lock()

    @app.before_request
    def start_trainer():
        if "claim_trainer" in app.extensions:
            return
        with lock:
            if "claim_trainer" not in app.extensions:
                trainer = app.extensions["claim_trainer"] = Trainer(app, seconds)
                trainer.thread.start()
