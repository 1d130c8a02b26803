"""``flask setup``: what ``make run`` does before serving — schema, seed articles, demo admin."""

import secrets
from pathlib import Path

import click
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import func, make_url, select

from .. import suggesting
from ..extensions import db
from ..importing import ImportProblem, import_files
from ..models import Document, User

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
DEMO_ADMIN = "admin"


def ensure_seeded(seeds=SEEDS):
    """Import the seed articles when the database holds no documents; return the Summary."""
    if db.session.scalar(select(func.count()).select_from(Document)):
        return None
    return import_files([seeds])


def ensure_admin():
    """Create the demo admin with a random password when there are no users."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return None
    password = secrets.token_urlsafe(12)
    user = User(name=DEMO_ADMIN, role="admin")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return password


@click.command("setup")
def setup_command():
    """Create or upgrade the database, import seeds/ if empty, create a demo admin if no users."""
    upgrade()
    try:
        summary = ensure_seeded()
    except ImportProblem as error:
        raise click.ClickException(f"{error} — nothing was imported.") from None
    if summary:
        click.echo(f"Seed articles: {summary}")
        suggesting.make_missing()  # the first sentence shown is pre-filled already
    password = ensure_admin()
    if password:
        click.echo(f"Demo admin created. Log in as '{DEMO_ADMIN}' with password: {password}")
        click.echo("(Shown once: write it down, or change it with `flask users passwd admin`.)")
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    click.echo(f"Database: {database.render_as_string(hide_password=True)}")


COMMANDS = (setup_command,)
