"""A field added in the scheme file goes the whole way with no other code: it is labelled in
the workspace, agreed on, adjudicated by a reviewer and by ``--auto``, exported, described
in the dataset card and read back by ``flask import-annotations``."""

import json

import pytest
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from annotator.extensions import db
from annotator.models import Annotation, Gold, Sentence
from tests.helpers import Client, add_user, import_texts, make_app, rendered_forms

CERTAINTY = """
[fields.certainty]
labels = ["low", "medium", "high"]
level = "ordinal"
title = "How certain the sentence sounds"
"""


@pytest.fixture
def app(database_uri, tmp_path):
    """The app with a scheme file that adds ``certainty`` to the default scheme."""
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(CERTAINTY)
    app = make_app(database_uri, ANNOTATOR_SCHEMA_FILE=str(scheme))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def submit(client, page, form_action, **chosen):
    """Post the page's form with ``form_action`` as rendered, with ``chosen`` values."""
    forms, _ = rendered_forms(page.request.path, page.text)
    (form,) = [f for f in forms if f["action"].endswith(form_action)]
    fields = [(name, value) for name, value in form["fields"] if name not in chosen]
    return client.post(form["action"], data=MultiDict([*fields, *chosen.items()]))


def label_both(client, auth, name, choices):
    """Log in as annotator ``name`` and label the two sentences in the order handed out,
    choosing (claim, certainty) per sentence text."""
    auth.login(name)
    for _ in choices:
        page = client.get("/annotate", follow_redirects=True)
        assert "How certain the sentence sounds" in page.text
        sentence_id = int(page.request.path.rsplit("/", 1)[1])
        text = db.session.get(Sentence, sentence_id).text
        claim, certainty = choices[text]
        saved = submit(
            client, page, f"/annotate/{sentence_id}", claim=claim, field_certainty=certainty
        )
        assert saved.status_code in (200, 302), saved.text
    auth.logout()


