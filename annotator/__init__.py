"""annotator: label news sentences for claim, attribution, stance and outlet."""

from pathlib import Path

import click
from flask import Flask

from . import disputes  # noqa: F401  (its session events keep the disputes table)
from .extensions import csrf, db, htmx, login, migrate
from .pages import incoming
from .schema import load_scheme
from .signing_key import load_secret_key
from .suggesting import SettingProblem, share_of

ROOT = Path(__file__).resolve().parent.parent
SMALLEST_SETTINGS = {
    "OVERLAP": 1,
    "LEASE_MINUTES": 1,
    "SESSION_IDLE_MINUTES": 1,
    "SESSION_LIFETIME_HOURS": 1,
    "TRUSTED_PROXIES": 0,
    "SUGGESTER_SECONDS": 0,
}


def check_settings(config):
    """Refuse settings that cannot work, naming the setting and a valid value."""
    for name, least in SMALLEST_SETTINGS.items():
        value = config.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise SettingsError(f"{name}={value!r}: must be a whole number of at least {least}")
    try:
        config["SUGGESTIONS"] = share_of(config.get("SUGGESTIONS", "on"))
    except SettingProblem as problem:
        raise SettingsError(str(problem)) from None


class SettingsError(click.ClickException, ValueError):
    """A setting that cannot work; ``flask`` prints it as one line."""


def create_app(config=None, instance_path=None):
    """Build the app: settings, extensions, blueprints and CLI commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=instance_path,
        instance_relative_config=True,
    )
    app.config.from_object("config.Config")
    app.config.from_pyfile("config.py", silent=True)
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        database = Path(app.instance_path) / "annotator.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(Path(app.instance_path))

    check_settings(app.config)
    app.extensions["scheme"] = load_scheme(app.config.get("ANNOTATOR_SCHEMA_FILE"))
    incoming.init_app(app)  # first: see its init_app
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login.init_app(app)
    htmx.init_app(app)

    from . import commands, pages
    from .pages import annotate, auth, documents, review
    from .suggesting import training

    for blueprint in (auth.bp, annotate.bp, documents.bp, review.bp):
        app.register_blueprint(blueprint)
    pages.init_app(app)
    commands.init_app(app)
    training.init_app(app)
    return app
