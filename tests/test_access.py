"""Security: login everywhere, roles on the server, sessions, cookies, rate limits, CSRF."""

import re

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from annotator import create_app
from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import Annotation
from annotator.secrets import load_secret_key
from tests.conftest import SETTINGS, Client
from tests.helpers import import_texts, label_values

# open on purpose: the login form, static files, and the load balancers' health check
OPEN_ENDPOINTS = {"static", "auth.login_page", "health.healthz"}


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


def login(client, name, password="secret-pass"):
    response = client.post("/login", data={"name": name, "password": password})
    assert response.status_code == 302, response.data
    return client


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
def test_documents_pages_are_for_staff(client, make_user, role, status):
    make_user("someone", role=role)
    login(client, "someone")
    assert client.get("/documents").status_code == status


def test_annotator_cannot_open_or_change_what_is_not_theirs(app, client, make_user, tmp_path):
    (ids,) = import_texts(tmp_path, ["First sentence here.", "Second sentence here."])
    alice, bob = make_user("alice"), make_user("bob")
    first = next_sentence(alice.id)
    save(alice.id, first, label_values(claim="claim"))
    alice_annotation = db.session.scalar(select(Annotation)).id
    bob_lease = next_sentence(bob.id)  # bob is handed the first sentence too
    assert bob_lease == first
    login(client, "alice")
    # alice cannot reopen bob's work, nor a sentence never handed to her
    assert client.get(f"/annotate/{ids[1]}").status_code == 404
    client.post("/logout")
    carol = make_user("carol")
    login(client, "carol")
    assert client.get(f"/annotate/annotations/{alice_annotation}").status_code == 404
    assert client.get(f"/annotate/{first}").status_code == 404
    form = {"claim": "not_claim", "source_type": "author", "revision": "1"}
    response = client.post(f"/annotate/{first}", data=form)  # leased to bob, labelled by alice
    assert response.status_code == 404
    db.session.expire_all()
    stored = db.session.scalars(select(Annotation)).all()
    assert [(a.annotator_id, a.labels["claim"]) for a in stored] == [(alice.id, "claim")]
    assert carol.id not in {a.annotator_id for a in stored}


def test_posting_for_a_sentence_leased_to_someone_else_is_refused(client, make_user, tmp_path):
    import_texts(tmp_path, ["Only sentence here."])
    bob = make_user("bob")
    make_user("mallory")
    leased = next_sentence(bob.id)
    login(client, "mallory")
    response = client.post(f"/annotate/{leased}", data={"claim": "claim"})
    assert response.status_code == 404
    skip = client.post(f"/annotate/{leased}/skip", data={"reason": "mine now"})
    assert skip.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 0


def test_annotators_never_see_other_annotators(client, make_user, tmp_path):
    import_texts(tmp_path, ["Only sentence here."])
    bob = make_user("bobby-the-annotator")
    save(bob.id, next_sentence(bob.id), label_values(claim="checkworthy_claim"))
    make_user("alice")
    login(client, "alice")
    page = client.get("/annotate", follow_redirects=True).data.decode()
    assert "bobby-the-annotator" not in page
    claim_group = page.split('id="group-claim"')[1].split("</fieldset>")[0]
    assert " checked" not in claim_group  # bob's choice does not show


def test_deactivated_user_loses_their_live_session(client, make_user, runner):
    make_user("alice")
    login(client, "alice")
    assert client.get("/annotate").status_code in (200, 302)
    assert runner.invoke(args=["users", "deactivate", "alice"]).exit_code == 0
    response = client.get("/annotate")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    again = client.post("/login", data={"name": "alice", "password": "secret-pass"})
    assert b"Wrong name or password." in again.data


def test_password_change_ends_other_sessions(client, make_user, runner):
    make_user("alice")
    login(client, "alice")
    result = runner.invoke(
        args=["users", "passwd", "alice", "--password-stdin"], input="a-new-password\n"
    )
    assert result.exit_code == 0, result.output
    assert client.get("/annotate").status_code == 302
    login(client, "alice", "a-new-password")


def session_cookie(response):
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    return header


def test_login_starts_a_fresh_session_with_safe_cookies(client, make_user):
    make_user("alice")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie("session").value
    response = client.post("/login", data={"name": "alice", "password": "secret-pass"})
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
        response = app.test_client().post(
            "/login", data={"name": "alice", "password": "secret-pass"}
        )
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
    limited = client.post("/login", data={"name": "alice", "password": "secret-pass"})
    assert limited.status_code == 429
    assert b"Too many failed attempts" in limited.data
    assert client.post("/login", data={"name": "bob", "password": "secret-pass"}).status_code == 302


def test_failed_logins_from_one_address_are_slowed_down(client, make_user):
    make_user("target")
    for n in range(20):
        client.post("/login", data={"name": f"guess{n}", "password": "bad"})
    assert client.post("/login", data={"name": "target", "password": "x"}).status_code == 429


def test_csrf_on_htmx_posts(client, make_user, tmp_path):
    import_texts(tmp_path, ["Only sentence here."])
    make_user("alice")
    login(client, "alice")
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
