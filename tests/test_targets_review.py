"""Review with stance targets per document (issue 16): the side-by-side view and the gold
form ask a sentence's own targets ("not asked" is not ``none``), automatic adjudication
counts the annotators asked a target, the disagreement list filters by target, and a gold
form left open while the targets changed saves nothing."""

import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from annotator.adjudication import agreement, why_unsettled
from annotator.extensions import db
from annotator.models import Annotation, Gold, User
from annotator.schema import Scheme
from tests.helpers import import_texts, labels, rendered_forms

WATER = ["The city will replace its water mains.", "The council approved the plan."]
BORDER = ["Azerbaijan and Armenia met in Brussels.", "Both sides called the talks useful."]
NONE_ASKED = ["Rain is expected on Monday."]


@pytest.fixture
def topics(app, tmp_path):
    """Three articles: water (two targets of its own), border (the scheme's), weather (no
    targets); returns their sentence ids."""
    return import_texts(
        tmp_path, WATER, BORDER, NONE_ASKED, targets=[["Water utility", "City council"], None, []]
    )


def given(name, sentence_id, stance, claim="claim", role="annotator"):
    """Store ``name``'s labels for a sentence (the user made on first use)."""
    user = db.session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, role=role)
        db.session.add(user)
        db.session.flush()
    db.session.add(
        Annotation(
            sentence_id=sentence_id, annotator_id=user.id, labels=labels(claim=claim, stance=stance)
        )
    )
    db.session.commit()


def gold_form(page, sentence_id):
    forms, _ = rendered_forms(page.request.path, page.text)
    return next(f for f in forms if f["action"].split("?")[0] == f"/review/sentences/{sentence_id}")


def post(client, form, **changed):
    """Post a rendered form as a browser would, with some fields changed."""
    fields = [(name, value) for name, value in form["fields"] if name not in changed]
    return client.post(form["action"], data=MultiDict([*fields, *changed.items()]))


def gold_of(sentence_id):
    db.session.rollback()
    return db.session.scalar(select(Gold).where(Gold.sentence_id == sentence_id))


def row(page, field):
    """The cells of a field's row in the side-by-side table."""
    found = re.search(
        rf'<th scope="row">{re.escape(field)}[^<]*(?:<span[^>]*>[^<]*</span>)?</th>(.*?)</tr>',
        page,
        re.S,
    )
    assert found, field
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", found[1], re.S)
    ]


def test_the_review_view_and_gold_form_ask_each_document_s_targets(client, auth, topics):
    water, border, _ = topics
    given("alice", water[0], {"Water utility": "favor", "City council": "none"})
    given("bob", water[0], {"Water utility": "favor", "City council": "against"})
    given("alice", border[0], {"Azerbaijan": "none", "Armenia": "favor"})
    given("bob", border[0], {"Azerbaijan": "none", "Armenia": "none"})
    auth.login("reviewer")
    page = client.get(f"/review/sentences/{water[0]}")
    assert page.status_code == 200
    assert row(page.text, "stance.City council") == ["none", "against"]
    assert row(page.text, "stance.Water utility") == ["favor", "favor"]
    assert "stance.Azerbaijan" not in page.text and "Stance: Azerbaijan" not in page.text
    assert "Stance: Water utility" in page.text and "Stance: City council" in page.text
    saved = post(client, gold_form(page, water[0]), stance_1="against", note="the council")
    assert saved.status_code == 302, saved.text
    assert gold_of(water[0]).labels["stance"] == {
        "Water utility": "favor",
        "City council": "against",
    }
    page = client.get(f"/review/sentences/{border[0]}")
    assert row(page.text, "stance.Armenia") == ["favor", "none"]
    assert "Stance: Water utility" not in page.text
    saved = post(client, gold_form(page, border[0]), stance_1="favor")
    assert saved.status_code == 302, saved.text
    assert gold_of(border[0]).labels["stance"] == {"Azerbaijan": "none", "Armenia": "favor"}


def test_a_document_without_targets_shows_no_stance_group(client, auth, topics):
    _, _, weather = topics
    given("alice", weather[0], {}, claim="claim")
    given("bob", weather[0], {}, claim="not_claim")
    auth.login("reviewer")
    page = client.get(f"/review/sentences/{weather[0]}")
    assert page.status_code == 200
    assert "stance." not in page.text and "Stance:" not in page.text
    saved = post(client, gold_form(page, weather[0]), claim="claim")
    assert saved.status_code == 302, saved.text
    assert "stance" not in gold_of(weather[0]).labels


