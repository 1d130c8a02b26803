"""Bodies and ids as a hostile client sends them: bodies chunked past the size limit (through
the servers that run the app: werkzeug's for `flask run`, gunicorn for `make serve`), JSON,
multipart and other bodies sent to form views, ids and page numbers past the database's
integers. Refused with a 4xx that says why; never a 500, nothing stored."""

import http.client
import json
import re
import threading
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.serving import make_server

from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import Annotation, Lease
from bench import load
from tests.helpers import add_user, import_texts, label_values

LARGEST_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL
LIMIT = 2 * 1024 * 1024  # MAX_CONTENT_LENGTH
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


@pytest.fixture(params=["werkzeug", pytest.param("gunicorn", marks=pytest.mark.slow)])
def served(request, app, database_uri, tmp_path):
    """The app on 127.0.0.1 with a few sentences and a user, served by werkzeug (as
    `flask run` does) or by gunicorn (as `make serve` does); its port."""
    import_texts(tmp_path, [f"Sentence {n} is here." for n in range(9)])
    add_user("ana")
    if request.param == "gunicorn":
        with load.Server(database_uri, workers=1) as server:
            yield server.port
        return
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join()


class Visitor:
    """A browser-like client on one connection: keeps the session cookie, and posts with
    the CSRF token of the workspace page it was shown."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def send(self, method, path, body=None, headers=()):
        """(status, headers, text) of one request."""
        headers = {"Cookie": self.cookie, **dict(headers)}
        self.connection.request(method, path, body, headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        if response.getheader("Set-Cookie"):
            self.cookie = response.getheader("Set-Cookie").split(";")[0]
        return response.status, response, text

    def handed_sentence(self, name):
        """Log in as ``name`` and open the workspace: (its address, its CSRF token)."""
        _, _, page = self.send("GET", "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        form = urlencode({"name": name, "password": "secret-pass", "csrf_token": token})
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        assert self.send("POST", "/login", form, form_type)[0] == 302
        _, handed, _ = self.send("GET", "/annotate")
        workspace = handed.getheader("Location")
        return workspace, TOKEN.search(self.send("GET", workspace)[2])[1]


def chunked(body, size=64 * 1024):
    """The body as the pieces of a chunked upload (http.client sends them chunk-encoded)."""
    return (body[start : start + size] for start in range(0, len(body), size))


def stored():
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Annotation))


@pytest.mark.parametrize("size", [LIMIT + 1, 3 * LIMIT // 2])
def test_a_chunked_body_over_the_limit_is_refused_whole(served, size):
    visitor = Visitor(served)
    workspace, token = visitor.handed_sentence("ana")
    form = urlencode({"claim": "claim", "csrf_token": token, "padding": ""}).encode()
    body = form + b"x" * (size - len(form))  # a valid save, if cut at the limit
    status, _, page = visitor.send(
        "POST", workspace, chunked(body), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 413 and "Nothing was saved" in page
    assert stored() == 0


def test_a_chunked_body_within_the_limit_is_saved(served):
    visitor = Visitor(served)
    workspace, token = visitor.handed_sentence("ana")
    form = urlencode({"claim": "claim", "csrf_token": token, "padding": ""}).encode()
    body = form + b"x" * (LIMIT - len(form))  # exactly at the limit
    status, answer, _ = visitor.send(
        "POST", workspace, chunked(body), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 302 and answer.getheader("Location") == "/annotate"
    assert stored() == 1


OUT_OF_RANGE = [str(LARGEST_ID + 1), str(2**63), "9999999999999999999999999", "1" * 5000]


def addresses_with(app, id_):
    """Every route that takes ids, as (method, address) with ``id_`` for each id."""
    for rule in app.url_map.iter_rules():
        if "<int:" in rule.rule:
            address = re.sub(r"<int:\w+>", id_, re.sub(r"<(?!int:)[^>]+>", "ana", rule.rule))
            yield from ((method, address) for method in rule.methods & {"GET", "POST"})


def test_ids_past_the_databases_integers_are_not_found(app, client, auth, tmp_path):
    auth.login("admin")
    import_texts(tmp_path, ["One is here."])
    addresses = [pair for id_ in OUT_OF_RANGE for pair in addresses_with(app, id_)]
    assert {address.count("/") for _, address in addresses} == {2, 3, 4, 5}  # every kind
    for method, address in addresses:
        response = client.open(address, method=method, data={"claim": "claim"})
        assert response.status_code == 404, (method, address[:40], response.status_code)
    assert stored() == 0


LISTS = ["/annotate/history", "/review/disagreements", "/review/flagged"]


@pytest.mark.parametrize("number", ["0", "-1", "x", "1.5", "²", *OUT_OF_RANGE])
def test_a_page_number_that_cannot_be_is_refused_saying_so(client, auth, number):
    auth.login("admin")
    for address in LISTS:
        response = client.get(f"{address}?page={number}")
        assert response.status_code == 400, (address, number[:20], response.status_code)
        assert "?page= must be a whole number from 1 to 2,147,483,647" in response.text


def test_lists_open_at_any_page_in_range(client, auth):
    auth.login("admin")
    for address in LISTS:
        for query in ("", "?page=", "?page=1", "?page=3", f"?page={LARGEST_ID}"):
            assert client.get(address + query).status_code == 200, address + query


NESTED = "[" * 50_000 + "]" * 50_000  # deeper than any JSON parser's recursion
NOT_FORMS = [
    ("application/json", json.dumps({"name": {"a": 1}, "password": ["x"]})),
    ("application/json", json.dumps({"claim": ["claim"], "source_start": {"a": 1}})),
    ("application/json", NESTED),
    ("application/json; charset=utf-8", json.dumps({"claim": "claim", "handed": [1, 2]})),
    ("multipart/form-data; boundary=b", '--b\r\nContent-Disposition: form-data; name="claim"'
     '\r\n\r\nclaim\r\n--b--\r\n'),
    ("text/plain", "claim=claim"),
    ("application/xml", "<claim>claim</claim>"),
    ("", "claim=claim"),  # a body that does not say what it is
]  # fmt: skip
NOT_FORM = "This address takes form fields as its pages send them"


@pytest.mark.parametrize(("kind", "body"), NOT_FORMS, ids=lambda v: v[:24])
def test_bodies_that_are_not_form_fields_are_refused_before_anything_reads_them(
    client, auth, make_user, tmp_path, kind, body
):
    import_texts(tmp_path, ["One is here.", "Two is here."])
    make_user("ana")
    no_token = client.post("/login", data=body, content_type=kind, as_given=True)
    assert no_token.status_code == 415 and NOT_FORM in no_token.text  # before the CSRF check
    token = {"X-CSRFToken": client.token()}
    login = client.post("/login", data=body, content_type=kind, headers=token)
    assert login.status_code == 415 and NOT_FORM in login.text
    auth.login("ana")
    workspace = client.get("/annotate", follow_redirects=True)
    token = {"X-CSRFToken": client.token()}
    for htmx in ({}, {"HX-Request": "true"}):
        for address in (workspace.request.path, f"{workspace.request.path}/skip", "/logout"):
            answer = client.post(address, data=body, content_type=kind, headers=token | htmx)
            assert answer.status_code == 415, (address, answer.status_code)
    assert stored() == 0
    assert client.get("/annotate/history").status_code == 200  # still logged in


def test_a_body_refused_as_not_a_form_does_not_count_against_the_login_limit(client, make_user):
    make_user("ana")
    for _ in range(10):
        refused = client.post(
            "/login",
            data=json.dumps({"name": "ana", "password": "wrong"}),
            content_type="application/json",
            headers={"X-CSRFToken": client.token()},
        )
        assert refused.status_code == 415
    answer = client.post("/login", data={"name": "ana", "password": "secret-pass"})
    assert answer.status_code == 302


def test_a_post_without_a_body_reaches_the_view(client, auth):
    auth.login("ana")
    token = {"X-CSRFToken": client.token()}
    assert client.post("/logout", headers=token, as_given=True).status_code == 302
    assert client.get("/annotate/history").status_code == 302  # logged out: to the login page
    assert db.session.scalar(select(func.count()).select_from(Lease)) == 0


def test_a_nul_character_anywhere_is_refused(client, auth, make_user, tmp_path):
    """PostgreSQL refuses text with NUL in it: a login name, a document id, a filter or a
    comment with one was a 500 there (and on SQLite the comment was stored)."""
    import_texts(tmp_path, ["One is here.", "Two is here."])
    make_user("ana"), make_user("rita", role="reviewer")
    name = client.post("/login", data={"name": "ana\x00", "password": "secret-pass"})
    assert name.status_code == 400 and "NUL character" in name.text
    auth.login("rita")
    for address in (
        "/documents/doc%000",
        "/review/disagreements?outlet=Wire%00",
        "/review/disagreements?document=doc%000",
        "/review/flagged?%00=1",
    ):
        assert client.get(address).status_code == 400, address  # fmt: skip
    auth.logout()
    auth.login("ana")
    workspace = client.get("/annotate").headers["Location"]
    for form in ({"claim": "claim", "comment": "a\x00b"}, {"claim": "claim", "x\x00": "1"}):
        assert client.post(workspace, data=form).status_code == 400
        assert client.post(f"{workspace}/skip", data={"reason": "\x00"}).status_code == 400
    assert stored() == 0


@pytest.mark.parametrize("revision", ["²", "١", "1" * 5000, "-1", "9" * 30])
def test_a_revision_that_is_no_number_is_a_stale_form_not_a_500(client, auth, tmp_path,
                                                               revision):  # fmt: skip
    import_texts(tmp_path, ["One is here.", "Two is here."])
    auth.login("ana")
    workspace = client.get("/annotate").headers["Location"]
    assert client.post(workspace, data={"claim": "claim"}).status_code == 302
    edit = client.post(workspace, data={"claim": "not_claim", "revision": revision})
    assert edit.status_code in (302, 409), edit.status_code  # as a form that does not say
    skip = client.post(f"{workspace}/skip", data={"revision": revision})
    assert skip.status_code in (302, 409), skip.status_code


# Anything at all, to every route, by every role: field names and values as a careless or
# hostile client sends them, JSON of any shape, multipart, text, bytes, odd charsets.
FIELDS = [
    "name", "password", "next", "claim", "source_type", "entity", "source_start",
    "source_end", "cue_start", "cue_end", "stance_0", "stance_1", "outlet", "flagged",
    "comment", "seconds", "revision", "handed", "reason", "note",
]  # fmt: skip
ODD = ["", "0", "-1", "²", "١", "nan", "inf", "-inf", "1e309", "9" * 30, "1" * 5000, "\x00",
       "claim", "not_claim", "favor", "none", "on", "y", "/", "//evil.example"]  # fmt: skip
VALUES = st.text(max_size=40) | st.sampled_from(ODD)
VALID = ("claim", "not_claim")
PAIRS = st.lists(st.tuples(st.sampled_from(FIELDS) | st.text(max_size=8), VALUES), max_size=12)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
TYPES = st.sampled_from(
    [FORM := "application/x-www-form-urlencoded", f"{FORM}; charset=utf-16",
     f"{FORM}; charset=latin-1", "application/json", "application/json; charset=utf-32",
     "multipart/form-data; boundary=b", "multipart/form-data", "text/plain", "text/html",
     "application/octet-stream", ""]
) | HEADER_TEXT  # fmt: skip


def multipart(pairs):
    """Form fields as a multipart body with the boundary ``b``."""
    parts = [f'--b\r\nContent-Disposition: form-data; name="{quote(k)}"\r\n\r\n{v}\r\n'
             for k, v in pairs]  # fmt: skip
    return ("".join(parts) + "--b--\r\n").encode()


# the drawn fields first (the first of a name is the one read), then a valid label, so that
# many forms get past validation into saving
FORMS = st.tuples(st.just(FORM), PAIRS.map(lambda pairs: urlencode([*pairs, VALID]).encode()))
OTHERS = st.one_of(
    st.tuples(TYPES, PAIRS.map(lambda pairs: urlencode(pairs).encode())),
    st.tuples(
        st.sampled_from(["application/json", ""]), ANY_JSON.map(lambda v: json.dumps(v).encode())
    ),
    st.tuples(st.sampled_from(["multipart/form-data; boundary=b", FORM]), PAIRS.map(multipart)),
    st.tuples(TYPES, st.binary(max_size=300)),
    st.tuples(st.just("application/json"), st.integers(1, 100_000).map(lambda n: b"[" * n)),
    st.tuples(st.just(FORM), st.sampled_from([b"", b"&&&", b"%", b"%zz=%ff", b"=" * 1000])),
)
QUERIES = st.dictionaries(
    st.sampled_from(["page", "by", "kind", "field", "outlet", "annotator", "document",
                     "flagged", "next"]) | st.text(max_size=5),
    VALUES,
    max_size=3,
)  # fmt: skip
NAMES = {"annotator": "ana", "reviewer": "rita", "admin": "lead"}
SEGMENT = r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>"


@pytest.fixture
def everyone(app, client, auth, make_user, tmp_path):
    """A project under way (a disputed sentence, one reserved for each user): a client per
    role (anonymous, annotator, reviewer, admin), each with the CSRF token of its session,
    and the sentence each role holds."""
    import_texts(tmp_path, [f"Sentence {n} is here." for n in range(6)])
    ana, ben = make_user("ana"), make_user("ben")
    rita, lead = make_user("rita", role="reviewer"), make_user("lead", role="admin")
    for user, claim in [(ana, "claim"), (ben, "not_claim")]:
        save(user.id, next_sentence(user.id), label_values(claim=claim))
    held = {
        role: next_sentence(user.id) for role, user in zip(NAMES, (ana, rita, lead), strict=True)
    }
    clients = {"anonymous": client}
    for role, name in NAMES.items():
        clients[role] = app.test_client()
        auth.login(name, on=clients[role])
    client.get("/login")
    return clients, held


IDS = st.integers(1, 6).map(str)  # of the sentences and annotations there are
NOT_IDS = st.sampled_from(["0", "-1", str(2**31), str(2**64), "9" * 30, "1" * 5000])


def address(data, rule, held):
    """The rule's path with each variable part drawn: the sentence the role holds, ids that
    exist, ids that cannot, and any text."""

    def drawn(found):
        if found[1] == "int":
            value = data.draw(st.one_of(st.just(str(held)), IDS, NOT_IDS, st.text(max_size=6)))
        else:
            value = data.draw(st.sampled_from(["doc0", "ana", "ben", ""]) | st.text(max_size=20))
        return quote(value, safe="/" if found[1] == "path" else "")

    return re.sub(SEGMENT, drawn, rule.rule)


@pytest.mark.slow  # 1000 requests
@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_anything_sent_to_any_route_by_anyone_is_never_a_500(app, auth, everyone, data):
    clients, held = everyone
    role = data.draw(st.sampled_from(sorted(clients)), label="role")
    rules = sorted(app.url_map.iter_rules(), key=str)
    posted = [rule for rule in rules if "POST" in rule.methods]  # half of the draws
    rule = data.draw(st.sampled_from(posted) | st.sampled_from(rules), label="rule")
    methods = rule.methods & {"GET", "POST"} | {"POST"}  # and POST to every GET
    method = data.draw(st.sampled_from(sorted(methods)), label="method")
    path = address(data, rule, held.get(role, 1))
    query = data.draw(QUERIES, label="query")
    kind, body = data.draw(FORMS | OTHERS, label="body")
    client = clients[role]
    headers = {"X-CSRFToken": client.token()}  # so that the body reaches the view
    if data.draw(st.booleans(), label="htmx"):
        headers["HX-Request"] = "true"
    response = client.open(
        f"{path}?{urlencode(query)}", method=method, data=body, content_type=kind,
        headers=headers, as_given=True,
    )  # fmt: skip
    assert response.status_code < 500, response.text[:2000]
    if path == "/logout" and response.status_code == 302 and role in NAMES:
        app.extensions["login_limiter"].storage.reset()  # the hostile logins' tries forgotten
        auth.login(NAMES[role], on=client)
