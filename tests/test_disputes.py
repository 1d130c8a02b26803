"""The kept table of disagreements: what each row holds, and that after any sequence of
saves, edits, skips, imports, target changes and gold changes it equals the table rebuilt
from scratch (on SQLite, and on PostgreSQL when the suite runs there)."""

import json
import random
import threading
from contextlib import suppress

import pytest

from annotator import targets
from annotator.adjudication import auto_adjudicate, save_gold
from annotator.assignment import next_sentence
from annotator.disputes import field_names, kept_rows, rebuild
from annotator.extensions import db
from annotator.labelling import SaveRefused, save
from tests.helpers import add_user, import_texts, import_two_topics, labels, skip_values

CLAIMS = ("claim", "not_claim", "checkworthy_claim")
STANCES = ("favor", "against", "none")


def random_labels(rng, document_targets):
    """Valid labels with a few values drawn at random (so that annotators often agree)."""
    given = labels(claim=rng.choice(CLAIMS[:2] if rng.random() < 0.7 else CLAIMS))
    given["attribution"]["source_type"] = rng.choice(("author", "person"))
    if rng.random() < 0.3:
        start = rng.choice((0, 4))
        given["attribution"]["source"] = {"start": start, "end": start + 3}
    given["stance"] = {target: rng.choice(STANCES) for target in document_targets}
    return given


def rebuilt_equals_kept():
    """Assert the kept rows equal those ``rebuild`` computes, leaving the table as it was."""
    kept = kept_rows(db.session)
    with db.session.begin_nested():
        rebuild(db.session)
        rebuilt = kept_rows(db.session)
        db.session.rollback()
    assert kept == rebuilt
    return kept