def test_a_target_added_after_the_labels_shows_as_not_asked(client, auth, runner, topics):
    water, _, _ = topics
    given("alice", water[0], {"Water utility": "favor", "City council": "none"})
    given("bob", water[0], {"Water utility": "against", "City council": "none"})
    assert runner.invoke(args=["targets", "doc0", "--add", "Mayor"]).exit_code == 0
    given("carol", water[0], {"Water utility": "favor", "City council": "none", "Mayor": "none"})
    auth.login("reviewer")
    page = client.get(f"/review/sentences/{water[0]}")
    assert row(page.text, "stance.Mayor") == ["not asked", "not asked", "none"]
    assert 'class="differs"><th scope="row">stance.Mayor' not in page.text  # one was asked
    assert "Stance: Mayor" in page.text  # the gold form asks it


def test_auto_adjudication_counts_the_annotators_asked_a_target(runner, topics):
    water, border, _ = topics
    runner.invoke(args=["targets", "doc0", "--set", "Water utility", "--force"])
    for sentence_id in water:
        given("alice", sentence_id, {"Water utility": "favor"})
    assert runner.invoke(args=["targets", "doc0", "--add", "City council"]).exit_code == 0
    # sentence 0: only bob was asked the new target besides the others: one voice, unset
    given("bob", water[0], {"Water utility": "favor", "City council": "against"})
    # sentence 1: bob and carol were asked it and disagree: no majority of those asked
    given("bob", water[1], {"Water utility": "favor", "City council": "against"})
    given("carol", water[1], {"Water utility": "favor", "City council": "favor"})
    # border: alice and bob agree, carol differs on the claim: a majority
    for name, claim in (("alice", "claim"), ("bob", "claim"), ("carol", "not_claim")):
        given(name, border[0], {"Azerbaijan": "none", "Armenia": "against"}, claim=claim)
    result = runner.invoke(args=["adjudicate", "--auto", "unanimous"])
    assert result.exit_code == 0, result.output
    assert "1 of 3 sentences" in result.output
    gold = gold_of(water[0])
    assert (gold.method, gold.labels["stance"]) == ("unanimous", {"Water utility": "favor"})
    assert gold_of(water[1]) is None
    result = runner.invoke(args=["adjudicate", "--auto", "majority"])
    assert "1 of 3 sentences" in result.output  # water[0] unchanged, border now
    assert gold_of(water[1]) is None
    gold = gold_of(border[0])
    assert (gold.method, gold.labels["claim"]) == ("majority", "claim")
    assert gold.labels["stance"] == {"Azerbaijan": "none", "Armenia": "against"}
    # once two are asked and agree, the target is settled too
    given("carol", water[0], {"Water utility": "favor", "City council": "against"})
    runner.invoke(args=["adjudicate", "--auto", "unanimous"])
    assert gold_of(water[0]).labels["stance"] == {
        "Water utility": "favor",
        "City council": "against",
    }


def test_agreement_and_why_unsettled_leave_out_the_annotators_not_asked():
    scheme = Scheme().for_targets(["A", "B"])
    first = labels(stance={"A": "favor"})
    second = labels(stance={"A": "favor", "B": "against"})
    third = labels(stance={"A": "favor", "B": "favor"})
    method, agreed = agreement([first, second], scheme)
    assert (method, agreed["stance"]) == ("unanimous", {"A": "favor"})
    assert why_unsettled([first, second], scheme) == "unanimous"
    assert agreement([first, second, third], scheme) is None
    assert why_unsettled([first, second, third], scheme) == "disagree"
    assert why_unsettled([second, third], scheme) == "disagree"
    method, agreed = agreement([second, second, third], scheme)
    assert (method, agreed["stance"]) == ("majority", {"A": "favor", "B": "against"})


