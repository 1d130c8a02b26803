"""Benchmark of the review queue read from the kept table of disagreements (issue 19).

Databases of 100,000 sentences x 3 annotators and 1,000,000 x 2 (``agreement.fill``: bulk
Core inserts, as an import of annotations would leave them), on SQLite and PostgreSQL, kept
under /tmp/benchreview/ (SQLite files) or in databases ``bench_review_<sentences>x<annotators>``
on the server of ``BENCH_POSTGRES_URL``, and reused between runs. Each run forgets the gold
of the last one and rebuilds the kept table (``annotator.disputes.rebuild``, as ``flask
disagreements --rebuild`` does), timed.

A reviewer logs in through the app (production configuration, CSRF on) and, with Flask's
test client in this process, opens the disagreement list in every order, unfiltered and
filtered, on page 1 and a deep page; then takes one annotator's labels ("save gold and
next": the form posted with its token) on successive disagreements, following the
redirects. Times are the app's own (``Server-Timing``). For each kind of request the SQL
statements it ran are timed alone, and the slowest one's plan is kept.
"""

import json
import math
import os
import re
import threading
import time
from pathlib import Path

import agreement
from sqlalchemy import create_engine, delete, event, func, select, text
from sqlalchemy.engine import make_url

from annotator import create_app, disputes
from annotator.extensions import db
from annotator.models import ANNOTATIONS, DISPUTES, GOLD, SENTENCES, Gold, User

HOME = Path("/tmp/benchreview")
SIZES = [(100_000, 3), (1_000_000, 2)]
TARGET_P50, TARGET_P99 = 30.0, 100.0  # ms
DEEP_PAGE = 200
PLANNED = 5.0  # ms: a missed request's slowest statement gets its plan shown from this long
FIELD = "claim"
TAKEN = "annotator0"  # whose labels the reviewer takes; also the annotator filter
REVIEWER, PASSWORD = "bench-reviewer", "bench-password"
TOKEN = re.compile(r'name="csrf_token"[^>]* value="([^"]+)"')


def databases(postgres=None):
    """(database, sentences, annotators, uri) of every database to measure."""
    found = []
    for total, annotators in SIZES:
        found.append(("SQLite", total, annotators, f"sqlite:///{HOME}/{total}x{annotators}.sqlite"))
        if postgres:
            name = f"bench_review_{total}x{annotators}"
            uri = make_url(postgres).set(database=name).render_as_string(hide_password=False)
            found.append(("PostgreSQL", total, annotators, uri))
    return found


def ensure_postgres(uri):
    """Create the PostgreSQL database of ``uri`` if it is missing (as ``createdb`` does,
    from the server's maintenance database, which is left as it is)."""
    url = make_url(uri)
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        known = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        )
        if not known:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    engine.dispose()


def filled(uri, total, annotators):
    """Whether the database at ``uri`` holds the benchmark's data of this size."""
    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            sentences = connection.scalar(select(func.count()).select_from(SENTENCES))
            given = connection.scalar(select(func.count()).select_from(ANNOTATIONS))
    except Exception:  # no tables yet
        return False
    finally:
        engine.dispose()
    return (sentences, given) == (total, total * annotators)


def wipe(uri):
    """Remove what the database at ``uri`` holds."""
    if uri.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(make_url(uri).database + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(uri)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def prepare(uri, total, annotators):
    """Fill the database if it is not filled yet, forget the last run's gold, rebuild the kept
    table and add the reviewer. Returns (fill seconds, whether filled in this run, rebuild
    seconds, disagreements)."""
    HOME.mkdir(exist_ok=True)
    fills = HOME / "fills.json"
    known = json.loads(fills.read_text()) if fills.exists() else {}
    if uri.startswith("postgresql"):
        ensure_postgres(uri)
    fresh = not filled(uri, total, annotators)
    if fresh:
        wipe(uri)
        started = time.perf_counter()
        agreement.fill(uri, total, annotators=annotators)
        known[uri] = time.perf_counter() - started
        fills.write_text(json.dumps(known, indent=1))
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench"})
    with app.app_context():
        db.session.execute(text("DELETE FROM gold_revisions"))
        db.session.execute(delete(GOLD))
        db.session.execute(delete(User.__table__).where(User.name == REVIEWER))
        db.session.commit()
        started = time.perf_counter()
        found = disputes.rebuild(db.session)
        db.session.commit()
        rebuilt = time.perf_counter() - started
        user = User(name=REVIEWER, role="reviewer")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        if uri.startswith("postgresql"):  # what autovacuum does soon after a bulk change
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.engine.dispose()
    return known.get(uri), fresh, rebuilt, found


def percentiles(times):
    """p50, p90, p99 and max of a list of milliseconds, and how many there are."""
    ordered = sorted(times)

    def at(share):
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]

    return {"n": len(ordered), "p50": at(0.5), "p90": at(0.9), "p99": at(0.99),
            "max": ordered[-1]}  # fmt: skip


