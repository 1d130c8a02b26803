"""Suggested labels: what the workspace pre-fills, and what each annotation records of it.

Two suggesters, both offline and on the CPU: attribution by rules (``attribution.py``:
source type, source and cue spans, entity) and the claim (``claims.py``: a rule-based prior,
then a classifier trained on the project's own labels). Stance is left to the annotator:
nothing shown yet predicts it well enough to help (see README, "Suggestions").

Suggestions are made in the background, by each server process's worker
(``training.py``), for the documents imported since its last round (a few seconds), and
stored per sentence (``SentenceSuggestion``); the workspace reads them with the sentence, so
neither an import nor a request does any suggesting. ``flask suggest --missing`` makes them
at once. ``SUGGESTIONS`` (``on``, ``off`` or a share such as ``0.5``) says on which
sentences they are *shown*; on the others they are still recorded, hidden, with every
annotation, so that agreement with the suggester can be compared between the annotators who
saw it and those who did not.

An annotation's ``suggested``: ``{"shown": bool, "fields": {field name: {"value", "by",
"confidence", "accepted"}}}``; ``accepted`` says the annotator's first saved value is the
suggested one (for a hidden suggestion: that they came to it unaided).
"""

import hashlib

from flask import current_app
from sqlalchemy import exists, insert, select, true
from sqlalchemy.exc import IntegrityError

from ..database import writing
from ..extensions import db
from ..models import ANNOTATIONS, DOCUMENTS, SENTENCES, SUGGESTIONS, SuggesterModel
from . import attribution, claims

ATTRIBUTION_BY = f"{attribution.NAME}/{attribution.VERSION}"
PRIOR_BY = f"{claims.PRIOR}/{claims.PRIOR_VERSION}"
# the labels object's span fields and the suggestion's (start, end) pairs
SPANS = ("source", "cue")


class SettingProblem(ValueError):
    """A SUGGESTIONS value that is not on, off or a share between 0 and 1."""


def share_of(setting):
    """The share of sentences on which suggestions are shown, from ``SUGGESTIONS``."""
    text = str(setting).strip().lower()
    if text in {"on", "true", "1", ""}:  # unset, as an empty variable leaves it
        return 1.0
    if text in {"off", "false", "0"}:
        return 0.0
    try:
        share = float(text)
    except ValueError:
        share = -1.0
    if not 0.0 <= share <= 1.0:
        raise SettingProblem(
            f"SUGGESTIONS={setting!r}: use on, off, or the share of sentences that show "
            "suggestions, between 0 and 1 (e.g. 0.5)"
        )
    return share


def shown_on(sentence_id, share):
    """Whether a sentence shows its suggestions: the same answer for every annotator of it,
    chosen at random (by a hash of its id) for a share between 0 and 1."""
    if share >= 1.0:
        return True
    if share <= 0.0:
        return False
    digest = hashlib.blake2b(str(sentence_id).encode(), digest_size=8, person=b"suggest").digest()
    return int.from_bytes(digest, "big") / 2**64 < share


def attribution_labels(found):
    """A rules suggestion as the stored ``attribution`` object."""
    if found is None:
        return {"source_type": "author"}
    labels = {"source_type": found.source_type}
    if found.entity:
        labels["entity"] = found.entity
    for name, span in zip(SPANS, (found.source, found.cue), strict=True):
        if span is not None:
            labels[name] = {"start": span[0], "end": span[1]}
    return labels


# how often "no cue here: the author's own voice" was right on the development sentences
NO_CUE_CONFIDENCE = 0.82


def rows_for(document_id, texts, outlets=(), classifier=None, handed=()):
    """The suggestion rows of a document's sentences (``texts``, in reading order); the
    sentences at the indexes in ``handed`` (given out already, perhaps labelled) take their
    claim from the prior, never from a classifier that may have learned their own labels."""
    found = attribution.suggest_document(texts, outlets)
    evidence = [claims.signs(t, a is not None) for t, a in zip(texts, found, strict=True)]
    claimed = [claims.prior(e) for e in evidence]
    claim_by = [PRIOR_BY] * len(texts)
    if classifier is not None:
        fresh = [n for n in range(len(texts)) if n not in handed and not classifier.knows(texts[n])]
        inputs = [claims.classifier_input(texts[n], evidence[n]) for n in fresh]
        for n, predicted in zip(fresh, classifier.predict(inputs) if fresh else (), strict=True):
            claimed[n], claim_by[n] = predicted, classifier.name
    return [
        {
            "document_id": document_id,
            "index": index,
            "claim": claim,
            "claim_confidence": confidence,
            "claim_by": by,
            "attribution": attribution_labels(each),
            "attribution_confidence": each.confidence if each else NO_CUE_CONFIDENCE,
            "attribution_by": ATTRIBUTION_BY,
        }
        for index, (each, (claim, confidence), by) in enumerate(
            zip(found, claimed, claim_by, strict=True)
        )
    ]


MODELS = SuggesterModel.__table__
FACTS = [column for column in MODELS.c if column.key != "model"]  # all but megabytes


