"""Friendly error pages."""

from contextlib import suppress

from flask import current_app, render_template
from sqlalchemy.exc import OperationalError

from .extensions import db

MESSAGES = {
    403: ("Not allowed", "Your account's role does not give access to this page."),
    404: ("Not found", "There is nothing here for you at this address."),
    413: (
        "Too large",
        "That request was too large (over 2 MB, or too many fields). Nothing was saved; "
        "shorten the comment and try again.",
    ),
    429: ("Too many attempts", "Too many failed attempts. Wait a few minutes, then try again."),
}


def error_page(error):
    """A page that says what happened and where to go instead."""
    heading, message = MESSAGES[error.code]
    return render_template("errors/error.html", heading=heading, message=message), error.code


def database_unavailable(error):
    """503 with a plain page (no login check: that needs the database too), not a trace."""
    current_app.logger.error("database unavailable: %s", error.orig or error)
    with suppress(OperationalError):  # the connection may be gone; the session ends anyway
        db.session.rollback()
    return render_template("errors/unavailable.html"), 503, {"Retry-After": "10"}


def init_app(app):
    """Register the error handlers."""
    for code in MESSAGES:
        app.register_error_handler(code, error_page)
    app.register_error_handler(OperationalError, database_unavailable)
