"""``flask documents``, ``flask show``, ``flask stats`` and ``flask init-db``."""

import json
from pathlib import Path

from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import Annotation, Sentence
from tests.helpers import label_values, skip_values

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_documents_json(runner):
    runner.invoke(args=["import", str(SEEDS)])
    result = runner.invoke(args=["documents", "--json"])
    assert result.exit_code == 0, result.output
    documents = json.loads(result.output)
    assert documents == [
        {
            "id": "000_4e0281c745451fc7",
            "title": "Azerbaijan FM informed Italian counterpart about Azerbaijan’s local "
            "anti-terrorist measures",
            "outlet": None,
            "publisher": None,
            "published": "2023-09-19",
            "sentences": 16,
        },
        {
            "id": "001_0dd38af94ea597a2",
            "title": None,
            "outlet": "AzerNews",
            "publisher": "MENAFN",
            "published": None,
            "sentences": 9,
        },
    ]
    assert "’" in result.output  # UTF-8, not \u escapes


def test_documents_text_and_empty(runner):
    assert "No documents yet" in runner.invoke(args=["documents"]).output
    runner.invoke(args=["import", str(SEEDS)])
    output = runner.invoke(args=["documents"]).output
    assert "001_0dd38af94ea597a2     9 sentences  AzerNews / MENAFN" in output


def test_show_json_offsets(runner):
    runner.invoke(args=["import", str(SEEDS)])
    result = runner.invoke(args=["show", "001_0dd38af94ea597a2", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) == {
        "id", "title", "outlet", "publisher", "published", "url", "text", "sentences",
    }  # fmt: skip
    assert [s["index"] for s in document["sentences"]] == list(range(9))
    for sentence in document["sentences"]:
        assert document["text"][sentence["start"] : sentence["end"]] == sentence["text"]


def test_show_text_and_unknown_id(runner):
    runner.invoke(args=["import", str(SEEDS)])
    output = runner.invoke(args=["show", "000_4e0281c745451fc7"]).output
    assert "published  2023-09-19" in output
    assert "   0  [0:238]  Azerbaijan's Foreign Minister" in output
    missing = runner.invoke(args=["show", "nope"])
    assert missing.exit_code == 1
    assert "no document 'nope'; `flask documents` lists the ids." in missing.output


def test_stats_counts_per_annotator(runner, make_user):
    runner.invoke(args=["import", str(SEEDS)])
    alice, bob = make_user("alice"), make_user("bob")
    first, second = db.session.scalars(db.select(Sentence).limit(2)).all()
    db.session.add_all(
        [
            Annotation(sentence_id=first.id, annotator_id=alice.id, labels={"claim": "claim"}),
            Annotation(sentence_id=second.id, annotator_id=alice.id, skipped=True),
            Annotation(sentence_id=first.id, annotator_id=bob.id, labels={"claim": "not_claim"}),
        ]
    )
    db.session.commit()
    output = runner.invoke(args=["stats"]).output
    assert "documents:   2" in output
    assert "sentences:   25" in output
    assert "annotations: 2 labelled, 1 skipped" in output
    assert "alice                 annotator          1        1" in output
    assert "bob                   annotator          1        0" in output


def work_columns(output):
    """{name: (labelled, skipped)} from a table printed by ``flask stats`` or ``users list``."""
    lines = output.splitlines()
    header = next(i for i, line in enumerate(lines) if "labelled" in line.split())
    columns = lines[header].split()
    labelled, skipped = columns.index("labelled"), columns.index("skipped")
    rows = [line.split() for line in lines[header + 1 :] if line.strip()]
    return {row[0]: (int(row[labelled]), int(row[skipped])) for row in rows}


def test_stats_and_users_list_count_labels_and_skips_alike(runner, make_user):
    runner.invoke(args=["import", str(SEEDS)])
    alice, bob = make_user("alice"), make_user("bob")
    make_user("carol", role="reviewer")
    for user, actions in ((alice, "LLS"), (bob, "SL")):
        for action in actions:
            sentence = next_sentence(user.id)
            save(user.id, sentence, label_values() if action == "L" else skip_values("unclear"))
    expected = {"alice": (2, 1), "bob": (1, 1), "carol": (0, 0)}
    stats = runner.invoke(args=["stats"])
    assert stats.exit_code == 0, stats.output
    assert work_columns(stats.output) == expected
    listing = runner.invoke(args=["users", "list"])
    assert listing.exit_code == 0, listing.output
    assert work_columns(listing.output) == expected


def test_init_db_is_idempotent(runner):
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "Database is up to date." in result.output
