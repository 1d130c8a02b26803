"""Security headers on every answer, and the health endpoint."""

import json
import re
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from annotator import create_app
from annotator.extensions import db
from annotator.models import Annotation
from annotator.pages.errors import unavailable_reason
from tests.helpers import TEST_DATABASE_URL, import_texts, make_app


def test_every_answer_carries_the_security_headers(client, auth):
    auth.login("admin")
    for path in ("/login", "/static/annotator.css", "/nowhere", "/documents"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, path
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_need_no_inline_script(client, auth):
    auth.login("admin")
    page = client.get("/documents").text
    assert "<script>" not in page and "<script " not in page.replace("<script src=", "")
    htmx_config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)[1]
    assert json.loads(htmx_config)["allowEval"] is False  # nor does htmx evaluate strings


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["migration"]


def test_healthz_fails_when_migrations_are_behind(client, app):
    current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    db.session.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    db.session.commit()
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert "database schema at 0003" in response.json["reason"]
        assert "run flask db upgrade" in response.json["reason"]
    finally:  # PostgreSQL test runs share the schema: put the version back
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()


def test_oversized_requests_are_refused_and_store_nothing(client, auth, tmp_path):
    auth.login("admin")
    import_texts(tmp_path, ["One is here.", "Two is here."])
    sentence = client.get("/annotate").headers["Location"].rsplit("/", 1)[1]
    huge = client.post(
        f"/annotate/{sentence}",
        data={"claim": "claim", "source_type": "author", "comment": "x" * (10 * 1024 * 1024)},
    )
    assert huge.status_code == 413
    assert "Nothing was saved" in huge.text
    many = {f"field{n}": "1" for n in range(10_000)} | {"claim": "claim"}
    assert client.post(f"/annotate/{sentence}", data=many).status_code == 413
    spans = {"claim": "claim", "source_start": ["1"] * 10_000, "source_end": ["2"] * 10_000}
    refused = client.post(f"/annotate/{sentence}", data=spans)
    assert refused.status_code == 413 and "Nothing was saved" in refused.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Annotation)) == 0


def test_a_database_that_does_not_answer_gives_a_503_page_not_a_trace():
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
         "SECRET_KEY": "x"}
    )  # fmt: skip
    client = app.test_client()
    page = client.get("/login").text  # the login page itself needs no database
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    form = {"name": "ana", "password": "secret-pass", "csrf_token": token}
    response = client.post("/login", data=form)
    assert response.status_code == 503
    assert "The database cannot be used right now" in response.text
    assert "Nothing was saved" in response.text and "Traceback" not in response.text
    assert response.headers["Retry-After"] == "10"
    assert client.get("/healthz").status_code == 503


@pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="PostgreSQL drops a connection when it restarts; a SQLite file has none to drop",
)
def test_a_connection_dropped_after_the_answer_is_made_does_not_turn_it_into_a_500(
    database_uri,
):
    app = make_app(database_uri)  # its own app context per request, as in production
    killer = create_engine(database_uri)

    @app.after_request
    def database_restarts_now(response):
        backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with killer.begin() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        return response

    client = app.test_client()
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json["status"] == "ok"
    assert client.get("/login").status_code == 200  # the pool gave it a fresh connection
    killer.dispose()


@pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="a deadlock between two transactions needs PostgreSQL's row locks",
)
def test_a_deadlock_is_explained_as_a_collision_not_as_an_outage(make_user):
    first, second = make_user("ana").id, make_user("ben").id
    engine = create_engine(TEST_DATABASE_URL)
    rename = text("UPDATE users SET name = name WHERE id = :id")
    one, two = engine.connect(), engine.connect()
    one.execute(rename, {"id": first})
    two.execute(rename, {"id": second})
    errors = []

    def cross(connection, row):
        try:
            connection.execute(rename, {"id": row})
        except OperationalError as error:
            errors.append(error)

    waiting = threading.Thread(target=cross, args=(one, second))
    waiting.start()
    time.sleep(0.5)  # ``one`` now waits for ``two``'s row; ``two`` asks for ``one``'s
    cross(two, first)  # PostgreSQL undoes one of the two, and the other goes on
    two.close()
    waiting.join()
    one.close()
    engine.dispose()
    assert len(errors) == 1 and "deadlock detected" in str(errors[0])
    assert unavailable_reason(errors[0]).startswith("Two changes to the same data collided")


def test_a_write_lock_held_elsewhere_is_explained_as_busy(tmp_path):
    path = tmp_path / "busy.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")  # an import, say, holding the write lock
    waiter = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as refused:
        waiter.execute("BEGIN IMMEDIATE")
    holder.close(), waiter.close()
    error = OperationalError("BEGIN IMMEDIATE", {}, refused.value)
    assert unavailable_reason(error).startswith("The database is busy with a long write")


@pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="a read-only PostgreSQL server (a standby after a failover)",
)
def test_a_read_only_postgres_answers_the_503_page_that_says_so(client, auth, tmp_path):
    auth.login("admin")
    import_texts(tmp_path, ["One is here.", "Two is here."])
    sentence = client.get("/annotate").headers["Location"].rsplit("/", 1)[1]
    form = {"claim": "not_claim", "source_type": "author"}
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT").connect()
    name = admin.scalar(text("SELECT quote_ident(current_database())"))
    admin.execute(text(f"ALTER DATABASE {name} SET default_transaction_read_only = on"))
    db.engine.dispose()  # the app's next connections start read-only, as on a standby
    try:
        refused = client.post(f"/annotate/{sentence}", data=form, headers={"HX-Request": "true"})
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "10"
        assert "takes no writes" in refused.text and "Traceback" not in refused.text
        health = client.get("/healthz")
        assert health.status_code == 503 and "takes no writes" in health.json["reason"]
    finally:
        admin.execute(text(f"ALTER DATABASE {name} RESET default_transaction_read_only"))
        admin.close()
        db.engine.dispose()
    assert db.session.scalar(db.select(db.func.count()).select_from(Annotation)) == 0
    saved = client.post(f"/annotate/{sentence}", data=form, headers={"HX-Request": "true"})
    assert saved.status_code == 200  # writable again: the same save goes through
    assert db.session.scalar(db.select(db.func.count()).select_from(Annotation)) == 1
