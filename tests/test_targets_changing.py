"""Changing a document's stance targets (issue 16): ``flask targets``, its refusals and
--requeue (the sentences handed back to their annotators), the admin's form on the document
page, and a label form left open while the targets changed."""

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import Annotation, AnnotationRevision, Document, Gold, Sentence, User
from tests.helpers import import_texts, labels, rendered_forms

WATER = ["The city will replace its water mains.", "The council approved the plan."]


def values(stance):
    """Annotation column values for ``labelling.save`` with these stance values."""
    return {"labels": labels(claim="claim", stance=stance), "skipped": False,
            "flagged": False, "comment": None, "seconds": 1.0}  # fmt: skip


@pytest.fixture
def water(app, tmp_path, make_user):
    """An article asking one target, both sentences labelled by alice and bob (OVERLAP 2:
    nothing is left to hand out); returns its sentence ids."""
    (ids,) = import_texts(tmp_path, WATER, targets=[["Water utility"]])
    for name in ("alice", "bob"):
        user = make_user(name)
        for _ in ids:
            save(user.id, next_sentence(user.id), values({"Water utility": "favor"}))
    return ids


def targets_of(document_id="doc0"):
    db.session.rollback()
    return db.session.get(Document, document_id).targets


def annotation_of(name, sentence_id):
    """``name``'s annotation of the sentence, as stored now."""
    db.session.rollback()
    return db.session.scalar(
        select(Annotation)
        .join(User, User.id == Annotation.annotator_id)
        .where(User.name == name, Annotation.sentence_id == sentence_id)
    )


def user_id(name):
    return db.session.scalar(select(User.id).where(User.name == name))


def form_on(page, ending):
    """The rendered form of ``page`` whose action ends with ``ending``."""
    forms, _ = rendered_forms(page.request.path, page.text)
    return next(form for form in forms if form["action"].split("?")[0].endswith(ending))


def post(client, form, headers=None, **changed):
    """Post a rendered form as a browser would, with some fields changed (None: unset)."""
    fields = [(name, value) for name, value in form["fields"] if name not in changed]
    fields += [(name, value) for name, value in changed.items() if value is not None]
    return client.post(form["action"], data=MultiDict(fields), headers=headers or {})


# flask targets


def test_without_options_it_prints_the_targets_one_a_line(runner, water):
    assert runner.invoke(args=["targets", "doc0", "--add", "Smith, John"]).exit_code == 0
    result = runner.invoke(args=["targets", "doc0"])
    assert result.exit_code == 0, result.output
    assert result.output == "Water utility\nSmith, John\n"
    assert runner.invoke(args=["targets", "doc0", "--set", "", "--force"]).exit_code == 0
    result = runner.invoke(args=["targets", "doc0"])
    assert result.exit_code == 0 and "doc0 has no stance targets." in result.output


def test_set_add_and_remove(runner, water):
    result = runner.invoke(args=["targets", "doc0", "--add", " City council "])
    assert result.exit_code == 0, result.output
    assert "doc0: targets Water utility, City council (were Water utility)." in result.output
    assert (
        "'City council': 4 earlier annotations of this document have no value for it "
        "(not asked, which is not 'none'); they are not asked again." in result.output
    )
    assert targets_of() == ["Water utility", "City council"]
    # earlier annotations keep no value for it: absent, never "none"
    assert annotation_of("alice", water[0]).labels["stance"] == {"Water utility": "favor"}
    result = runner.invoke(args=["targets", "doc0", "--remove", "City council"])
    assert result.exit_code == 0, result.output
    assert targets_of() == ["Water utility"]
    result = runner.invoke(args=["targets", "doc0", "--set", "Water utility,Mayor,City council"])
    assert result.exit_code == 0, result.output
    assert targets_of() == ["Water utility", "Mayor", "City council"]
    result = runner.invoke(args=["targets", "doc0", "--set", "Water utility,Mayor,City council"])
    assert "doc0: targets Water utility, Mayor, City council, unchanged." in result.output


