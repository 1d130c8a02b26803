"""``flask import``: articles from files and folders, all or nothing."""

import sys
from pathlib import Path

import click

from ..importing import ImportProblem, article_files, import_files


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


COMMANDS = (import_command,)
