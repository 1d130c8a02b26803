"""Many annotators at once against gunicorn, and the faults a week of work brings: the server
killed, PostgreSQL stopped, the disk full or read-only. Afterwards the database is checked
against the clients' own logs (bench/load.py): every acknowledged save exactly once.

Bounded for CI: LOAD_SECONDS (default 8) per run; ``make bench`` runs the full 60 s.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bench import load
from bench.corpus import write_corpus
from tests.helpers import TEST_DATABASE_URL, hashed

pytestmark = pytest.mark.slow  # servers under load for seconds each: `make test-fast` skips
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "8"))
TEST_LOGIN = hashed(load.PASSWORD)  # the load users' password, as test users have it
PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))


def problems_after(uri, players):
    """The problems found comparing the database with the clients' logs."""
    return load.problems(load.check(uri, players, overlap=2))


def saved_after(players, moment):
    """Acknowledged saves started after ``moment`` (time.time())."""
    return sum(a.outcome == "saved" and a.started > moment for p in players for a in p.attempts)


@pytest.fixture
def server_log(tmp_path):
    """A file for the servers' own log, so that a failure can say what the server saw."""
    with open(tmp_path / "server.log", "w") as log:
        yield log


def trouble(log):
    """The server's tracebacks, for an assertion's message."""
    log.flush()
    said = Path(log.name).read_text()
    return said[said.find("Traceback") :][:4000] if "Traceback" in said else "no traceback"


