"""Many annotators at once: a bounded load against gunicorn, checked against the client's log.

Each simulated annotator is a thread with its own keep-alive connection and session. It logs
in as a browser does (CSRF token and all), then for a bounded time: thinks briefly, and saves
the sentence it was handed (htmx: the answer is the next sentence), sometimes skips it, and
sometimes goes back to one it labelled and edits it. Every save carries a unique marker in
its comment, so afterwards the database can be checked against the client's own log: every
acknowledged save present exactly once (as the annotation or one of its revisions), nothing
unknown stored, ``OVERLAP`` never exceeded, the ``taken`` counters true, revisions unbroken.

Used by ``make bench`` (50 annotators for 60 s, and a saturation sweep) and by the tests
(bounded: fewer seconds, a server killed or a database stopped in the middle).
"""

import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from flask_migrate import upgrade
from sqlalchemy import create_engine, insert, select, text

from annotator import create_app, suggesting
from annotator.disputes import computed, kept_rows
from annotator.extensions import db
from annotator.models import (
    DOCUMENTS,
    SENTENCES,
    USERS,
    Annotation,
    AnnotationRevision,
    Lease,
    Sentence,
    User,
)
from annotator.schema import Scheme

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
FLASK = str(Path(sys.executable).with_name("flask"))
PASSWORD = "load-test-password"
PER_DOCUMENT = 25
MAX_ANNOTATORS = 500  # the load is bounded in count and in time, whatever the caller asks
MAX_SECONDS = 600
CSRF_IN_FORM = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CSRF_IN_HEADERS = re.compile(r'"X-CSRFToken": "([^"]+)"')
CURRENT = re.compile(r'data-sentence="(\d+)"')
REVISION = re.compile(r'name="revision" id="revision" value="(\d*)"')
SERVER_MESSAGE = re.compile(r'<p class="error banner" role="alert">([^<]*)</p>')


def prepare(uri, sentences, annotators, suggestions=False, password_hash=None):
    """Migrate the (empty) database at ``uri``; add ``sentences`` fresh sentences in
    articles of 25 and the annotators ``load0``… with one password (``password_hash``: its
    hash, made by the app's method by default); with ``suggestions``, their suggestions
    too, as the server's worker leaves them after an import (a run then measures a project
    at work, not the worker's first pass over new articles)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "load"})
    with app.app_context():
        upgrade()
        if password_hash is None:
            probe = User(name="probe")
            probe.set_password(PASSWORD)  # hashed once: the hash is the same for everyone
            password_hash = probe.password_hash
        db.session.execute(
            insert(USERS),
            [
                {
                    "name": f"load{n}",
                    "role": "annotator",
                    "active": True,
                    "password_hash": password_hash,
                    "session_token": f"load-token-{n}",
                }
                for n in range(annotators)
            ],
        )
        documents = -(-sentences // PER_DOCUMENT)
        db.session.execute(
            insert(DOCUMENTS),
            [
                {"id": f"load-{n}", "seq": n + 1, "text": "x", "content_hash": f"load-{n}"}
                for n in range(documents)
            ],
        )
        db.session.execute(
            insert(SENTENCES),
            [
                {
                    "document_id": f"load-{n // PER_DOCUMENT}",
                    "index": n % PER_DOCUMENT,
                    "paragraph": n % PER_DOCUMENT // 5,
                    "start": 0,
                    "end": 1,
                    "text": f"Officials said on Monday that plan {n} would go ahead.",
                    "taken": 0,
                }
                for n in range(sentences)
            ],
        )
        db.session.commit()
        if suggestions:
            suggesting.make_missing()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.engine.dispose()


def free_port():
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving the app on 127.0.0.1, as ``make serve`` runs it; its own process
    group, so that ``kill()`` takes the master and every worker down at once."""

    def __init__(self, uri, workers=4, port=None, log=None):
        self.uri = uri
        self.workers = workers
        self.port = port or free_port()
        if log is None and os.environ.get("LOAD_SERVER_LOG"):  # to see the server's errors
            log = open(os.environ["LOAD_SERVER_LOG"], "a")  # noqa: SIM115
        self.log = log
        self.process = None

    def start(self, wait=30, healthy=True):
        """Start gunicorn; wait until ``/healthz`` says ok (or, with ``healthy=False``, until
        it answers at all)."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DATABASE_URL": self.uri,
            "SECRET_KEY": "load-test-secret",
        }
        if "SUGGESTER_SECONDS" in os.environ:  # to measure without the background worker
            env["SUGGESTER_SECONDS"] = os.environ["SUGGESTER_SECONDS"]
        command = [GUNICORN, "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}"]
        command += os.environ.get("LOAD_GUNICORN_ARGS", "").split()
        self.process = subprocess.Popen(
            [*command, "--graceful-timeout", "5", "annotator:create_app()"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self.log or subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while not (self.healthy() if healthy else self.answers()):
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer /healthz within {wait} s")
            time.sleep(0.1)
        return self

    def healthy(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2):
                return True
        except OSError:
            return False

    def kill(self):
        """``kill -9`` the master and all its workers."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_):
        self.stop()


