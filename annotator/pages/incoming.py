"""What the app takes of a request before any view reads it: form fields only (415 for any
other body), within MAX_CONTENT_LENGTH however they are sent and no more than MAX_FORM_FIELDS
(413), no NUL characters (400), ids within the database's integers (404) and page numbers
that can be (400)."""

import io
import re

import flask
from flask import abort, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

FORM = "application/x-www-form-urlencoded"  # what every form here sends, htmx's too
MAX_FORM_FIELDS = 200  # the largest form here has about twenty
LARGEST_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL


class RefusedBody(io.RawIOBase):
    """The body of a request that was too large: every read refuses the request (413)."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise RequestEntityTooLarge()


def read_at_most(stream, limit):
    """All of ``stream``, or None when it holds more than ``limit`` bytes."""
    body = bytearray()
    while len(body) <= limit:
        piece = stream.read(limit + 1 - len(body))
        if not piece:
            return bytes(body)
        body += piece
    return None


class Request(flask.Request):
    """Flask's request, refusing a body over MAX_CONTENT_LENGTH however it is sent.

    A chunked body has no Content-Length to check before reading. The server marks its end
    (``wsgi.input_terminated``: gunicorn, and werkzeug's server for chunked bodies), and
    werkzeug then reads it only up to the limit and parses that part as if it were all: a
    form cut at 2 MB was saved. Here the body is read to one byte past the limit first, and
    a body that has that byte is refused whole (413) before anything parses it.
    """

    @cached_property
    def stream(self):
        """The body, whole, or a stream that refuses the request when read."""
        limit = self.max_content_length
        terminated = "wsgi.input_terminated" in self.environ
        if self.content_length is not None or limit is None or not terminated:
            return super().stream  # werkzeug checks a Content-Length against the limit
        body = read_at_most(self.input_stream, limit)
        return RefusedBody() if body is None else io.BytesIO(body)


def refuse_other_bodies():
    """415 for a body that is not form fields (JSON, multipart, text, or one that does not
    say), before CSRF, the login limits or a view read it: no view takes anything else, and
    Flask-WTF would read JSON as if it were form fields, objects and lists included."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.mimetype == FORM:
        return
    if request.mimetype or request.content_length or "Transfer-Encoding" in request.headers:
        abort(415)


def refuse_crowded_forms():
    """413 for a form with absurdly many fields or values (the size limit is
    MAX_CONTENT_LENGTH): 10,000 spans under one name count as 10,000."""
    if request.method == "POST":
        values = sum(len(found) for found in request.form.listvalues())
        if values > MAX_FORM_FIELDS:
            abort(413)


def refuse_nul_characters():
    """400 for a NUL character in the address, the query or a form field: no text here holds
    one, and PostgreSQL refuses any text that does (a name, an outlet, a comment: a 500)."""
    fields = request.args.items(multi=True)
    if request.method == "POST":
        fields = [*fields, *request.form.items(multi=True)]
    if "\x00" in request.path or any("\x00" in name + value for name, value in fields):
        abort(400, "The request holds a NUL character, which no text here can hold.")


class IdConverter(IntegerConverter):
    """``<int:…>`` in this app's routes, where it is always a row id: a number past the
    largest id is an address that does not exist (404), not one the database overflows on."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **{"max": LARGEST_ID, **kwargs})


def whole_number(text):
    """``text`` as a whole number from 0 to LARGEST_ID, or None for anything else (other
    digits than 0-9, a sign, more digits than Python's int() takes)."""
    if re.fullmatch("[0-9]{1,10}", text or "") and int(text) <= LARGEST_ID:
        return int(text)
    return None


def page_number():
    """The page of a list asked for with ``?page=``, 1 when not given; 400 saying what it
    must be for anything but a whole number from 1 to LARGEST_ID (no list is longer)."""
    asked = request.args.get("page", "")
    if not asked:
        return 1
    number = whole_number(asked)
    if not number:
        abort(400, f"?page= must be a whole number from 1 to {LARGEST_ID:,}.")
    return number


def init_app(app):
    """Check every request's body and the ids in its address. Called before the extensions
    and blueprints are set up: the checks run before CSRF and the login limits read a body,
    and the routes are made with the bounded ids."""
    app.request_class = Request
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_other_bodies)
    app.before_request(refuse_crowded_forms)
    app.before_request(refuse_nul_characters)