def wait_for_saves(players, count, timeout):
    """Until the players have ``count`` acknowledged saves (at most ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(a.outcome == "saved" for p in players for a in p.attempts) >= count:
            return
        time.sleep(0.05)


def test_fifty_annotators_at_once_lose_nothing(database_uri, server_log):
    load.prepare(database_uri, 3_000, 50, password_hash=TEST_LOGIN)
    with load.Server(database_uri, workers=2, log=server_log) as server:
        players = load.play(load.logged_in(load.team(server.port, 50)), LOAD_SECONDS, think=0.1)
    result = load.summary(players, LOAD_SECONDS)
    assert result["client_failures"] == []
    assert result["server_errors"] == 0, (result["statuses"], trouble(server_log))
    assert result["outcomes"] == {"saved": result["attempts"]}  # nothing refused, no 5xx
    assert result["saved"] > 50 and {"label", "skip", "edit"} <= set(result["kinds"])
    assert problems_after(database_uri, players) == {}


def test_two_servers_on_one_database_keep_overlap(database_uri, server_log):
    """Two app servers (as on two machines) share one database; OVERLAP=2 still holds and
    nothing is lost, with 40 annotators racing for the same few sentences."""
    load.prepare(database_uri, 400, 40, password_hash=TEST_LOGIN)
    one = load.Server(database_uri, workers=2, log=server_log)
    with one, load.Server(database_uri, workers=2, log=server_log) as two:
        team = load.team(one.port, 20) + load.team(two.port, 20, first=20)
        players = load.play(load.logged_in(team), LOAD_SECONDS, think=0.05)
    result = load.summary(players, LOAD_SECONDS)
    assert result["client_failures"] == []
    assert result["server_errors"] == 0, (result["statuses"], trouble(server_log))
    assert result["saved"] > 100
    checked = load.check(database_uri, players, overlap=2)
    assert load.problems(checked) == {}
    engine = create_engine(database_uri)
    with engine.connect() as connection:
        labels = connection.execute(
            text("SELECT count(*) FROM annotations WHERE NOT skipped GROUP BY sentence_id")
        ).scalars()
        assert max(labels) == 2  # the last slots were raced for, and never over-filled
    engine.dispose()


def test_acknowledged_saves_survive_kill_9_of_the_server(database_uri, server_log):
    load.prepare(database_uri, 3_000, 30, password_hash=TEST_LOGIN)
    server = load.Server(database_uri, workers=2, log=server_log).start()
    players = load.team(server.port, 30)
    restarted = []

    def kill_and_restart():
        # once everyone is saving (on a busy machine, 30 logins alone can take seconds)
        wait_for_saves(players, 90, timeout=LOAD_SECONDS)
        server.kill()  # SIGKILL to the master and every worker, mid-transaction or not
        time.sleep(1)
        server.start()
        restarted.append(time.time())

    try:
        load.play(players, LOAD_SECONDS * 1.5, 0.05, kill_and_restart)
    finally:
        server.stop()
    result = load.summary(players, LOAD_SECONDS)
    assert result["client_failures"] == []
    assert result["server_errors"] == 0, (result["statuses"], trouble(server_log))
    assert result["outcomes"].get("no answer", 0) > 0  # the kill did hit requests in flight
    assert saved_after(players, restarted[0]) > 0  # and work went on after the restart
    checked = load.check(database_uri, players, overlap=2)
    assert load.problems(checked) == {}  # integrity_check ok, no broken revision, none lost
    if database_uri.startswith("sqlite"):
        assert checked["integrity"] == "ok"


def test_an_import_while_annotators_save_keeps_them_waiting_not_failing(
    database_uri, server_log, tmp_path
):
    """The project lead imports 60,000 sentences while 20 annotators save: the import is
    whole, and saves wait for SQLite's write lock (held only while rows are written)
    instead of failing."""
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, 60_000)
    load.prepare(database_uri, 3_000, 20, password_hash=TEST_LOGIN)
    imported = {}

    def lead_imports():
        wait_for_saves(players, 40, timeout=LOAD_SECONDS)
        imported["start"] = time.time()
        imported["seconds"], imported["done"] = load.flask_import(database_uri, corpus)
        imported["end"] = time.time()

    with load.Server(database_uri, workers=2, log=server_log) as server:
        players = load.team(server.port, 20)
        load.play(players, LOAD_SECONDS * 2, 0.2, lead_imports)
        load.play(players, 3, 0.2)  # and on after the import, however long it took
    done = imported["done"]
    assert done.returncode == 0, done.stderr
    assert "60000 sentences" in done.stdout
    result = load.summary(players, LOAD_SECONDS * 2 + 3)
    assert result["client_failures"] == []
    assert result["server_errors"] == 0, (result["statuses"], trouble(server_log))
    assert result["outcomes"] == {"saved": result["attempts"]}
    assert saved_after(players, imported["end"]) > 0
    assert problems_after(database_uri, players) == {}


FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="flask backup is for SQLite")
def test_backup_while_annotators_write_gives_a_working_copy(database_uri, tmp_path):
    # 13 MiB: many steps, were it copied in steps
    load.prepare(database_uri, 100_000, 21, password_hash=TEST_LOGIN)
    copy = tmp_path / "copy.sqlite"
    backups = []

    def back_up():
        time.sleep(LOAD_SECONDS / 3)
        env = {**os.environ, "DATABASE_URL": database_uri, "FLASK_APP": "annotator"}
        command = [FLASK, "backup", str(copy)]
        backups.append(subprocess.run(command, env=env, capture_output=True, text=True, timeout=60))

    with load.Server(database_uri, workers=2) as server:
        players = load.play(load.team(server.port, 20), LOAD_SECONDS, 0.05, back_up)
    done = backups[0]
    assert done.returncode == 0 and "integrity ok" in done.stdout, done.stdout + done.stderr
    assert saved_after(players, 0) > 0 and problems_after(database_uri, players) == {}
    restored = f"sqlite:///{copy}"
    with load.Server(restored, workers=1) as server:  # the copy is a working database
        newcomer = load.team(server.port, 1, first=20)[0]
        newcomer.log_in()
        assert newcomer.ask()
        assert newcomer.attempt("label", newcomer.current, {"claim": "claim"}) == "saved"
    checked = load.check(restored, [], overlap=2)
    assert checked["integrity"] == "ok" and checked["over_overlap"] == []
    assert checked["taken_wrong"] == [] and checked["broken_revisions"] == []
    assert 0 < checked["annotations"] <= load.check(database_uri, [], 2)["annotations"] + 1


def run_as_postgres(*command):
    """Run a PostgreSQL server command, as the postgres user when we are root."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *map(str, command)], check=True, capture_output=True)


@pytest.fixture
def own_postgres():
    """A throwaway PostgreSQL cluster this test may stop and start: (URL, pg_ctl(action))."""
    if not PG_BIN:
        pytest.skip("PostgreSQL server binaries are not installed")
    data = Path(tempfile.mkdtemp(prefix="annotator-pg-"))  # where the postgres user can go
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    bin_dir = PG_BIN[-1]
    run_as_postgres(bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
    port = load.free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data}"

    def pg_ctl(action):
        extra = ["-o", options] if action == "start" else ["-m", "fast"]
        run_as_postgres(bin_dir / "pg_ctl", "-D", data, "-l", data / "log", "-w", action, *extra)

    pg_ctl("start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", pg_ctl
    finally:
        pg_ctl("stop")
        shutil.rmtree(data, ignore_errors=True)


@pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="runs in the PostgreSQL pass (TEST_DATABASE_URL), on a cluster of its own",
)
def test_postgres_stopped_for_10_s_gives_503_then_work_resumes(own_postgres, server_log):
    uri, pg_ctl = own_postgres
    load.prepare(uri, 2_000, 21, password_hash=TEST_LOGIN)
    seen = {}

    def outage():
        watcher = load.team(server.port, 1, first=20)[0]
        watcher.log_in()
        time.sleep(2)
        pg_ctl("stop")
        stopped = time.time()
        time.sleep(1)
        status, page, _, response = watcher.request("GET", "/annotate/history")
        seen["page"] = status, response.getheader("Retry-After"), page
        seen["health"] = urllib_get(server.port, "/healthz")
        time.sleep(max(0, 10 - (time.time() - stopped)))
        pg_ctl("start")
        seen["back"] = time.time()

    with load.Server(uri, workers=2, log=server_log) as server:
        players = load.play(load.team(server.port, 20), 22, 0.1, outage)
    status, retry_after, page = seen["page"]
    assert status == 503 and retry_after == "10"
    assert "does not answer" in page and "Traceback" not in page
    assert seen["health"][0] == 503
    result = load.summary(players, 22)
    assert result["client_failures"] == []
    no_500 = set(result["statuses"]) <= {"200", "302", "503"}
    assert no_500, (result["statuses"], trouble(server_log))
    assert result["statuses"].get("503", 0) > 0
    assert saved_after(players, seen["back"]) > 0  # resumed by itself, nobody restarted it
    assert problems_after(uri, players) == {}