@dataclass
class Attempt:
    """One save as the client saw it: ``outcome`` is 'saved' (acknowledged: the next
    sentence came back), 'refused' (the server said no, with a message), 'server error'
    (5xx) or 'no answer' (the connection failed: it may or may not have been stored)."""

    annotator: str
    kind: str  # label, skip or edit
    sentence: int
    marker: str
    outcome: str
    status: int | None
    seconds: float
    started: float


@dataclass
class Annotator:
    """One simulated annotator; ``attempts`` is its log."""

    name: str
    port: int
    until: float
    think: float
    seed: int
    attempts: list = field(default_factory=list)
    failure: str | None = None
    statuses: Counter = field(default_factory=Counter)
    connection: http.client.HTTPConnection | None = None
    cookie: str = ""
    token: str = ""
    current: int | None = None
    labelled: list = field(default_factory=list)
    serial: int = 0

    def request(self, method, path, form=None, htmx=False):
        """(status, body, seconds) of one request; raises OSError when there is no answer."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if htmx:
            headers |= {"HX-Request": "true", "X-CSRFToken": self.token}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            page = response.read().decode()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = None
            raise OSError(str(error)) from error
        seconds = time.perf_counter() - started
        self.statuses[response.status] += 1
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, page, seconds, response

    def log_in(self):
        _, page, _, _ = self.request("GET", "/login")
        form = {"name": self.name, "password": PASSWORD, "csrf_token": CSRF_IN_FORM.search(page)[1]}
        status, _, _, _ = self.request("POST", "/login", form)
        if status != 302:
            raise RuntimeError(f"{self.name} could not log in: {status}")

    def ask(self):
        """Ask for my sentence (the one I hold, or the next): the workspace as a full page,
        which also carries the CSRF token for htmx requests."""
        status, page, _, response = self.request("GET", "/annotate")
        if status == 302:
            status, page, _, _ = self.request("GET", response.getheader("Location"))
        if status != 200:
            return False
        self.token = CSRF_IN_HEADERS.search(page)[1]
        found = CURRENT.search(page)
        self.current = int(found[1]) if found else None
        return True

    def attempt(self, kind, sentence, form):
        """POST a save with a fresh marker and log what came back."""
        self.serial += 1
        marker = f"{self.name}#{self.serial}"
        form = {**form, ("reason" if kind == "skip" else "comment"): marker}
        path = f"/annotate/{sentence}/skip" if kind == "skip" else f"/annotate/{sentence}"
        started = time.time()
        try:
            status, page, seconds, _ = self.request("POST", path, form, htmx=True)
        except OSError:
            outcome, status, seconds, page = "no answer", None, None, ""
        else:
            message = SERVER_MESSAGE.search(page)
            if status >= 500:
                outcome = "server error"
            elif status != 200 or message:
                outcome = "refused"
            else:
                outcome = "saved"
        self.attempts.append(Attempt(self.name, kind, sentence, marker, outcome, status,
                                     seconds, started))  # fmt: skip
        if outcome == "saved":
            found = CURRENT.search(page)
            self.current = int(found[1]) if found else None
        return outcome

    def step(self, chooser):
        """Do one thing an annotator does."""
        roll = chooser.random()
        labels = {"claim": chooser.choice(["not_claim", "claim"]), "source_type": "author"}
        labels["seconds"] = f"{chooser.uniform(1, 9):.1f}"
        if roll < 0.08 and self.labelled:  # go back to one I labelled and change it
            earlier = chooser.choice(self.labelled)
            status, page, _, _ = self.request("GET", f"/annotate/{earlier}", htmx=True)
            if status != 200:
                return "server error" if status >= 500 else "refused"
            revision = REVISION.search(page)[1]
            return self.attempt("edit", earlier, {**labels, "revision": revision})
        sentence = self.current
        if roll < 0.13:
            return self.attempt("skip", sentence, {})
        outcome = self.attempt("label", sentence, labels)
        if outcome == "saved":
            self.labelled.append(sentence)
        return outcome

    def run(self):
        chooser = random.Random(self.seed)
        while time.monotonic() < self.until:
            try:
                if not self.cookie:
                    self.log_in()
                if self.current is None and not self.ask():
                    raise OSError("no workspace")
                if self.current is None:
                    return  # nothing left to label
                time.sleep(self.think * chooser.uniform(0.5, 1.5))
                if self.step(chooser) != "saved":
                    self.current = None  # find out where I am, as a person would reload
                    time.sleep(0.5)
            except OSError:  # the server is down or restarting: wait and try again
                self.current = None
                time.sleep(0.5)
            except Exception as error:  # a bug in the client or an answer it cannot read
                self.failure = f"{type(error).__name__}: {error}"
                return


def team(port, annotators, first=0, seed=0):
    """``annotators`` simulated annotators, ``load{first}``… (bounded in number)."""
    count = min(annotators, MAX_ANNOTATORS)
    return [
        Annotator(f"load{first + n}", port, 0.0, 0.0, seed * 10_000 + first + n)
        for n in range(count)
    ]


def logged_in(players):
    """Log the players in and let each ask for its first sentence, all at once (a thread
    each), before a timed run: a login checks a password (~0.2 s of a core with the app's
    hash), so on a slow machine 50 logins took all of a short run. Returns the players."""

    def start(player):
        try:
            player.log_in()
            player.ask()
        except OSError:
            player.cookie = ""  # the run logs in again

    threads = [threading.Thread(target=start, args=(player,), daemon=True) for player in players]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return players


def play(players, seconds, think, during=None):
    """Let the annotators work for ``seconds`` (bounded), thinking ``think`` seconds on
    average between saves; ``during()`` is called in this thread meanwhile. They keep their
    sessions and sentences, so a team can play several stages in a row."""
    until = time.monotonic() + min(seconds, MAX_SECONDS)
    for player in players:
        player.until, player.think = until, think
    threads = [threading.Thread(target=player.run, daemon=True) for player in players]
    for thread in threads:
        thread.start()
    if during:
        during()
    for thread in threads:
        thread.join(timeout=max(until - time.monotonic(), 0) + 60)
    return players


def flask_import(uri, path):
    """``flask import PATH`` into ``uri``, as the project lead runs it while annotators work:
    (seconds, the finished process)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": uri,
           "SECRET_KEY": "load-test-secret"}  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(
        [FLASK, "import", str(path)], env=env, cwd=ROOT, capture_output=True, text=True
    )
    return time.perf_counter() - started, done


