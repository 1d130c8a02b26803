"""Fixtures: an app on a real, migrated database — a fresh SQLite file per test, or the
PostgreSQL server named by ``TEST_DATABASE_URL`` with every table emptied per test — its
client, CLI runner, users, and ``auth`` to log the client in."""

import shutil

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from annotator.extensions import db
from annotator.models import ROLES, User
from tests.helpers import SEEDS, TEST_DATABASE_URL, Client, Runner, add_user, make_app


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Run the migrations once: into a template SQLite file, or into a clean PostgreSQL schema."""
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        uri = TEST_DATABASE_URL
    else:
        uri = f"sqlite:///{tmp_path_factory.mktemp('template') / 'annotator.sqlite'}"
    app = make_app(uri)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return uri


@pytest.fixture
def database_uri(tmp_path, migrated_database):
    """A migrated, empty database for one test."""
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return TEST_DATABASE_URL
    path = tmp_path / "annotator.sqlite"
    shutil.copy(migrated_database.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_uri):
    """The app on this test's database, with an app context pushed."""
    app = make_app(database_uri)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client."""
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for ``flask`` commands."""
    app.test_cli_runner_class = Runner
    return app.test_cli_runner()


@pytest.fixture
def seeds(runner):
    """The sample articles of seeds/ imported, as ``flask import seeds`` does."""
    result = runner.invoke(args=["import", str(SEEDS)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def make_user(app):
    """``make_user(name, role="annotator", password="secret-pass")`` creates a user."""
    return add_user


class Auth:
    """Logs a test client in and out through the login form's POST, as a person does."""

    def __init__(self, client):
        self.client = client

    def login(self, who="annotator", role=None, on=None):
        """Log in as ``who``: a role (``login("reviewer")`` is the user "reviewer", a
        reviewer) or a name (``login("alice")``; ``role=`` if she is new and no annotator).
        The user is made with the password "secret-pass" if there is none of that name yet.
        Logs in the test's client, or the client ``on``; returns the User."""
        wanted = role or (who if who in ROLES else None)
        user = db.session.scalar(select(User).where(User.name == who))
        if user is None:
            user = add_user(who, role=wanted or "annotator")
        assert wanted in (None, user.role), f"{who} is a {user.role}, not a {wanted}"
        response = (on or self.client).post("/login", data={"name": who, "password": "secret-pass"})
        assert response.status_code == 302, response.text
        return user

    def logout(self, on=None):
        """Log the test's client, or the client ``on``, out."""
        response = (on or self.client).post("/logout")
        assert response.status_code == 302, response.text


@pytest.fixture
def auth(client):
    """``auth.login("alice")``, ``auth.login("reviewer")``, ``auth.logout()``: see Auth."""
    return Auth(client)
