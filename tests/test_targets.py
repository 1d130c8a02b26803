"""Stance targets belong to the article (issue 16): set at import, one stance row per target
of the sentence's document in the workspace, checked against the document's targets."""

import json

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from annotator.extensions import db
from annotator.importing import import_files
from annotator.models import Annotation, Document, Sentence
from tests.conftest import Auth
from tests.helpers import Client, add_user, make_app, rendered_forms

WATER = "The city will replace its water mains. The council approved the plan on Monday."
BORDER = "Azerbaijan and Armenia met in Brussels. Both sides called the talks useful."


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


@pytest.fixture
def two_topics(runner, tmp_path):
    """Two articles: one with targets of its own, one with the scheme's."""
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": "water", "text": WATER, "targets": ["Water utility", "City council"]},
            {"id": "border", "text": BORDER},
        ],
    )
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_a_record_s_targets_are_the_document_s_and_the_scheme_s_the_default(two_topics):
    assert db.session.get(Document, "water").targets == ["Water utility", "City council"]
    assert db.session.get(Document, "border").targets == ["Azerbaijan", "Armenia"]


def test_the_targets_option_sets_them_for_records_without_their_own(runner, tmp_path):
    path = write_jsonl(
        tmp_path / "b.jsonl",
        [{"id": "a", "text": WATER}, {"id": "b", "text": BORDER, "targets": []}],
    )
    result = runner.invoke(args=["import", "--targets", " Water utility ,Mayor", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.get(Document, "a").targets == ["Water utility", "Mayor"]
    assert db.session.get(Document, "b").targets == []  # a record's own list wins, even empty


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ("Mayor,,Council", "--targets: item 2 is empty"),
        ("Mayor,mayor", "--targets: 'mayor' is given twice (items 1 and 2)"),
        ("x" * 81, "--targets: item 1 is 81 characters long; a target is at most 80"),
        ("Ma\x1byor", "--targets: item 1 ('Ma\\x1byor') holds control or invisible characters"),
    ],
)
def test_bad_targets_on_the_command_line_import_nothing(runner, tmp_path, targets, message):
    path = write_jsonl(tmp_path / "c.jsonl", [{"id": "a", "text": WATER}])
    result = runner.invoke(args=["import", "--targets", targets, str(path)])
    assert result.exit_code != 0
    assert message in result.output and "nothing was imported" in result.output
    assert db.session.scalars(select(Document.id)).all() == []


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ("Mayor", "'targets' must be a list of strings"),
        (["Mayor", 3], "'targets': item 2 must be a string, not int"),
        (["Mayor", " "], "'targets': item 2 is empty"),
    ],
)
def test_bad_targets_in_a_record_name_its_line_and_import_nothing(
    runner, tmp_path, targets, message
):
    path = write_jsonl(
        tmp_path / "d.jsonl",
        [{"id": "a", "text": BORDER}, {"id": "b", "text": WATER, "targets": targets}],
    )
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0
    assert f"d.jsonl:2: {message}" in result.output
    assert db.session.scalars(select(Document.id)).all() == []


def label_page(client, document_id):
    """Hand out sentences until one of ``document_id`` comes; its page."""
    for _ in range(10):
        page = client.get("/annotate", follow_redirects=True)
        sentence_id = int(page.request.path.rsplit("/", 1)[1])
        if db.session.get(Sentence, sentence_id).document_id == document_id:
            return page, sentence_id
        forms, _ = rendered_forms(page.request.path, page.text)
        skip_form = next(f for f in forms if f["action"].endswith("/skip"))
        client.post(skip_form["action"], data=MultiDict(skip_form["fields"]))
    raise AssertionError(f"no sentence of {document_id} was handed out")


def test_the_workspace_asks_the_stance_of_the_document_s_own_targets(two_topics, client, auth):
    add_user("alice")
    auth.login("alice")
    page, sentence_id = label_page(client, "water")
    assert "Stance: Water utility" in page.text and "Stance: City council" in page.text
    assert "Stance: Azerbaijan" not in page.text
    forms, _ = rendered_forms(page.request.path, page.text)
    (form,) = [f for f in forms if f["action"].endswith(f"/annotate/{sentence_id}")]
    fields = [(name, value) for name, value in form["fields"] if name not in ("claim", "stance_1")]
    chosen = [("claim", "claim"), ("stance_1", "against")]
    saved = client.post(form["action"], data=MultiDict([*fields, *chosen]))
    assert saved.status_code in (200, 302), saved.text
    annotation = db.session.scalars(
        select(Annotation).where(Annotation.sentence_id == sentence_id)
    ).one()
    assert annotation.labels["stance"] == {"Water utility": "none", "City council": "against"}


@pytest.fixture
def blind_app(database_uri, tmp_path):
    """The app with outlet-blind labelling on (BLIND_OUTLET=1)."""
    app = make_app(database_uri, BLIND_OUTLET=True)
    app.test_client_class = Client
    with app.app_context():
        path = write_jsonl(
            tmp_path / "e.jsonl",
            [{"id": "blind", "text": WATER, "outlet": "Harbour Gazette", "publisher": "Wirehouse"}],
        )
        import_files([path])
        add_user("alice")
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(("relayed", "stored"), [("", "Harbour Gazette"), ("TASS", "TASS")])
def test_outlet_blind_labelling_hides_the_outlet_and_takes_the_article_s(
    blind_app, relayed, stored
):
    client = blind_app.test_client()
    Auth(client).login("alice")
    page = client.get("/annotate", follow_redirects=True)
    assert "Harbour Gazette" not in page.text and "Wirehouse" not in page.text
    assert "outlet hidden" in page.text and "Relays another outlet" in page.text
    sentence_id = int(page.request.path.rsplit("/", 1)[1])
    forms, _ = rendered_forms(page.request.path, page.text)
    (form,) = [f for f in forms if f["action"].endswith(f"/annotate/{sentence_id}")]
    fields = [(name, value) for name, value in form["fields"] if name not in ("claim", "outlet")]
    saved = client.post(
        form["action"], data=MultiDict([*fields, ("claim", "claim"), ("outlet", relayed)])
    )
    assert saved.status_code in (200, 302), saved.text
    annotation = db.session.scalars(
        select(Annotation).where(Annotation.sentence_id == sentence_id)
    ).one()
    assert annotation.labels["outlet"] == stored
    # opened again, the form still does not show the article's outlet
    again = client.get(f"/annotate/{sentence_id}")
    assert "Harbour Gazette" not in again.text


def test_the_import_report_says_where_a_document_s_targets_came_from(runner, tmp_path):
    path = write_jsonl(
        tmp_path / "f.jsonl",
        [{"id": "a", "text": WATER, "targets": ["Mayor"]}, {"id": "b", "text": BORDER}],
    )
    result = runner.invoke(args=["import", "--dry-run", "--targets", "Talks", str(path)])
    assert "  targets    Mayor  (from field 'targets')" in result.output
    assert "  targets    Talks  (from --targets option)" in result.output
