"""The workspace's server side: htmx partials, history, guidelines, suggestions, progress."""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import Annotation
from tests.helpers import import_texts, label_values

ROOT = Path(__file__).resolve().parent.parent
HX = {"HX-Request": "true"}
SENTENCES = [
    "The minister spoke on Monday.",
    "Jeyhun Bayramov said talks go on.",
    "Nobody objected.",
]


@pytest.fixture
def ids(auth, tmp_path):
    """A logged-in annotator and one article of three sentences."""
    (found,) = import_texts(tmp_path, SENTENCES)
    auth.login("alice")
    return found


def test_htmx_save_answers_with_the_next_sentence(client, ids):
    client.get("/annotate")
    response = client.post(f"/annotate/{ids[0]}", data={"claim": "not_claim"}, headers=HX)
    assert response.status_code == 200
    page = response.data.decode()
    title, partial = page.lstrip().split("\n", 1)
    assert title == "<title>Sentence 2 · Untitled article · annotator</title>"  # htmx retitles
    assert partial.startswith('<div class="workspace" id="workspace"')  # a partial, not a page
    assert "<html" not in page
    assert SENTENCES[1] in page and 'id="current"' in page
    assert response.headers["HX-Push-Url"] == f"/annotate/{ids[1]}"
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_errors_come_back_as_a_swappable_partial(client, ids):
    client.get("/annotate")
    response = client.post(f"/annotate/{ids[0]}", data={"claim": "nonsense"}, headers=HX)
    assert response.status_code == 200  # htmx 2 swaps only 2xx
    assert "choose one of not_claim" in response.data.decode()
    assert "HX-Push-Url" in response.headers  # the URL stays on this sentence
    assert response.headers["HX-Push-Url"] == f"/annotate/{ids[0]}"
    assert db.session.scalar(select(Annotation)) is None


def test_htmx_done_partial(client, ids):
    for sentence_id in ids:
        client.get("/annotate")
        last = client.post(f"/annotate/{sentence_id}", data={"claim": "claim"}, headers=HX)
    assert "Nothing left for you to label" in last.data.decode()
    assert last.headers["HX-Push-Url"] == "/annotate"


def test_previous_link_and_entity_suggestions(client, ids):
    client.get("/annotate")
    data = {"claim": "claim", "source_type": "person", "entity": "Jeyhun Bayramov"}
    client.post(f"/annotate/{ids[0]}", data=data)
    assert client.get("/annotate").headers["Location"] == f"/annotate/{ids[1]}"
    page = client.get(f"/annotate/{ids[1]}").data.decode()
    assert f'id="back-link" href="/annotate/{ids[0]}"' in page
    assert '<option value="Jeyhun Bayramov">' in page
    assert "Today <strong>1</strong> · all <strong>1</strong>" in page


def test_time_spent_adds_up_over_visits(client, ids):
    client.get("/annotate")
    client.post(f"/annotate/{ids[0]}", data={"claim": "claim", "seconds": "4.5"})
    client.post(f"/annotate/{ids[0]}", data={"claim": "not_claim", "seconds": "2", "revision": "1"})
    assert db.session.scalar(select(Annotation.seconds)) == 6.5


def test_history_lists_only_my_labels_newest_first(client, ids, make_user):
    bob = make_user("bob")
    save(bob.id, next_sentence(bob.id), label_values())
    for sentence_id in ids[:2]:
        client.get("/annotate")
        client.post(f"/annotate/{sentence_id}", data={"claim": "claim"})
    client.post(f"/annotate/{ids[0]}", data={"claim": "not_claim", "revision": "1"})
    page = client.get("/annotate/history").data.decode()
    assert page.count('<tr>\n    <td><a href="/annotate/') == 2  # bob's label is not listed
    assert page.index(SENTENCES[0]) < page.index(SENTENCES[1])  # the edit is newest
    assert '<td class="num">1</td>' in page  # one earlier version kept


def test_guidelines_render_markdown_and_escape_html(app, client, ids, tmp_path):
    path = tmp_path / "guide.md"
    path.write_text("# Rules\n\n**Claim** means checkable.\n\n<script>alert(1)</script>\n")
    app.config["GUIDELINES_FILE"] = str(path)
    page = client.get("/annotate/guidelines").data.decode()
    assert "<strong>Claim</strong> means checkable." in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    partial = client.get("/annotate/guidelines", headers=HX).data.decode()
    assert partial.lstrip().startswith('<article class="guidelines"')
    app.config["GUIDELINES_FILE"] = str(tmp_path / "missing.md")
    assert "No guidelines yet" in client.get("/annotate/guidelines").data.decode()


def test_a_relative_guidelines_file_is_found_from_the_project_folder(
    app, client, ids, tmp_path, monkeypatch
):
    path = tmp_path / "ours.md"
    path.write_text("# Our own rules\n")
    app.config["GUIDELINES_FILE"] = os.path.relpath(path, ROOT)  # as `seeds/guidelines.md` is
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a server started from another folder
    assert "Our own rules" in client.get("/annotate/guidelines").data.decode()


def test_seed_guidelines_exist(client, ids):
    page = client.get("/annotate/guidelines").data.decode()
    assert "Checkworthy claim" in page and "<table>" in page


def test_workspace_page_weight(client, ids, app):
    page = client.get(client.get("/annotate").headers["Location"])
    assert len(page.data) < 30_000
    assets = ["/static/annotator.css", "/static/annotate.js", "/static/htmx-2.0.11.min.js"]
    total = len(page.data) + sum(len(client.get(a).data) for a in assets)
    assert total < 120_000
    assert "http://" not in page.data.decode() and "https://" not in page.data.decode()
