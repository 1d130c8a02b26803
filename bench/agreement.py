"""Benchmark data for agreement: sentences labelled by three annotators each.

Labels are drawn around a hidden "true" label per sentence (seeded), so the figures are
neither perfect nor random: each annotator keeps the true claim label 85% of the time,
the source type 80%, a stance 90%; claims get a source span that annotators place
slightly differently.
"""

import random

from flask_migrate import upgrade
from sqlalchemy import insert, text

from annotator import create_app
from annotator.extensions import db
from annotator.models import ANNOTATIONS, DOCUMENTS, SENTENCES, USERS
from annotator.schema import Scheme

PER_DOCUMENT = 50
BATCH = 20_000
OUTLETS = [f"Outlet {n}" for n in range(10)]
ANNOTATORS = 3


def noisy(rng, truth, choices, keep):
    """The true label with probability ``keep``, else any label."""
    return truth if rng.random() < keep else rng.choice(choices)


def labels_for(rng, truth, scheme):
    """One annotator's labels of a sentence whose true labels are ``truth``."""
    claim = noisy(rng, truth["claim"], scheme.claim_labels, 0.85)
    source = None
    if claim != "not_claim":
        start = truth["start"] + rng.choice((0, 0, 0, 1))
        source = {"start": start, "end": start + truth["length"] + rng.choice((0, 0, -1))}
    return {
        "claim": claim,
        "attribution": {
            "source_type": noisy(rng, truth["source_type"], scheme.source_types, 0.8),
            "entity": None,
            "source": source,
            "cue": None,
        },
        "stance": {
            target: noisy(rng, truth["stance"], scheme.stance_labels, 0.9)
            for target in scheme.stance_targets
        },
        "outlet": truth["outlet"],
    }


def fill(uri, total, annotators=ANNOTATORS, seed=13):
    """A migrated database at ``uri`` with ``total`` sentences, each labelled by
    ``annotators`` annotators."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench"})
    scheme = Scheme()
    rng = random.Random(seed)
    with app.app_context():
        upgrade()
        db.session.execute(
            insert(USERS),
            [
                {"name": f"annotator{n}", "role": "annotator", "active": True,
                 "session_token": f"t{n}"}
                for n in range(annotators)
            ],
        )  # fmt: skip
        users = [row[0] for row in db.session.execute(text("SELECT id FROM users ORDER BY id"))]
        documents = total // PER_DOCUMENT
        db.session.execute(
            insert(DOCUMENTS),
            [
                {"id": f"d{n}", "seq": n + 1, "text": "x", "content_hash": f"h{n}",
                 "outlet": OUTLETS[n % len(OUTLETS)]}
                for n in range(documents)
            ],
        )  # fmt: skip
        for start in range(0, total, BATCH):
            sentences, annotations = [], []
            for number in range(start, min(start + BATCH, total)):
                truth = {
                    "claim": rng.choice(scheme.claim_labels),
                    "source_type": rng.choice(scheme.source_types),
                    "stance": rng.choice(scheme.stance_labels),
                    "start": rng.randrange(20),
                    "length": rng.randrange(3, 15),
                    "outlet": OUTLETS[(number // PER_DOCUMENT) % len(OUTLETS)],
                }
                said = f"Sentence {number}: the minister said that the talks go on next week."
                sentences.append(
                    {"id": number + 1, "document_id": f"d{number // PER_DOCUMENT}",
                     "index": number % PER_DOCUMENT, "paragraph": 0, "start": 0,
                     "end": len(said), "text": said, "taken": annotators}
                )  # fmt: skip
                annotations.extend(
                    {"sentence_id": number + 1, "annotator_id": user,
                     "labels": labels_for(rng, truth, scheme), "skipped": False,
                     "flagged": False}
                    for user in users
                )  # fmt: skip
            db.session.execute(insert(SENTENCES), sentences)
            db.session.execute(insert(ANNOTATIONS), annotations)
        db.session.commit()
        db.engine.dispose()