def longest_wait(players, start, end):
    """The longest save round trip (seconds) of those started between ``start`` and ``end``
    (time.time()), refused or not."""
    waits = [a.seconds for p in players for a in p.attempts
             if a.seconds is not None and start <= a.started <= end]  # fmt: skip
    return max(waits, default=0.0)


def summary(players, seconds, since=0.0):
    """Counts and latencies of the saves started after ``since`` (time.time())."""
    attempts = [a for player in players for a in player.attempts if a.started >= since]
    saved = [a for a in attempts if a.outcome == "saved"]
    timings = sorted(a.seconds * 1000 for a in saved if a.kind != "edit")
    statuses = sum((player.statuses for player in players), Counter())  # every request
    return {
        "annotators": len(players),
        "seconds": seconds,
        "attempts": len(attempts),
        "saved": len(saved),
        "saves_per_second": len(saved) / seconds,
        "outcomes": dict(Counter(a.outcome for a in attempts)),
        "kinds": dict(Counter(a.kind for a in saved)),
        "requests": sum(sum(player.statuses.values()) for player in players),
        "server_errors": sum(count for code, count in statuses.items() if code >= 500),
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "p50_ms": statistics.median(timings) if timings else None,
        "p99_ms": timings[max(int(len(timings) * 0.99) - 1, 0)] if timings else None,
        "client_failures": [p.failure for p in players if p.failure],
    }


