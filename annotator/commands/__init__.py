"""Every ``flask`` command of the app, and the group that holds them. Commands are thin:
they read options, call the services and turn their errors into one-line messages."""

import copy
from functools import partial
from importlib import import_module

import click
from flask.cli import AppGroup
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError, ProgrammingError

from ..extensions import db
from ..text import shown

UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE for a table that does not exist


def missing_table(error):
    """True when a database error says a table does not exist (SQLite or PostgreSQL)."""
    said = error.orig
    return getattr(said, "sqlstate", None) == UNDEFINED_TABLE or "no such table" in str(said)


def schema_missing():
    """One line saying which of the app's tables the database lacks, and what to run."""
    db.session.rollback()  # PostgreSQL: the failed statement ended the transaction
    present = set(inspect(db.engine).get_table_names())
    missing = sorted(set(db.metadata.tables) - present)
    if len(missing) == len(db.metadata.tables):
        return "the database has no tables: run `flask init-db`"
    return f"the database lacks the tables {', '.join(missing)}: run `flask init-db`"


def explain_missing_tables(invoke, ctx):
    """Run a command; a table that does not exist ends it with one line, not a traceback.
    Any error's message shows the control characters of data it quotes as escapes."""
    try:
        return invoke(ctx)
    except (OperationalError, ProgrammingError) as error:
        if not missing_table(error):
            raise
        raise click.ClickException(schema_missing()) from None
    except click.ClickException as error:
        error.message = shown(error.message)
        raise


class Commands(AppGroup):
    """``app.cli``: the app's commands. Run on a database without tables (a new, empty
    ``DATABASE_URL``), every one of them says so in one line; ``init-db``, ``setup`` and
    ``flask db`` create the tables and so never meet a missing one."""

    def get_command(self, ctx, name):
        """The command, run through ``explain_missing_tables``: both ``flask`` and the test
        runner look commands up here. A copy, as the registered one is shared by every app."""
        command = super().get_command(ctx, name)
        if command is None:
            return None
        guarded = copy.copy(command)
        guarded.invoke = partial(explain_missing_tables, command.invoke)
        return guarded


# the modules whose COMMANDS make up ``flask``'s commands
COMMAND_MODULES = ("adjudicate", "agreement", "backup", "exporting", "first_run", "importing",
                   "project", "suggest", "targets", "users")  # fmt: skip


def init_app(app):
    """Make ``app.cli`` the app's group (keeping ``flask db``) and register every command."""
    app.cli = Commands(app.name, commands=app.cli.commands)
    for name in COMMAND_MODULES:
        module = import_module(f".{name}", __name__)
        for command in module.COMMANDS:
            app.cli.add_command(command)
