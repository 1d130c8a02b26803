"""``flask users``: add, list, deactivate and re-activate accounts, set passwords, lift the
login limit."""

import re
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..models import ROLES, User
from ..pages.throttling import lift_account_limit
from ..queries import work_per_user
from ..text import shown

users = AppGroup("users", help="Manage accounts.")
NAME = re.compile(r"[\w.@+-]{1,80}")
MIN_PASSWORD = 8


def read_password(from_stdin):
    """A password from standard input or a hidden, confirmed prompt; refuses short ones."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(
            f"the password must have at least {MIN_PASSWORD} characters; nothing was changed."
        )
    return password


def find_user(name):
    """The user called ``name``, or a clear error."""
    user = db.session.scalar(select(User).where(User.name == name))
    if user is None:
        raise click.ClickException(f"no user '{name}'; `flask users list` shows who exists.")
    return user


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="annotator", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add_user(name, role, password_stdin):
    """Create an account."""
    if not NAME.fullmatch(name):  # not match: "$" lets a final line break through
        raise click.ClickException(
            f"'{name}' is not a valid user name: use 1-80 letters, digits or . _ @ + -"
        )
    # names that differ only in case look alike in lists and share a login limit; compared
    # here, as SQLite's lower() knows only ASCII letters
    names = db.session.scalars(select(User.name)).all()
    taken = next((other for other in names if other.casefold() == name.casefold()), None)
    if taken:
        raise click.ClickException(f"a user called '{taken}' already exists; nothing was changed.")
    password = read_password(password_stdin)
    write_transaction()  # SQLite: take the write lock rather than upgrade a stale read
    user = User(name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Added {role} '{name}'.")


@users.command("list")
def list_users():
    """Every account: role, active, sentences labelled and skipped, last seen."""
    rows = db.session.execute(work_per_user()).all()
    if not rows:
        click.echo("No users yet; add one with `flask users add NAME --role annotator`.")
        return
    click.echo(
        f"{'name':<20} {'role':<10} {'active':<7} {'labelled':>8}  {'skipped':>7}  last seen"
    )
    for user, labelled, skipped in rows:
        seen = user.last_seen.strftime("%Y-%m-%d %H:%M UTC") if user.last_seen else "never"
        active = "yes" if user.active else "no"
        click.echo(
            shown(
                f"{user.name:<20} {user.role:<10} {active:<7} {labelled:>8}  {skipped:>7}  {seen}"
            )
        )


@users.command("deactivate")
@click.argument("name")
def deactivate(name):
    """Stop an account from logging in and end its sessions; its labels stay."""
    write_transaction()
    user = find_user(name)
    user.active = False
    user.end_sessions()
    db.session.commit()
    click.echo(shown(f"Deactivated '{name}'; their sessions have ended."))


@users.command("activate")
@click.argument("name")
def activate(name):
    """Let a deactivated account log in again."""
    write_transaction()
    user = find_user(name)
    user.active = True
    db.session.commit()
    click.echo(shown(f"Activated '{name}'."))


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def passwd(name, password_stdin):
    """Set a new password; the user's other sessions end."""
    password = read_password(password_stdin)
    write_transaction()
    user = find_user(name)
    user.set_password(password)
    db.session.commit()
    click.echo(shown(f"Password of '{name}' changed; their sessions have ended."))


@users.command("unlock")
@click.argument("name")
def unlock(name):
    """Let an account that failed to log in 5 times try again now, not in 10 minutes."""
    find_user(name)
    lift_account_limit(name)
    click.echo(shown(f"'{name}' may log in again now."))


COMMANDS = (users,)