def app_ms(response):
    """The app's own time from the Server-Timing header."""
    return float(response.headers["Server-Timing"].split("dur=")[1])


class Statements:
    """The SQL statements an engine runs in this thread (the test client's requests, not the
    app's background work) while ``recording``."""

    def __init__(self, engine):
        self.engine, self.recording, self.seen = engine, None, []
        event.listen(engine, "before_cursor_execute", self.note)

    def note(self, _connection, _cursor, statement, parameters, _context, _many):
        """Keep a statement and its parameters."""
        if self.recording == threading.get_ident():
            self.seen.append((statement, parameters))

    def of(self, request):
        """The statements ``request()`` runs (the second time: connections made, caches
        warm)."""
        request()
        self.recording, self.seen = threading.get_ident(), []
        try:
            request()
        finally:
            self.recording = None
        return self.seen

    def slowest(self, statements):
        """(milliseconds, statement, parameters) of the slowest read among ``statements``, each
        run alone with every row fetched, and the sum of all of them."""
        timed = []
        with self.engine.connect() as connection:
            for statement, parameters in statements:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                started = time.perf_counter()
                connection.exec_driver_sql(statement, parameters).fetchall()
                timed.append(((time.perf_counter() - started) * 1000, statement, parameters))
            connection.rollback()
        return max(timed, key=lambda t: t[0]), sum(t[0] for t in timed)

    def plan(self, statement, parameters):
        """The database's plan of a read: EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on
        PostgreSQL."""
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "sqlite":
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                lines = [f"{row[0]} {row[1]} {row[3]}" for row in rows]
            else:
                explain = f"EXPLAIN (ANALYZE, BUFFERS) {statement}"
                lines = [row[0] for row in connection.exec_driver_sql(explain, parameters)]
            connection.rollback()
        return "\n".join(lines)


def log_in(client):
    """Log the reviewer in as a browser does: the login form's CSRF token, then the form."""
    token = TOKEN.search(client.get("/login").text).group(1)
    answer = client.post("/login", data={"name": REVIEWER, "password": PASSWORD,
                                         "csrf_token": token})  # fmt: skip
    assert answer.status_code == 302, answer.status_code


def list_variants():
    """(name, query string) of each disagreement list measured."""
    found = [("unfiltered, most disputed (default), page 1", "")]
    for filters, said in (("", "unfiltered"), (f"field={FIELD}&", f"field={FIELD}"),
                          (f"annotator={TAKEN}&", f"annotator={TAKEN}")):  # fmt: skip
        for order in ("disputed", "agreement", "annotators", "document"):
            for page in (1, DEEP_PAGE):
                if (filters, order, page) != ("", "disputed", 1):
                    found.append((f"{said}, {order}, page {page}",
                                  f"?{filters}order={order}&page={page}"))  # fmt: skip
    return found


def measure_list(client, query, requests, budget):
    """App times of ``requests`` GETs of the list (fewer when they take over ``budget``
    seconds in all: at least 20)."""
    times, started = [], time.perf_counter()
    while len(times) < requests:
        answer = client.get(f"/review/disagreements{query}")
        assert answer.status_code == 200, (answer.status_code, query)
        times.append(app_ms(answer))
        if len(times) >= 20 and time.perf_counter() - started > budget:
            break
    return times