def test_removing_a_target_with_labels_needs_force_and_keeps_the_labels(runner, water):
    before = annotation_of("alice", water[0]).labels
    for args in (["--remove", "Water utility"], ["--set", "Mayor"], ["--set", ""]):
        result = runner.invoke(args=["targets", "doc0", *args])
        assert result.exit_code == 1
        assert (
            "Error: doc0: 'Water utility' has 4 annotations; --force removes it anyway (its "
            "values stay in the annotations, only asking stops) — nothing was changed."
            in result.output
        )
        assert targets_of() == ["Water utility"]
    result = runner.invoke(args=["targets", "doc0", "--set", "Mayor", "--force"])
    assert result.exit_code == 0, result.output
    assert "'Water utility' is no longer asked; its values stay in 4 annotations." in result.output
    assert targets_of() == ["Mayor"]
    assert annotation_of("alice", water[0]).labels == before


def test_a_gold_label_alone_makes_a_target_labelled(runner, water, make_user):
    db.session.execute(db.delete(Annotation))
    db.session.add(Gold(sentence_id=water[0], labels=labels(stance={"Water utility": "none"}),
                        method="reviewer"))  # fmt: skip
    db.session.commit()
    result = runner.invoke(args=["targets", "doc0", "--remove", "Water utility"])
    assert result.exit_code == 1
    assert "'Water utility' has 1 gold label;" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "A,,B"], "--set: item 2 is empty; give a name such as 'Armenia'"),
        (["--set", "Mayor,mayor"], "--set: 'mayor' is given twice (items 1 and 2)"),
        (["--add", "x" * 81], "--add: the target is 81 characters long; a target is at most 80"),
        (["--add", "Ma\x1byor"], "--add: the target ('Ma\\x1byor') holds control or invisible"),
        (["--add", "Ma\u202eyor"], "--add: the target ('Ma\\u202eyor') holds control"),
        (["--add", " "], "--add: the target is empty"),
        (["--add", "water UTILITY"], "doc0 already has the target 'Water utility'"),
        (["--remove", "Mayor"], "doc0 has no target 'Mayor'; its targets: 'Water utility'"),
        (["--set", "A", "--add", "B"], "give one of --set, --add or --remove, not --set and --add"),
        (["--force"], "--force goes with --set or --remove"),
    ],
)
def test_bad_input_says_what_is_wrong_and_changes_nothing(runner, water, args, message):
    result = runner.invoke(args=["targets", "doc0", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert targets_of() == ["Water utility"]
    assert not any(a.asked_again for a in db.session.scalars(select(Annotation)))


def test_an_unknown_document_is_named(runner, water):
    for args in ([], ["--add", "Mayor"], ["--requeue"]):
        result = runner.invoke(args=["targets", "nope", *args])
        assert result.exit_code == 1
        assert "Error: no document 'nope'; `flask documents` lists the ids" in result.output


# --requeue


def test_an_added_target_is_not_asked_again_without_requeue(runner, water):
    assert runner.invoke(args=["targets", "doc0", "--add", "City council"]).exit_code == 0
    assert next_sentence(user_id("alice")) is None
    assert next_sentence(user_id("bob")) is None


def test_requeue_hands_each_labelled_sentence_back_to_its_annotators(runner, water, client, auth):
    result = runner.invoke(args=["targets", "doc0", "--add", "City council", "--requeue"])
    assert result.exit_code == 0, result.output
    assert (
        "Asked again: 4 annotations by 2 annotators, each handed back to its annotator "
        "before any new sentence." in result.output
    )
    auth.login("alice")
    page = client.get("/annotate", follow_redirects=True)
    assert page.request.path == f"/annotate/{water[0]}"
    assert "Stance: City council" in page.text
    form = form_on(page, f"/annotate/{water[0]}")
    assert ("revision", "1") in form["fields"]  # her labels, to complete
    assert ("stance_0", "favor") in form["fields"]
    assert "Asked again: this article has a new stance target since you labelled" in page.text
    assert "(City council)" in page.text
    # htmx: saved, and the next one asked again comes in the same answer, with her labels
    headers = {"HX-Request": "true", **rendered_forms("", page.text)[1]}
    answer = post(client, form, headers, stance_1="against")
    assert answer.status_code == 200
    mine = annotation_of("alice", water[0])
    assert mine.labels["stance"] == {"Water utility": "favor", "City council": "against"}
    assert (mine.revision, mine.asked_again) == (2, False)
    assert f'data-sentence="{water[1]}"' in answer.text
    assert "Asked again:" in answer.text
    form = form_on(answer, f"/annotate/{water[1]}")
    assert ("revision", "1") in form["fields"] and ("stance_0", "favor") in form["fields"]
    assert post(client, form, stance_1="none").status_code == 302
    assert annotation_of("alice", water[1]).labels["stance"]["City council"] == "none"
    assert next_sentence(user_id("alice")) is None
    # bob is still asked, and the slots did not change: nobody else gets these sentences
    assert next_sentence(user_id("bob")) == water[0]
    taken = select(func.sum(Sentence.taken)).where(Sentence.document_id == "doc0")
    assert db.session.scalar(taken) == 4


def test_removing_the_target_again_stops_asking_it(runner, water):
    runner.invoke(args=["targets", "doc0", "--add", "City council", "--requeue"])
    assert next_sentence(user_id("bob")) == water[0]
    result = runner.invoke(args=["targets", "doc0", "--remove", "City council"])
    assert result.exit_code == 0, result.output  # nobody answered it yet: no labels
    assert next_sentence(user_id("bob")) is None
    assert not any(a.asked_again for a in db.session.scalars(select(Annotation)))


def test_requeue_alone_asks_for_targets_added_earlier(runner, water):
    runner.invoke(args=["targets", "doc0", "--add", "City council"])
    result = runner.invoke(args=["targets", "doc0", "--requeue"])
    assert result.exit_code == 0, result.output
    assert "doc0: targets Water utility, City council, unchanged." in result.output
    assert "Asked again: 4 annotations by 2 annotators" in result.output
    assert next_sentence(user_id("alice")) == water[0]
    shown = runner.invoke(args=["targets", "doc0"])  # the lead sees what is still waiting
    assert shown.output.splitlines()[:2] == ["Water utility", "City council"]
    assert "4 annotations asked again, not answered yet." in shown.output


# the document page


def test_an_admin_changes_the_targets_on_the_document_page(client, auth, water):
    auth.login("admin")
    page = client.get("/documents/doc0")
    assert page.status_code == 200
    form = form_on(page, "/documents/doc0")
    assert ("targets", "Water utility") in form["fields"]
    done = post(client, form, targets="Water utility\r\nCity council\r\n", requeue="y")
    assert done.status_code == 302, done.text
    assert targets_of() == ["Water utility", "City council"]
    shown = client.get(done.headers["Location"]).text
    assert "doc0: targets Water utility, City council (were Water utility)." in shown
    assert "Asked again: 4 annotations by 2 annotators" in shown
    assert "<strong>Stance targets:</strong> Water utility, City council" in shown


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Mayor\nmayor", "Targets: &#39;mayor&#39; is given twice (items 1 and 2)"),
        ("Mayor\n" + "x" * 81, "Targets: item 2 is 81 characters long; a target is at most 80"),
        ("Ma\x1byor", "Targets: item 1 (&#39;Ma\\x1byor&#39;) holds control or invisible"),
    ],
)
def test_bad_targets_on_the_page_change_nothing(client, auth, water, typed, message):
    auth.login("admin")
    form = form_on(client.get("/documents/doc0"), "/documents/doc0")
    refused = post(client, form, targets=typed)
    assert refused.status_code == 422
    assert message in refused.text and "Nothing was changed." in refused.text
    assert targets_of() == ["Water utility"]


