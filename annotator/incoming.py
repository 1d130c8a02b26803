"""What the app takes of a request before any view reads it: a body within MAX_CONTENT_LENGTH
however it is sent (413 otherwise)."""

import io

import flask
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property


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


def init_app(app):
    """Make every request check its body's size, whatever the transfer encoding."""
    app.request_class = Request
