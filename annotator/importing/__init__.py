"""Importing articles: reading files, cleaning text, splitting sentences, storing them."""

import sys
from pathlib import Path

import click

from .readers import ImportProblem, article_files, read_articles
from .store import Summary, import_articles

__all__ = ["ImportProblem", "Summary", "import_files", "init_app"]


def import_files(paths, outlet=None, publisher=None, replace=False, progress=None):
    """Import every article in ``paths`` (files or folders) in one transaction."""
    files = article_files(paths)

    def articles():
        for path in files:
            for raw in read_articles(path):
                yield raw
                if progress:
                    progress(raw.size)

    return import_articles(articles(), outlet, publisher, replace)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--outlet", help="Outlet for every article (overrides fields and detection).")
@click.option("--publisher", help="Publisher for every article (overrides fields and detection).")
@click.option("--replace", is_flag=True, help="Replace documents whose id exists with other text.")
def import_command(paths, outlet, publisher, replace):
    """Import articles from .txt, .jsonl or .json files and folders."""
    try:
        total = sum(p.stat().st_size for p in article_files(paths))
        with click.progressbar(
            length=total, label="Importing", file=sys.stderr, show_pos=False
        ) as bar:
            summary = import_files(paths, outlet, publisher, replace, progress=bar.update)
    except (ImportProblem, OSError) as error:
        raise click.ClickException(f"{error} — nothing was imported.") from None
    click.echo(str(summary))


def init_app(app):
    """Register ``flask import``."""
    app.cli.add_command(import_command)
