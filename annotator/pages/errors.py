"""Friendly error pages."""

from contextlib import suppress

from flask import current_app, render_template, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from ..extensions import db, htmx

MESSAGES = {  # None: the error's own description
    400: ("Bad request", None),
    403: ("Not allowed", "Your account's role does not give access to this page."),
    404: ("Not found", "There is nothing here for you at this address."),
    413: (
        "Too large",
        "That request was too large (over 2 MB, or too many fields). Nothing was saved; "
        "shorten the comment and try again.",
    ),
    415: (
        "Not a form",
        "This address takes form fields as its pages send them "
        "(application/x-www-form-urlencoded), nothing else. Nothing was saved.",
    ),
    429: ("Too many attempts", None),
}


def error_page(error):
    """A page that says what happened and where to go instead, with the error's own headers
    (``Retry-After`` on a 429)."""
    heading, message = MESSAGES[error.code]
    page = render_template(
        "errors/error.html", heading=heading, message=message or error.description
    )
    return page, error.code, error.get_headers()


# How a page's scripts learn why an htmx request was refused, and what to do about it.
REFUSED = "X-Refused"
FRESH_TOKEN = "X-CSRF-Token"
LOGGED_OUT = (
    "You were logged out (here, in another tab, or after hours unused). Nothing was saved; "
    "log in again."
)
STALE_PAGE = (
    "This page was shown in an earlier session (you logged out or in again since, or the "
    "server's secret changed). Nothing was saved: go back, reload the page and submit again."
)


def logged_out():
    """For htmx, 401 that the page's script answers with a login dialog, keeping what was
    typed; None for a plain request (the caller redirects to the login page)."""
    if not htmx:
        return None
    return LOGGED_OUT, 401, {REFUSED: "login"}


def csrf_refused(error):
    """A POST whose CSRF token is missing or no longer valid. htmx gets a fresh token to send
    the same request again (a cross-site page cannot read it); a logged-out session gets the
    login answer; a plain form an explanation."""
    current_app.logger.info("CSRF token refused: %s", error.description)
    if htmx:
        if not current_user.is_authenticated:
            return logged_out()
        return error.description, 400, {REFUSED: "csrf", FRESH_TOKEN: generate_csrf()}
    return render_template("errors/error.html", heading="Page expired", message=STALE_PAGE), 400


# What the database driver said, and what to tell the person in front of the screen.
READ_ONLY = (
    "The database file is read-only for the server: check that its disk is mounted "
    "read-write and that the server may write the file and its folder."
)
READ_ONLY_SERVER = (
    "The database server takes no writes (a read-only standby, or "
    "default_transaction_read_only is on): point DATABASE_URL at the primary server."
)
REASONS = [
    ("disk is full", "The server's disk is full: the database cannot grow."),
    ("no space left on device", "The database server's disk is full: the database cannot grow."),
    ("read-only transaction", READ_ONLY_SERVER),  # PostgreSQL's words: before "read-only"
    ("readonly", READ_ONLY),
    ("read-only", READ_ONLY),
    (  # before "locked": PostgreSQL's detail names the ShareLock it waited for
        "deadlock detected",
        "Two changes to the same data collided and the database undid this one. "
        "Try again: it will go through.",
    ),
    ("database is locked", "The database is busy with a long write (an import or a backup?)."),
    (
        "unable to open database file",
        "The database file cannot be opened: check that it exists, that its disk is mounted "
        "read-write and that the server may write the file and its folder.",
    ),
]
UNREACHABLE = "The database server does not answer (stopped, restarting or unreachable)."


def unavailable_reason(error):
    """A plain sentence for why the database cannot be used."""
    said = str(error.orig or error).lower()
    return next((reason for clue, reason in REASONS if clue in said), UNREACHABLE)


def database_unavailable(error):
    """503 with a plain page (no login check: that needs the database too), not a trace."""
    current_app.logger.error("database unavailable: %s", error.orig or error)
    with suppress(DBAPIError):  # the connection may be gone; the session ends anyway
        db.session.rollback()
    # rendered without the context processors: Flask-Login's would load the user, from the
    # database that just failed
    template = current_app.jinja_env.get_template("errors/unavailable.html")
    page = template.render(reason=unavailable_reason(error), url_for=url_for)
    return page, 503, {"Retry-After": "10"}


def end_session(error):
    """End the request's session before Flask-SQLAlchemy's teardown does (teardowns run in
    reverse order of registration). If the database dropped the connection after the answer
    was made (PostgreSQL restarting), the server has already discarded whatever was left
    uncommitted: the answer stands, rather than becoming a 500 over a failed ROLLBACK."""
    try:
        db.session.close()
    except DBAPIError as lost:
        if not lost.connection_invalidated:
            raise
        current_app.logger.warning("connection lost before the request ended: %s", lost.orig)


def init_app(app):
    """Register the error handlers."""
    for code in MESSAGES:
        app.register_error_handler(code, error_page)
    app.register_error_handler(CSRFError, csrf_refused)
    for lost in (OperationalError, InterfaceError):  # InterfaceError: a connection closed
        app.register_error_handler(lost, database_unavailable)
    app.teardown_appcontext(end_session)
