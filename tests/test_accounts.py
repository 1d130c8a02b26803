"""``flask users``: adding, listing, deactivating accounts and setting passwords; settings."""

import pytest
from sqlalchemy import func, select

from annotator import SettingsError, create_app
from annotator.extensions import db
from annotator.models import User
from tests.helpers import SETTINGS


def add(runner, *args, password="long-enough-pw", code=0):
    """``flask users add`` with the password on stdin, ending with exit code ``code``."""
    result = runner.invoke(args=["users", "add", *args, "--password-stdin"], input=password + "\n")
    assert result.exit_code == code, result.output
    return result


def user_count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_add_and_list(runner):
    result = add(runner, "alice", "--role", "reviewer")
    assert "Added reviewer 'alice'." in result.output
    alice = db.session.scalar(select(User))
    assert alice.role == "reviewer" and alice.check_password("long-enough-pw")
    assert alice.password_hash.startswith(("scrypt:", "pbkdf2:"))
    listing = runner.invoke(args=["users", "list"])
    assert listing.exit_code == 0, listing.output
    assert "alice                reviewer   yes            0        0  never" in listing.output


def test_names_with_control_characters_are_refused_and_listed_as_escapes(runner):
    for name in ("alice\n", "al\x1bice", "\u202ealice"):
        add(runner, name, code=1)
    assert user_count() == 0
    db.session.add(User(name="mallory\x1b[2J\u202e", role="annotator"))  # stored before
    db.session.commit()
    listing = runner.invoke(args=["users", "list"])
    assert listing.exit_code == 0, listing.output
    assert "mallory\\x1b[2J\\u202e" in listing.output and "\x1b" not in listing.output


def test_add_with_a_prompt(runner):
    result = runner.invoke(args=["users", "add", "bob"], input="prompted-pw\nprompted-pw\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).check_password("prompted-pw")


@pytest.mark.parametrize(
    ("args", "password", "code", "message"),
    [
        (["alice", "--role", "boss"], "long-enough-pw", 2, "'boss' is not one of"),
        (["alice"], "", 1, "at least 8 characters"),
        (["alice"], "short", 1, "at least 8 characters"),
        (["has space"], "long-enough-pw", 1, "is not a valid user name"),
    ],
)
def test_bad_input_changes_nothing(runner, args, password, code, message):
    result = add(runner, *args, password=password, code=code)
    assert message in result.output
    assert user_count() == 0


def test_duplicate_name(runner):
    add(runner, "alice")
    result = add(runner, "alice", "--role", "admin", code=1)
    assert "a user called 'alice' already exists; nothing was changed." in result.output
    assert user_count() == 1
    look_alike = add(runner, "ALICE", code=1)  # would share alice's login limit, and read the same
    assert "a user called 'alice' already exists" in look_alike.output
    add(runner, "Éva")
    look_alike = add(runner, "éva", code=1)  # SQLite's lower() knows only ASCII
    assert "a user called 'Éva' already exists" in look_alike.output
    assert user_count() == 2


def test_deactivate_activate_passwd(runner):
    add(runner, "alice")
    deactivated = runner.invoke(args=["users", "deactivate", "alice"])
    assert deactivated.exit_code == 0, deactivated.output
    assert "Deactivated 'alice'" in deactivated.output
    listing = runner.invoke(args=["users", "list"])
    assert listing.exit_code == 0, listing.output
    assert "alice                annotator  no " in listing.output
    activated = runner.invoke(args=["users", "activate", "alice"])
    assert activated.exit_code == 0, activated.output
    result = runner.invoke(
        args=["users", "passwd", "alice", "--password-stdin"], input="another-password\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).check_password("another-password")
    missing = runner.invoke(args=["users", "deactivate", "nobody"])
    assert missing.exit_code == 1, missing.output
    assert "no user 'nobody'" in missing.output


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OVERLAP", 0),
        ("OVERLAP", "2"),
        ("LEASE_MINUTES", -5),
        ("SESSION_IDLE_MINUTES", 0),
        ("TRUSTED_PROXIES", -1),
    ],
)
def test_settings_that_cannot_work_stop_start_up(database_uri, name, value):
    with pytest.raises(SettingsError, match=f"{name}="):
        create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": database_uri, name: value})


def test_overlap_from_the_environment(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("OVERLAP", "3")
    assert importlib.reload(config).Config.OVERLAP == 3
    monkeypatch.setenv("OVERLAP", "many")
    with pytest.raises(SystemExit, match="OVERLAP='many' is not a whole number"):
        importlib.reload(config)
    monkeypatch.delenv("OVERLAP")
    importlib.reload(config)