def test_the_page_refuses_to_remove_a_labelled_target_unless_ticked(client, auth, water):
    auth.login("admin")
    form = form_on(client.get("/documents/doc0"), "/documents/doc0")
    refused = post(client, form, targets="Mayor")
    assert refused.status_code == 409
    assert "doc0: &#39;Water utility&#39; has 4 annotations." in refused.text
    assert targets_of() == ["Water utility"]
    again = post(client, form_on(refused, "/documents/doc0"), force="y")
    assert again.status_code == 302, again.text
    assert targets_of() == ["Mayor"]
    assert annotation_of("alice", water[0]).labels["stance"] == {"Water utility": "favor"}


def test_a_page_shown_before_another_change_does_not_undo_it(client, auth, runner, water):
    auth.login("admin")
    form = form_on(client.get("/documents/doc0"), "/documents/doc0")
    runner.invoke(args=["targets", "doc0", "--add", "Mayor"])
    refused = post(client, form, targets="Water utility\nCity council")
    assert refused.status_code == 409
    assert (
        "changed elsewhere since this page was shown; they are now: Water utility, Mayor"
        in refused.text
    )
    assert targets_of() == ["Water utility", "Mayor"]
    again = post(client, form_on(refused, "/documents/doc0"))  # what was typed, now current
    assert again.status_code == 302
    assert targets_of() == ["Water utility", "City council"]


