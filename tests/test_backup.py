"""`flask backup`: a consistent copy of the live SQLite database that works as a database."""

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from annotator import create_app
from annotator.extensions import db
from annotator.models import Sentence
from bench import load
from tests.helpers import import_texts

FLASK = str(Path(sys.executable).with_name("flask"))

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
    assert result.exit_code == 1, result.output
    assert "exists; choose a new file" in result.output
    assert taken.read_text() == "something precious"


@pytest.mark.slow  # a 40 MiB database, and `flask backup` in a process of its own
def test_a_backup_finishes_while_writes_go_on(database_uri, tmp_path):
    load.prepare(database_uri, 300_000, 1)  # ~40 MiB, 10,000 pages
    path = database_uri.removeprefix("sqlite:///")
    stop = threading.Event()

    def write_all_the_time():  # a commit every few milliseconds, as under load
        connection = sqlite3.connect(path, isolation_level=None, timeout=10)
        while not stop.is_set():
            connection.execute("UPDATE sentences SET taken = taken WHERE id = 1")
            time.sleep(0.002)
        connection.close()

    writer = threading.Thread(target=write_all_the_time)
    writer.start()
    copy = tmp_path / "copy.sqlite"
    env = {**os.environ, "DATABASE_URL": database_uri, "FLASK_APP": "annotator"}
    try:
        done = subprocess.run(
            [FLASK, "backup", str(copy)], env=env, capture_output=True, text=True, timeout=60
        )
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0 and "integrity ok" in done.stdout, done.stderr
    with sqlite3.connect(copy) as restored:
        assert restored.execute("SELECT count(*) FROM sentences").fetchone() == (300_000,)
