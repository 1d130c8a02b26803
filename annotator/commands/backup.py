"""``flask backup PATH``: a consistent copy of a live SQLite database."""

import sqlite3
from pathlib import Path

import click

from ..extensions import db

# All pages in one step, inside one read transaction: in WAL mode annotators' writes go on
# meanwhile. Copying in smaller steps restarts the copy whenever anyone commits between two
# steps, so under steady saving a large database never finished.
PAGES_PER_STEP = -1


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path):
    """Copy the SQLite database to PATH with SQLite's online backup, while people work."""
    if db.engine.dialect.name != "sqlite":
        raise click.ClickException(
            "flask backup copies SQLite databases; for PostgreSQL use pg_dump "
            "(see the README's 'Deploying for a team')"
        )
    if path.exists():
        raise click.ClickException(f"{path} exists; choose a new file so nothing is overwritten")
    source = db.engine.url.database
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(source) as live, sqlite3.connect(path) as copy:
            live.backup(copy, pages=PAGES_PER_STEP)
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except (OSError, sqlite3.Error) as error:
        path.unlink(missing_ok=True)
        raise click.ClickException(f"backup to {path} failed: {error}") from None
    if check != "ok":
        raise click.ClickException(f"the copy at {path} failed its integrity check: {check}")
    click.echo(
        f"Backed up {source} to {path} ({path.stat().st_size / 2**20:.1f} MiB, integrity ok)."
    )


COMMANDS = (backup_command,)
