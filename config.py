"""Settings for annotator, read from the environment with safe defaults.

Anything here can also be set in ``instance/config.py`` (loaded after this module)
or passed to ``create_app(config)`` by tests.
"""

import os

import orjson


def _int_env(name, default):
    """Read an integer setting, naming the variable when its value is not a number."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(
            f"{name}={raw!r} is not a whole number; set it to e.g. {default}."
        ) from None


class Config:
    """Defaults; every value may be overridden by an environment variable of the same name."""

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or os.environ.get(
        "SQLALCHEMY_DATABASE_URI"
    )
    # JSON columns through orjson: several times faster than the standard library, which
    # matters when exports and imports move millions of labels
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_pre_ping": False,  # a connection idle for over a second is pinged: database.py
        "json_serializer": lambda value: orjson.dumps(value).decode(),
        "json_deserializer": orjson.loads,
    }
    SECRET_KEY = os.environ.get("SECRET_KEY")
    OVERLAP = _int_env("OVERLAP", 2)
    LEASE_MINUTES = _int_env("LEASE_MINUTES", 30)
    ANNOTATOR_SCHEMA_FILE = os.environ.get("ANNOTATOR_SCHEMA_FILE")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "").lower() in {"1", "true"}
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # a form's CSRF token is good for as long as its session: a workspace left open over
    # lunch still saves (the session's own lifetime is what ends it)
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # login limits: counted in the app's database, shared by every process and machine
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "database://")
    # a session ends after this long unused (a working day with its breaks fits; a tab left
    # overnight asks for the password, keeping what was typed), and after this long at most
    SESSION_IDLE_MINUTES = _int_env("SESSION_IDLE_MINUTES", 12 * 60)
    SESSION_LIFETIME_HOURS = _int_env("SESSION_LIFETIME_HOURS", 7 * 24)
    # reverse proxies in front that set X-Forwarded-For/-Proto: with 0, those headers are
    # ignored (anyone could send them); behind one proxy, 1 gives each user their own address
    TRUSTED_PROXIES = _int_env("TRUSTED_PROXIES", 0)
    GUIDELINES_FILE = os.environ.get("GUIDELINES_FILE")  # None: seeds/guidelines.md
    # outlet-blind labelling (a bias control): annotators do not see an article's outlet or
    # publisher; a sentence's outlet label is the article's unless they name another
    BLIND_OUTLET = os.environ.get("BLIND_OUTLET", "").lower() in {"1", "true"}
    # suggested labels (annotator.suggesting): "on", "off", or the share of sentences,
    # chosen at random, that show them (the rest record them hidden, to measure their effect)
    SUGGESTIONS = os.environ.get("SUGGESTIONS", "on")
    # how often each server process's background worker makes the suggestions of newly
    # imported documents and, after 50 new annotations, retrains the claim classifier;
    # 0: never (``flask suggest --missing`` and ``--train`` still do)
    SUGGESTER_SECONDS = _int_env("SUGGESTER_SECONDS", 5)
