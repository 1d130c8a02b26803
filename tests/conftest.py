"""Fixtures: an app on a real, migrated database — a fresh SQLite file per test, or the
PostgreSQL server named by ``TEST_DATABASE_URL`` with every table emptied per test."""

import shutil

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from annotator.extensions import db
from tests.helpers import TEST_DATABASE_URL, Client, Runner, add_user, make_app


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
def make_user(app):
    """``make_user(name, role="annotator", password="secret-pass")`` creates a user."""
    return add_user


@pytest.fixture
def logged_in(client, app):
    """A client logged in as an admin."""
    add_user("lead", role="admin")
    response = client.post("/login", data={"name": "lead", "password": "secret-pass"})
    assert response.status_code == 302
    return client
