"""Suggested labels (issue 17): the rules, their storage at import, the workspace's pre-fill
posted as the page renders it, what each annotation records, SUGGESTIONS, the classifier's
retraining, `flask suggest`, the export round trip and the acceptance and bias figures."""

import json
import time
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import delete, func, select, update

from annotator import SettingsError
from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import (
    Annotation,
    AnnotationRevision,
    BackgroundTurn,
    Lease,
    Sentence,
    SentenceSuggestion,
    SuggesterModel,
)
from annotator.suggesting import (
    attribution,
    latest_classifier,
    make_missing,
    rows_for,
    shown_on,
    training,
)
from tests.helpers import import_texts, label_values, make_app, rendered_forms

ARTICLE = [
    "Foreign Minister Jeyhun Bayramov met Italian Foreign Minister Antonio Tajani in New York.",
    "Bayramov said the talks had been useful.",
    "The minister added that six people were killed by mines in September.",
    '"We will continue," he told reporters.',
    "According to the Ministry of Defence, the measures ended on Wednesday.",
    "Reuters reported that the border was calm.",
    "Officials said the road would reopen.",
]
# what a careful editor marks in each (source, cue, type, entity), as the rules must find it
EXPECTED = [
    None,
    ("Bayramov", "said", "person", "Jeyhun Bayramov"),
    ("The minister", "added", "person", "Jeyhun Bayramov"),
    ("he", "told", "person", "Jeyhun Bayramov"),
    ("the Ministry of Defence", "According to", "organisation", "Ministry of Defence"),
    ("Reuters", "reported", "media", "Reuters"),
    ("Officials", "said", "anonymous", None),
]


def test_the_rules_find_source_cue_type_and_the_full_name_from_the_article():
    found = attribution.suggest_document(ARTICLE)
    for sentence, suggestion, expected in zip(ARTICLE, found, EXPECTED, strict=True):
        if expected is None:
            assert suggestion is None, sentence
            continue
        source, cue, kind, entity = expected
        assert sentence[slice(*suggestion.source)] == source, sentence
        assert sentence[slice(*suggestion.cue)] == cue, sentence
        assert (suggestion.source_type, suggestion.entity) == (kind, entity), sentence


def test_an_appositive_and_a_quote_before_the_cue():
    sentences = [
        "John Smith, the mayor of Dover, said the road was closed.",
        '"It is a tragedy," said Jane Doe, a witness.',
        "Smith, 45, said he was happy.",
    ]
    found = attribution.suggest_document(sentences)
    assert [s[slice(*f.source)] for s, f in zip(sentences, found, strict=True)] == [
        "John Smith",
        "Jane Doe",
        "Smith",
    ]
    assert found[2].entity == "John Smith"


@pytest.fixture
def article(runner, tmp_path):
    """The article imported, and its suggestions made as the server's worker makes them
    (the tests run none): its sentence ids."""
    ids = import_texts(tmp_path, ARTICLE)[0]
    result = runner.invoke(args=["suggest", "--missing"])
    assert result.exit_code == 0, result.output
    assert "Made suggestions for 7 sentences." in result.output
    return ids


def stored(index):
    return db.session.get(SentenceSuggestion, ("doc0", index))


def test_every_sentence_gets_its_suggestion_made_and_stored(article):
    assert db.session.scalar(select(func.count()).select_from(SentenceSuggestion)) == 7
    said = stored(1)
    assert said.attribution == {
        "source_type": "person",
        "entity": "Jeyhun Bayramov",
        "source": {"start": 0, "end": 8},
        "cue": {"start": 9, "end": 13},
    }
    assert said.attribution_by == "attribution-rules/1" and said.claim_by == "claim-prior/1"
    assert stored(2).claim == "checkworthy_claim"  # six people killed
    assert stored(0).attribution == {"source_type": "author"}


