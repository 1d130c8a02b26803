"""`make serve`'s server: gunicorn with several workers serves the app on one database."""

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import load

pytestmark = pytest.mark.slow  # each test starts real servers: `make test-fast` skips them
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
ROOT = Path(__file__).resolve().parent.parent


def free_port():
    """A port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_workers_answer_the_health_check(database_uri, tmp_path):
    port = free_port()
    env = {"DATABASE_URL": database_uri, "SECRET_KEY": "serve-test", "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen(
        [GUNICORN, "--workers", "2", "--bind", f"127.0.0.1:{port}", "annotator:create_app()"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as response:
                    health = json.loads(response.read())
                    headers = response.headers
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        assert health["status"] == "ok"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=10)


class FlaskRun:
    """``flask run`` (threaded, as ``make run`` starts it) on a port of its own."""

    def __init__(self, uri):
        self.uri, self.port, self.process = uri, free_port(), None

    def __enter__(self):
        env = {"DATABASE_URL": self.uri, "SECRET_KEY": "serve-test", "PATH": "/usr/bin:/bin"}
        command = [str(Path(sys.executable).with_name("flask")), "run", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while not load.Server.healthy(self):
            assert self.process.poll() is None and time.monotonic() < deadline, "flask run"
            time.sleep(0.1)
        return self

    def __exit__(self, *_):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.mark.parametrize("server", ["gunicorn, 2 workers", "flask run"])
def test_login_attempts_sent_together_get_only_the_limit_checked(database_uri, make_user, server):
    """30 tries for one account at once, one of them with the right password: at most 5
    wrong ones get as far as the password check, whichever worker or thread answers them
    (a login that succeeds gives its attempt back)."""
    make_user("alice")
    running = load.Server(database_uri, workers=2) if server.startswith("gunicorn") else None
    with running or FlaskRun(database_uri) as running:
        tries = [load.Annotator("alice", running.port, until=0, think=0, seed=n) for n in range(30)]
        forms = []
        for number, attempt in enumerate(tries):
            _, page, _, _ = attempt.request("GET", "/login")
            password = "secret-pass" if number == 29 else "wrong-password"
            token = load.CSRF_IN_FORM.search(page)[1]
            forms.append({"name": "alice", "password": password, "csrf_token": token})
        together = threading.Barrier(len(tries))

        def try_at_once(attempt, form):
            together.wait()
            return attempt.request("POST", "/login", form)[0]

        with ThreadPoolExecutor(len(tries)) as pool:
            statuses = Counter(pool.map(try_at_once, tries, forms))
    assert set(statuses) <= {200, 302, 429} and statuses[302] <= 1, statuses
    assert statuses[200] <= 5 and statuses[429] >= 24, statuses
