"""``flask suggest``: what the workspace pre-fills for a document's sentences; suggestions
made for documents imported before there were any; the claim classifier trained now."""

import click
from flask import current_app
from sqlalchemy import select

from .. import suggesting
from ..exporting.records import span_record
from ..extensions import db
from ..models import SENTENCES, SUGGESTIONS, Document
from ..suggesting import training
from ..targets import scheme_of
from ..text import shown, shown_json


def suggestion_records(document):
    """The document's sentences with what the workspace would pre-fill (``offered``: the
    values the scheme allows) and whether ``SUGGESTIONS`` shows it, as README's
    "Suggestions" describes them."""
    scheme = scheme_of(document)
    rows = db.session.execute(
        select(
            SENTENCES.c.id,
            SENTENCES.c.index,
            SENTENCES.c.start,
            SENTENCES.c.end,
            SENTENCES.c.text,
            *(c for c in SUGGESTIONS.c if c.key not in {"document_id", "index"}),
        )
        .join(
            SUGGESTIONS,
            (SUGGESTIONS.c.document_id == SENTENCES.c.document_id)
            & (SUGGESTIONS.c.index == SENTENCES.c.index),
        )
        .where(SENTENCES.c.document_id == document.id)
        .order_by(SENTENCES.c.index)
    )
    records, share = [], current_app.config["SUGGESTIONS"]
    for row in rows:
        fields = suggesting.offered(row, scheme)
        record = {"index": row.index, "start": row.start, "end": row.end, "text": row.text,
                  "shown": suggesting.shown_on(row.id, share)}  # fmt: skip
        if "claim" in fields:
            claim, by, confidence = fields["claim"]
            record |= {"claim": claim, "claim_confidence": confidence, "claim_by": by}
        choices = scheme.named["attribution.source_type"].choices
        said = (row.attribution or {}).get("source_type")
        if "attribution.source_type" not in fields and said in choices:
            # "no cue: the author", which the form holds anyway (not offered, but said)
            author = (
                row.attribution["source_type"],
                row.attribution_by,
                row.attribution_confidence,
            )
            fields["attribution.source_type"] = author
        if "attribution.source_type" in fields:
            attribution = {"source_type": fields["attribution.source_type"][0]}
            attribution["entity"] = fields.get("attribution.entity", (None,))[0]
            for name in suggesting.SPANS:
                span = fields.get(f"attribution.{name}", (None,))[0]
                attribution[name] = span and span_record(span, row.text)
            _, by, confidence = fields["attribution.source_type"]
            attribution |= {"confidence": confidence, "by": by}
            record["attribution"] = attribution
        records.append(record)
    return records


def percent(share):
    """A share as a percentage, or n/a."""
    return "n/a" if share is None else f"{share:.1%}"


def lines_of(record):
    """One sentence's suggestions for the terminal: what is suggested, then the sentence."""
    hidden = "" if record["shown"] else "  (hidden: SUGGESTIONS)"
    parts = [f"{record['index']:>4}{hidden}  {record.get('claim', '-')}"]
    attribution = record.get("attribution") or {}
    if attribution.get("source_type", "author") != "author":
        parts.append(attribution["source_type"])
        for name in ("source", "cue"):
            if attribution.get(name):
                parts.append(f"{name} “{attribution[name]['text']}”")
        if attribution.get("entity"):
            parts.append(f"entity {attribution['entity']}")
    return shown("  ".join(parts)), shown(f"        {record['text']}")


@click.command("suggest")
@click.argument("document_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one item per sentence.")
@click.option(
    "--missing",
    is_flag=True,
    help="Make the suggestions the server has not made yet (of documents imported since).",
)
@click.option("--train", is_flag=True, help="Train the claim classifier now on every label so far.")
def suggest_command(document_id, as_json, missing, train):
    """Print the suggestions for a document's sentences, or make them (--missing, --train)."""
    if missing:
        made = suggesting.make_missing()
        click.echo(f"Made suggestions for {made} sentences.")
    if train:
        classifier = training.retrain(force=True)
        if classifier is None:
            raise click.ClickException(
                f"not enough labels to train on: the classifier needs "
                f"{suggesting.claims.MINIMUM_LABELS} labelled sentences of two kinds or more"
            )
        click.echo(
            f"Trained {classifier.name} on {classifier.labels} labelled sentences; accuracy "
            f"on {classifier.held_out} held out: {percent(classifier.accuracy)} (the prior's: "
            f"{percent(classifier.prior_accuracy)}); "
            + (
                "its suggestions replace the prior's."
                if classifier.better_than_prior
                else "the prior stays until the classifier beats it."
            )
        )
    if document_id is None:
        if not (missing or train):
            raise click.UsageError("give a DOCUMENT_ID, --missing or --train")
        return
    document = db.session.get(Document, document_id)
    if document is None:
        raise click.ClickException(f"no document {document_id!r}; `flask documents` lists them")
    suggesting.make_missing(only=document_id)  # as the server would have by now
    records = suggestion_records(document)
    if as_json:
        click.echo(shown_json(records, indent=1))
        return
    state = current_app.config["SUGGESTIONS"]
    click.echo(f"# shown to annotators on {state:.0%} of sentences (SUGGESTIONS)")
    for record in records:
        click.echo("\n".join(lines_of(record)))


COMMANDS = [suggest_command]
