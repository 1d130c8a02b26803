"""flask export, flask import-annotations and flask adjudicate, on SQLite and PostgreSQL."""

import json
import re
from datetime import UTC, datetime

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import func, select

from annotator import adjudication
from annotator.adjudication import auto_adjudicate, save_gold
from annotator.extensions import db
from annotator.models import Annotation, Document, Gold, GoldRevision, Sentence, User
from annotator.schema import Scheme
from tests.helpers import add_user, import_texts, import_two_topics, labels

ARTICLES = [
    ["Jeyhun Bayramov emphasized that all measures were taken.", "The talks went on."],
    ["Ilham Aliyev said the region is calm.", "Nothing more was said."],
    ["Ministers met in Baku.", "They spoke for an hour."],
]


def annotate(make_user, sentences, name, claims):
    """``name`` labels ``sentences`` with ``claims`` (a source span on the first one)."""
    user = make_user(name)
    for number, (sentence_id, claim) in enumerate(zip(sentences, claims, strict=True)):
        value = labels(claim=claim)
        if number == 0:
            value["attribution"].update(
                source_type="person", entity="Jeyhun Bayramov", source={"start": 0, "end": 15}
            )
        db.session.add(Annotation(sentence_id=sentence_id, annotator_id=user.id, labels=value))
    db.session.commit()
    return user


@pytest.fixture
def project(app, tmp_path, make_user):
    """Three articles, two annotators who disagree on one sentence."""
    ids = [i for article in import_texts(tmp_path, *ARTICLES) for i in article]
    annotate(
        make_user, ids, "alice", ["claim", "not_claim", "claim", "not_claim", "claim", "not_claim"]
    )
    annotate(
        make_user,
        ids,
        "bob",
        ["claim", "not_claim", "not_claim", "not_claim", "claim", "not_claim"],
    )
    return ids


WATER = {"Water utility": "favor", "City council": "none"}
BORDER = {"Azerbaijan": "none", "Armenia": "against"}


def user(name):
    """The annotator ``name``, made if there is none yet."""
    return db.session.scalar(select(User).where(User.name == name)) or add_user(name)


def label(name, sentence_id, stance, claim="claim"):
    """``name`` labels a sentence, asked the stance targets in ``stance``."""
    given = labels(claim=claim, stance=stance)
    db.session.add(Annotation(sentence_id=sentence_id, annotator_id=user(name).id, labels=given))


@pytest.fixture
def topics(app, tmp_path):
    """Two articles on different topics labelled by alice and bob; then the lead adds
    "Mayor" to the water article: cyd labels its first sentence, cyd and dan its second,
    asked about the mayor too (alice's and bob's labels have no value for it)."""
    ids = import_two_topics(tmp_path)
    for name in ("alice", "bob"):
        for sentence_id in ids["water"]:
            label(name, sentence_id, dict(WATER))
        for sentence_id in ids["border"]:
            label(name, sentence_id, dict(BORDER))
    db.session.get(Document, "water").targets = ["Water utility", "City council", "Mayor"]
    db.session.commit()
    label("cyd", ids["water"][0], {**WATER, "Mayor": "favor"})
    label("cyd", ids["water"][1], {**WATER, "Mayor": "against"})
    label("dan", ids["water"][1], {**WATER, "Mayor": "against"})
    db.session.commit()
    return ids