def newest_model(columns=MODELS.c):
    """The newest claim classifier's row (``columns`` of it; ``FACTS``: all but the model
    itself), or None."""
    return db.session.execute(
        select(*columns)
        .where(MODELS.c.name == claims.CLASSIFIER)
        .order_by(MODELS.c.version.desc())
        .limit(1)
    ).first()


def latest_classifier():
    """The newest trained claim classifier that this scikit-learn can load, if it beats
    the prior; else None."""
    classifier = claims.loaded(newest_model(), current_app.secret_key)
    return classifier if classifier and classifier.better_than_prior else None


def outlets_of(outlet):
    """The names that mean a news outlet for the attribution of an article."""
    return (outlet,) if outlet else ()


def stored_documents(document_ids):
    """What the suggesters read of these documents: {id: (outlet, content hash, texts,
    indexes of the sentences given out)}; the read transaction is ended after it."""
    given_out = (SENTENCES.c.taken > 0) | exists().where(
        ANNOTATIONS.c.sentence_id == SENTENCES.c.id
    )
    found = {}
    for document_id in document_ids:
        outlet, digest = db.session.execute(
            select(DOCUMENTS.c.outlet, DOCUMENTS.c.content_hash).where(
                DOCUMENTS.c.id == document_id
            )
        ).one()
        sentences = db.session.execute(
            select(SENTENCES.c.index, SENTENCES.c.text, given_out.label("given_out"))
            .where(SENTENCES.c.document_id == document_id)
            .order_by(SENTENCES.c.index)
        ).all()
        handed = {s.index for s in sentences if s.given_out}
        found[document_id] = (outlet, digest, [s.text for s in sentences], handed)
    db.session.rollback()
    return found


def without_suggestions(limit=None, only=None):
    """The ids of documents with sentences but no suggestions yet (newly imported, or
    imported before there were any), in import order; ``only``: this document, if so."""
    query = (
        select(DOCUMENTS.c.id)
        .where(DOCUMENTS.c.id == only if only is not None else true())
        .where(~exists().where(SUGGESTIONS.c.document_id == DOCUMENTS.c.id))
        .where(exists().where(SENTENCES.c.document_id == DOCUMENTS.c.id))
        .order_by(DOCUMENTS.c.seq)
        .limit(limit)
    )
    return db.session.scalars(query).all()


BATCH = 50  # documents whose suggestions are made, then written in one short transaction


def make_missing(only=None):
    """Make the suggestions of every document that has none (``only``: of this one), a
    batch of documents at a time: made outside any write transaction, written in a short
    one (saves go on meanwhile). Another process writing the same first is no error.
    Returns how many sentences got suggestions."""
    classifier, loaded, made = None, False, 0
    while documents := without_suggestions(BATCH, only):
        if not loaded:  # once there is work for it (a round mostly finds none)
            classifier, loaded = latest_classifier(), True
        stored = stored_documents(documents)  # no read stays open while the rules run
        rows = {
            document_id: rows_for(document_id, texts, outlets_of(outlet), classifier, handed)
            for document_id, (outlet, _, texts, handed) in stored.items()
        }
        try:
            with writing():
                # a document replaced (``import --replace``) meanwhile is left for next time
                now = dict(
                    db.session.execute(
                        select(DOCUMENTS.c.id, DOCUMENTS.c.content_hash).where(
                            DOCUMENTS.c.id.in_(documents)
                        )
                    ).all()
                )
                current = [r for d, made_rows in rows.items() if now.get(d) == stored[d][1]
                           for r in made_rows]  # fmt: skip
                if current:
                    db.session.execute(insert(SUGGESTIONS), current)
        except IntegrityError:
            continue  # another process made some of them meanwhile: ask again
        made += len(current)
    return made


def offered(row, scheme):
    """{field name: (value, by, confidence)} of a stored suggestion row, keeping only the
    values the scheme allows (a scheme with other claim labels or source types is offered
    none of the built-in ones)."""
    if row is None:
        return {}
    fields = {}
    if row.claim is not None and row.claim in scheme.named["claim"].choices:
        fields["claim"] = (row.claim, row.claim_by, row.claim_confidence)
    given = row.attribution or {}
    confidence, by = row.attribution_confidence, row.attribution_by
    source_type = scheme.named["attribution.source_type"]
    # "no cue: the author" is what the form holds anyway: nothing to offer, nor to count
    if given.get("source_type") in source_type.choices and given != {
        "source_type": source_type.default
    }:
        fields["attribution.source_type"] = (given["source_type"], by, confidence)
        for key in ("entity", *SPANS):
            if given.get(key) is not None:
                fields[f"attribution.{key}"] = (given[key], by, confidence)
    return fields


def provenance(fields, shown, labels, scheme):
    """An annotation's ``suggested`` from what was offered and its saved labels; None when
    nothing was offered."""
    if not fields:
        return None
    return {
        "shown": shown,
        "fields": {
            name: {
                "value": value,
                "by": by,
                "confidence": confidence,
                "accepted": scheme.named[name].value(labels) == value,
            }
            for name, (value, by, confidence) in fields.items()
        },
    }
