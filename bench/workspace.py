"""Benchmark of save-and-next over HTTP, and the workspace's page weight.

A server process (werkzeug, threaded, HTTP/1.1 keep-alive) serves a database of 100,000
sentences with durable commits (SQLite: synchronous=FULL; PostgreSQL: its default fsync).
One client logs in as a real browser would (CSRF token and all) and labels sentences with
htmx requests: each POST stores the labels and answers with the next sentence's partial.
Client round trip and the app's own time (``Server-Timing``) are recorded.
"""

import http.client
import os
import re
import statistics
import subprocess
import sys
import time
from urllib.parse import urlencode

import assignment
from flask_migrate import upgrade
from sqlalchemy import event, update

from annotator import create_app, suggesting
from annotator.extensions import db
from annotator.models import Annotation, User
from annotator.suggesting import training

SERVE = """
import logging, sys
from werkzeug.serving import WSGIRequestHandler, make_server
logging.getLogger("werkzeug").setLevel(logging.WARNING)
from annotator import create_app, suggesting
WSGIRequestHandler.protocol_version = "HTTP/1.1"
server = make_server("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True)
print("ready", flush=True)
server.serve_forever()
"""


def prepare(uri, total):
    """A migrated database with ``total`` sentences, their suggestions and a claim
    classifier trained on the labels (as the server's worker leaves them), and a user
    'bench'."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        assignment.fill(total, 20, app.config["OVERLAP"])  # half of it labelled by others
        # a third of those labels say "claim" (fill writes one label), for a classifier to
        # learn two kinds from: trained here, as the worker would have, not during the run
        claim = {**assignment.LABELS, "claim": "claim"}
        db.session.execute(update(Annotation).where(Annotation.id % 3 == 0).values(labels=claim))
        db.session.commit()
        suggesting.make_missing()
        training.retrain(force=True)
        user = User(name="bench", role="annotator")
        user.set_password("bench-password")
        db.session.add(user)
        db.session.commit()
        db.engine.dispose()


class Browser:
    """A keep-alive HTTP client that keeps the session cookie."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port)
        self.cookie = ""

    def request(self, method, path, body=None, headers=None):
        """(status, headers, text, seconds) of one request."""
        headers = {"Cookie": self.cookie, **(headers or {})}
        if body is not None:
            body = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        seconds = time.perf_counter() - started
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, response, text, seconds


def server_ms(response):
    """The app's own time from the Server-Timing header."""
    return float(re.search(r"dur=([\d.]+)", response.getheader("Server-Timing")).group(1))


SAVE_FORM = {"claim": "not_claim", "source_type": "author", "seconds": "1.0"}


def round_trips(uri, saves=50):
    """What one save-and-next sends to the database, counted in this process through
    Flask's test client on the benchmark's database (after the timed run): statements, and
    BEGIN / COMMIT / ROLLBACK (on PostgreSQL each is a round trip; SQLite runs them in
    process). Returns the mean per save, rounded."""
    # no background suggester here: its rounds are not the save's
    settings = {"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "SUGGESTER_SECONDS": 0}
    app = create_app(settings)
    counted = {"statements": 0, "transactions": 0}
    with app.app_context():
        engine = db.engine

    def statement(_connection, _cursor, sql, *_):
        if not sql.startswith("BEGIN"):  # SQLite's BEGIN is sent as a statement: counted below
            counted["statements"] += 1

    def transaction(*_):
        counted["transactions"] += 1

    client = app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    credentials = {"name": "bench", "password": "bench-password", "csrf_token": token}
    client.post("/login", data=credentials)
    page = client.get("/annotate", follow_redirects=True).text
    headers = {"HX-Request": "true", "X-CSRFToken": re.search(r'"X-CSRFToken": "([^"]+)"', page)[1]}
    event.listen(engine, "before_cursor_execute", statement)
    for name in ("begin", "commit", "rollback"):
        event.listen(engine, name, transaction)
    for _ in range(saves):
        sentence = re.search(r'data-sentence="(\d+)"', page).group(1)
        page = client.post(f"/annotate/{sentence}", data=SAVE_FORM, headers=headers).text
    with app.app_context():
        db.engine.dispose()
    # a transaction's BEGIN and its end: two round trips, counted at the end only
    trips = counted["statements"] + counted["transactions"]
    return {key: round(value / saves, 1) for key, value in {**counted, "trips": trips}.items()}


def run(uri, total=100_000, saves=1_000, port=54891):
    """Label ``saves`` sentences over HTTP against the database at ``uri`` (emptied
    first); return timings and page weights."""
    prepare(uri, total)
    env = {**os.environ, "DATABASE_URL": uri, "SECRET_KEY": "bench"}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(port)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout.readline().strip() == "ready"
        browser = Browser(port)
        _, _, login_page, _ = browser.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
        credentials = {"name": "bench", "password": "bench-password", "csrf_token": token}
        status, _, _, _ = browser.request("POST", "/login", credentials)
        assert status == 302, status
        status, response, _, _ = browser.request("GET", "/annotate")
        path = response.getheader("Location")
        _, _, page, _ = browser.request("GET", path)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        weights = {"workspace HTML": len(page.encode())}
        for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page):
            weights[asset] = len(browser.request("GET", asset)[2].encode())
        external = re.findall(r'(?:href|src)="(https?://[^"]+)"', page)
        headers = {"HX-Request": "true", "X-CSRFToken": token}
        client, app_time = [], []
        for _ in range(saves):
            sentence = re.search(r'data-sentence="(\d+)"', page).group(1)
            status, response, page, seconds = browser.request(
                "POST", f"/annotate/{sentence}", SAVE_FORM, headers
            )
            assert status == 200 and 'id="current"' in page, (status, page[:300])
            client.append(seconds * 1000)
            app_time.append(server_ms(response))
    finally:
        server.terminate()
        server.wait()
    trips = round_trips(uri)
    client.sort()
    app_time.sort()
    return {
        "database": uri.split(":", 1)[0],
        "saves": saves,
        "client_p50": statistics.median(client),
        "client_p99": client[int(len(client) * 0.99) - 1],
        "app_p50": statistics.median(app_time),
        "app_p99": app_time[int(len(app_time) * 0.99) - 1],
        "weights": weights,
        "external": external,
        "round_trips": trips,
    }