def test_an_extra_choice_field_is_labelled_agreed_on_adjudicated_exported_and_reimported(
    client, auth, runner, tmp_path
):
    first, second = "The minister said the talks had failed.", "It rained."
    (sentences,) = import_texts(tmp_path, [first, second])
    label_both(client, auth, "ann", {first: ("claim", "high"), second: ("not_claim", "medium")})
    label_both(client, auth, "bob", {first: ("claim", "low"), second: ("not_claim", "medium")})
    stored = {
        (a.sentence_id, a.annotator_id): a.labels["certainty"]
        for a in db.session.scalars(select(Annotation))
    }
    assert sorted(stored.values()) == ["high", "low", "medium", "medium"]

    result = runner.invoke(args=["agreement", "--json", "--field", "certainty"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["fields"]["certainty"]
    assert (figures["items"], figures["percent"]) == (2, 0.5)

    # the reviewer finds the disagreement by the new field and settles it in the gold form
    auth.login("rita", role="reviewer")
    listed = client.get("/review/disagreements?field=certainty").text
    assert first in listed and second not in listed
    page = client.get(f"/review/sentences/{sentences[0]}")
    assert '<th scope="row">certainty' in page.text or ">certainty<" in page.text
    saved = submit(client, page, f"/review/sentences/{sentences[0]}", field_certainty="medium")
    assert saved.status_code == 302, saved.text
    result = runner.invoke(args=["adjudicate", "--auto", "unanimous"])
    assert result.exit_code == 0, result.output
    gold = {g.sentence_id: g for g in db.session.scalars(select(Gold))}
    assert (gold[sentences[0]].labels["certainty"], gold[sentences[0]].method) == (
        "medium",
        "reviewer",
    )
    assert (gold[sentences[1]].labels["certainty"], gold[sentences[1]].method) == (
        "medium",
        "unanimous",
    )

    out = tmp_path / "export.jsonl"
    result = runner.invoke(args=["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["final"]["certainty"] for r in records] == ["medium", "medium"]
    assert sorted(a["certainty"] for r in records for a in r["annotations"]) == sorted(
        stored.values()
    )
    card = out.with_suffix(".md").read_text()
    assert "- certainty (ordinal): low, medium, high" in card
    assert (
        "- `certainty`: How certain the sentence sounds: one of the labels of `certainty` in "
        "the label scheme, ordinal"
    ) in card
    assert "| certainty | 2 |" in card

    # read back: everything the export holds comes back, and a label outside the scheme
    # is refused with the line, the field and the choices
    db.session.execute(delete(Annotation))
    db.session.execute(delete(Gold))
    db.session.commit()
    result = runner.invoke(args=["import-annotations", str(out)])
    assert result.exit_code == 0, result.output
    again = {
        (a.sentence_id, a.annotator_id): a.labels["certainty"]
        for a in db.session.scalars(select(Annotation))
    }
    assert again == stored
    assert {g.sentence_id: g.labels["certainty"] for g in db.session.scalars(select(Gold))} == {
        sentences[0]: "medium",
        sentences[1]: "medium",
    }
    bad = records[1]
    bad["annotations"][0]["certainty"] = "sure"
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(bad) + "\n")
    result = runner.invoke(args=["import-annotations", str(broken)])
    assert result.exit_code == 1, result.output
    assert "line 1: annotation by ann: certainty 'sure': choose one of low, medium, high" in (
        result.output
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[fields.claim]\nlabels = ["a"]\n', "'claim' cannot name a field"),
        ('[fields.stance_0]\nlabels = ["a"]\n', "'stance_0' cannot name a field"),
        ("[fields.certainty]\nlevel = 'ordinal'\n", "[fields.certainty] needs labels"),
        ('[fields.certainty]\nlabels = ["a"]\nkeys = 1\n', "unknown key 'keys'"),
        ('[fields.certainty]\nlabels = ["a"]\ndefault = "b"\n', "default 'b' is not one of"),
        ("[fields]\ncertainty = 3\n", "[fields] certainty must be a table"),
    ],
)
def test_a_bad_extra_field_stops_start_up_naming_the_line(tmp_path, text, message):
    from annotator.schema import SchemeError, load_scheme

    path = tmp_path / "scheme.toml"
    path.write_text(text)
    with pytest.raises(SchemeError) as error:
        load_scheme(path)
    assert message in str(error.value)


@pytest.mark.parametrize("name", ["annotator", "skipped", "created", "final", "text"])
def test_an_extra_field_cannot_take_a_key_the_export_record_has(tmp_path, name):
    from annotator.schema import SchemeError, load_scheme

    path = tmp_path / "scheme.toml"
    path.write_text(f'[fields.{name}]\nlabels = ["a", "b"]\n')
    with pytest.raises(SchemeError, match=f"'{name}' cannot name a field"):
        load_scheme(path)


def test_an_extra_field_named_like_a_form_attribute_leaves_the_form_checked(database_uri, tmp_path):
    # the form class has `validate` and `data`; a field of that name gets its own input
    scheme = tmp_path / "scheme.toml"
    scheme.write_text('[fields.validate]\nlabels = ["a", "b"]\n\n[fields.data]\nlabels = ["x"]\n')
    app = make_app(database_uri, ANNOTATOR_SCHEMA_FILE=str(scheme))
    app.test_client_class = Client
    with app.app_context():
        import_texts(tmp_path, ["One sentence here."])
        client = app.test_client()
        add_user("ann")
        client.post("/login", data={"name": "ann", "password": "secret-pass"})
        page = client.get("/annotate", follow_redirects=True)
        assert page.status_code == 200
        path = page.request.path
        too_long = submit(client, page, path, claim="claim", comment="x" * 5001,
                          field_validate="a", field_data="x")  # fmt: skip
        assert too_long.status_code == 422
        saved = submit(client, page, path, claim="claim", field_validate="b", field_data="x")
        assert saved.status_code in (200, 302), saved.text
        labels = db.session.scalar(select(Annotation.labels))
        assert (labels["validate"], labels["data"]) == ("b", "x")
        db.session.remove()
        db.engine.dispose()
