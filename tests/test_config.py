"""Every setting in README.md's configuration table is read from the environment."""

import importlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from annotator import create_app
from annotator.guidelines import rendered_guidelines

README = Path(__file__).resolve().parent.parent / "README.md"


def documented_settings():
    """The names in the first column of the table under README.md's "## Configuration"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return [name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row)]


def case(name, tmp_path):
    """A distinctive valid value for ``name``, and a check that the app holds it."""
    database = f"sqlite:///{tmp_path / f'{name.lower()}.sqlite'}"
    scheme = tmp_path / "scheme.toml"
    scheme.write_text('[stance]\ntargets = ["Georgia"]\n')
    guidelines = tmp_path / "guide.md"
    guidelines.write_text("# Rules from the environment\n")

    def shown_guidelines(app):
        with app.test_request_context():
            return "Rules from the environment" in rendered_guidelines()

    cases = {
        "DATABASE_URL": (database, lambda app: app.config["SQLALCHEMY_DATABASE_URI"] == database),
        "SQLALCHEMY_DATABASE_URI": (
            database,
            lambda app: app.config["SQLALCHEMY_DATABASE_URI"] == database,
        ),
        "SECRET_KEY": ("key-from-the-environment", None),
        "SESSION_COOKIE_SECURE": ("1", lambda app: app.config["SESSION_COOKIE_SECURE"] is True),
        "BLIND_OUTLET": ("1", lambda app: app.config["BLIND_OUTLET"] is True),
        "OVERLAP": ("5", lambda app: app.config["OVERLAP"] == 5),
        "LEASE_MINUTES": ("45", lambda app: app.config["LEASE_MINUTES"] == 45),
        "ANNOTATOR_SCHEMA_FILE": (
            str(scheme),
            lambda app: app.extensions["scheme"].stance_targets == ("Georgia",),
        ),
        "RATELIMIT_STORAGE_URI": ("memory://from-the-environment", None),
        "SESSION_IDLE_MINUTES": ("90", lambda app: app.config["SESSION_IDLE_MINUTES"] == 90),
        "SESSION_LIFETIME_HOURS": (
            "48",
            lambda app: app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=48),
        ),
        "TRUSTED_PROXIES": ("1", lambda app: isinstance(app.wsgi_app, ProxyFix)),
        "GUIDELINES_FILE": (str(guidelines), shown_guidelines),
        "SUGGESTIONS": ("0.25", lambda app: app.config["SUGGESTIONS"] == 0.25),
        "SUGGESTER_SECONDS": ("12", lambda app: app.config["SUGGESTER_SECONDS"] == 12),
    }
    # a setting added to the table gets a text value; give it a case of its own if it needs one
    value, check = cases.get(name, (f"{name.lower()}-from-the-environment", None))
    return value, check or (lambda app: app.config.get(name) == value)


@pytest.fixture
def app_from_environment(monkeypatch, tmp_path):
    """``build(NAME=value)``: an app made with these environment variables, the others of the
    table unset. config.py reads the environment when it is imported, once per process; a
    test is one process, so the module is imported again, as a new ``flask`` would."""
    for name in documented_settings():
        monkeypatch.delenv(name, raising=False)

    def build(**environment):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        importlib.reload(config)
        return create_app({"TESTING": True}, instance_path=str(tmp_path / "instance"))

    yield build
    monkeypatch.undo()
    importlib.reload(config)


def test_the_table_is_found():
    assert {"DATABASE_URL", "SECRET_KEY", "OVERLAP", "GUIDELINES_FILE"} <= set(
        documented_settings()
    )


@pytest.mark.parametrize("name", documented_settings())
def test_every_documented_setting_is_read_from_the_environment(
    name, app_from_environment, tmp_path
):
    value, holds = case(name, tmp_path)
    app = app_from_environment(**{name: value})
    assert holds(app), f"{name}={value!r} in the environment did not reach the app"