def take_chain(client, takes):
    """Save gold and next ``takes`` times: the reviewer takes TAKEN's labels and follows the
    redirect to the next unsettled disagreement. App times of the POSTs and of the GETs, and
    the path of the next one."""
    page = client.get("/review/disagreements").text
    path = re.search(r'href="(/review/sentences/\d+[^"]*)"', page).group(1)
    posts, gets = [], []
    while len(posts) < takes:
        answer = client.get(path)
        assert answer.status_code == 200, (answer.status_code, path)
        gets.append(app_ms(answer))
        action = re.search(rf'action="([^"]+/take/{TAKEN}[^"]*)"', answer.text).group(1)
        token = TOKEN.search(answer.text).group(1)
        answer = client.post(action.replace("&amp;", "&"), data={"csrf_token": token})
        assert answer.status_code == 302, (answer.status_code, action)
        posts.append(app_ms(answer))
        path = answer.headers["Location"]
        assert "/review/sentences/" in path, path
    return posts, gets, path


def run(database, uri, total, annotators, requests=200, budget=15.0):
    """Every measurement on one database; returns a dict of figures and plans."""
    fill_seconds, fresh, rebuilt, found = prepare(uri, total, annotators)
    print(f"{database} {total:,}x{annotators}: fill {fill_seconds:.0f} s "
          f"({'now' if fresh else 'earlier'}), rebuild {rebuilt:.1f} s, {found:,} disagreements",
          flush=True)  # fmt: skip
    # no suggester thread in this process: on data bulk-inserted without suggestions it would
    # spend minutes making them, in the requests' process (a server's worker takes turns)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "SUGGESTER_SECONDS": 0}
    )
    client = app.test_client()
    log_in(client)
    with app.app_context():
        statements = Statements(db.engine)
        settled = db.session.scalar(select(func.count()).where(DISPUTES.c.settled.is_(True)))
        assert settled == 0 and db.session.scalar(select(func.count(Gold.id))) == 0
        db.session.remove()
    results = {"database": database, "total": total, "annotators": annotators,
               "fill": fill_seconds, "fresh": fresh, "rebuild": rebuilt,
               "disagreements": found, "rows": [], "plans": {},
               "load": os.getloadavg()[0]}  # fmt: skip

    def explain(name, times, request):
        """Note the figures, and which statement dominates the request (its plan too, when
        the request misses the target)."""
        figures = percentiles(times)
        with app.app_context():
            ran = statements.of(request)
            (slowest, statement, parameters), reads = statements.slowest(ran)
            missed = figures["p50"] > TARGET_P50 or figures["p99"] > TARGET_P99
            planned = missed and slowest >= PLANNED
            if planned and statement not in results["plans"]:
                results["plans"][statement] = {
                    "parameters": parameters,
                    "plan": statements.plan(statement, parameters),
                    "ms": slowest,
                    "requests": [],
                }
            if planned:
                results["plans"][statement]["requests"].append(name)
            db.session.remove()
        row = {"name": name, **figures, "statements": len(ran), "slowest": slowest,
               "reads": reads, "missed": missed}  # fmt: skip
        results["rows"].append(row)
        print(f"  {name}: n {figures['n']} p50 {figures['p50']:.1f} p90 {figures['p90']:.1f} "
              f"p99 {figures['p99']:.1f} max {figures['max']:.1f} ms; {len(ran)} statements, "
              f"reads {reads:.1f} ms, slowest {slowest:.1f} ms", flush=True)  # fmt: skip

    for name, query in list_variants():
        times = measure_list(client, query, requests, budget)
        explain(f"list: {name}", times, lambda q=query: client.get(f"/review/disagreements{q}"))
    posts, gets, path = take_chain(client, requests)
    with app.app_context():
        settled = db.session.scalar(select(func.count()).where(DISPUTES.c.settled.is_(True)))
        db.session.remove()
    assert settled == requests, settled
    results["load"] = max(results["load"], os.getloadavg()[0])
    explain("save gold and next: GET of the next sentence", gets, lambda: client.get(path))

    def one_take():
        page = client.get(path).text
        action = re.search(rf'action="([^"]+/take/{TAKEN}[^"]*)"', page).group(1)
        client.post(action.replace("&amp;", "&"), data={"csrf_token": TOKEN.search(page).group(1)})

    explain("save gold and next: POST take (gold saved, next found)", posts, one_take)
    return results