def read(path):
    """The records of a JSON Lines file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_writes_the_designed_record(runner, project, tmp_path):
    out = tmp_path / "out" / "data.jsonl"
    result = runner.invoke(args=["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = read(out)
    assert [r["id"] for r in records] == [
        "doc0:0",
        "doc0:1",
        "doc1:0",
        "doc1:1",
        "doc2:0",
        "doc2:1",
    ]
    first = records[0]
    assert first["text"] == ARTICLES[0][0]
    assert first["document"] == {"id": "doc0", "title": None, "outlet": "Wire", "publisher": None,
                                 "published": None, "url": None, "author": None,
                                 "targets": ["Azerbaijan", "Armenia"]}  # fmt: skip
    assert first["position"] == {"index": 0, "start": 0, "end": len(ARTICLES[0][0])}
    alice = first["annotations"][0]
    assert alice["annotator"] == "alice" and alice["claim"] == "claim"
    assert alice["attribution"]["source"] == {"start": 0, "end": 15, "text": "Jeyhun Bayramov"}
    assert alice["created"].endswith("Z") and alice["skipped"] is False
    assert first["final"] is None and first["final_source"] is None
    card = (tmp_path / "out" / "data.md").read_text()
    assert "| all | data.jsonl | 6 | 3 | 12 | 0 |" in card  # records, documents, annotations
    assert "| claim | 6 | 0.833 |" in card  # alice and bob agree on 5 of 6 claims
    assert "Outlet shown (`BLIND_OUTLET` off when exported)" in card
    runner.app.config["BLIND_OUTLET"] = True  # the mode the card states
    assert (
        runner.invoke(args=["export", "--out", str(tmp_path / "blind" / "data.jsonl")]).exit_code
        == 0
    )
    assert "Outlet-blind (`BLIND_OUTLET=1`" in (tmp_path / "blind" / "data.md").read_text()


def test_export_is_byte_identical_across_runs_and_writes_utf8(runner, project, tmp_path):
    db.session.execute(
        Document.__table__.update().where(Document.id == "doc0").values(title="Bakı — Ağdam")
    )
    db.session.commit()
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    exported = runner.invoke(args=["export", "--out", str(first)])
    assert exported.exit_code == 0, exported.output
    exported = runner.invoke(args=["export", "--out", str(second)])
    assert exported.exit_code == 0, exported.output
    assert first.read_bytes() == second.read_bytes()
    assert "Bakı — Ağdam" in first.read_text(encoding="utf-8")
    assert "\\u" not in first.read_text(encoding="utf-8")


def test_adjudicate_then_final_only(runner, project, tmp_path, make_user):
    result = runner.invoke(args=["adjudicate", "--auto", "unanimous"])
    assert result.exit_code == 0, result.output
    assert "5 of 6 sentences" in result.output
    reviewer = make_user("rita", role="reviewer")
    save_gold(project[2], labels(claim="checkworthy_claim"), "reviewer", reviewer.id, "Checked")
    save_gold(project[2], labels(claim="claim"), "reviewer", reviewer.id, "On second thought")
    # saving the same again makes no version, and stores no copy of the current one
    assert (
        save_gold(project[2], labels(claim="claim"), "reviewer", reviewer.id, "On second thought")
        is None
    )
    versions = select(GoldRevision.revision).join(Gold).where(Gold.sentence_id == project[2])
    assert db.session.scalars(versions).all() == [1]
    # a reviewer's gold survives another automatic run; its first version is kept
    adjudicated = runner.invoke(args=["adjudicate", "--auto", "majority"])
    assert adjudicated.exit_code == 0, adjudicated.output
    gold = db.session.scalar(select(Gold).where(Gold.sentence_id == project[2]))
    assert gold.method == "reviewer" and gold.labels["claim"] == "claim" and gold.revision == 2
    assert (
        db.session.scalar(select(GoldRevision.labels).where(GoldRevision.gold_id == gold.id))[
            "claim"
        ]
        == "checkworthy_claim"
    )
    out = tmp_path / "final.jsonl"
    exported = runner.invoke(args=["export", "--final-only", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    records = read(out)
    assert len(records) == 6
    assert all("annotations" not in r for r in records)
    by_id = {r["id"]: r for r in records}
    assert by_id["doc1:0"]["final_source"] == "gold"
    assert by_id["doc1:0"]["final"]["claim"] == "claim"
    assert by_id["doc1:0"]["final_note"] == "On second thought"  # the reviewer's note
    assert by_id["doc0:0"]["final_note"] is None
    assert by_id["doc0:0"]["final_source"] == "unanimous"
    assert by_id["doc0:0"]["final"]["attribution"]["source"]["text"] == "Jeyhun Bayramov"


def gold_table():
    """Every gold label and kept version, as comparable tuples."""
    golds = db.session.execute(select(Gold.sentence_id, Gold.labels, Gold.method, Gold.revision))
    versions = db.session.execute(
        select(Gold.sentence_id, GoldRevision.revision, GoldRevision.labels).join(Gold)
    )
    return sorted(map(tuple, golds), key=str), sorted(map(tuple, versions), key=str)


def test_adjudication_in_ranges_of_two_sentences_writes_what_one_range_writes(
    app, runner, project, tmp_path, monkeypatch
):
    result = runner.invoke(args=["adjudicate", "--auto", "unanimous"])
    assert result.exit_code == 0, result.output
    # carol differs on the first sentence (its unanimous gold becomes majority gold, the
    # unanimous version kept) and breaks the tie on the third (new majority gold)
    carol = user("carol")
    for sentence_id in (project[0], project[2]):
        db.session.add(Annotation(sentence_id=sentence_id, annotator_id=carol.id,
                                  labels=labels(claim="not_claim")))  # fmt: skip
    db.session.commit()
    monkeypatch.setattr(adjudication, "BATCH", 2)
    seen = []
    scheme = app.extensions["scheme"]
    assert auto_adjudicate("majority", scheme, progress=lambda *at: seen.append(at)) == (6, 2)
    last = max(project)
    assert seen[-1] == (last, last) and len(seen) == (last + 1) // 2
    golds, versions = gold_table()
    methods = {sentence_id: (method, revision) for sentence_id, _, method, revision in golds}
    assert methods[project[0]] == ("majority", 2) and methods[project[2]] == ("majority", 1)
    assert [(sentence_id, revision) for sentence_id, revision, _ in versions] == [(project[0], 1)]
    assert {
        labels["claim"] for sentence_id, labels, _, _ in golds if sentence_id == project[2]
    } == {"not_claim"}
    # one range, run again: nothing to change
    monkeypatch.setattr(adjudication, "BATCH", 10_000)
    assert auto_adjudicate("majority", scheme) == (6, 0)
    assert gold_table() == (golds, versions)


def test_an_interrupted_adjudication_says_where_to_go_on(runner, project, monkeypatch):
    monkeypatch.setattr(adjudication, "BATCH", 2)
    ranges = []
    real = adjudication.adjudicate_range

    def interrupted_at_the_second(method, scheme, low, high):
        if ranges:
            raise KeyboardInterrupt
        ranges.append((low, high))
        return real(method, scheme, low, high)

    monkeypatch.setattr(adjudication, "adjudicate_range", interrupted_at_the_second)
    result = runner.invoke(args=["adjudicate", "--auto", "unanimous"])
    assert result.exit_code == 1
    assert (
        f"Run `flask adjudicate --auto unanimous --after {ranges[0][1]}` to go on." in result.output
    )
    assert db.session.scalar(select(func.max(Gold.sentence_id))) <= ranges[0][1]  # saved so far
    monkeypatch.setattr(adjudication, "adjudicate_range", real)
    went_on = runner.invoke(
        args=["adjudicate", "--auto", "unanimous", "--after", str(ranges[0][1])]
    )
    assert went_on.exit_code == 0, went_on.output
    assert db.session.scalar(select(func.count()).select_from(Gold)) == 5


def test_split_by_document_is_reproducible(runner, project, tmp_path):
    outs = []
    for run in ("a", "b"):
        out = tmp_path / run / "data.jsonl"
        result = runner.invoke(
            args=["export", "--out", str(out), "--split", "train=0.67,test=0.33", "--seed", "7"]
        )
        assert result.exit_code == 0, result.output
        outs.append(out)
    train = read(outs[0].with_name("data.train.jsonl"))
    test = read(outs[0].with_name("data.test.jsonl"))
    assert len(train) + len(test) == 6 and len(train) == 4
    documents = {r["document"]["id"] for r in train}
    assert documents.isdisjoint({r["document"]["id"] for r in test})
    for name in ("data.train.jsonl", "data.test.jsonl"):
        assert outs[0].with_name(name).read_bytes() == outs[1].with_name(name).read_bytes()
    assert "| train |" in outs[0].with_name("data.md").read_text()


def test_anonymize_gives_stable_pseudonyms(runner, project, tmp_path):
    out = tmp_path / "anon.jsonl"
    exported = runner.invoke(args=["export", "--anonymize", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    text = out.read_text()
    assert "alice" not in text and "bob" not in text
    names = {a["annotator"] for r in read(out) for a in r["annotations"]}
    assert len(names) == 2 and all(n.startswith("annotator-") for n in names)
    again = tmp_path / "again.jsonl"
    exported = runner.invoke(args=["export", "--anonymize", "--out", str(again)])
    assert exported.exit_code == 0, exported.output
    assert again.read_bytes() == out.read_bytes()


def test_the_card_names_files_without_the_folder_they_were_written_to(runner, project, tmp_path):
    out = tmp_path / "home" / "alice" / "news.jsonl"
    result = runner.invoke(
        args=["export", "--anonymize", "--split", "a=0.5,b=0.5", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    card = out.with_suffix(".md").read_text()
    assert str(tmp_path) not in card and "alice" not in card
    assert "flask export --out news.jsonl --anonymize --split" in card
    assert "| a | news.a.jsonl |" in card and "| b | news.b.jsonl |" in card


def test_no_comments_leaves_out_comments_skip_reasons_and_gold_notes(runner, project, tmp_path):
    first, second = (db.session.get(Annotation, id) for id in (1, 2))
    first.comment, second.flagged, second.comment = "Ask Ana Petrova", True, "Sounds like Bob"
    skipper = User(name="cyd", role="annotator")
    db.session.add(skipper)
    db.session.flush()
    db.session.add(Annotation(sentence_id=project[1], annotator_id=skipper.id, labels={},
                              skipped=True, comment="Not English, says Dora"))  # fmt: skip
    db.session.commit()
    save_gold(project[0], labels(claim="claim"), "reviewer", note="Checked with Emil")
    kept = tmp_path / "kept.jsonl"
    exported = runner.invoke(args=["export", "--anonymize", "--out", str(kept)])
    assert exported.exit_code == 0, exported.output
    kept_text = kept.read_text()
    for said in ("Ana Petrova", "Bob", "Dora", "Emil"):
        assert said in kept_text  # --anonymize alone replaces names, not what people wrote
    out = tmp_path / "quiet.jsonl"
    result = runner.invoke(args=["export", "--anonymize", "--no-comments", "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = read(out)
    assert all(a["comment"] is None for r in records for a in r["annotations"])
    assert all(r["final_note"] is None for r in records)
    assert records[1]["annotations"][0]["flagged"] is True  # the flag is not free text
    assert not any(said in out.read_text() for said in ("Ana Petrova", "Bob", "Dora", "Emil"))
    card = out.with_suffix(".md").read_text()
    assert "--anonymize --no-comments" in card and "Free text left out (`--no-comments`)" in card
    assert [set(r) for r in records] == [set(r) for r in read(kept)]  # the same fields


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--split", "train=0.8,dev=0.1"], "the shares add up to 0.9, not 1"),
        (["--split", "train=0.8,dev"], "'dev' is not NAME=SHARE"),
        (["--split", "train=x,dev=1"], "the share of 'train' is not a number"),
        (["--seed", "many"], "Invalid value for '--seed'"),
    ],
)
def test_bad_export_options_are_refused(runner, project, tmp_path, args, message):
    result = runner.invoke(args=["export", "--out", str(tmp_path / "x.jsonl"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "x.jsonl").exists()


def test_an_unwritable_out_is_a_clear_error(runner, project, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a directory")
    result = runner.invoke(args=["export", "--out", str(blocked / "data.jsonl")])
    assert result.exit_code == 1, result.output
    assert f"cannot write to {blocked}" in result.output
    assert "Traceback" not in result.output


def test_an_empty_database_exports_an_empty_file_and_says_so(runner, app, tmp_path):
    out = tmp_path / "empty.jsonl"
    result = runner.invoke(args=["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Nothing to export: the database holds no sentences" in result.output
    assert out.read_text() == ""


def test_no_temporary_file_is_left_behind(runner, project, tmp_path):
    exported = runner.invoke(args=["export", "--out", str(tmp_path / "data.jsonl")])
    assert exported.exit_code == 0, exported.output
    assert (tmp_path / "data.jsonl").exists() and (tmp_path / "data.md").exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".data")]


def test_round_trip_into_an_empty_database(runner, project, topics, tmp_path):
    save_gold(project[2], labels(claim="claim"), "reviewer", None, "Checked against the source")
    db.session.get(Document, "doc1").author = "Ann Writer"
    db.session.commit()
    first = tmp_path / "first.jsonl"
    # gold of the agreed sentences, the two articles' own targets in it
    exported = runner.invoke(args=["export", "--auto", "majority", "--out", str(first)])
    assert exported.exit_code == 0, exported.output
    figures = runner.invoke(args=["agreement", "--json"])
    assert figures.exit_code == 0, figures.output
    # empty the database, import the export, export again
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    result = runner.invoke(args=["import-annotations", str(first)])
    assert result.exit_code == 0, result.output
    assert "5 documents, 11 sentences, 25 annotations, 4 accounts, 11 gold" in result.output
    assert db.session.get(Document, "water").targets == ["Water utility", "City council", "Mayor"]
    assert db.session.get(Document, "border").targets == ["Azerbaijan", "Armenia"]
    second = tmp_path / "second.jsonl"
    exported = runner.invoke(args=["export", "--out", str(second)])
    assert exported.exit_code == 0, exported.output
    assert second.read_bytes() == first.read_bytes()
    asked = {a["annotator"]: a["stance"] for a in read(second)[6]["annotations"]}
    assert asked == {"alice": WATER, "bob": WATER, "cyd": {**WATER, "Mayor": "favor"}}
    again = runner.invoke(args=["agreement", "--json"])
    assert again.exit_code == 0, again.output
    assert again.output == figures.output
    accounts = db.session.scalars(select(User.password_hash)).all()
    assert accounts == [None] * 4  # imported annotators cannot log in until given a password


def test_an_annotation_with_only_some_fields(runner, app, tmp_path):
    moment = "2026-11-22T10:00:00Z"
    record = {"id": "d:0", "text": "A sentence.", "document": {"id": "d"},
              "position": {"index": 0, "start": 0, "end": 11},
              "annotations": [{"annotator": "zoe", "claim": "claim", "created": moment,
                               "updated": moment}]}  # fmt: skip
    path = tmp_path / "partial.jsonl"
    path.write_text(json.dumps(record) + "\n")
    result = runner.invoke(args=["import-annotations", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Annotation.labels)) == {"claim": "claim"}
    out = tmp_path / "out.jsonl"
    exported = runner.invoke(args=["export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    annotation = read(out)[0]["annotations"][0]
    assert annotation["claim"] == "claim"
    assert annotation["attribution"] is None and annotation["stance"] is None


def test_imported_records_lose_control_characters_but_not_in_the_sentence(runner, app, tmp_path):
    bad = "\x1b[31m\u202e\x9b"
    labels_given = {"claim": "claim", "outlet": f"Wire{bad}",
                    "attribution": {"source_type": "person", "entity": f"Ana{bad}"}}  # fmt: skip
    given = {"annotator": f"zoe{bad}", "comment": f"Why{bad}\nnot", **labels_given}
    record = {"id": "d:0", "text": f"A {bad}sentence.",
              "document": {"id": f"d{bad}", "title": f"Title{bad}", "outlet": f"Out{bad}let"},
              "position": {"index": 0, "start": 0, "end": 15}, "annotations": [given],
              "final": labels_given, "final_source": "gold",
              "final_note": f"Note{bad}"}  # fmt: skip
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps(record) + "\n")
    result = runner.invoke(args=["import-annotations", str(path)])
    assert result.exit_code == 0, result.output
    document = db.session.scalar(select(Document))
    assert (document.id, document.title, document.outlet) == ("d[31m", "Title[31m", "Out[31mlet")
    assert db.session.scalar(select(User.name)) == "zoe[31m"
    annotation, gold = db.session.scalar(select(Annotation)), db.session.scalar(select(Gold))
    assert annotation.comment == "Why[31m\nnot" and gold.note == "Note[31m"
    for stored in (annotation.labels, gold.labels):
        assert (stored["outlet"], stored["attribution"]["entity"]) == ("Wire[31m", "Ana[31m")
    assert db.session.scalar(select(Sentence.text)) == f"A {bad}sentence."  # offsets into it


def test_a_malformed_record_names_its_line_and_imports_nothing(runner, project, tmp_path):
    out = tmp_path / "good.jsonl"
    exported = runner.invoke(args=["export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    lines = out.read_text().splitlines()
    bad = json.loads(lines[3])
    bad["annotations"][0]["claim"] = "maybe"
    lines[3] = json.dumps(bad)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(re.sub(r"doc(\d)", r"new\1", "\n".join(lines)) + "\n")
    before = db.session.scalar(select(func.count()).select_from(Sentence))
    result = runner.invoke(args=["import-annotations", str(broken)])
    assert result.exit_code == 1, result.output
    assert (
        "line 4: annotation by alice: claim 'maybe': choose one of not_claim, claim"
        in result.output
    )
    assert "nothing was imported" in result.output
    assert db.session.scalar(select(func.count()).select_from(Sentence)) == before
    (tmp_path / "junk.jsonl").write_text('{"id": "x"}\nnot json\n')
    result = runner.invoke(args=["import-annotations", str(tmp_path / "junk.jsonl")])
    assert result.exit_code == 1, result.output
    assert "line 1: document.id is missing" in result.output


def test_the_export_loads_with_hugging_face_datasets(runner, project, tmp_path):
    import datasets

    out = tmp_path / "hf.jsonl"
    exported = runner.invoke(args=["export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    loaded = datasets.load_dataset("json", data_files=str(out), split="train")
    assert loaded.num_rows == 6
    assert loaded[0]["id"] == "doc0:0"
    assert loaded[0]["annotations"][0]["attribution"]["source"]["text"] == "Jeyhun Bayramov"
    with out.open(encoding="utf-8") as lines:  # and with plain json
        assert [json.loads(line)["id"] for line in lines][-1] == "doc2:1"


def test_the_card_can_leave_agreement_out(runner, project, tmp_path):
    out = tmp_path / "quick.jsonl"
    result = runner.invoke(args=["export", "--no-agreement", "--out", str(out)])
    assert result.exit_code == 0, result.output
    card = (tmp_path / "quick.md").read_text()
    assert "flask export --out quick.jsonl --no-agreement" in card
    assert "Not computed: left out (--no-agreement); run flask agreement" in card
    distribution = card.split("## Label distribution")[1].split("## Agreement")[0]
    assert "No labels to count yet" not in distribution  # the project has labels, no gold yet
    assert "counted with the agreement, which was not computed" in distribution


def test_importing_into_a_database_that_has_the_records_adds_nothing(runner, project, tmp_path):
    out = tmp_path / "again.jsonl"
    exported = runner.invoke(args=["export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    before = db.session.scalar(select(func.count()).select_from(Annotation))
    result = runner.invoke(args=["import-annotations", str(out)])
    assert result.exit_code == 0, result.output
    assert "0 documents, 0 sentences, 0 annotations, 0 accounts, 0 gold, 12 already there" in (
        result.output
    )
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == before


def test_a_large_export_computes_the_card_s_agreement_in_a_second_process(
    app, runner, project, tmp_path
):
    inline, parallel = tmp_path / "inline.jsonl", tmp_path / "parallel.jsonl"
    exported = runner.invoke(args=["export", "--out", str(inline)])
    assert exported.exit_code == 0, exported.output
    app.config["EXPORT_AGREEMENT_IN_PARALLEL_ABOVE"] = 0
    result = runner.invoke(args=["export", "--out", str(parallel)])
    assert result.exit_code == 0, result.output
    agreement = [
        path.with_suffix(".md").read_text().split("## Agreement")[1].split("## Label scheme")[0]
        for path in (inline, parallel)
    ]
    assert "| claim | 6 | 0.833 |" in agreement[0]
    assert agreement[0] == agreement[1]


def test_missing_timestamps_get_the_import_time_and_malformed_ones_are_refused(
    runner, app, tmp_path
):
    record = {"id": "d:0", "text": "A sentence.", "document": {"id": "d"},
              "position": {"index": 0, "start": 0, "end": 11},
              "annotations": [{"annotator": "zoe", "claim": "claim"},
                              {"annotator": "yan", "claim": "claim",
                               "created": "2026-11-22T10:00:00Z"}]}  # fmt: skip
    path = tmp_path / "bare.jsonl"
    path.write_text(json.dumps(record) + "\n")
    before = datetime.now(UTC).replace(microsecond=0)
    result = runner.invoke(args=["import-annotations", str(path)])
    assert result.exit_code == 0, result.output
    after = datetime.now(UTC)
    stamps = dict(
        db.session.execute(
            select(User.name, Annotation.created).join(User, User.id == Annotation.annotator_id)
        ).all()
    )
    assert before <= stamps["zoe"] <= after
    assert stamps["yan"] == datetime(2026, 11, 22, 10, tzinfo=UTC)
    assert all(
        before <= updated <= after for updated in db.session.scalars(select(Annotation.updated))
    )
    record["id"], record["document"]["id"] = "e:0", "e"
    record["annotations"][0]["updated"] = "yesterday"
    path.write_text(json.dumps(record) + "\n")
    result = runner.invoke(args=["import-annotations", str(path)])
    assert result.exit_code == 1, result.output
    assert "line 1: updated 'yesterday' is not an ISO timestamp" in result.output
    assert db.session.scalar(select(func.count()).select_from(Document)) == 1


def test_export_says_why_records_have_no_final_label_and_can_settle_agreed_ones(
    runner, project, tmp_path, make_user
):
    # doc0:0, doc1:1 unanimous; doc0:1 two of three agree; doc1:0 alice and bob disagree;
    # doc2:0 only a skip; doc2:1 only alice
    carol = make_user("carol")
    db.session.add(Annotation(sentence_id=project[1], annotator_id=carol.id,
                              labels=labels(claim="claim")))  # fmt: skip
    bob = db.session.scalar(select(User).where(User.name == "bob"))
    db.session.execute(Annotation.__table__.delete().where(Annotation.sentence_id == project[4]))
    db.session.execute(
        Annotation.__table__.delete().where(
            Annotation.sentence_id == project[5], Annotation.annotator_id == bob.id
        )
    )
    db.session.add(Annotation(sentence_id=project[4], annotator_id=bob.id, skipped=True))
    db.session.commit()
    out = tmp_path / "data.jsonl"
    result = runner.invoke(args=["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    why = [
        "6 sentences have no final label:",
        "  1 has no annotations (skips do not count)",
        "  1 has only one annotation; automatic gold needs two or more",
        "  2 have annotators who all agree but no gold yet: `--auto unanimous` settles them",
        "  1 has a strict majority agreeing on every field but no gold yet: `--auto majority` "
        "settles it",
        "  1 has annotators who disagree and no reviewer's gold: settle it on "
        "/review/disagreements",
    ]
    assert "\n".join(why) in result.output
    card = out.with_suffix(".md").read_text()
    assert "6 sentences have no final label:\n\n- 1 has no annotations" in card
    assert "- 2 have annotators who all agree but no gold yet" in card

    result = runner.invoke(args=["export", "--auto", "unanimous", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        "2 of 4 sentences with two or more annotations and no reviewer's gold got unanimous "
        "gold labels" in result.output
    )
    assert "4 sentences have no final label:" in result.output
    assert "all agree" not in result.output
    finals = {r["id"]: r["final_source"] for r in read(out)}
    assert finals == {"doc0:0": "unanimous", "doc0:1": None, "doc1:0": None,
                      "doc1:1": "unanimous", "doc2:0": None, "doc2:1": None}  # fmt: skip
    card = out.with_suffix(".md").read_text()
    assert "flask export --out data.jsonl --auto unanimous" in card
    assert "- final · outlet: Wire: 2" in card  # outlet counted too

    final = tmp_path / "final.jsonl"
    result = runner.invoke(
        args=["export", "--auto", "majority", "--final-only", "--out", str(final)]
    )
    assert result.exit_code == 0, result.output
    assert "3 sentences have no final label and are left out (`--final-only`):" in result.output
    assert "majority" not in result.output.split("left out")[1]
    assert [r["final_source"] for r in read(final)] == ["unanimous", "majority", "unanimous"]
    # the gold is kept, as `flask adjudicate --auto` keeps it
    methods = db.session.scalars(select(Gold.method).order_by(Gold.sentence_id)).all()
    assert methods == ["unanimous", "majority", "unanimous"]
    assert (
        "3 sentences have no final label and are left out" in final.with_suffix(".md").read_text()
    )


# what an annotator could type as an outlet, a lead as a stance target, or name a file
MARKDOWN = "## Heading [click](https://evil.example) <img src=x> `code` *em* | www.evil.example"
HOSTILE_LABEL = MARKDOWN + " @team $x$ ~~gone~~ &copy; \x1b[31m"
HOSTILE_FILE = "## `card` <img src=x> [a](b) | ![i](j).jsonl"
RENDERER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def card_with(runner, app, tmp_path, make_user, value, file_name):
    """The card of an export whose outlet labels, gold outlet and a stance target are
    ``value``, written to ``file_name``, anonymized."""
    app.extensions["scheme"] = Scheme(stance_targets=("Azerbaijan", value))
    ids = [i for article in import_texts(tmp_path, *ARTICLES) for i in article]
    for name in ("alice", "bob"):
        user = make_user(name)
        for sentence_id in ids:
            given = labels(outlet=value, stance={"Azerbaijan": "none", value: "favor"})
            db.session.add(Annotation(sentence_id=sentence_id, annotator_id=user.id, labels=given))
    db.session.commit()
    save_gold(
        ids[0], labels(outlet=value, stance={"Azerbaijan": "none", value: "none"}), "reviewer"
    )
    out = tmp_path / value.replace("/", "") / file_name
    result = runner.invoke(args=["export", "--anonymize", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.with_name(out.name.removesuffix(".jsonl") + ".md").read_text()


def tokens(markdown):
    """Every token of rendered Markdown, inline ones included."""
    for token in RENDERER.parse(markdown):
        yield token
        yield from token.children or ()


def test_the_card_shows_hostile_values_as_text(runner, app, tmp_path, make_user):
    card = card_with(runner, app, tmp_path, make_user, HOSTILE_LABEL, HOSTILE_FILE)
    rendered = list(tokens(card))
    kinds = {token.type for token in rendered}
    assert not kinds & {"html_block", "html_inline", "image", "link_open", "em_open", "s_open"}
    assert all(t.content != "code" for t in rendered if t.type == "code_inline")
    headings = [
        "".join(child.content for child in rendered[i + 1].children)
        for i, token in enumerate(rendered)
        if token.type == "heading_open"
    ]
    name = HOSTILE_FILE.removesuffix(".jsonl")
    assert headings == [
        f"Dataset card: {name}.jsonl",
        "Files",
        "How the labels were made",
        "How final was decided",
        "Sentences without final labels",
        "Label distribution",
        "Agreement (all annotations in the database)",
        "Stance targets",
        "Label scheme",
        "Data dictionary",
    ]
    text = "".join(t.content for t in rendered if t.type in ("text", "code_block"))
    assert HOSTILE_LABEL.replace("\x1b", "\\x1b") in text  # readable, ESC as an escape
    assert f"{name}.jsonl" in text and f"stance.{HOSTILE_LABEL}".replace("\x1b", "\\x1b") in text
    assert "\x1b" not in card


def test_labels_stored_before_a_scheme_change_come_back_as_they_were(runner, app, tmp_path):
    # a target the scheme no longer lists, and a key the scheme does not describe, survive
    # export and re-import unchanged (the form would refuse the target; a re-import may not)
    moment = "2026-11-22T10:00:00Z"
    given = {"claim": "claim", "stance": {"Armenia": "favor", "Georgia": "against"},
             "attribution": {"source_type": "person", "accepted": True}}  # fmt: skip
    record = {"id": "d:0", "text": "A sentence.", "document": {"id": "d"},
              "position": {"index": 0, "start": 0, "end": 11},
              "annotations": [{"annotator": "zoe", **given, "created": moment,
                               "updated": moment}]}  # fmt: skip
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(record) + "\n")
    result = runner.invoke(args=["import-annotations", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Annotation.labels)) == given
    out = tmp_path / "out.jsonl"
    result = runner.invoke(args=["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert read(out)[0]["annotations"][0]["stance"] == given["stance"]
    card = out.with_suffix(".md").read_text()
    assert "stance.Georgia" not in card  # no final labels: nothing counted
    record["annotations"][0]["stance"]["Georgia"] = "love"
    path.write_text(json.dumps(record).replace('"d"', '"e"') + "\n")
    result = runner.invoke(args=["import-annotations", str(path)])
    assert result.exit_code == 1, result.output
    assert "stance.Georgia: choose one of favor, against, neutral, none" in result.output


@pytest.mark.parametrize("final", [["claim"], "claim", 3])
def test_final_labels_that_are_not_an_object_are_refused_with_the_line(
    runner, app, tmp_path, final
):
    record = {"id": "d:0", "text": "A sentence.", "document": {"id": "d"},
              "position": {"index": 0, "start": 0, "end": 11}, "annotations": [],
              "final": final, "final_source": "gold"}  # fmt: skip
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record) + "\n")
    result = runner.invoke(args=["import-annotations", str(path)])
    assert result.exit_code == 1, result.output
    assert "line 1: final must be an object of labels or null" in result.output


def test_a_label_field_the_scheme_lacks_is_refused_not_dropped(runner, app, tmp_path):
    # e.g. an export of a project whose scheme file added `certainty`, read into one without
    moment = "2026-11-22T10:00:00Z"
    record = {"id": "d:0", "text": "A sentence.", "document": {"id": "d"},
              "position": {"index": 0, "start": 0, "end": 11},
              "annotations": [{"annotator": "zoe", "claim": "claim", "certainty": "high",
                               "created": moment, "updated": moment}]}  # fmt: skip
    path = tmp_path / "other.jsonl"
    path.write_text(json.dumps(record) + "\n")
    result = runner.invoke(args=["import-annotations", str(path)])
    assert result.exit_code == 1, result.output
    assert "line 1: annotation by zoe: 'certainty' is not a field of the label scheme" in (
        result.output
    )
    assert db.session.scalar(select(func.count()).select_from(Annotation)) == 0


# -- stance targets of each document ---------------------------------------------------------


def test_records_carry_the_document_s_targets_and_exactly_the_targets_asked(
    runner, topics, tmp_path
):
    out = tmp_path / "topics.jsonl"
    result = runner.invoke(args=["export", "--auto", "majority", "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in read(out)}
    assert records["water:0"]["document"]["targets"] == ["Water utility", "City council", "Mayor"]
    assert records["border:0"]["document"]["targets"] == ["Azerbaijan", "Armenia"]
    first = {a["annotator"]: a["stance"] for a in records["water:0"]["annotations"]}
    # labelled before the mayor was a target: absent (not asked), not "none"
    assert first == {"alice": WATER, "bob": WATER, "cyd": {**WATER, "Mayor": "favor"}}
    assert records["border:0"]["annotations"][0]["stance"] == BORDER
    # final labels hold the targets their annotators agree on, no other target as null; a
    # target counts only the annotators asked it (adjudication.agreement)
    assert records["water:0"]["final_source"] == "unanimous"
    assert records["water:0"]["final"]["stance"] == WATER  # one asked about the mayor: unset
    assert records["water:1"]["final_source"] == "unanimous"  # the two asked agree
    assert records["water:1"]["final"]["stance"] == {**WATER, "Mayor": "against"}
    assert records["water:2"]["final_source"] == "unanimous"
    assert records["water:2"]["final"]["stance"] == WATER
    assert records["border:1"]["final"]["stance"] == BORDER


def test_the_card_lists_the_targets_with_their_counts_and_agreement(runner, topics, tmp_path):
    bob = db.session.scalar(
        select(Annotation)
        .join(User)
        .where(User.name == "bob", Annotation.sentence_id == topics["border"][1])
    )
    bob.labels = labels(claim="claim", stance={**BORDER, "Armenia": "favor"})
    db.session.commit()
    out = tmp_path / "topics.jsonl"
    result = runner.invoke(args=["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    card = out.with_suffix(".md").read_text()
    section = card.split("## Stance targets")[1].split("## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    # documents, sentences, items (two or more asked), alpha, and the same over claims only
    assert rows == [
        "| Azerbaijan | 1 | 2 | 2 | — | 2 | — |",
        "| Armenia | 1 | 2 | 2 | 0.000 | 2 | 0.000 |",
        "| Water utility | 1 | 3 | 3 | — | 3 | — |",
        "| City council | 1 | 3 | 3 | — | 3 | — |",
        "| Mayor | 1 | 3 | 1 | — | 1 | — |",
    ]
    assert "targets: Azerbaijan, Armenia, Water utility, City council, Mayor" in card
    assert "`targets` (its stance targets, in order" in card
    assert "a target added to the document after the annotation is absent (not asked)" in card


def stratified(runner, tmp_path, documents, *options):
    """Import ``documents`` ({id: (outlet, targets)}), export them split a=0.5,b=0.5 with
    ``options``; {split: document ids} and the card's text."""
    path = tmp_path / "many.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": id_, "text": f"Sentence of {id_}.", "outlet": outlet,
                        "targets": targets}) + "\n"
            for id_, (outlet, targets) in documents.items()
        )
    )  # fmt: skip
    imported = runner.invoke(args=["import", str(path)])
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "split.jsonl"
    result = runner.invoke(args=["export", "--split", "a=0.5,b=0.5", "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    splits = {
        name: {r["document"]["id"] for r in read(out.with_name(f"split.{name}.jsonl"))}
        for name in ("a", "b")
    }
    return splits, out.with_suffix(".md").read_text()


def test_a_split_stratified_by_target_halves_every_target_list(runner, app, tmp_path):
    documents = {f"water{n}": ("Wire", ["Water utility"]) for n in range(4)}
    documents |= {f"border{n}": ("Wire", ["Azerbaijan", "Armenia"]) for n in range(2)}
    documents |= {f"both{n}": ("Wire", ["Armenia", "Azerbaijan"]) for n in range(2)}  # as a whole
    documents |= {f"border+{n}": ("Wire", ["Armenia"]) for n in range(2)}
    splits, card = stratified(runner, tmp_path, documents, "--stratify", "target", "--seed", "3")
    for prefix, count in (("water", 4), ("border", 2), ("both", 2), ("border+", 2)):
        ids = {f"{prefix}{n}" for n in range(count)}
        assert len(ids & splits["a"]) == len(ids & splits["b"]) == count // 2, prefix
    assert "--split a=0.5,b=0.5 --seed 3 --stratify target" in card


def test_a_split_stratified_by_outlet_and_target(runner, app, tmp_path):
    documents = {
        f"{outlet}-{target}{n}": (outlet, [target])
        for outlet in ("Wire", "Desk")
        for target in ("Water utility", "Mayor")
        for n in range(2)
    }
    splits, card = stratified(runner, tmp_path, documents, "--stratify", "target, outlet")
    for outlet in ("Wire", "Desk"):
        for target in ("Water utility", "Mayor"):
            assert len({f"{outlet}-{target}{n}" for n in range(2)} & splits["a"]) == 1
    assert "--stratify outlet,target" in card


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--split", "a=0.5,b=0.5", "--stratify", "topic"],
         "'topic' is not something to stratify by; use outlet or target"),
        (["--stratify", "target"], "only a split is stratified; give --split too"),
    ],
)  # fmt: skip
def test_bad_stratify_options_are_refused(runner, project, tmp_path, args, message):
    result = runner.invoke(args=["export", "--out", str(tmp_path / "x.jsonl"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "x.jsonl").exists()


def test_records_without_targets_get_the_scheme_s_and_bad_ones_are_refused(runner, app, tmp_path):
    record = {"id": "d:0", "text": "A sentence.", "document": {"id": "d"},
              "position": {"index": 0, "start": 0, "end": 11}}  # fmt: skip
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(record) + "\n")  # exported before documents had targets
    result = runner.invoke(args=["import-annotations", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.get(Document, "d").targets == ["Azerbaijan", "Armenia"]
    for targets, message in (
        ("Mayor", "document.targets must be a list of strings"),
        (["Mayor", "mayor"], "document.targets: 'mayor' is given twice (items 1 and 2)"),
        (["Ma\x1byor"], "document.targets: item 1 ('Ma\\x1byor') holds control"),
    ):
        record["document"] = {"id": "e", "targets": targets}
        path.write_text(json.dumps(record) + "\n")
        result = runner.invoke(args=["import-annotations", str(path)])
        assert result.exit_code == 1, result.output
        assert f"line 1: {message}" in result.output and "nothing was imported" in result.output
        assert db.session.get(Document, "e") is None