def test_the_disagreement_list_filters_by_target(client, auth, topics):
    water, border, _ = topics
    given("alice", water[0], {"Water utility": "none", "City council": "against"})
    given("bob", water[0], {"Water utility": "none", "City council": "favor"})
    given("alice", water[1], {"Water utility": "none"})  # not asked City council
    given("bob", water[1], {"Water utility": "none", "City council": "favor"})
    given("alice", border[0], {"Azerbaijan": "none", "Armenia": "against"})
    given("bob", border[0], {"Azerbaijan": "none", "Armenia": "none"})
    auth.login("reviewer")
    page = client.get("/review/disagreements").text
    assert "<strong>2</strong> sentences where annotators disagree" in page
    assert WATER[0] in page and BORDER[0] in page and WATER[1] not in page
    for target in ("Azerbaijan", "Armenia", "Water utility", "City council"):
        assert f"<option>{target}</option>" in page
        assert f"<option>stance.{target}</option>" in page
    page = client.get("/review/disagreements", query_string={"target": "City council"}).text
    assert "<strong>1</strong> sentences" in page
    assert WATER[0] in page and BORDER[0] not in page
    assert "<option selected>City council</option>" in page
    page = client.get("/review/disagreements", query_string={"target": "Armenia"}).text
    assert BORDER[0] in page and WATER[0] not in page
    page = client.get("/review/disagreements", query_string={"field": "stance.City council"})
    assert WATER[0] in page.text and BORDER[0] not in page.text
    page = client.get("/review/disagreements", query_string={"target": "Mayor"}).text
    assert "No disagreements with these filters" in page
    # the review view keeps the filter: its next disagreement is within it
    page = client.get(f"/review/sentences/{water[0]}", query_string={"target": "City council"})
    assert "target=City+council" in page.text
    assert 'id="skip-link"' not in page.text  # no other disagreement on City council


def test_a_gold_form_that_asked_other_targets_saves_nothing(client, auth, runner, topics):
    water, _, _ = topics
    given("alice", water[0], {"Water utility": "favor", "City council": "none"})
    given("bob", water[0], {"Water utility": "against", "City council": "none"})
    auth.login("reviewer")
    page = client.get(f"/review/sentences/{water[0]}")
    assert runner.invoke(args=["targets", "doc0", "--add", "Mayor"]).exit_code == 0
    refused = post(client, gold_form(page, water[0]), stance_1="against", note="why")
    assert refused.status_code == 409
    assert "The stance targets of this article changed since this form was shown" in refused.text
    assert "<strong>stance.City council</strong>: against" in refused.text
    assert db.session.scalar(select(func.count()).select_from(Gold)) == 0
    assert "Stance: Mayor" in refused.text
    saved = post(client, gold_form(refused, water[0]), stance_2="favor")
    assert saved.status_code == 302, saved.text
    gold = gold_of(water[0])
    assert gold.labels["stance"]["Mayor"] == "favor" and gold.note == "why"


def test_a_target_no_annotator_was_asked_stays_unasked_in_the_gold(client, auth, runner, topics):
    # found walking it in Chromium: the gold form preset 'none' and the export said so
    water, _, _ = topics
    given("alice", water[0], {"Water utility": "favor", "City council": "none"})
    given("bob", water[0], {"Water utility": "against", "City council": "none"})
    assert runner.invoke(args=["targets", "doc0", "--add", "Mayor"]).exit_code == 0
    auth.login("reviewer")
    page = client.get(f"/review/sentences/{water[0]}")
    assert "Not asked of any annotator: Mayor" in page.text
    form = gold_form(page, water[0])
    assert "stance_2" not in dict(form["fields"])  # Mayor's row: nothing selected
    saved = post(client, form, stance_0="favor")
    assert saved.status_code == 302, saved.text
    assert gold_of(water[0]).labels["stance"] == {"Water utility": "favor", "City council": "none"}
    # answered on purpose, it is stored
    page = client.get(f"/review/sentences/{water[1]}")
    given("alice", water[1], {"Water utility": "none", "City council": "none"})
    page = client.get(f"/review/sentences/{water[1]}")
    saved = post(client, gold_form(page, water[1]), stance_2="against")
    assert saved.status_code == 302, saved.text
    assert gold_of(water[1]).labels["stance"]["Mayor"] == "against"


def test_a_filter_by_a_target_no_document_has_says_so(client, auth, topics):
    auth.login("reviewer")
    page = client.get("/review/disagreements?target=Nobody")
    assert page.status_code == 200
    assert "No document has the stance target “Nobody” now" in page.text
    assert (
        "No document has the stance target"
        not in client.get("/review/disagreements?target=City council").text
    )


def test_agreement_on_a_target_nobody_was_asked_says_so(runner, topics):
    water, _, _ = topics
    given("alice", water[0], {"Water utility": "favor", "City council": "none"})
    given("bob", water[0], {"Water utility": "against", "City council": "none"})
    assert runner.invoke(args=["targets", "doc0", "--add", "Mayor"]).exit_code == 0
    result = runner.invoke(args=["agreement", "--json", "--field", "stance.Mayor"])
    assert result.exit_code == 0, result.output
    assert "or a stance target nobody was asked" in result.output