def urllib_get(port, path):
    """(status, headers, text) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def small_disk(tmp_path):
    """A 24 MiB tmpfs of our own, to fill up or make read-only (needs root to mount)."""
    if TEST_DATABASE_URL:
        pytest.skip("a SQLite file's disk: runs in the SQLite pass")
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", disk], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", disk], check=True)


def single_annotator_on(disk, database_uri):
    """A database on ``disk`` with 300 sentences, its server and one logged-in annotator
    who has saved five sentences."""
    path = disk / "annotator.sqlite"
    shutil.copy(database_uri.removeprefix("sqlite:///"), path)
    uri = f"sqlite:///{path}"
    load.prepare(uri, 300, 1, password_hash=TEST_LOGIN)
    server = load.Server(uri, workers=1).start()
    annotator = load.team(server.port, 1)[0]
    annotator.log_in()
    assert annotator.ask()
    for _ in range(5):
        assert annotator.attempt("label", annotator.current, {"claim": "claim"}) == "saved"
    return uri, server, annotator


def checkpoint(uri):
    """Move the WAL into the database file and truncate it, so the next write needs space."""
    connection = sqlite3.connect(uri.removeprefix("sqlite:///"))
    try:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        connection.close()


def test_full_disk_gives_a_clear_error_and_keeps_the_database_whole(small_disk, database_uri):
    uri, server, annotator = single_annotator_on(small_disk, database_uri)
    try:
        checkpoint(uri)
        filler = small_disk / "filler"
        with open(filler, "wb") as out, pytest.raises(OSError):
            while True:  # until the disk is full
                out.write(b"\0" * 65536)
                out.flush()
        sentence = annotator.current
        status, page, _, _ = annotator.request(
            "POST", f"/annotate/{sentence}", {"claim": "claim", "comment": "full"}, htmx=True
        )
        assert status == 503 and "disk is full" in page and "Traceback" not in page
        filler.unlink()  # the administrator makes room; the same save now goes through
        assert annotator.attempt("label", sentence, {"claim": "claim"}) == "saved"
    finally:
        server.stop()
    checked = load.check(uri, [annotator], overlap=2)
    assert load.problems(checked) == {} and checked["integrity"] == "ok"
    assert checked["annotations"] == 6  # five before, one after; the refused one is not stored


def test_read_only_disk_gives_a_clear_error_and_keeps_the_database_whole(small_disk, database_uri):
    uri, server, annotator = single_annotator_on(small_disk, database_uri)
    sentence = annotator.current
    server.stop()  # the disk comes back read-only (as after a remount on errors)
    subprocess.run(["mount", "-o", "remount,ro", small_disk], check=True)
    try:
        server.start(healthy=False)
        status, page, _, _ = annotator.request(
            "POST", f"/annotate/{sentence}", {"claim": "claim", "comment": "ro"}, htmx=True
        )
        assert status == 503 and "mounted read-write" in page and "Traceback" not in page
        status, _, health = urllib_get(server.port, "/healthz")
        assert status == 503 and "mounted read-write" in health
        subprocess.run(["mount", "-o", "remount,rw", small_disk], check=True)
        # no restart needed: connections opened while the disk was read-only are all closed
        # at the first write they refuse; the next one opens the database afresh
        outcomes = [annotator.attempt("label", sentence, {"claim": "claim"}) for _ in "12"]
        assert "saved" in outcomes
    finally:
        server.stop()
    checked = load.check(uri, [annotator], overlap=2)
    assert load.problems(checked) == {} and checked["integrity"] == "ok"
    assert checked["annotations"] == 6