def markdown(results, requests=200, budget=15.0):
    """The "Review queue at scale" section's body."""
    sizes = "\n".join(
        f"| {r['database']} | {r['total']:,} x {r['annotators']} | {r['disagreements']:,} | "
        f"{r['fill']:.0f} s{'' if r['fresh'] else ' (an earlier run)'} | {r['rebuild']:.1f} s | "
        f"{r.get('load', math.nan):.1f} |"
        for r in results
    )
    tables = []
    for r in results:
        rows = "\n".join(
            f"| {row['name']} | {row['n']} | {row['p50']:.1f} | {row['p90']:.1f} | "
            f"{row['p99']:.1f} | {row['max']:.1f} | {row['statements']} | {row['reads']:.1f} | "
            f"{row['slowest']:.1f} |"
            f" {'**missed**' if row['missed'] else 'met'} |"
            for row in r["rows"]
        )
        tables.append(
            f"### {r['database']}, {r['total']:,} sentences x {r['annotators']} annotators\n\n"
            "| request | n | p50 ms | p90 ms | p99 ms | max ms | statements | reads alone ms | "
            "slowest alone ms | target |\n|---|---|---|---|---|---|---|---|---|---|\n" + rows
        )
        for statement, found in r["plans"].items():
            said = ", ".join(found["requests"][:4])
            more = len(found["requests"]) - 4
            said += f" and {more} more" if more > 0 else ""
            tables.append(
                f"Slowest statement of {said} ({found['ms']:.0f} ms alone):\n\n```sql\n"
                f"{statement.strip()}\n```\nparameters: `{found['parameters']}`\n\n"
                f"```\n{found['plan']}\n```"
            )
    tables = "\n\n".join(tables)
    return f"""
Targets (issue 19): the disagreement list and "save gold and next" within p50 30 ms and
p99 100 ms of app time at 100,000 sentences x 3 annotators and 1,000,000 x 2, on SQLite and
PostgreSQL. Before the kept table the list took 4.7 s at 100,000 x 3 (Agreement section).

`bench/review.py`: the agreement benchmark's seeded labels, bulk-inserted (`agreement.fill`),
then the kept table computed from scratch (`annotator.disputes.rebuild`, what `flask
disagreements --rebuild` runs) and committed. SQLite in WAL mode with `synchronous=FULL`, not
ANALYZEd (as the app leaves it); PostgreSQL 15 on this machine, ANALYZEd after the rebuild
(as autovacuum soon would). A reviewer logs in through the login form and uses the app in
this process through Flask's test client, production configuration with CSRF on (but no
background suggester thread in this process, see `run`); times are
the app's own (`Server-Timing`: routing, login check, CSRF, queries, rendering, commit).
List: page 1 and page {DEEP_PAGE} (offset {(DEEP_PAGE - 1) * 50:,}) in each of the four orders,
unfiltered, with `field={FIELD}` and with `annotator={TAKEN}` (who labelled every sentence).
"Save gold and next": the reviewer takes {TAKEN}'s labels (the sentence page's take form,
posted with its token) on successive disagreements of the default order, following each
redirect: the POST (gold saved with its history, the kept row settled in the same
transaction, the next unsettled one found) and the GET of the next sentence's page timed
apart. Each kind of request is sent {requests} times, or fewer (at least 20) once it has
taken {budget:.0f} s in all (n says how many). Each row also gives how many statements one
such request runs, its reads run alone one after another (every row fetched) and the
slowest of them; the rest of the app time is Python (forms, rendering, the ORM) and, for
the POST, the writes and the commit. Where a row misses the target and its slowest
statement takes {PLANNED:.0f} ms or more, that statement's plan follows the table (EXPLAIN
QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL). "load": the machine's 1-minute load
average, the higher of before and after the requests (2 cores, shared: above 2, the
requests waited for a core).

| database | size | disagreements | filling (bulk insert) | rebuilding the kept table | load |
|---|---|---|---|---|---|
{sizes}

{tables}
"""
