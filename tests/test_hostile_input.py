"""Bad and hostile input: any text into the importer, any values into the annotation form,
tampered forms. Never a 500, never a partial write, never someone else's data."""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.models import Annotation, AnnotationRevision, Document, Gold, Sentence
from tests.helpers import import_texts

FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
SENTENCES = ["Officials said the talks would resume on Monday.", "Nobody else agreed."]


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def snapshot():
    """Everything an import or a save could have changed."""
    return (
        db.session.execute(select(Document.id, Document.text).order_by(Document.id)).all(),
        db.session.execute(select(Sentence.id, Sentence.text).order_by(Sentence.id)).all(),
        db.session.execute(
            select(Annotation.id, Annotation.revision, Annotation.labels).order_by(Annotation.id)
        ).all(),
        count(AnnotationRevision),
    )


# Article records as a careless or hostile export would write them: any JSON value in any
# field, text with control characters, markup, lone surrogates escaped, very long words.
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
TEXTS = st.text(min_size=0, max_size=300) | st.sampled_from(
    ["<script>alert(1)</script> He said so.", "A.\x00B.", "\ud800 lone", " \n\n ", "x" * 5000]
)
RECORDS = st.fixed_dictionaries(
    {"text": TEXTS | ANY_JSON},
    optional={
        "id": st.text(max_size=40) | ANY_JSON,
        "title": st.text(max_size=40) | ANY_JSON,
        "outlet": st.text(max_size=40) | ANY_JSON,
        "publisher": ANY_JSON,
        "published": st.text(max_size=30) | st.dates().map(str) | ANY_JSON,
        "url": st.text(max_size=40),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURES)
@given(records=st.lists(RECORDS, min_size=1, max_size=4), raw=st.binary(max_size=200))
def test_import_of_anything_is_all_or_nothing(runner, tmp_path_factory, records, raw):
    folder = tmp_path_factory.mktemp("hostile")
    lines = [json.dumps(record) for record in records]
    (folder / "articles.jsonl").write_text("\n".join(lines) + "\n")
    (folder / "raw.txt").write_bytes(raw)
    before = snapshot()
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code in (0, 1), result.output  # imported, or refused in one line
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code != 0:  # refused: says what and where, and changed nothing
        assert "nothing was imported" in result.output
        assert snapshot() == before
        return
    for document in db.session.scalars(select(Document)):
        for sentence in db.session.scalars(
            select(Sentence).where(Sentence.document_id == document.id)
        ):
            assert document.text[sentence.start : sentence.end] == sentence.text
            assert sentence.text.strip() and "\x00" not in sentence.text


FORM_VALUES = st.text(max_size=40) | st.sampled_from(
    ["", "0", "-1", "99999999999999999999", "1e3", "claim", "not_claim", "favor", "none"]
)
FIELDS = [
    "claim", "source_type", "entity", "source_start", "source_end", "cue_start", "cue_end",
    "stance_0", "stance_1", "outlet", "flagged", "comment", "seconds", "revision",
]  # fmt: skip


@pytest.fixture
def labelling(client, auth, tmp_path):
    """Alice, logged in, holding the first sentence of an article."""
    (ids,) = import_texts(tmp_path, SENTENCES)
    auth.login("alice")
    client.get("/annotate")
    return ids


@settings(max_examples=80, deadline=None, suppress_health_check=FIXTURES)
@given(
    form=st.dictionaries(st.sampled_from(FIELDS), FORM_VALUES, max_size=len(FIELDS)),
    htmx=st.booleans(),
)
def test_any_form_values_store_valid_labels_or_nothing(client, app, labelling, form, htmx):
    scheme = app.extensions["scheme"]
    sentence = labelling[0]
    before = snapshot()
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(f"/annotate/{sentence}", data=form, headers=headers)
    assert response.status_code in {200, 302, 400, 404, 409, 413, 422}, response.status_code
    page = response.data.decode()
    refused = response.status_code >= 400 or 'class="error banner" role="alert">' in page
    refused = refused or (htmx and f'data-sentence="{sentence}"' in page)
    if refused:
        assert snapshot() == before
    for annotation in db.session.scalars(select(Annotation)):  # whatever is stored is valid
        text = db.session.get(Sentence, annotation.sentence_id).text
        assert scheme.check(annotation.labels, len(text)) == {}
        assert annotation.comment is None or "\x00" not in annotation.comment


@pytest.fixture
def guarded(client, auth, make_user, tmp_path):
    """Alice logged in: (client, the token of her workspace page, her sentence, (bob's id, a
    sentence not hers), alice's id)."""
    (ids,) = import_texts(tmp_path, SENTENCES)
    bob = make_user("bob")
    next_sentence(bob.id)
    alice = auth.login("alice")
    workspace = client.get("/annotate", follow_redirects=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', workspace.data.decode())[1]
    alices = next_sentence(alice.id)  # the sentence the workspace handed her
    return client, token, alices, (bob.id, ids[1]), alice.id


VALID = {"claim": "claim", "source_type": "author"}


def test_missing_or_wrong_csrf_token_is_refused(guarded):
    client, token, sentence, _, _ = guarded
    stolen = "ImZha2UtdG9rZW4i.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"
    for headers, form in [
        ({}, VALID),  # none at all
        ({}, {**VALID, "csrf_token": stolen}),  # forged
        ({"HX-Request": "true", "X-CSRFToken": token[:-4] + "AAAA"}, VALID),  # tampered
    ]:
        response = client.post(f"/annotate/{sentence}", data=form, headers=headers, as_given=True)
        assert response.status_code == 400
        assert "CSRF" in response.data.decode()
    assert count(Annotation) == 0
    accepted = client.post(f"/annotate/{sentence}", data={**VALID, "csrf_token": token})
    assert accepted.status_code == 302 and count(Annotation) == 1  # the real token works


def test_a_sentence_that_does_not_exist_is_refused(guarded):
    client, token, _, _, _ = guarded
    headers = {"X-CSRFToken": token}
    for path in ("/annotate/987654", "/annotate/987654/skip", "/annotate/-1", "/annotate/x"):
        assert client.post(path, data=VALID, headers=headers).status_code in (404, 405)
    assert client.get("/annotate/annotations/987654").status_code == 404
    assert count(Annotation) == 0


def test_another_users_id_in_the_form_is_ignored(guarded):
    client, token, sentence, (bob_id, other_sentence), alice_id = guarded
    form = {**VALID, "annotator_id": bob_id, "user_id": bob_id, "sentence_id": other_sentence}
    response = client.post(f"/annotate/{sentence}", data=form, headers={"X-CSRFToken": token})
    assert response.status_code == 302
    stored = db.session.execute(select(Annotation.annotator_id, Annotation.sentence_id)).all()
    assert stored == [(alice_id, sentence)]  # hers, for the sentence in the address


def test_an_annotator_cannot_write_gold_or_import(guarded):
    client, token, sentence, _, _ = guarded
    headers = {"X-CSRFToken": token}
    review = client.post(f"/review/sentences/{sentence}", data=VALID, headers=headers)
    assert review.status_code == 403
    take = client.post(f"/review/sentences/{sentence}/take/alice", headers=headers)
    assert take.status_code in (403, 404)
    assert count(Gold) == 0
