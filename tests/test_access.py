"""Security: login everywhere, roles on the server, sessions, cookies, rate limits, CSRF."""

import multiprocessing
import os
import re
import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from werkzeug.routing import IntegerConverter
from werkzeug.security import generate_password_hash

from annotator import create_app
from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import Annotation, LoginSession, User, utcnow
from annotator.pages import auth as auth_pages
from annotator.pages.throttling import DatabaseStorage, network_address
from annotator.signing_key import load_secret_key
from tests.helpers import SETTINGS, Client, import_texts, label_values, make_app

# open on purpose: the login form, static files, and the load balancers' health check
OPEN_ENDPOINTS = {"static", "auth.login_page", "health.healthz"}
ALICE = {"name": "alice", "password": "secret-pass"}  # the login form, filled in right


def urls(app):
    """One concrete URL and method per route (1 for numbers, "x" for text)."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        values = {
            name: 1 if isinstance(rule._converters[name], IntegerConverter) else "x"
            for name in rule.arguments
        }
        for method in sorted(rule.methods - {"OPTIONS", "HEAD"}):
            yield rule.endpoint, method, adapter.build(rule.endpoint, values, method=method)


def test_every_route_but_login_and_static_needs_login(app, client):
    routes = list(urls(app))
    assert len(routes) >= 8
    for endpoint, method, url in routes:
        response = client.open(url, method=method)
        assert response.status_code == 302, (endpoint, url, response.status_code)
        assert response.headers["Location"].startswith("/login"), endpoint


def test_every_view_declares_its_roles(app):
    unchecked = {"auth.logout", "auth.home"}  # any logged-in user: leave, or go to your page
    for endpoint, view in app.view_functions.items():
        if endpoint in OPEN_ENDPOINTS | unchecked:
            continue
        assert getattr(view, "roles", None), f"{endpoint} does not check roles"


@pytest.mark.parametrize(
    ("role", "status"), [("annotator", 403), ("reviewer", 200), ("admin", 200)]
)
def test_documents_pages_are_for_staff(client, auth, role, status):
    auth.login(role)
    assert client.get("/documents").status_code == status


def test_annotator_cannot_open_or_change_what_is_not_theirs(client, auth, make_user, tmp_path):
    (ids,) = import_texts(tmp_path, ["First sentence here.", "Second sentence here."])
    alice, bob = make_user("alice"), make_user("bob")
    first = next_sentence(alice.id)
    save(alice.id, first, label_values(claim="claim"))
    alice_annotation = db.session.scalar(select(Annotation)).id
    bob_lease = next_sentence(bob.id)  # bob is handed the first sentence too
    assert bob_lease == first
    auth.login("alice")
    # alice cannot reopen bob's work, nor a sentence never handed to her
    assert client.get(f"/annotate/{ids[1]}").status_code == 404
    auth.logout()
    auth.login("carol")
    assert client.get(f"/annotate/annotations/{alice_annotation}").status_code == 404
    assert client.get(f"/annotate/{first}").status_code == 404
    form = {"claim": "not_claim", "source_type": "author", "revision": "1"}
    response = client.post(f"/annotate/{first}", data=form)  # leased to bob, labelled by alice
    assert response.status_code == 404
    db.session.expire_all()
    stored = db.session.scalars(select(Annotation)).all()
    assert [(a.annotator_id, a.labels["claim"]) for a in stored] == [(alice.id, "claim")]


def test_posting_for_a_sentence_leased_to_someone_else_is_refused(
    client, auth, make_user, tmp_path
):
    import_texts(tmp_path, ["Only sentence here."])
    bob = make_user("bob")
    leased = next_sentence(bob.id)
    auth.login("mallory")
    response = client.post(f"/annotate/{leased}", data={"claim": "claim"})
    assert response.status_code == 404
    skip = client.post(f"/annotate/{leased}/skip", data={"reason": "mine now"})
    assert skip.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 0


def test_annotators_never_see_other_annotators(client, auth, make_user, tmp_path):
    import_texts(tmp_path, ["Only sentence here."])
    bob = make_user("bobby-the-annotator")
    save(bob.id, next_sentence(bob.id), label_values(claim="checkworthy_claim"))
    auth.login("alice")
    page = client.get("/annotate", follow_redirects=True).data.decode()
    assert "bobby-the-annotator" not in page
    claim_group = page.split('id="group-claim"')[1].split("</fieldset>")[0]
    assert " checked" not in claim_group  # bob's choice does not show


def test_deactivated_user_loses_their_live_session(client, auth, runner):
    auth.login("alice")
    assert client.get("/annotate/history").status_code == 200
    result = runner.invoke(args=["users", "deactivate", "alice"])
    assert result.exit_code == 0, result.output
    response = client.get("/annotate/history")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    again = client.post("/login", data=ALICE)
    assert b"Wrong name or password." in again.data


def test_password_change_ends_other_sessions(client, auth, runner):
    auth.login("alice")
    result = runner.invoke(
        args=["users", "passwd", "alice", "--password-stdin"], input="a-new-password\n"
    )
    assert result.exit_code == 0, result.output
    assert client.get("/annotate").status_code == 302
    new = client.post("/login", data={"name": "alice", "password": "a-new-password"})
    assert new.status_code == 302, new.text


def session_cookie(response):
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    return header


def test_login_starts_a_fresh_session_with_safe_cookies(client, make_user):
    make_user("alice")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie("session").value
    response = client.post("/login", data=ALICE)
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert "planted" not in session


def test_secure_cookie_when_configured(database_uri, make_user):
    app = create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": database_uri,
                      "SESSION_COOKIE_SECURE": True})  # fmt: skip
    with app.app_context():
        make_user("alice")
        app.test_client_class = Client
        response = app.test_client().post("/login", data=ALICE)
        assert "Secure" in session_cookie(response)
        db.session.remove()
        db.engine.dispose()


def test_secret_key_generated_once_into_instance(tmp_path, database_uri):
    settings = {k: v for k, v in SETTINGS.items() if k != "SECRET_KEY"}
    first = create_app(
        {**settings, "SQLALCHEMY_DATABASE_URI": database_uri}, instance_path=tmp_path
    )
    second = create_app(
        {**settings, "SQLALCHEMY_DATABASE_URI": database_uri}, instance_path=tmp_path
    )
    key_file = tmp_path / "secret_key"
    assert first.secret_key == second.secret_key == key_file.read_text()
    assert len(first.secret_key) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert load_secret_key(tmp_path) == first.secret_key


def test_failed_logins_are_slowed_down(client, make_user):
    make_user("alice")
    make_user("bob")
    for _ in range(5):
        assert client.post("/login", data={"name": "alice", "password": "bad"}).status_code == 200
    limited = client.post("/login", data={"name": "ALICE ", "password": "secret-pass"})
    assert limited.status_code == 429
    assert "for 10 minutes no password is checked, not even the right one" in limited.text
    assert "unlock your account" in limited.text and 'href="/login"' in limited.text
    assert 590 <= int(limited.headers["Retry-After"]) <= 600  # the 10-minute window's rest
    assert client.post("/login", data={"name": "bob", "password": "secret-pass"}).status_code == 302


def test_the_lead_lifts_an_accounts_limit(client, make_user, runner):
    make_user("alice")
    for _ in range(5):
        client.post("/login", data={"name": "alice", "password": "bad"})
    assert client.post("/login", data={"name": "alice", "password": "x"}).status_code == 429
    result = runner.invoke(args=["users", "unlock", "alice"])
    assert result.exit_code == 0, result.output
    assert "may log in again now" in result.output
    assert client.post("/login", data=ALICE).status_code == 302
    unknown = runner.invoke(args=["users", "unlock", "nobody"])
    assert unknown.exit_code == 1, unknown.output
    assert "no user 'nobody'" in unknown.output


def test_a_locked_account_tried_again_and_again_does_not_lock_its_address(client, make_user):
    make_user("bob")
    make_user("alice")  # at the next desk, behind the same address
    for _ in range(5):
        client.post("/login", data={"name": "bob", "password": "bad"})
    for _ in range(20):
        assert client.post("/login", data={"name": "bob", "password": "x"}).status_code == 429
    assert client.post("/login", data=ALICE).status_code == 302


def test_only_failures_use_up_the_limits(client, make_user):
    make_user("alice")
    for _ in range(8):  # a team behind one address logging in and out all day
        assert client.post("/login", data=ALICE).status_code == 302
        client.post("/logout")
    for _ in range(4):
        assert client.post("/login", data={"name": "alice", "password": "bad"}).status_code == 200
    assert client.post("/login", data=ALICE).status_code == 302


def test_failed_logins_from_one_address_are_slowed_down(client, make_user):
    make_user("target")
    for n in range(20):
        client.post("/login", data={"name": f"guess{n}", "password": "bad"})
    limited = client.post("/login", data={"name": "target", "password": "x"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0


@pytest.mark.parametrize(("proxies", "limited"), [(0, True), (1, False)])
def test_addresses_behind_a_trusted_proxy_are_limited_each_on_its_own(
    database_uri, make_user, proxies, limited
):
    behind_proxy = make_app(database_uri, TRUSTED_PROXIES=proxies)
    behind_proxy.test_client_class = Client
    with behind_proxy.app_context():
        make_user("alice")
        client = behind_proxy.test_client()
        for n in range(20):  # one attacker's guesses, each claiming another address
            forwarded = {"X-Forwarded-For": f"10.9.9.{n}"}
            client.post("/login", data={"name": f"guess{n}", "password": "x"}, headers=forwarded)
        response = client.post("/login", data=ALICE)
        assert (response.status_code == 429) is limited  # a header no proxy vouches for
        db.session.remove()
        db.engine.dispose()


def test_every_server_process_on_one_database_shares_the_limits(client, make_user, database_uri):
    make_user("alice")
    other_process = make_app(database_uri)  # another gunicorn worker, or another machine
    other_process.test_client_class = Client
    with other_process.app_context():
        elsewhere = other_process.test_client()
        for _ in range(5):
            refused = elsewhere.post("/login", data={"name": "alice", "password": "bad"})
            assert refused.status_code == 200
    assert client.post("/login", data={"name": "alice", "password": "x"}).status_code == 429


def login_seconds(client, name, address):
    """How long one failed login took, from an address of its own (the per-address limit
    is not what is measured here)."""
    started = time.perf_counter()
    response = client.post(
        "/login",
        data={"name": name, "password": "not-the-password"},
        environ_overrides={"REMOTE_ADDR": address},
    )
    seconds = time.perf_counter() - started
    assert response.status_code == 200 and "Server-Timing" not in response.headers
    return seconds


TRIES = 9


@pytest.mark.slow  # 36 password checks
def test_a_login_takes_as_long_whether_or_not_the_name_exists(client, make_user, runner):
    """Medians of 9 tries each (a check takes ~0.2 s, a login without one ~2 ms): a wrong
    password for a real account, an unknown name, a deactivated account and a password-less
    (imported) one cost the same password check."""
    for n in range(4):  # 5 tries per account are allowed in 10 minutes
        for name in (f"real{n}", f"gone{n}"):
            make_user(name).set_password("secret-pass")  # the app's hash, not a test user's
        db.session.commit()
        result = runner.invoke(args=["users", "deactivate", f"gone{n}"])
        assert result.exit_code == 0, result.output
        db.session.add(User(name=f"imported{n}"))
    db.session.commit()
    names = {
        "wrong password": [f"real{n % 4}" for n in range(TRIES)],
        "unknown name": [f"nobody{n}" for n in range(TRIES)],
        "deactivated": [f"gone{n % 4}" for n in range(TRIES)],
        "no password": [f"imported{n % 4}" for n in range(TRIES)],
    }
    seconds = {kind: [] for kind in names}
    for n in range(TRIES):  # interleaved, so that a slow moment of the machine hits all alike
        for number, (kind, tried) in enumerate(names.items()):
            seconds[kind].append(login_seconds(client, tried[n], f"10.0.{number}.{n}"))
    medians = {kind: statistics.median(taken) for kind, taken in seconds.items()}
    for median in medians.values():
        assert abs(median / medians["wrong password"] - 1) < 0.25, medians


def test_logging_out_makes_a_copied_cookie_worthless_and_keeps_other_devices(app, client, auth):
    auth.login("alice")
    laptop = app.test_client()
    auth.login("alice", on=laptop)
    stolen = app.test_client()
    stolen.set_cookie("session", client.get_cookie("session").value)
    assert stolen.get("/annotate/history").status_code == 200
    client.post("/logout")
    refused = stolen.get("/annotate/history")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    assert laptop.get("/annotate/history").status_code == 200  # her other login goes on


def test_a_session_ends_when_idle_too_long_or_too_old(client, auth):
    auth.login("alice")
    one_session = update(LoginSession)
    db.session.execute(one_session.values(seen=utcnow() - timedelta(hours=11, minutes=50)))
    db.session.commit()
    assert client.get("/annotate/history").status_code == 200  # a long lunch is fine
    seen = db.session.scalar(select(LoginSession.seen))
    assert utcnow() - seen < timedelta(minutes=1)  # and the use is noted
    db.session.execute(one_session.values(seen=utcnow() - timedelta(hours=12, minutes=1)))
    db.session.commit()
    assert client.get("/annotate/history").status_code == 302  # a night is not
    auth.login("alice")
    week_ago = utcnow() - timedelta(days=7, minutes=1)
    db.session.execute(update(LoginSession).values(started=week_ago))
    db.session.commit()
    assert client.get("/annotate/history").status_code == 302  # busy, but a week old
    auth.login("alice")
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_a_password_changed_during_the_check_wins(client, make_user, monkeypatch):
    make_user("alice", password="the-old-password")
    real_check = auth_pages.password_matches

    def check_while_the_lead_resets_it(password_hash, password):
        matched = real_check(password_hash, password)
        with db.engine.begin() as lead:  # `flask users passwd alice`, committed meanwhile
            lead.execute(update(User).values(password_hash=generate_password_hash("a-new-one")))
        return matched

    monkeypatch.setattr(auth_pages, "password_matches", check_while_the_lead_resets_it)
    response = client.post("/login", data={"name": "alice", "password": "the-old-password"})
    assert response.status_code == 200 and "Wrong name or password." in response.text
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_logging_in_as_someone_else_ends_the_first_login_of_the_browser(
    app, client, auth, make_user
):
    auth.login("lead", role="admin")
    make_user("bob")
    copied = app.test_client()
    copied.set_cookie("session", client.get_cookie("session").value)
    bob = client.post("/login", data={"name": "bob", "password": "secret-pass"})
    assert bob.status_code == 302  # at the lead's desk, without logging the lead out
    assert copied.get("/documents").status_code == 302


def test_refused_attempts_write_nothing(client, make_user, monkeypatch):
    make_user("alice")
    for _ in range(5):
        client.post("/login", data={"name": "alice", "password": "bad"})
    writes = []
    real_incr = DatabaseStorage.incr
    monkeypatch.setattr(
        DatabaseStorage,
        "incr",
        lambda self, *args, **kw: writes.append(args) or real_incr(self, *args, **kw),
    )
    for _ in range(3):
        assert client.post("/login", data={"name": "alice", "password": "x"}).status_code == 429
    assert writes == []  # a flood of refused logins does not hold SQLite's write lock


def test_a_give_back_never_starts_a_window_below_zero(app):
    storage = DatabaseStorage()
    assert storage.incr("ended-window", 600, amount=-1) == 0
    assert storage.get("ended-window") == 0
    assert storage.incr("ended-window", 600) == 1


def test_an_ipv6_client_counts_as_its_whole_slash_64():
    assert network_address("2001:db8:1:2:aaaa::1") == network_address("2001:db8:1:2:bbbb::9")
    assert network_address("2001:db8:1:3::1") != network_address("2001:db8:1:2::1")
    assert network_address("192.0.2.7") == "192.0.2.7"


def test_a_short_idle_timeout_is_kept_alive_by_use(database_uri, make_user):
    strict = make_app(database_uri, SESSION_IDLE_MINUTES=3)
    strict.test_client_class = Client
    with strict.app_context():
        make_user("alice")
        client = strict.test_client()
        assert client.post("/login", data=ALICE).status_code == 302
        for _ in range(3):  # a request every two minutes, for six minutes
            db.session.execute(update(LoginSession).values(seen=utcnow() - timedelta(minutes=2)))
            db.session.commit()
            assert client.get("/annotate/history").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_the_key_is_made_where_hard_links_are_not_allowed(tmp_path, monkeypatch):
    def no_links(*_):
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    key = load_secret_key(tmp_path)
    assert len(key) == 64 and load_secret_key(tmp_path) == key
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]


def make_key_at_once(instance, start, keys):
    """One of several processes starting together: wait for the others, then read or
    create the key."""
    start.wait()
    keys.put(load_secret_key(instance))


def test_workers_starting_at_once_all_get_the_same_whole_key(tmp_path):
    context = multiprocessing.get_context("fork")
    for round_number in range(25):
        instance = tmp_path / str(round_number)
        instance.mkdir()
        start, keys = context.Barrier(4), context.Queue()
        workers = [
            context.Process(target=make_key_at_once, args=(instance, start, keys)) for _ in range(4)
        ]
        for worker in workers:
            worker.start()
        found = [keys.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
            assert worker.exitcode == 0
        assert len(set(found)) == 1 and len(found[0]) == 64, (round_number, found)


def test_csrf_on_htmx_posts(client, auth, tmp_path):
    import_texts(tmp_path, ["Only sentence here."])
    auth.login("alice")
    workspace = client.get("/annotate", follow_redirects=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', workspace.data.decode()).group(1)
    url = workspace.request.path + "/skip"
    refused = client.post(url, data={"reason": "x"}, headers={"HX-Request": "true"}, as_given=True)
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 0
    accepted = client.post(
        url, data={"reason": "x"}, headers={"HX-Request": "true", "X-CSRFToken": header_token}
    )
    assert accepted.status_code == 200  # htmx: the next sentence (or done) in the answer
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 1
