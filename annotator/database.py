"""How the app uses its database: timestamps in UTC, named constraints, SQLite's pragmas and
``BEGIN IMMEDIATE``, short write transactions (``writing``), and a read-only database
answered as unavailable rather than as an error."""

import sqlite3
import time
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.pool import Pool

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and always read back timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Store UTC; SQLite gets it without an offset so that text comparison orders it."""
        if value is None:
            return None
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        """Naive values are UTC."""
        if value is None or value.tzinfo:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base: named constraints (for migrations) and timezone-aware timestamps."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING),
        type_annotation_map={datetime: UTCDateTime},
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection.

    The driver's own transaction handling is switched off so that SQLAlchemy emits BEGIN
    itself (see ``_sqlite_begin``): reads then see one snapshot, and a transaction that
    must write can take the write lock up front.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged save survives a power cut
    cursor.close()


@event.listens_for(Engine, "handle_error")
def _reopen_read_only_sqlite(context):
    """SQLite keeps a file it first opened read-only read-only for every connection of the
    process, until all of them are closed: on that error, close them all (the failing one
    as a lost connection, the pooled ones by disposing of the pool), so that writes work
    again by themselves once the file or its disk is writable."""
    error = context.original_exception
    if isinstance(error, sqlite3.OperationalError) and "readonly" in str(error):
        context.is_disconnect = True
        cursor = getattr(context.execution_context, "cursor", None)
        if cursor is not None:  # else its statement keeps the closed connection's file open
            cursor.close()
        if context.engine is not None:
            context.engine.dispose()


READ_ONLY_SQL_TRANSACTION = "25006"  # PostgreSQL's SQLSTATE for a write refused as read-only


@event.listens_for(Engine, "handle_error")
def _read_only_postgres_is_unavailable(context):
    """A read-only PostgreSQL (a standby after a failover, ``default_transaction_read_only``)
    refuses writes with SQLSTATE 25006, which the driver files as an InternalError: raise it
    as the OperationalError a read-only SQLite file gives, so that it answers the 503 page
    that says why, not a 500."""
    error = context.original_exception
    if getattr(error, "sqlstate", None) == READ_ONLY_SQL_TRANSACTION:
        raise OperationalError(context.statement, context.parameters, error) from error


# A pooled connection back from its last use this recently is taken as alive without a
# ping; one idle longer is pinged before use (SQLAlchemy's ``pool_pre_ping`` pings on every
# check-out: a round trip, two or three times per request on PostgreSQL). One that died in
# that second fails its statement as a lost connection: the pool is emptied, the request
# answers 503 and the next one gets a new connection.
PING_AFTER_IDLE = 1.0  # seconds


@event.listens_for(Pool, "checkin")
def _note_idle_since(_dbapi_connection, record):
    """Remember when the connection went back to the pool."""
    record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, record, _proxy):
    """Ping a PostgreSQL connection that sat in the pool for over PING_AFTER_IDLE; a dead
    one is replaced (the pool retries the check-out with a new connection)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        return
    since = record.info.get("idle_since")
    if since is None or time.monotonic() - since < PING_AFTER_IDLE:
        return  # new, or in use a moment ago
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()  # the transaction it opened is the one the app goes on with
    except Exception as error:  # whatever failed, the connection is not usable
        raise DisconnectionError(str(error)) from error


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """BEGIN, or BEGIN IMMEDIATE for a transaction opened with ``write_transaction()``."""
    if connection.dialect.name == "sqlite":
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def app_session():
    """This app context's ``db.session``, found through the app: ``extensions`` builds ``db``
    on this module's ``Base``, so this module cannot import ``db`` itself."""
    return current_app.extensions["sqlalchemy"].session()


def write_transaction():
    """Start the session's next transaction holding SQLite's write lock; on SQLite a
    transaction already open (reads, or changes made before) is committed first. PostgreSQL
    goes on in the open transaction (READ COMMITTED: each statement sees what is committed
    when it starts, and row locks do the rest), which saves a commit, a new transaction and
    a pool check-out — three round trips — on every save. Pair it with ``SELECT ... FOR
    UPDATE SKIP LOCKED`` so one code path is race-free on both databases.
    """
    session = app_session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def answering():
    """Around a write and the reads that answer it (the next sentence's page): on PostgreSQL
    one transaction (``writing``), so that the reads need no transaction of their own (a
    BEGIN and a ROLLBACK: two round trips); on SQLite the write commits on its own, and the
    reads run after its write lock is released, not holding it while the page renders."""
    if app_session().get_bind().dialect.name == "sqlite":
        return nullcontext()
    return writing()


@contextmanager
def writing():
    """One short write transaction (see ``write_transaction``): committed when the block
    ends, rolled back on any error. Inside another ``writing()`` block it joins that one."""
    session = app_session()
    if session.info.get("writing"):
        yield
        return
    write_transaction()
    session.info["writing"] = True
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info["writing"] = False
