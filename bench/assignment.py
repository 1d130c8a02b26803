"""Benchmark of "next sentence": a big corpus, half labelled, many annotators asking in turn.

The database is filled with bulk inserts (documents, sentences, users, annotations with the
``taken`` counters they imply), then annotators ask for their next sentence and label it,
round-robin; only the asking is timed. The query plans of the candidate queries are shown.
"""

import statistics
import time

from flask_migrate import upgrade
from sqlalchemy import insert, text

from annotator import create_app
from annotator.assignment import candidates, next_sentence
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import ANNOTATIONS, DOCUMENTS, SENTENCES, USERS

PER_DOCUMENT = 50
BATCH = 50_000
LABELS = {"claim": "not_claim", "attribution": {"source_type": "author"}, "stance": {}}


def fill(total, annotators, overlap):
    """Insert ``total`` sentences; label the first half fully and 1% of the rest once."""
    db.session.execute(
        insert(USERS),
        [
            {"name": f"user{n}", "role": "annotator", "active": True, "session_token": f"t{n}"}
            for n in range(annotators)
        ],
    )
    user_ids = [row[0] for row in db.session.execute(text("SELECT id FROM users ORDER BY id"))]
    documents = total // PER_DOCUMENT
    db.session.execute(
        insert(DOCUMENTS),
        [
            {"id": f"d{n}", "seq": n + 1, "text": "x", "content_hash": f"h{n}"}
            for n in range(documents)
        ],
    )
    half = total // 2
    for start in range(0, total, BATCH):
        rows, labels = [], []
        for number in range(start, min(start + BATCH, total)):
            sentence_id = number + 1
            taken = overlap if number < half else int(number % 100 == 0)
            rows.append(
                {
                    "id": sentence_id,
                    "document_id": f"d{number // PER_DOCUMENT}",
                    "index": number % PER_DOCUMENT,
                    "paragraph": 0,
                    "start": 0,
                    "end": 1,
                    "text": f"Sentence {number}.",
                    "taken": taken,
                }
            )
            labels.extend(
                {
                    "sentence_id": sentence_id,
                    "annotator_id": user_ids[(number // 100 + k) % annotators],
                    "labels": LABELS,
                    "skipped": False,
                    "flagged": False,
                }
                for k in range(taken)
            )
        db.session.execute(insert(SENTENCES), rows)
        db.session.execute(insert(ANNOTATIONS), labels)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return user_ids


def plans(user_id):
    """The database's plan for each candidate query, as text."""
    lines = []
    explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    for rule, statement, parameters in candidates(user_id):
        query = statement.params(parameters)
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        lines.append(f"-- ({rule})")
        for row in db.session.execute(text(explain + str(compiled))):
            lines.append("   " + " ".join(str(value) for value in row if value is not None))
    db.session.rollback()
    return "\n".join(lines)


def run(uri, total=1_000_000, annotators=20, asks=2_000):
    """Fill a database at ``uri`` and time ``asks`` assignments; returns a result dict."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        user_ids = fill(total, annotators, app.config["OVERLAP"])
        filled = time.perf_counter() - started
        for user_id in user_ids:  # give everyone a reading position, as after an hour of work
            save(
                user_id,
                next_sentence(user_id),
                {
                    "labels": LABELS,
                    "skipped": False,
                    "flagged": False,
                    "comment": None,
                    "seconds": 1.0,
                },
            )
        timings = []
        for ask in range(asks):
            user_id = user_ids[ask % annotators]
            begun = time.perf_counter()
            sentence_id = next_sentence(user_id)
            timings.append((time.perf_counter() - begun) * 1000)
            save(
                user_id,
                sentence_id,
                {
                    "labels": LABELS,
                    "skipped": False,
                    "flagged": False,
                    "comment": None,
                    "seconds": 1.0,
                },
            )
        plan = plans(user_ids[0])
        db.session.remove()
        db.engine.dispose()
    timings.sort()
    return {
        "database": uri.split(":")[0],
        "fill_seconds": filled,
        "p50": statistics.median(timings),
        "p99": timings[int(len(timings) * 0.99) - 1],
        "max": timings[-1],
        "asks": asks,
        "plan": plan,
    }
