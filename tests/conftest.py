"""Fixtures: an app on a real, migrated database — a fresh SQLite file per test, or the
PostgreSQL server named by ``TEST_DATABASE_URL`` with every table emptied per test."""

import contextvars
import os
import re
import shutil

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from annotator import create_app
from annotator.extensions import db
from annotator.models import User

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# the production configuration: CSRF on, real session lifetimes; only the secret is fixed
SETTINGS = {"TESTING": True, "SECRET_KEY": "test-only-secret"}
# a token as the pages render it: in a form's hidden field, or in htmx's hx-headers
PAGE_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def make_app(uri, **settings):
    """An app bound to ``uri`` with test settings."""
    return create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": uri, **settings})


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


class FreshReads:
    """Run each request or command as production does, in its own app context.

    Otherwise Flask reuses the fixture's app context: its ``g`` (where Flask-Login caches
    the user) and its session would carry over between calls. The test's own read
    transaction is ended around the call so that it sees what the call wrote.
    """

    inside = False

    def around(self, call, *args, **kwargs):
        if self.inside:  # a redirect followed within the call
            return call(*args, **kwargs)
        db.session.rollback()
        self.inside = True
        try:
            return contextvars.Context().run(call, *args, **kwargs)
        finally:
            self.inside = False
            db.session.rollback()


class Client(FreshReads, FlaskClient):
    """A test client whose test sees what each request wrote, and which posts as a browser
    does: with the CSRF token of the last page it was shown.

    A POST that names no token itself (``csrf_token`` in its data or an ``X-CSRFToken``
    header) gets the one from the last page, unless sent ``as_given=True`` (exactly as the
    test built it: a form as rendered, or a request from another site). Before any page,
    it reads the login page, as a browser that opened the site would have. Logging in or
    out starts a new session, whose pages carry a new token.
    """

    page_token = None

    def open(self, *args, **kwargs):
        method = kwargs.get("method", "GET").upper()
        path = args[0] if args and isinstance(args[0], str) else ""  # else a followed redirect
        as_given = kwargs.pop("as_given", False)
        if method == "POST" and path and not as_given and not self.carries_token(kwargs):
            kwargs["data"] = {**(kwargs.get("data") or {}), "csrf_token": self.token()}
        response = self.around(super().open, *args, **kwargs)
        if method == "POST" and path.split("?")[0] in ("/login", "/logout"):
            self.page_token = None
        elif response.mimetype == "text/html":
            found = PAGE_TOKEN.search(response.get_data(as_text=True))
            if found:
                self.page_token = found[1] or found[2]
        return response

    @staticmethod
    def carries_token(kwargs):
        """Whether the test put a token (or a deliberately wrong one) into the request."""
        data, headers = kwargs.get("data"), dict(kwargs.get("headers") or {})
        if data is not None and not isinstance(data, dict):
            return True  # raw or repeated fields: the test builds the whole body itself
        return "X-CSRFToken" in headers or "csrf_token" in (data or {})

    def token(self):
        """The token of the last page shown, or of the login page."""
        if self.page_token is None:
            self.get("/login")
        return self.page_token


class Runner(FreshReads, FlaskCliRunner):
    """A CLI runner whose test sees what each command wrote."""

    def invoke(self, *args, **kwargs):
        def in_app_context():  # as the real `flask` command group provides
            with self.app.app_context():
                return FlaskCliRunner.invoke(self, *args, **kwargs)

        return self.around(in_app_context)


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


def add_user(name, role="annotator", password="secret-pass"):
    """Create a user with a password; returns the User."""
    user = User(name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


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