def test_flask_suggest_prints_what_the_workspace_would_prefill(runner, article):
    result = runner.invoke(args=["suggest", "doc0", "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert [r["index"] for r in records] == list(range(7))
    second = records[1]
    assert second["text"] == ARTICLE[1] and second["claim"] in {"claim", "checkworthy_claim"}
    assert second["shown"] is True
    assert second["attribution"]["source"] == {"start": 0, "end": 8, "text": "Bayramov"}
    assert second["attribution"]["cue"]["text"] == "said"
    assert second["attribution"]["entity"] == "Jeyhun Bayramov"
    assert records[0]["attribution"] == {"source_type": "author", "entity": None, "source": None,
                                         "cue": None, "confidence": 0.82,
                                         "by": "attribution-rules/1"}  # fmt: skip
    text = runner.invoke(args=["suggest", "doc0"])
    assert "person  source “Bayramov”  cue “said”  entity Jeyhun Bayramov" in text.output
    missing = runner.invoke(args=["suggest", "no-such-doc"])
    assert missing.exit_code == 1 and "no document 'no-such-doc'" in missing.output
    bare = runner.invoke(args=["suggest"])
    assert bare.exit_code == 2 and "give a DOCUMENT_ID, --missing or --train" in bare.output


def test_an_import_makes_none_and_flask_suggest_makes_a_documents_at_once(runner, app, tmp_path):
    import_texts(tmp_path, ARTICLE)
    assert db.session.scalar(select(func.count()).select_from(SentenceSuggestion)) == 0
    result = runner.invoke(args=["suggest", "doc0", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[1]["attribution"]["entity"] == "Jeyhun Bayramov"
    assert db.session.scalar(select(func.count()).select_from(SentenceSuggestion)) == 7
    again = runner.invoke(args=["suggest", "--missing"])
    assert "Made suggestions for 0 sentences." in again.output


def test_replacing_a_document_drops_its_suggestions_with_its_sentences(runner, article, tmp_path):
    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps({"id": "doc0", "text": "A new text. Officials said so."}) + "\n")
    result = runner.invoke(args=["import", "--replace", str(path)])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SentenceSuggestion)) == 0
    assert runner.invoke(args=["suggest", "--missing"]).output.startswith(
        "Made suggestions for 2 sentences."
    )
    assert stored(1).attribution["source_type"] == "anonymous"


def label_form(client, url):
    """(action, fields as rendered) of the workspace's label form at ``url``."""
    page = client.get(url, follow_redirects=True)
    forms, _ = rendered_forms("", page.text)
    form = next(f for f in forms if "/skip" not in f["action"] and "/annotate/" in f["action"])
    return page.text, form["action"], dict(form["fields"])


def annotation_of(sentence_id):
    db.session.rollback()
    return db.session.scalar(select(Annotation).where(Annotation.sentence_id == sentence_id))


def test_the_workspace_prefills_and_the_rendered_form_accepts_them_all(client, auth, article):
    auth.login("alice")
    for sentence_id in article:
        page, action, fields = label_form(client, "/annotate")
        assert action == f"/annotate/{sentence_id}"
        assert 'class="suggested"' in page and fields["suggested"]
        response = client.post(action, data=fields)
        assert response.status_code == 302, response.text
        annotation = annotation_of(sentence_id)
        assert annotation.suggested["shown"] is True
        assert all(f["accepted"] for f in annotation.suggested["fields"].values())
    said = annotation_of(article[1])
    assert said.labels["attribution"] == {
        "source_type": "person",
        "entity": "Jeyhun Bayramov",
        "source": {"start": 0, "end": 8},
        "cue": {"start": 9, "end": 13},
    }
    provenance = said.suggested["fields"]
    assert provenance["attribution.source"] == {
        "value": {"start": 0, "end": 8},
        "by": "attribution-rules/1",
        "confidence": attribution.CONFIDENCE["source cue"],
        "accepted": True,
    }
    assert provenance["claim"]["by"] == "claim-prior/1"


def test_a_changed_field_is_recorded_as_changed_and_an_edit_keeps_the_first_offer(
    client, auth, article
):
    auth.login("alice")
    label_form(client, "/annotate")
    _, action, fields = label_form(client, f"/annotate/{article[0]}")
    client.post(action, data=fields)
    _, action, fields = label_form(client, "/annotate")
    assert action == f"/annotate/{article[1]}"
    fields |= {"claim": "not_claim", "entity": "J. Bayramov"}
    client.post(action, data=fields)
    offered = annotation_of(article[1]).suggested
    accepted = {name: f["accepted"] for name, f in offered["fields"].items()}
    assert accepted["attribution.entity"] is False and accepted["attribution.source"] is True
    assert accepted["claim"] is (offered["fields"]["claim"]["value"] == "not_claim")
    page, action, fields = label_form(client, f"/annotate/{article[1]}")
    assert 'class="suggested"' not in page  # my labels, no offer
    client.post(action, data=fields | {"claim": "claim"})
    edited = annotation_of(article[1])
    assert edited.revision == 2 and edited.suggested == offered


def hidden_second_sentence(app, client, auth, article):
    """With SUGGESTIONS off, alice labels the first sentence; the second's label form."""
    app.config["SUGGESTIONS"] = 0.0
    auth.login("alice")
    label_form(client, "/annotate")
    _, action, fields = label_form(client, f"/annotate/{article[0]}")
    client.post(action, data=fields | {"claim": "claim"})
    return label_form(client, "/annotate")


def test_with_suggestions_off_nothing_is_prefilled_and_the_offer_is_recorded_hidden(
    app, client, auth, article
):
    page, action, fields = hidden_second_sentence(app, client, auth, article)
    assert 'class="suggested"' not in page
    assert "claim" not in fields and not fields["source_start"] and not fields["entity"]
    client.post(action, data=fields | {"claim": "claim"})
    hidden = annotation_of(article[1]).suggested
    assert hidden["shown"] is False
    assert hidden["fields"]["attribution.source"]["accepted"] is False  # not marked unaided
    assert annotation_of(article[1]).labels["attribution"]["source"] is None


def test_a_share_of_sentences_chosen_at_random_shows_them():
    shown = [shown_on(sentence_id, 0.5) for sentence_id in range(1, 20_001)]
    assert 0.48 < sum(shown) / len(shown) < 0.52
    assert shown == [shown_on(sentence_id, 0.5) for sentence_id in range(1, 20_001)]
    assert all(shown_on(n, 1.0) for n in range(50)) and not any(shown_on(n, 0.0) for n in range(50))


@pytest.mark.parametrize("value", ["sometimes", "1.5", "-0.1"])
def test_a_suggestions_setting_that_cannot_work_is_refused(tmp_path, value):
    with pytest.raises(SettingsError, match=f"SUGGESTIONS='{value}': use on, off, or the share"):
        make_app(f"sqlite:///{tmp_path / 'x.sqlite'}", SUGGESTIONS=value)


def test_a_forged_offer_records_what_the_sentence_offers_and_an_empty_one_none(
    client, auth, article
):
    auth.login("alice")
    _, action, fields = label_form(client, "/annotate")
    client.post(action, data=fields)
    honest = annotation_of(article[0]).suggested
    _, action, fields = label_form(client, "/annotate")
    client.post(action, data=fields | {"suggested": "not-a-signed-offer"})
    forged = annotation_of(article[1]).suggested
    assert forged["shown"] is True and forged["fields"]["attribution.entity"]["accepted"]
    _, action, fields = label_form(client, "/annotate")
    del fields["suggested"]  # a form without the field: the same
    client.post(action, data=fields)
    assert annotation_of(article[2]).suggested["fields"]["attribution.cue"]["accepted"]
    _, action, fields = label_form(client, "/annotate")
    other = label_form(client, f"/annotate/{article[0]}")[2]["suggested"]
    client.post(action, data=fields | {"suggested": other})  # signed, for another sentence
    assert annotation_of(article[3]).suggested["shown"] is True
    assert honest["fields"]["claim"]["by"] == "claim-prior/1"


def test_a_form_shown_before_its_sentence_had_suggestions_records_none(client, auth, article):
    db.session.execute(delete(SentenceSuggestion))
    db.session.commit()
    auth.login("alice")
    page, action, fields = label_form(client, "/annotate")
    assert 'class="suggested"' not in page
    make_missing()  # the worker's round comes between showing and saving
    client.post(action, data=fields | {"claim": "claim"})
    assert annotation_of(article[0]).suggested is None


def test_a_hidden_offer_is_nowhere_in_the_page(app, client, auth, article):
    page, action, fields = hidden_second_sentence(app, client, auth, article)
    assert action == f"/annotate/{article[1]}"
    form = page.split('id="label-form"')[1].split("</form>")[0]
    assert "suggested" not in form.replace('name="suggested"', "")  # no mark, no data
    assert not fields["entity"] and not fields["source_start"] and "claim" not in fields
    payload = URLSafeSerializer("any key").load_payload(fields["suggested"].split(".")[0].encode())
    assert len(payload) == 3 and isinstance(payload[2], str)  # user, sentence, keyed digest
    assert "Jeyhun" not in str(payload) and "person" not in str(payload)


def test_a_refused_skip_keeps_the_offer(client, auth, article):
    auth.login("alice")
    page, _, _ = label_form(client, "/annotate")
    skip = next(f for f in rendered_forms("", page)[0] if f["action"].endswith("/skip"))
    refused = client.post(skip["action"], data=dict(skip["fields"]) | {"reason": "x" * 501})
    assert refused.status_code == 422 and 'class="suggested"' in refused.text


def test_a_sentence_labelled_after_a_skip_records_its_offer(client, auth, article):
    auth.login("alice")
    page, action, fields = label_form(client, "/annotate")
    skip = next(f for f in rendered_forms("", page)[0] if f["action"].endswith("/skip"))
    client.post(skip["action"], data=dict(skip["fields"]) | {"reason": "later"})
    assert annotation_of(article[0]).skipped
    page, action, fields = label_form(client, f"/annotate/{article[0]}")
    assert 'class="suggested"' in page
    assert "Asked again" not in page  # a skip answered no stance target: none is new
    client.post(action, data=fields | {"claim": "claim"})
    labelled = annotation_of(article[0])
    assert not labelled.skipped and labelled.suggested["shown"] is True


SENTENCES = [
    *(f"Prices rose {n} percent in the {n}th month, the office said." for n in range(30)),
    *(f"The council will meet again to talk about plan {n}." for n in range(30)),
    *(f"Unlabelled sentence number {n} is about the weather." for n in range(10)),
]


def label_sixty(user_id, ids):
    """The user labels the first 60 of SENTENCES in hand-out order: checkworthy where a
    percentage is given, else not a claim."""
    for sentence_id, text in zip(ids[:60], SENTENCES[:60], strict=True):
        assert next_sentence(user_id) == sentence_id
        label = "checkworthy_claim" if "percent" in text else "not_claim"
        save(user_id, sentence_id, label_values(claim=label))


def test_the_classifier_is_retrained_every_50_labels_and_refreshes_unhanded_sentences(
    make_user, tmp_path
):
    ids = import_texts(tmp_path, SENTENCES)[0]
    make_missing()
    alice = make_user("alice")
    label_sixty(alice.id, ids)
    held = next_sentence(alice.id)  # leased: its suggestion must not change under alice
    assert training.retrain() is not None
    model = db.session.scalar(select(SuggesterModel))
    assert (model.version, model.labels, model.held_out) == (1, 60, 12)
    assert model.accuracy is not None and model.accuracy >= 0.9
    by = dict(db.session.execute(select(Sentence.id, SentenceSuggestion.claim_by).join(
        SentenceSuggestion, (SentenceSuggestion.document_id == Sentence.document_id)
        & (SentenceSuggestion.index == Sentence.index))).all())  # fmt: skip
    assert {by[n] for n in ids[:60]} == {"claim-prior/1"}  # labelled: as they were offered
    assert by[held] == "claim-prior/1"
    assert {by[n] for n in ids[61:]} == {"claim-classifier/1"}
    assert training.retrain() is None  # not 50 new labels since
    # made again (as for a document imported before there were suggestions): its sentences
    # given out take the prior, never a model that learned their own labels; the rest it
    db.session.execute(delete(SentenceSuggestion).where(SentenceSuggestion.document_id == "doc0"))
    db.session.commit()
    make_missing()
    claimed_by = db.session.scalars(
        select(SentenceSuggestion.claim_by).order_by(SentenceSuggestion.index)
        .where(SentenceSuggestion.document_id == "doc0")
    ).all()  # fmt: skip
    assert claimed_by[:61] == ["claim-prior/1"] * 61 and set(claimed_by[61:]) == {
        "claim-classifier/1"
    }


def test_a_new_classifier_waits_a_minute_and_refreshes_the_sentences_next_in_line(
    make_user, tmp_path, monkeypatch
):
    """On a large project the worker neither trains for every 50 labels when they come fast
    nor classifies every unhanded sentence again: a minute apart, the next few thousand."""
    ids = import_texts(tmp_path, SENTENCES)[0]
    make_missing()
    alice, bob = make_user("alice"), make_user("bob")
    label_sixty(alice.id, ids)
    monkeypatch.setattr(training, "REFRESH_AT_MOST", 4)
    assert training.retrain() is not None
    by = dict(db.session.execute(select(Sentence.id, SentenceSuggestion.claim_by).join(
        SentenceSuggestion, (SentenceSuggestion.document_id == Sentence.document_id)
        & (SentenceSuggestion.index == Sentence.index))).all())  # fmt: skip
    assert [by[n] for n in ids[60:]] == ["claim-classifier/1"] * 4 + ["claim-prior/1"] * 6
    for sentence_id in ids[:60]:  # 60 new labels: enough for another classifier, but not yet
        save(bob.id, sentence_id, label_values(claim="not_claim"), handed=True)
    assert training.retrain() is None
    model = db.session.scalar(select(SuggesterModel))
    model.trained = model.trained - timedelta(seconds=training.RETRAIN_SECONDS)
    db.session.commit()
    assert training.retrain().version == 2


def test_the_trainer_needs_labels_of_two_kinds(runner, article):
    result = runner.invoke(args=["suggest", "--train"])
    assert result.exit_code == 1 and "not enough labels to train on" in result.output


@pytest.mark.slow
def test_the_background_worker_suggests_and_trains_on_its_own(database_uri, make_user, tmp_path):
    app = make_app(database_uri, SUGGESTER_SECONDS=1)
    with app.app_context():
        ids = import_texts(tmp_path, SENTENCES)[0]
        alice = make_user("alice")
        label_sixty(alice.id, ids)
        assert db.session.scalar(select(func.count()).select_from(SentenceSuggestion)) == 0
        app.test_client().get("/login")  # a first request starts the process's worker
        try:
            wait_for_a_model()
            assert db.session.scalar(select(SuggesterModel.labels)) == 60
            assert db.session.scalar(select(func.count()).select_from(SentenceSuggestion)) == 70
        finally:
            app.extensions["suggester"].stopped.set()
            app.extensions["suggester"].thread.join(timeout=60)
            db.session.remove()
            db.engine.dispose()


def wait_for_a_model():
    """Until a classifier is stored (a minute at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        db.session.rollback()
        if db.session.scalar(select(func.count()).select_from(SuggesterModel)):
            return
        time.sleep(0.5)


def test_export_carries_what_was_suggested_and_import_annotations_restores_it(
    client, auth, runner, article, tmp_path
):
    auth.login("alice")
    for _ in article[:3]:
        _, action, fields = label_form(client, "/annotate")
        client.post(action, data=fields)
    out = tmp_path / "out.jsonl"
    assert runner.invoke(args=["export", "--out", str(out)]).exit_code == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    exported = records[1]["annotations"][0]["suggested"]
    assert exported["shown"] is True and exported["fields"]["attribution.entity"]["accepted"]
    assert records[5]["annotations"] == []
    card = out.with_suffix(".md").read_text()
    assert "3 annotations were made with suggested labels pre-filled" in card
    db.session.execute(delete(AnnotationRevision))
    db.session.execute(delete(Annotation))
    db.session.execute(update(Sentence).values(taken=0))
    db.session.execute(delete(Lease))
    db.session.commit()
    result = runner.invoke(args=["import-annotations", str(out)])
    assert result.exit_code == 0, result.output
    assert exported["fields"]["attribution.source"]["value"] == {
        "start": 0, "end": 8, "text": "Bayramov",
    }  # fmt: skip
    restored = annotation_of(article[1]).suggested
    assert restored["fields"]["attribution.source"]["value"] == {"start": 0, "end": 8}
    assert restored["fields"]["claim"] == exported["fields"]["claim"]
    again = tmp_path / "again.jsonl"
    assert runner.invoke(args=["export", "--out", str(again)]).exit_code == 0
    assert again.read_text() == out.read_text()


@pytest.mark.parametrize(
    ("suggested", "message"),
    [
        ({"shown": "yes", "fields": {}}, "must be null or an object of shown"),
        (
            {
                "shown": True,
                "fields": {
                    "claim": {"value": "claim", "by": {}, "confidence": 0.5, "accepted": True}
                },
            },
            "suggested 'claim': by must be the suggester's name",
        ),
        (
            {
                "shown": True,
                "fields": {
                    "claim": {"value": "claim", "by": "x/1", "confidence": 7, "accepted": True}
                },
            },
            "confidence must be a number from 0 to 1",
        ),
        (
            {
                "shown": True,
                "fields": {
                    "claim": {"value": "maybe", "by": "x/1", "confidence": 0.5, "accepted": True}
                },
            },
            "value 'maybe': choose one of",
        ),
        (
            {
                "shown": True,
                "fields": {
                    "attribution.cue": {
                        "value": {"start": 5, "end": 99},
                        "by": "x/1",
                        "confidence": 0.5,
                        "accepted": False,
                    }
                },
            },
            "is not inside the sentence",
        ),
        ({"shown": True, "fields": {"mood": {}}}, "suggested 'mood' is not a field"),
    ],
)
def test_import_annotations_refuses_a_malformed_offer(runner, app, tmp_path, suggested, message):
    record = {
        "id": "x:0", "text": "A sentence.", "document": {"id": "x"},
        "position": {"index": 0, "start": 0, "end": 11},
        "annotations": [{"annotator": "zed", "claim": "claim", "suggested": suggested}],
    }  # fmt: skip
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record) + "\n")
    result = runner.invoke(args=["import-annotations", str(path)])
    assert result.exit_code == 1
    assert "line 1: annotation by zed: suggested" in result.output and message in result.output
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 0


def offer(shown, **accepted):
    """A recorded offer: per field, whether it was accepted."""
    return {
        "shown": shown,
        "fields": {
            name.replace("__", "."): {"value": "x", "by": "t/1", "confidence": 0.5, "accepted": a}
            for name, a in accepted.items()
        },
    }


def test_agreement_reports_acceptance_and_agreement_with_and_without_suggestions(
    client, auth, runner, make_user, tmp_path
):
    ids = import_texts(tmp_path, [f"Sentence {n} is here." for n in range(4)])[0]
    alice, bob = make_user("alice"), make_user("bob")
    # sentences 0 and 1 shown to both, 2 and 3 hidden from both; by hand:
    #   alice kept claim on 0 and 1 (2 of 2 shown), matched it unaided on 2 (1 of 2 hidden)
    #   bob kept it on 0 only (1 of 2), matched it on neither hidden one (0 of 2)
    #   claim: alice/bob agree on 0 and 1 (assisted: 2 items, percent 1.0), and disagree on
    #   2 and 3 (unassisted: percent 0.0)
    plan = {
        ids[0]: (True, ("claim", True), ("claim", True)),
        ids[1]: (True, ("not_claim", True), ("not_claim", False)),
        ids[2]: (False, ("claim", True), ("not_claim", False)),
        ids[3]: (False, ("not_claim", False), ("claim", False)),
    }
    for sentence_id, (shown, *given) in plan.items():
        for user, (claim, kept) in zip((alice, bob), given, strict=True):
            assert next_sentence(user.id) == sentence_id
            values = label_values(claim=claim) | {"suggested": offer(shown, claim=kept)}
            save(user.id, sentence_id, values)
    result = runner.invoke(args=["agreement", "--json"])
    figures = json.loads(result.output)["suggestions"]
    assert figures["annotations"] == 8 and figures["shown"] == 4
    assert figures["fields"]["claim"] == {
        "shown": 4, "accepted": 0.75, "hidden": 4, "matched_unaided": 0.25,
    }  # fmt: skip
    assert figures["annotators"]["alice"]["claim"]["accepted"] == 1.0
    assert figures["annotators"]["bob"]["claim"]["matched_unaided"] == 0.0
    between = figures["between_annotators"]["claim"]
    assert between["assisted"] == {"items": 2, "percent": 1.0, "alpha": 1.0}
    assert between["unassisted"]["items"] == 2 and between["unassisted"]["percent"] == 0.0
    text = runner.invoke(args=["agreement"]).output
    assert "Suggestions: 8 annotations recorded them, 4 shown, 4 hidden" in text
    assert "  claim: 0.750 (4) · 0.250 (4)" in text
    auth.login("reviewer")
    deadline = time.monotonic() + 30
    while "Suggestions: were they taken" not in (page := client.get("/review/agreement").text):
        assert time.monotonic() < deadline, "the figures were never computed"
        time.sleep(0.2)
    assert "Matched when hidden" in page and "Assisted items" in page


def test_one_process_at_a_time_does_the_background_work(app):
    assert training.my_turn("process-a", 60) is True
    assert training.my_turn("process-b", 60) is False  # a's turn
    assert training.my_turn("process-a", 60) is True  # renewed
    db.session.execute(update(BackgroundTurn).values(until=time.time() - 1))
    db.session.commit()
    assert training.my_turn("process-b", 60) is True  # a stopped renewing it


def test_a_model_is_loaded_only_as_this_app_stored_it(make_user, tmp_path):
    ids = import_texts(tmp_path, SENTENCES)[0]
    alice = make_user("alice")
    label_sixty(alice.id, ids)
    trained = training.retrain(force=True)
    assert latest_classifier().name == trained.name
    # the same words elsewhere (wire copy) are suggested by the prior, not the classifier
    rows = rows_for("copy", [SENTENCES[0], "Prices rose 7 percent, a new figure."], (), trained)
    assert [r["claim_by"] for r in rows] == ["claim-prior/1", "claim-classifier/1"]
    db.session.execute(update(SuggesterModel).values(model=b"\x80\x04N."))  # bytes not signed
    db.session.commit()
    assert latest_classifier() is None
