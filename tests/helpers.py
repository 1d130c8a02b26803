"""Shared test helpers (imported by tests; fixtures live in conftest.py)."""

import json

from sqlalchemy import select

from annotator.extensions import db
from annotator.importing import import_files
from annotator.models import Sentence


def import_texts(tmp_path, *articles):
    """Import articles given as lists of sentences; returns their sentence ids per article."""
    path = tmp_path / "articles.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": f"doc{n}", "text": " ".join(sentences), "outlet": "Wire"}) + "\n"
            for n, sentences in enumerate(articles)
        )
    )
    import_files([path])
    return [
        db.session.scalars(
            select(Sentence.id).where(Sentence.document_id == f"doc{n}").order_by(Sentence.index)
        ).all()
        for n in range(len(articles))
    ]


def labels(claim="not_claim", source_type="author", **extra):
    """A valid labels object under the default scheme."""
    return {
        "claim": claim,
        "attribution": {"source_type": source_type, "entity": None, "source": None, "cue": None},
        "stance": {"Azerbaijan": "none", "Armenia": "none"},
        "outlet": "Wire",
        **extra,
    }


def label_values(**kwargs):
    """Annotation column values for ``labelling.save``."""
    return {"labels": labels(**kwargs), "skipped": False, "flagged": False, "comment": None,
            "seconds": 1.0}  # fmt: skip


def skip_values(reason=None):
    """Annotation column values of a skip."""
    return {"labels": {}, "skipped": True, "flagged": False, "comment": reason, "seconds": None}
