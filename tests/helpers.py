"""Shared test helpers, imported by tests and by conftest.py as ``from tests.helpers import
...``: the app and the clients the fixtures hand out, users, articles and labels, and the forms
a page renders. Fixtures live in conftest.py."""

import contextvars
import json
import os
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from annotator import create_app
from annotator.extensions import db
from annotator.importing import import_files
from annotator.models import Annotation, Sentence, User

SEEDS = Path(__file__).resolve().parent.parent / "seeds"  # the sample articles
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# the production configuration: CSRF on, real session lifetimes; only the secret is fixed,
# and no background suggester (a thread per test's app would outlive its test and its
# database: tests make suggestions as `flask suggest --missing` does, and
# tests/test_suggesting.py runs the worker itself)
SETTINGS = {"TESTING": True, "SECRET_KEY": "test-only-secret", "SUGGESTER_SECONDS": 0}
# a token as the pages render it: in a form's hidden field, or in htmx's hx-headers
PAGE_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def make_app(uri, **settings):
    """An app bound to ``uri`` with test settings."""
    return create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": uri, **settings})


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


# Test users' passwords are hashed with scrypt at a lower work factor than the app's (2^10,
# not 2^15). Logging in runs the same code (``check_password_hash`` reads the factor from
# the hash), but it costs ~2 ms instead of ~0.2 s. Most tests log in at least once, and
# CI ran over its 20 minutes. Hashing itself is tested with ``User.set_password``, and so
# is the login-timing test.
TEST_HASH = "scrypt:1024:8:1"


@cache
def hashed(password):
    """The password's hash for a test user (see TEST_HASH), made once per test run; test
    users of one password share a salt."""
    return generate_password_hash(password, method=TEST_HASH)


def add_user(name, role="annotator", password="secret-pass"):
    """Create a user with a password; returns the User."""
    user = User(name=name, role=role)
    user.password_hash = hashed(password)
    db.session.add(user)
    db.session.commit()
    return user


def import_texts(tmp_path, *articles, targets=None):
    """Import articles given as lists of sentences (``doc0``, ``doc1``, …; ``targets``: the
    stance targets of each, None for the scheme's); returns their sentence ids per article."""
    path = tmp_path / "articles.jsonl"
    records = [
        {"id": f"doc{n}", "text": " ".join(sentences), "outlet": "Wire"}
        for n, sentences in enumerate(articles)
    ]
    for record, own in zip(records, targets or [None] * len(records), strict=True):
        if own is not None:
            record["targets"] = own
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    import_files([path])
    return [
        db.session.scalars(
            select(Sentence.id).where(Sentence.document_id == f"doc{n}").order_by(Sentence.index)
        ).all()
        for n in range(len(articles))
    ]


WATER = (
    "The city will replace its water mains.",
    "The council approved the plan on Monday.",
    "Work starts in May.",
)
BORDER = ("Azerbaijan and Armenia met in Brussels.", "Both sides called the talks useful.")


def import_two_topics(tmp_path):
    """Two articles on different topics, as {document id: its sentence ids}: ``water``
    (outlet City Desk) with stance targets of its own, Water utility and City council, and
    ``border`` (outlet Wire) with the scheme's, Azerbaijan and Armenia."""
    path = tmp_path / "topics.jsonl"
    records = [
        {"id": "water", "text": " ".join(WATER), "outlet": "City Desk",
         "targets": ["Water utility", "City council"]},
        {"id": "border", "text": " ".join(BORDER), "outlet": "Wire"},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    import_files([path])
    return {
        document_id: db.session.scalars(
            select(Sentence.id).where(Sentence.document_id == document_id).order_by(Sentence.index)
        ).all()
        for document_id in ("water", "border")
    }


def labels(claim="not_claim", source_type="author", **extra):
    """A valid labels object under the default scheme."""
    return {
        "claim": claim,
        "attribution": {"source_type": source_type, "entity": None, "source": None, "cue": None},
        "stance": {"Azerbaijan": "none", "Armenia": "none"},
        "outlet": "Wire",
        **extra,
    }


def label_values(**kwargs):
    """Annotation column values for ``labelling.save``."""
    return {"labels": labels(**kwargs), "skipped": False, "flagged": False, "comment": None,
            "seconds": 1.0}  # fmt: skip


def skip_values(reason=None):
    """Annotation column values of a skip."""
    return {"labels": {}, "skipped": True, "flagged": False, "comment": reason, "seconds": None}


def all_saved(page):
    """Wait until the browser's workspace in ``page`` has no save on its way."""
    from playwright.sync_api import expect  # only the browser tests have a page

    expect(page.locator("#saving")).to_have_attribute("data-waiting", "0")


def annotations_by(user_id, page=None):
    """The user's annotations in the order they were made, as another process (a served
    app) has committed them by now; with ``page`` (a browser's workspace), once it has no
    save on its way (the next sentence shows before the save behind it is acknowledged)."""
    if page is not None:
        all_saved(page)
    db.session.rollback()
    return db.session.scalars(
        select(Annotation).where(Annotation.annotator_id == user_id).order_by(Annotation.id)
    ).all()


class RenderedForms(HTMLParser):
    """The POST forms of a page as a browser would submit them: action, the fields with
    their rendered values (checked radios and boxes only), the radio groups, and whether
    htmx sends it (``hx-post``, with the page's ``hx-headers``)."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url, self.forms, self.headers, self.open_form = page_url, [], {}, None
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        option = tag == "option" and self.select is not None
        if option and ("selected" in attrs or self.select[1] is None):  # else the first
            self.select[1] = attrs.get("value", "")
        if "hx-headers" in attrs:
            self.headers = json.loads(attrs["hx-headers"])
        if tag == "form" and (attrs.get("method", "get").lower() == "post" or "hx-post" in attrs):
            self.open_form = {
                "action": attrs.get("hx-post") or attrs.get("action") or self.page_url,
                "htmx": "hx-post" in attrs,
                "fields": [],
                "radios": {},
            }
            self.forms.append(self.open_form)
        if self.open_form is None or "name" not in attrs:
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind == "radio":
            self.open_form["radios"].setdefault(attrs["name"], []).append(attrs.get("value"))
            if "checked" in attrs:
                self.open_form["fields"].append((attrs["name"], attrs.get("value")))
        elif tag == "input" and kind == "checkbox":
            if "checked" in attrs:
                self.open_form["fields"].append((attrs["name"], attrs.get("value", "on")))
        elif tag == "input" and kind not in ("submit", "button"):
            self.open_form["fields"].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]
        elif tag == "select":
            self.select = [attrs["name"], None]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            self.open_form["fields"].append(tuple(self.textarea))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            self.open_form["fields"].append((self.select[0], self.select[1] or ""))
            self.select = None
        elif tag == "form":
            self.open_form = None


def rendered_forms(page_url, html):
    """``(forms, hx_headers)`` of a page; see RenderedForms."""
    parser = RenderedForms(page_url)
    parser.feed(html)
    return parser.forms, parser.headers
