"""annotator: label news sentences for claim, attribution, stance and outlet."""

from pathlib import Path

from flask import Flask

from .extensions import csrf, db, htmx, login, migrate
from .secrets import load_secret_key

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the app: settings, extensions, blueprints and CLI commands."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_relative_config=True)
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

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login.init_app(app)
    htmx.init_app(app)

    from . import auth, cli, documents, errors, importing, setup

    app.register_blueprint(auth.bp)
    app.register_blueprint(documents.bp)
    for module in (cli, errors, importing, setup):
        module.init_app(app)
    return app
