"""Security headers on every response, and ``/healthz`` for load balancers."""

import os

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from ..extensions import db
from .errors import READ_ONLY, READ_ONLY_SERVER, unavailable_reason

# Only this site's own scripts and styles: every script is a file under /static (no inline
# script, no eval), and htmx is told not to inject its indicator styles (base.html).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}

bp = Blueprint("health", __name__)


def add_security_headers(response):
    """Set the security headers (a view may have set its own)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


MIN_FREE_BYTES = 8 * 1024 * 1024  # below this, saving may fail any moment


def writes_refused(connection):
    """Why the database cannot take writes, or None: a SQLite file (or its folder) that is
    not writable or a disk nearly full; a PostgreSQL server that is read-only."""
    if connection.dialect.name == "postgresql":
        read_only = connection.execute(text("SHOW transaction_read_only")).scalar() == "on"
        return READ_ONLY_SERVER if read_only else None
    path = connection.engine.url.database
    if not path or path == ":memory:":
        return None
    folder = os.path.dirname(os.path.abspath(path))
    if not (os.access(path, os.W_OK) and os.access(folder, os.W_OK)):
        return READ_ONLY
    disk = os.statvfs(folder)
    if disk.f_bavail * disk.f_frsize < MIN_FREE_BYTES:
        return "The server's disk is (nearly) full: the database cannot grow."
    return None


@bp.get("/healthz")
def healthz():
    """200 when the database answers, takes writes and has its schema at the newest
    migration, else 503 with the reason; no login needed, nothing private said."""
    try:
        connection = db.session.connection()
        current = MigrationContext.configure(connection).get_current_revision()
        refused = writes_refused(connection)
    except SQLAlchemyError as error:
        return jsonify(status="unavailable", reason=unavailable_reason(error)), 503
    finally:
        db.session.rollback()
    if refused:
        return jsonify(status="unavailable", reason=refused), 503
    directory = current_app.extensions["migrate"].directory
    head = ScriptDirectory(directory).get_current_head()
    if current != head:
        reason = f"database schema at {current}, code expects {head}: run flask db upgrade"
        return jsonify(status="unavailable", reason=reason), 503
    return jsonify(status="ok", migration=current)


def init_app(app):
    """Register the headers and the health endpoint; believe the ``TRUSTED_PROXIES``
    nearest hops of X-Forwarded-For and -Proto (the login limits count per address)."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.after_request(add_security_headers)
    app.register_blueprint(bp)
