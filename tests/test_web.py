"""Pages: login, the documents list and a document, and who may see them."""

import re

import pytest

from annotator.extensions import db
from tests.helpers import import_texts


@pytest.mark.parametrize("path", ["/", "/documents", "/documents/000_4e0281c745451fc7"])
def test_pages_need_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_page_and_static_need_no_login(client):
    assert client.get("/login").status_code == 200
    assert client.get("/static/annotator.css").status_code == 200


def test_wrong_name_and_wrong_password_get_the_same_message(client, make_user):
    make_user("alice")
    wrong_password = client.post("/login", data={"name": "alice", "password": "nope"})
    wrong_name = client.post("/login", data={"name": "mallory", "password": "nope"})
    for response in (wrong_password, wrong_name):
        assert response.status_code == 200
        assert b"Wrong name or password." in response.data


def test_login_returns_to_the_page_asked_for_on_this_site_only(client, make_user):
    make_user("alice")
    data = {"name": "alice", "password": "secret-pass"}
    response = client.post("/login?next=/documents/x", data=data)
    assert response.headers["Location"] == "/documents/x"
    client.post("/logout")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/login?next={target}", data=data)
        assert response.headers["Location"] == "/annotate"  # an annotator's start page
        client.post("/logout")


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user("gone")
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"name": "gone", "password": "secret-pass"})
    assert b"Wrong name or password." in response.data


def test_documents_list_and_view(client, auth, runner, tmp_path):
    auth.login("admin")
    article = tmp_path / "x.jsonl"
    article.write_text(
        '{"id": "x", "title": "<b>Bold</b> title", "text": "It said <script>alert(1)</script>. '
        'Then it stopped."}\n'
    )
    result = runner.invoke(args=["import", str(article)])
    assert result.exit_code == 0, result.output
    listing = client.get("/documents")
    assert listing.status_code == 200
    assert b"&lt;b&gt;Bold&lt;/b&gt; title" in listing.data
    page = client.get("/documents/x")
    assert page.status_code == 200
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.data
    assert b"<script>alert" not in page.data
    assert client.get("/documents/missing").status_code == 404


def test_logout_ends_the_session(client, auth):
    auth.login("admin")
    assert client.post("/logout").status_code == 302
    response = client.get("/documents")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_csrf_is_enforced(client, make_user):
    make_user("alice")
    form = {"name": "alice", "password": "secret-pass"}
    assert client.post("/login", data=form, as_given=True).status_code == 400
    page = client.get("/login").data.decode()
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={**form, "csrf_token": token}).status_code == 302


def test_a_document_numbers_its_sentences_from_1_as_the_other_pages_do(client, auth, tmp_path):
    auth.login("admin")
    import_texts(tmp_path, ["First one.", "Second one.", "Third one."])
    page = client.get("/documents/doc0").text
    numbers = re.findall(r'id="s(\d+)"><sup>(\d+)</sup>', page)
    assert numbers == [("1", "1"), ("2", "2"), ("3", "3")]  # "sentence 1" in the workspace
