"""`flask backup`: a consistent copy of the live SQLite database that works as a database."""

import os

import pytest
from helpers import import_texts
from sqlalchemy import func, select

from annotator import create_app
from annotator.extensions import db
from annotator.models import Sentence

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="flask backup is for SQLite; PostgreSQL uses pg_dump",
)


def test_a_backup_is_a_working_database(app, runner, tmp_path):
    import_texts(tmp_path, ["One is here.", "Two is here."])
    copy = tmp_path / "backups" / "copy.sqlite"
    result = runner.invoke(args=["backup", str(copy)])
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    restored = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}", "SECRET_KEY": "x"})
    with restored.app_context():
        assert db.session.scalar(select(func.count()).select_from(Sentence)) == 2
        assert restored.test_client().get("/healthz").json["status"] == "ok"
        db.engine.dispose()


def test_a_backup_never_overwrites(app, runner, tmp_path):
    taken = tmp_path / "taken.sqlite"
    taken.write_text("something precious")
    result = runner.invoke(args=["backup", str(taken)])
    assert result.exit_code == 1
    assert "exists; choose a new file" in result.output
    assert taken.read_text() == "something precious"