def exported_records(runner, tmp_path):
    """The project's records, as ``flask export`` writes them."""
    out = tmp_path / f"export-{random.random()}.jsonl"
    result = runner.invoke(args=["export", "--no-agreement", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text().splitlines()]


def import_some(runner, tmp_path, rng, records, step):
    """Import annotations by new annotators (into existing sentences) and a new document."""
    chosen = rng.sample(records, k=min(3, len(records)))
    lines = []
    for record in chosen:
        record = json.loads(json.dumps(record))
        shift = rng.randrange(2)
        for number, annotation in enumerate(record["annotations"]):
            annotation["annotator"] = f"imported-{number + shift}"  # new, or there already
            annotation["claim"] = rng.choice(CLAIMS)
        lines.append(record)
    copy = json.loads(json.dumps(chosen[0]))
    copy["document"]["id"] = f"copy{step}"
    copy["id"] = f"copy{step}:{copy['position']['index']}"
    lines.append(copy)
    path = tmp_path / f"import{step}.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = runner.invoke(args=["import-annotations", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_table_equals_the_rebuilt_one_after_random_work(app, runner, tmp_path, seed):
    app.config["OVERLAP"] = 3
    rng = random.Random(seed)
    documents = import_two_topics(tmp_path)
    sentences = [(document, s) for document, ids in documents.items() for s in ids]
    users = [add_user(name).id for name in ("ann", "bob", "cyd", "dee")]
    reviewer = add_user("rita", role="reviewer").id
    scheme = app.extensions["scheme"]
    document_targets = {
        "water": ["Water utility", "City council"],
        "border": list(scheme.stance_targets),
    }
    disputed = set()
    for step in range(120):
        action = rng.random()
        document, sentence_id = rng.choice(sentences)
        if action < 0.6:  # a save: first labels, an edit, a skip or labels after a skip
            values = skip_values("unclear") if rng.random() < 0.15 else {
                "labels": random_labels(rng, document_targets[document]),
                "skipped": False, "flagged": rng.random() < 0.1, "comment": None,
                "seconds": 2.0,
            }  # fmt: skip
            with suppress(SaveRefused):  # a full sentence: nothing stored, as for an annotator
                save(rng.choice(users), sentence_id, values, handed=True)
        elif action < 0.75:
            save_gold(sentence_id, random_labels(rng, document_targets[document]), "reviewer",
                      reviewer, rng.choice((None, "checked")))  # fmt: skip
        elif action < 0.82:
            auto_adjudicate(rng.choice(("unanimous", "majority")), scheme)
        elif action < 0.9:
            wanted = rng.choice(
                (["Water utility"], ["Water utility", "City council"], ["City council", "Mayor"])
            )
            targets.change("water", wanted, force=True)
            document_targets["water"] = wanted
        else:
            records = [r for r in exported_records(runner, tmp_path) if r["annotations"]]
            if records:
                import_some(runner, tmp_path, rng, records, step)
                sentences = [(document, s) for document, ids in documents.items() for s in ids]
        if step % 10 == 9:
            disputed |= {row["sentence_id"] for row in rebuilt_equals_kept()}
    final = rebuilt_equals_kept()
    assert disputed, "the sequence never made annotators disagree: it tests nothing"
    assert any(row["settled"] for row in final) or any(not row["settled"] for row in final)


def test_a_row_says_where_they_differ_how_far_they_agree_and_who_labelled(app, tmp_path):
    documents = import_two_topics(tmp_path)
    first, second = documents["border"]
    ann, bob, cyd = (add_user(name).id for name in ("ann", "bob", "cyd"))
    app.config["OVERLAP"] = 3
    agreed = labels(claim="claim")
    save(ann, first, {**skip_values(), "skipped": False, "labels": agreed}, handed=True)
    assert kept_rows(db.session) == []  # one label: nothing to compare
    save(bob, first, {**skip_values(), "skipped": False, "labels": agreed}, handed=True)
    assert kept_rows(db.session) == []  # they agree
    other = labels(claim="not_claim", stance={"Azerbaijan": "favor", "Armenia": "none"})
    save(cyd, first, {**skip_values(), "skipped": False, "labels": other}, handed=True)
    (row,) = kept_rows(db.session)
    assert field_names(row["fields"]) == ["claim", "stance.Azerbaijan"]
    assert row["field_count"] == 2
    assert row["labelled_by"] == "ann, bob, cyd"
    # 3 pairs per field; claim and Azerbaijan: 1 agreeing pair each; the others: all 3
    fields = len(app.extensions["scheme"].fields)
    assert row["agreement"] == pytest.approx((3 * (fields - 2) + 2) / (3 * fields))
    assert (row["remarked"], row["settled"]) == (False, False)
    save_gold(first, agreed, "reviewer")
    assert kept_rows(db.session)[0]["settled"] is True
    # cyd changes their mind: the row goes
    save(cyd, first, {**skip_values(), "skipped": False, "labels": agreed})
    assert kept_rows(db.session) == []
    # a skip is a remark, and takes its label out of the comparison
    save(ann, second, {**skip_values(), "skipped": False, "labels": agreed}, handed=True)
    save(bob, second, {**skip_values(), "skipped": False, "labels": other}, handed=True)
    assert kept_rows(db.session)[0]["remarked"] is False
    save(cyd, second, skip_values("unclear"), handed=True)
    assert kept_rows(db.session)[0]["remarked"] is True
    save(bob, second, skip_values("changed my mind"))
    assert kept_rows(db.session) == []


def test_the_rebuild_command_fills_an_emptied_table(app, runner, tmp_path):
    documents = import_two_topics(tmp_path)
    ann, bob = (add_user(name).id for name in ("ann", "bob"))
    for user, claim in ((ann, "claim"), (bob, "not_claim")):
        values = {**skip_values(), "skipped": False, "labels": labels(claim=claim)}
        save(user, documents["water"][0], values, handed=True)
    before = kept_rows(db.session)
    db.session.execute(db.metadata.tables["disputes"].delete())
    db.session.commit()
    result = runner.invoke(args=["disagreements", "--rebuild"])
    assert result.exit_code == 0, result.output
    assert "1 sentence where annotators disagree" in result.output
    assert kept_rows(db.session) == before


def test_annotators_saving_the_same_sentence_at_once_leave_the_right_row(app, tmp_path):
    """Two transactions each read the sentence's annotations before the other commits: on
    PostgreSQL they take turns, so the second sees the first's label (on SQLite writes are
    one at a time anyway)."""
    (sentences,) = import_texts(tmp_path, [f"Sentence {n} is here." for n in range(30)])
    ann, bob = add_user("ann").id, add_user("bob").id
    db.session.commit()

    def label(user_id, claim, barrier):
        with app.app_context():
            for _ in sentences:
                sentence_id = next_sentence(user_id)  # both are handed the same one
                barrier.wait()  # then save it at once (from their leases: no slot taken)
                values = {**skip_values(), "skipped": False, "labels": labels(claim=claim)}
                save(user_id, sentence_id, values)
            db.session.remove()

    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=label, args=(ann, "claim", barrier)),
        threading.Thread(target=label, args=(bob, "not_claim", barrier)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.rollback()
    kept = rebuilt_equals_kept()
    assert {row["sentence_id"] for row in kept} == set(sentences)  # every one disputed