def test_reviewers_see_the_targets_and_annotators_not_the_page(client, auth, water):
    auth.login("reviewer")
    page = client.get("/documents/doc0")
    assert page.status_code == 200
    assert "<strong>Stance targets:</strong> Water utility</summary>" in page.text
    assert "<textarea" not in page.text
    assert "Water utility" in client.get("/documents").text
    assert client.post("/documents/doc0", data={"targets": "Mayor"}).status_code == 403
    auth.logout()
    auth.login("alice")
    assert client.get("/documents/doc0").status_code == 403
    assert client.post("/documents/doc0", data={"targets": "Mayor"}).status_code == 403
    assert targets_of() == ["Water utility"]


# a form left open while the targets changed


@pytest.fixture
def open_form(client, auth, tmp_path):
    """alice's workspace page of a sentence whose article asks two targets."""
    (ids,) = import_texts(tmp_path, WATER, targets=[["Water utility", "City council"]])
    auth.login("alice")
    page = client.get("/annotate", follow_redirects=True)
    assert page.request.path == f"/annotate/{ids[0]}"
    return page, ids[0]


@pytest.mark.parametrize(
    "change", [["--remove", "Water utility"], ["--set", "Mayor,Water utility"]]
)
def test_a_form_that_asked_other_targets_saves_nothing_and_keeps_the_entries(
    client, runner, open_form, change
):
    page, sentence_id = open_form
    assert runner.invoke(args=["targets", "doc0", *change]).exit_code == 0
    form = form_on(page, f"/annotate/{sentence_id}")
    refused = post(client, form, claim="claim", stance_1="against")
    assert refused.status_code == 409
    assert "The stance targets of this article changed since this form was shown" in refused.text
    assert "<strong>stance.City council</strong>: against" in refused.text
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 0
    fresh = form_on(refused, f"/annotate/{sentence_id}")
    saved = post(client, fresh, claim="claim")
    assert saved.status_code == 302, saved.text
    db.session.rollback()
    stance = db.session.scalar(select(Annotation)).labels["stance"]
    assert list(stance) == list(targets_of())


def test_with_htmx_the_refusal_is_swapped_in(client, runner, open_form):
    page, sentence_id = open_form
    headers = {"HX-Request": "true", **rendered_forms("", page.text)[1]}
    runner.invoke(args=["targets", "doc0", "--add", "Mayor"])
    form = form_on(page, f"/annotate/{sentence_id}")
    refused = post(client, form, headers, claim="claim", stance_0="favor")
    assert refused.status_code == 200  # htmx swaps only 2xx answers
    assert "The stance targets of this article changed" in refused.text
    assert "<strong>stance.Water utility</strong>: favor" in refused.text
    assert "Stance: Mayor" in refused.text
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 0


def test_an_edit_after_a_target_was_removed_keeps_its_value(client, runner, open_form):
    page, sentence_id = open_form
    post(client, form_on(page, f"/annotate/{sentence_id}"), claim="claim", stance_1="against")
    runner.invoke(args=["targets", "doc0", "--remove", "City council", "--force"])
    page = client.get(f"/annotate/{sentence_id}")
    assert "Stance: City council" not in page.text
    saved = post(client, form_on(page, f"/annotate/{sentence_id}"), stance_0="favor")
    assert saved.status_code == 302, saved.text
    mine = annotation_of("alice", sentence_id)
    assert mine.labels["stance"] == {"Water utility": "favor", "City council": "against"}
    earlier = db.session.scalar(select(AnnotationRevision))
    assert earlier.labels["stance"] == {"Water utility": "none", "City council": "against"}


@pytest.mark.parametrize("posted", ["not json", '{"a": 1}', '["Water utility", 3]', '["x\\u0001"]'])
def test_a_form_whose_targets_no_page_wrote_is_a_bad_request(client, open_form, posted):
    page, sentence_id = open_form
    form = form_on(page, f"/annotate/{sentence_id}")
    assert post(client, form, claim="claim", targets=posted).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 0
