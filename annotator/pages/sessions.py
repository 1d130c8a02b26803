"""Login sessions kept on the server. The browser's cookie (signed, HttpOnly) holds a random
key; the database holds its hash, when the session started and when it was last used.
Logging out deletes the row, so a copied cookie is worthless from then on, on every server
process; a session idle longer than ``SESSION_IDLE_MINUTES`` or older than
``SESSION_LIFETIME_HOURS`` no longer counts; the user's other sessions are untouched."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import bindparam, delete, or_, select, true, update
from sqlalchemy.exc import OperationalError

from ..extensions import db
from ..models import SESSIONS, USERS, LoginSession, utcnow

# How often a session's last use is written (at most; more often when the idle timeout is
# under ten minutes): an idle timeout of hours needs no write per request.
SEEN_EVERY = timedelta(minutes=5)

LIVE_SESSION = (
    select(USERS.c.id, USERS.c.name, USERS.c.role, SESSIONS.c.seen)
    .join_from(SESSIONS, USERS, SESSIONS.c.user_id == USERS.c.id)
    .where(
        SESSIONS.c.key_hash == bindparam("key_hash"),
        SESSIONS.c.started > bindparam("started_after"),
        SESSIONS.c.seen > bindparam("seen_after"),
        USERS.c.active == true(),
    )
)


class SignedIn(UserMixin):
    """The user of a request, read as a plain row: views only look at ``id``, ``name`` and
    ``role`` (an ORM object costs several times more to load, on every request)."""

    def __init__(self, user_id, name, role, key):
        self.id, self.name, self.role, self.key = user_id, name, role, key

    def get_id(self):
        """What Flask-Login keeps in the cookie: the session's key."""
        return self.key


def hashed(key):
    """What the database keeps of a session key."""
    return hashlib.sha256(key.encode()).hexdigest()


def idle_timeout():
    """How long a session may go unused."""
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def lifetime():
    """How long a session lasts however busy it is."""
    return timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])


def start(user, checked_hash, replacing=None):
    """A new session for ``user`` (call inside ``writing()``), or None when the password
    checked, ``checked_hash``, was changed or the account deactivated meanwhile (the check
    takes a tenth of a second; a lead's ``flask users passwd`` may land inside it). The
    session ``replacing`` (another login in this browser) ends; sessions that no longer
    count, anyone's, are deleted on the way."""
    account = select(USERS.c.password_hash, USERS.c.active).where(USERS.c.id == user.id)
    now_stored = db.session.execute(account.with_for_update()).one()
    if now_stored.password_hash != checked_hash or not now_stored.active:
        return None
    if replacing:
        end(replacing)
    now = utcnow()
    db.session.execute(
        delete(LoginSession).where(
            or_(LoginSession.started <= now - lifetime(), LoginSession.seen <= now - idle_timeout())
        )
    )
    key = secrets.token_urlsafe(32)
    db.session.add(LoginSession(key_hash=hashed(key), user_id=user.id, started=now, seen=now))
    return SignedIn(user.id, user.name, user.role, key)


def find(key):
    """The user of the session with ``key``, or None: logged out, idle or old, or the account
    deactivated or its password changed since. Notes the use (at most every ``SEEN_EVERY``)."""
    now = utcnow()
    row = db.session.execute(
        LIVE_SESSION,
        {
            "key_hash": hashed(key),
            "started_after": now - lifetime(),
            "seen_after": now - idle_timeout(),
        },
    ).first()
    if row is None:
        return None
    if row.seen < now - min(SEEN_EVERY, idle_timeout() / 2):
        note_use(key, now)
    return SignedIn(row.id, row.name, row.role, key)


def note_use(key, now):
    """Write when a session was last used, on a connection of its own: whatever the request
    has read or changed so far stays out of it. A busy or read-only database leaves it for
    the next time (the page still shows)."""
    used = update(LoginSession).where(LoginSession.key_hash == hashed(key)).values(seen=now)
    try:
        with db.engine.connect() as connection:
            connection.execution_options(sqlite_begin="IMMEDIATE")
            with connection.begin():
                connection.execute(used)
    except OperationalError as error:
        current_app.logger.warning("session use not recorded: %s", error.orig)


def end(key):
    """End the session with ``key`` (call inside ``writing()``); the user's others go on."""
    db.session.execute(delete(LoginSession).where(LoginSession.key_hash == hashed(key)))


def init_app(app):
    """The signed cookie expires with the session's lifetime at the latest."""
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])