def check(uri, players, overlap):
    """Compare the database with the clients' logs; a dict of problems (empty lists when
    all is well) and counts."""
    attempts = [attempt for player in players for attempt in player.attempts]
    engine = create_engine(uri)
    with engine.connect() as connection:
        current = connection.execute(
            select(Annotation.id, Annotation.comment, Annotation.revision)
        ).all()
        revisions = connection.execute(
            select(
                AnnotationRevision.annotation_id,
                AnnotationRevision.revision,
                AnnotationRevision.comment,
            )
        ).all()
        labelled = Counter(
            connection.execute(
                select(Annotation.sentence_id).where(Annotation.skipped.is_(False))
            ).scalars()
        )
        leased = Counter(connection.execute(select(Lease.sentence_id)).scalars())
        taken = dict(connection.execute(select(Sentence.id, Sentence.taken)).all())
        integrity = None
        if engine.dialect.name == "sqlite":
            integrity = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
        # the disagreements kept while annotators saved at once, against those computed
        # from scratch in the same snapshot (read only: the server may still be writing)
        kept = {row["sentence_id"]: row for row in kept_rows(connection)}
        rebuilt = {row["sentence_id"]: row for row in computed(connection, Scheme())}
        connection.rollback()
    engine.dispose()
    stored = Counter(row.comment for row in current) + Counter(row.comment for row in revisions)
    by_marker = {attempt.marker: attempt for attempt in attempts}
    acknowledged = [a.marker for a in attempts if a.outcome == "saved"]
    versions = {}
    for row in revisions:
        versions.setdefault(row.annotation_id, []).append(row.revision)
    return {
        "lost": [marker for marker in acknowledged if stored[marker] == 0],
        "duplicated": [marker for marker, count in stored.items() if count > 1],
        "unknown": [marker for marker in stored if marker not in by_marker],
        "refused_but_stored": [
            m for m in stored if m in by_marker and by_marker[m].outcome == "refused"
        ],
        "over_overlap": [s for s, count in labelled.items() if count > overlap],
        "taken_wrong": [s for s, count in taken.items() if count != labelled[s] + leased[s]],
        "broken_revisions": [
            row.id
            for row in current
            if sorted(versions.get(row.id, [])) != list(range(1, row.revision))
        ],
        "disputes_wrong": sorted(
            s for s in kept.keys() | rebuilt.keys() if kept.get(s) != rebuilt.get(s)
        ),
        "disputes": len(kept),
        "integrity": integrity,
        "unacknowledged_stored": sum(
            1 for m in stored if m in by_marker and by_marker[m].outcome != "saved"
        ),
        "annotations": len(current),
        "revisions": len(revisions),
    }


def problems(checked):
    """The non-empty problem lists of a ``check`` result."""
    names = ["lost", "duplicated", "unknown", "refused_but_stored", "over_overlap",
             "taken_wrong", "broken_revisions", "disputes_wrong"]  # fmt: skip
    found = {name: checked[name][:10] for name in names if checked[name]}
    if checked["integrity"] not in (None, "ok"):
        found["integrity"] = checked["integrity"]
    return found
