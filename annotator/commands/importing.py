"""``flask import``: articles from files and folders, all or nothing; ``--dry-run`` reports
what an import would store and what it would remove, and writes nothing."""

import sys
from pathlib import Path

import click

from ..importing import ImportProblem, article_files, import_files
from ..targets import TargetProblem, from_option
from ..text import shown
from .report import document_report


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--outlet", help="Outlet for every article (overrides fields and detection).")
@click.option("--publisher", help="Publisher for every article (overrides fields and detection).")
@click.option("--replace", is_flag=True, help="Replace documents whose id exists with other text.")
@click.option(
    "--keep-line",
    "keep",
    multiple=True,
    metavar="TEXT",
    help="A line the cleaning must not remove, in every article (repeatable).",
)
@click.option(
    "--targets",
    metavar="A,B",
    help="Stance targets of every article whose record gives none, comma-separated "
    "(default: the scheme's; '' for none).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check everything as an import does and write nothing; print each document's "
    "metadata, where it came from, and the lines that would be removed.",
)
def import_command(paths, outlet, publisher, replace, keep, targets, dry_run):
    """Import articles from .txt, .html, .jsonl or .json files and folders."""
    reports = []
    try:
        targets = None if targets is None else from_option(targets)
    except TargetProblem as problem:
        raise click.ClickException(f"{problem} — nothing was imported.") from None
    try:
        total = sum(p.stat().st_size for p in article_files(paths))
        with click.progressbar(
            length=total, label="Importing", file=sys.stderr, show_pos=False
        ) as bar:
            summary = import_files(
                paths,
                outlet,
                publisher,
                replace,
                progress=bar.update,
                keep=keep,
                dry_run=dry_run,
                targets=targets,
                each=(lambda *report: reports.append(report)) if dry_run else None,
            )
    except (ImportProblem, OSError) as error:
        raise click.ClickException(f"{error} — nothing was imported.") from None
    for document, sentences, outcome in reports:
        for line in document_report(document, sentences, outcome):
            click.echo(line)
        click.echo("")
    for warning in summary.warnings:
        click.echo(shown(f"Warning: {warning}"), err=True)
    click.echo(shown(summary))


COMMANDS = (import_command,)
