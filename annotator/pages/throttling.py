"""Login limits: 5 failed attempts per account and 20 per address in 10 minutes.

Every attempt is counted *before* its password is checked, and given back when it
succeeds: requests sent together cannot all slip in before the first is counted, and only
failures use up the limits. The counters live in the app's database by default
(``RATELIMIT_STORAGE_URI=database://``), so every worker process and every machine of one
deployment shares them with no extra server; any storage of the ``limits`` library (e.g.
``redis://…``) may be named instead.
"""

import hashlib
import ipaddress
import math
import time
from contextlib import suppress
from typing import ClassVar

from flask import current_app, request
from limits import parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import TooManyRequests

from ..database import writing
from ..extensions import db
from ..models import RateLimitCounter

PER_ACCOUNT = parse("5 per 10 minutes")
PER_ADDRESS = parse("20 per 10 minutes")
# What the 429 page says: which limit, that no password was checked, and how long to wait.
REFUSED = {
    PER_ACCOUNT: (
        "Too many failed logins for this account: for {wait} no password is checked, not even "
        "the right one. Try again then, or ask your project lead to unlock your account."
    ),
    PER_ADDRESS: (
        "Too many failed logins from your network address: for {wait} no password is "
        "checked, not even the right one. Try again then."
    ),
}

# One statement, atomic on SQLite and PostgreSQL alike: a new window, or one more in this one.
COUNT_ONE_MORE = text(
    """
    INSERT INTO rate_limit_counters (key, count, expires) VALUES (:key, :amount, :expires)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit_counters.expires <= :now THEN excluded.count
                   ELSE rate_limit_counters.count + excluded.count END,
      expires = CASE WHEN rate_limit_counters.expires <= :now THEN excluded.expires
                     ELSE rate_limit_counters.expires END
    RETURNING count
    """
)


class DatabaseStorage(Storage):
    """Fixed-window counters in the app's ``rate_limit_counters`` table."""

    STORAGE_SCHEME: ClassVar = ["database"]
    base_exceptions = SQLAlchemyError

    def incr(self, key, expiry, amount=1):
        """Add ``amount`` to the window of ``key`` (a new one if it ended); the new count.
        Giving back (a negative amount) only lowers a live window: a window that ended in
        between stays ended, rather than starting one below zero."""
        now = time.time()
        with writing():
            db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.expires <= now))
            if amount < 0:
                live = RateLimitCounter.key == key
                given_back = (
                    update(RateLimitCounter)
                    .where(live)
                    .values(count=RateLimitCounter.count + amount)
                )
                db.session.execute(given_back)
                return db.session.scalar(select(RateLimitCounter.count).where(live)) or 0
            values = {"key": key, "amount": amount, "expires": now + expiry, "now": now}
            return db.session.execute(COUNT_ONE_MORE, values).scalar_one()

    def counter(self, key):
        """The live window of ``key``, or None."""
        query = select(RateLimitCounter).where(
            RateLimitCounter.key == key, RateLimitCounter.expires > time.time()
        )
        return db.session.scalar(query)

    def get(self, key):
        """The count in the live window of ``key``."""
        found = self.counter(key)
        return found.count if found else 0

    def get_expiry(self, key):
        """When the window of ``key`` ends (now if there is none)."""
        found = self.counter(key)
        return found.expires if found else time.time()

    def check(self):
        """Whether the table can be read."""
        try:
            db.session.execute(select(RateLimitCounter.key).limit(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self):
        """Forget every counter."""
        with writing():
            return db.session.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key):
        """Forget the counter of ``key``."""
        with writing():
            db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


def account_limit(name):
    """The per-account limit with its identifiers: the name hashed (it is whatever was
    typed) and compared case-blind."""
    account = hashlib.sha256(name.strip().casefold().encode()).hexdigest()[:32]
    return PER_ACCOUNT, ("login-name", account)


def network_address(address):
    """The address a limit counts: an IPv6 client's whole /64 (one machine can use any
    address in it), an IPv4 address as it is."""
    if address and ":" in address:
        with suppress(ValueError):
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address or "unknown"


def login_limits(name):
    """The limits a login attempt for ``name`` counts against, each with its identifiers."""
    address = network_address(request.remote_addr)
    return [account_limit(name), (PER_ADDRESS, ("login-address", address))]


def count_login_attempt(name):
    """Count an attempt for ``name`` before its password is checked; 429 with ``Retry-After``
    when a limit is used up. A refused attempt checks no password, so it is given back to
    the limits it passed: a locked account tried again and again does not use up its
    address's limit (a whole office behind one address)."""
    limiter = current_app.extensions["login_limiter"]
    limits = login_limits(name)
    for item, identifiers in limits:  # a read first: a refused flood writes nothing
        if not limiter.test(item, *identifiers):
            refuse(limiter, item, identifiers)
    for number, (item, identifiers) in enumerate(limits):  # race-free: count, then decide
        if not limiter.hit(item, *identifiers):
            for passed, passed_identifiers in limits[:number]:
                limiter.hit(passed, *passed_identifiers, cost=-1)
            refuse(limiter, item, identifiers)


def refuse(limiter, item, identifiers):
    """429 saying which limit is used up and for how long, with ``Retry-After``."""
    ends = limiter.get_window_stats(item, *identifiers).reset_time
    seconds = max(1, math.ceil(ends - time.time()))
    minutes = math.ceil(seconds / 60)
    wait = "a minute" if minutes == 1 else f"{minutes} minutes"
    raise TooManyRequests(REFUSED[item].format(wait=wait), retry_after=seconds)


def forgive_login_attempt(name):
    """Give back the attempt of a login that succeeded: only failures use up the limits."""
    limiter = current_app.extensions["login_limiter"]
    for item, identifiers in login_limits(name):
        limiter.hit(item, *identifiers, cost=-1)


def lift_account_limit(name):
    """Let ``name`` try logging in again at once (``flask users unlock``)."""
    item, identifiers = account_limit(name)
    current_app.extensions["login_limiter"].clear(item, *identifiers)


def init_app(app):
    """Open the storage named by ``RATELIMIT_STORAGE_URI``."""
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["login_limiter"] = FixedWindowRateLimiter(storage)
