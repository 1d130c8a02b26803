"""Terminal commands for the project lead: ``init-db``, ``stats``, ``documents``, ``show``."""

import click
from flask import current_app
from flask_migrate import upgrade

from .. import targets
from ..extensions import db
from ..models import DOCUMENTS, Document
from ..queries import annotation_count, documents_with_counts, sentences_of, totals, work_per_user
from ..text import shown, shown_json
from .report import document_report, restore_hint


def document_summary(document, sentences):
    """The ``flask documents --json`` object of one document."""
    return {
        "id": document.id,
        "title": document.title,
        "outlet": document.outlet,
        "publisher": document.publisher,
        "published": document.published.isoformat() if document.published else None,
        "targets": list(targets.of(document, current_app.extensions["scheme"])),
        "sentences": sentences,
    }


@click.command("init-db")
def init_db_command():
    """Create or upgrade the database schema (same as ``flask db upgrade``)."""
    upgrade()
    click.echo("Database is up to date.")


@click.command("stats")
def stats_command():
    """Counts of documents, sentences and annotations, and work per user."""
    documents, sentences, labelled, skipped = db.session.execute(totals()).one()
    click.echo(f"documents:   {documents}")
    click.echo(f"sentences:   {sentences}")
    click.echo(f"annotations: {labelled} labelled, {skipped} skipped")
    rows = db.session.execute(work_per_user()).all()
    if rows:
        click.echo(f"\n{'user':<21} {'role':<11} {'labelled':>8}  {'skipped':>7}")
        for user, labelled, skipped in rows:
            click.echo(shown(f"{user.name:<21} {user.role:<11} {labelled:>8}  {skipped:>7}"))


@click.command("documents")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
def documents_command(as_json):
    """List the imported documents in import order."""
    rows = [document_summary(d, n) for d, n in db.session.execute(documents_with_counts())]
    if as_json:
        click.echo(shown_json(rows, indent=2))
        return
    if not rows:
        click.echo("No documents yet; add some with `flask import PATH`.")
    for row in rows:
        where = " / ".join(filter(None, [row["outlet"], row["publisher"], row["published"]]))
        click.echo(shown(f"{row['id']}  {row['sentences']:>4} sentences  {where or '-'}"))
        click.echo(shown(f"    {row['title'] or '(no title)'}"))


@click.command("show")
@click.argument("document_id")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def show_command(document_id, as_json):
    """Print one document: its metadata and where each piece came from, the lines its
    import removed and why, and its sentences; to check an import."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise click.ClickException(f"no document '{document_id}'; `flask documents` lists the ids.")
    sentences = db.session.scalars(sentences_of(document_id)).all()
    if as_json:
        record = document_summary(document, None)
        del record["sentences"]
        record |= {
            "url": document.url,
            "author": document.author,
            "sources": document.sources,
            "removed": document.removed,
            "kept_lines": document.kept_lines,
            "text": document.text,
            "sentences": [
                {"index": s.index, "start": s.start, "end": s.end, "text": s.text}
                for s in sentences
            ],
        }
        click.echo(shown_json(record, indent=2))
        return
    row = {column.key: getattr(document, column.key) for column in DOCUMENTS.columns}
    for line in document_report(row, len(sentences)):
        click.echo(line)
    if document.removed:
        for line in restore_hint(row, db.session.scalar(annotation_count(document_id))):
            click.echo(line)
    click.echo("")
    paragraph = None
    for s in sentences:
        if paragraph is not None and s.paragraph != paragraph:
            click.echo("")
        paragraph = s.paragraph
        click.echo(shown(f"{s.index:>4}  [{s.start}:{s.end}]  {s.text}"))


COMMANDS = (init_db_command, stats_command, documents_command, show_command)
