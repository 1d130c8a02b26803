"""``flask import``: documents and sentences stored from real and hand-written articles."""

import json
import multiprocessing
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.importing.readers import RawArticle
from annotator.importing.store import prepare
from annotator.models import Annotation, Document, Sentence
from tests.helpers import SEEDS


def counts():
    """(documents, sentences) in the database."""
    return (
        db.session.scalar(select(func.count()).select_from(Document)),
        db.session.scalar(select(func.count()).select_from(Sentence)),
    )


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    return path


def test_import_seeds(runner):
    result = runner.invoke(args=["import", str(SEEDS)])
    assert result.exit_code == 0, result.output
    assert (
        "Imported 2 documents, 25 sentences; skipped 0 duplicates; removed 6 lines of page "
        "furniture, see `flask show DOC`."
    ) in result.output
    first = db.session.get(Document, "000_4e0281c745451fc7")
    assert first.published == date(2023, 9, 19)
    assert first.title.startswith("Azerbaijan FM informed Italian counterpart")
    second = db.session.get(Document, "001_0dd38af94ea597a2")
    assert (second.outlet, second.publisher) == ("AzerNews", "MENAFN")
    for document in (first, second):
        sentences = db.session.scalars(select(Sentence).where(Sentence.document_id == document.id))
        for sentence in sentences:
            assert document.text[sentence.start : sentence.end] == sentence.text
            assert "\n" not in sentence.text
            assert "Read:" not in sentence.text and "More about" not in sentence.text


def test_reimport_changes_nothing(runner):
    imported = runner.invoke(args=["import", str(SEEDS)])
    assert imported.exit_code == 0, imported.output
    before = db.session.execute(select(Sentence.id, Sentence.text)).all()
    result = runner.invoke(args=["import", str(SEEDS)])
    assert result.exit_code == 0, result.output
    assert "Imported 0 documents, 0 sentences; skipped 2 duplicates." in result.output
    assert db.session.execute(select(Sentence.id, Sentence.text)).all() == before


def test_same_text_under_another_id_is_a_duplicate(runner, tmp_path):
    copy = tmp_path / "copy.txt"
    copy.write_text(next(SEEDS.glob("001_*.txt")).read_text())
    imported = runner.invoke(args=["import", str(SEEDS)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(args=["import", str(copy)])
    assert result.exit_code == 0, result.output
    assert "skipped 1 duplicates" in result.output
    assert counts() == (2, 25)


def test_jsonl_batch_with_fields_and_overrides(runner, tmp_path):
    path = write_jsonl(
        tmp_path / "batch.jsonl",
        [
            {
                "id": "a1",
                "text": "(CNN) -- The Senate voted 51-49 on Tuesday. The bill goes to the House.",
                "title": "Senate passes bill",
                "url": "https://example.com/a1",
                "published": "2024-05-02",
            },
            {"id": "a2", "text": "Prices rose 2.5 pct. in Sept. last year.", "outlet": "Reuters"},
            {"text": "Jeyhun Bayramov emphasized that talks would go on. Nobody objected."},
        ],
    )
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 documents, 5 sentences" in result.output
    a1 = db.session.get(Document, "a1")
    assert (a1.title, a1.outlet, a1.url, a1.published) == (
        "Senate passes bill",
        "CNN",
        "https://example.com/a1",
        date(2024, 5, 2),
    )
    assert a1.text.startswith("The Senate voted")
    assert db.session.get(Document, "a2").outlet == "Reuters"
    generated = db.session.scalar(select(Document).where(Document.id.not_in(["a1", "a2"])))
    assert len(generated.id) == 16  # content-derived id for records without one


def test_control_and_bidirectional_characters_are_dropped_from_fields(runner, tmp_path):
    path = write_jsonl(
        tmp_path / "hostile.jsonl",
        [
            {
                "id": "e\x1b[2Jvil\u202e",
                "title": "Evil\x1b[31mRED\x1b]0;title\x07 \u202ereversed\u2069",
                "outlet": "\u2066Out\u200blet\u2069\n",
                "publisher": "\x9bWire\x7f",
                "url": "https://example.com/\u202ea",
                "text": "The \u2067minister\u2069 said\u200f so.\ufeff Prices\u202e rose\x1b[0m.",
            }
        ],
    )
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    document = db.session.get(Document, "e[2Jvil")
    assert (document.title, document.outlet, document.publisher, document.url) == (
        "Evil[31mRED]0;title reversed",
        "Outlet",
        "Wire",
        "https://example.com/a",
    )
    assert document.text == "The minister said so. Prices rose[0m."
    sentences = db.session.scalars(select(Sentence).order_by(Sentence.index)).all()
    assert [s.text for s in sentences] == ["The minister said so.", "Prices rose[0m."]
    for sentence in sentences:
        assert document.text[sentence.start : sentence.end] == sentence.text


def test_outlet_option_overrides_everything(runner, tmp_path):
    path = write_jsonl(tmp_path / "b.jsonl", [{"id": "x", "text": "A b c.", "outlet": "Field"}])
    result = runner.invoke(args=["import", "--outlet", "Cli", "--publisher", "Wire", str(path)])
    assert result.exit_code == 0, result.output
    document = db.session.get(Document, "x")
    assert (document.outlet, document.publisher) == ("Cli", "Wire")


def test_json_list(runner, tmp_path):
    path = tmp_path / "list.json"
    path.write_text(json.dumps([{"id": 7, "text": "One sentence. Two sentences."}]))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert counts() == (1, 2)
    assert db.session.get(Document, "7") is not None


def test_changed_text_needs_replace(runner, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "d", "text": "Old text here."}])
    imported = runner.invoke(args=["import", str(path)])
    assert imported.exit_code == 0, imported.output
    write_jsonl(path, [{"id": "d", "text": "New text here. And more."}])
    refused = runner.invoke(args=["import", str(path)])
    assert refused.exit_code == 1, refused.output
    assert "already exists with different text; use --replace" in refused.output
    assert db.session.get(Document, "d").text == "Old text here."
    replaced = runner.invoke(args=["import", "--replace", str(path)])
    assert replaced.exit_code == 0, replaced.output
    assert "replaced 1" in replaced.output
    db.session.expire_all()
    assert db.session.get(Document, "d").text == "New text here. And more."
    assert counts() == (1, 2)


def test_replace_refuses_to_drop_annotations(runner, tmp_path, make_user):
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "d", "text": "Old text here."}])
    imported = runner.invoke(args=["import", str(path)])
    assert imported.exit_code == 0, imported.output
    user = make_user("alice")
    sentence = db.session.scalar(select(Sentence))
    db.session.add(Annotation(sentence_id=sentence.id, annotator_id=user.id, labels={}))
    db.session.commit()
    write_jsonl(path, [{"id": "d", "text": "New text here."}])
    result = runner.invoke(args=["import", "--replace", str(path)])
    assert result.exit_code == 1, result.output
    assert "has 1 annotations; it cannot be replaced" in result.output
    assert db.session.get(Document, "d").text == "Old text here."


BAD_INPUTS = {
    "empty.txt": (b"", "file is empty"),
    "blank.txt": (b"  \n\n ", "file is empty"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    "latin1.txt": ("Caf\u00e9 au lait.".encode("latin-1"), "not UTF-8 (byte 0xe9"),
    "bad.jsonl": (b'{"text": "Fine."}\n{"text": "broken"\n', "bad.jsonl:2: malformed JSON"),
    "notext.jsonl": (b'{"title": "No body"}\n', "notext.jsonl:1: missing 'text'"),
    "badtype.jsonl": (b'{"text": "Ok.", "outlet": 5}\n', "'outlet' must be a string"),
    "baddate.jsonl": (
        b'{"text": "Ok.", "published": "soon"}\n',
        "'published' 'soon' is not a date",
    ),
    "extra.jsonl": (b'{"text": "Ok.", "body": "x"}\n', "unknown field(s) body"),
    "keepline.jsonl": (
        b'{"text": "Ok.", "keep_lines": "Ad"}\n',
        "keepline.jsonl:1: 'keep_lines' must be a list of strings (lines to keep), not str",
    ),
    "keepnumber.json": (
        b'[{"text": "Ok."}, {"text": "Ok.", "keep_lines": ["Ad", 3]}]',
        "keepnumber.json item 2: 'keep_lines' item 2 must be a string, not int",
    ),
    "keepblank.jsonl": (
        b'{"text": "Ok.", "keep_lines": [" \\u200b "]}\n',
        "keepblank.jsonl:1: 'keep_lines' item 1 is empty",
    ),
    "author.jsonl": (b'{"text": "Ok.", "author": ["A", "B"]}\n', "'author' must be a string"),
    "obj.json": (b'"just a string"', "expected a non-empty JSON list"),
    "furniture.txt": (b"Share this article\nAdvertisement\n", "no sentences left"),
    "twice.jsonl": (
        b'{"id": "t", "text": "One."}\n{"id": "t", "text": "Two."}\n',
        "document id 't' appears twice, with different text",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_imports_nothing(runner, tmp_path, name):
    content, message = BAD_INPUTS[name]
    good = tmp_path / "good.txt"
    good.write_text("A perfectly good article. It has two sentences.")
    bad = tmp_path / name
    bad.write_bytes(content)
    result = runner.invoke(args=["import", str(good), str(bad)])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "nothing was imported" in result.output
    assert counts() == (0, 0)


def test_paths_that_hold_no_articles(runner, tmp_path):
    missing = runner.invoke(args=["import", str(tmp_path / "nope")])
    assert missing.exit_code == 1, missing.output
    assert "no such file or folder" in missing.output
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text("not an article")
    empty = runner.invoke(args=["import", str(tmp_path / "empty")])
    assert empty.exit_code == 1, empty.output
    assert "folder holds no article files" in empty.output
    other = tmp_path / "a.csv"
    other.write_text("x")
    wrong = runner.invoke(args=["import", str(other)])
    assert wrong.exit_code == 1, wrong.output
    assert "unknown file type" in wrong.output
    assert counts() == (0, 0)


def test_import_order_is_kept(runner, tmp_path):
    path = write_jsonl(
        tmp_path / "o.jsonl", [{"id": f"d{i}", "text": f"Text number {i}."} for i in range(5)]
    )
    imported = runner.invoke(args=["import", str(path)])
    assert imported.exit_code == 0, imported.output
    imported = runner.invoke(args=["import", str(SEEDS)])
    assert imported.exit_code == 0, imported.output
    ordered = db.session.scalars(select(Document.id).order_by(Document.seq)).all()
    assert ordered == [f"d{i}" for i in range(5)] + ["000_4e0281c745451fc7", "001_0dd38af94ea597a2"]


# Lines made to send a backtracking pattern or a loop over lines into quadratic or
# exponential time. Each comes before a body sentence, where headers, date lines and
# datelines are looked for.
MB = 1_000_000
HOSTILE_LINES = {
    "digits after a date": "2023-09-19 " + "1" * 40 + "x",
    "a megabyte of digits after a date": "2023-09-19 " + "1" * MB + "x",
    "numbers with commas after a date": "2023-09-19 " + "1," * (MB // 2) + "x",
    "clock times after a date": "2023-09-19 " + "10:45:" * (MB // 6) + "x",
    "time zones after a date": "2023-09-19 " + "+03:00" * (MB // 6) + "+",
    "separators after a date": "2023-09-19 " + "-|/" * (MB // 3) + "x",
    "spaces after a date": "2023-09-19 " + " " * MB + "x",
    "words after a date": "Posted 2023-09-19 " + "on at " * (MB // 6) + "x",
    "weekdays after a date": "2023-09-19 " + "mon" * (MB // 3) + "x",
    "a.m. after a date": "2023-09-19 " + "a.m." * (MB // 4) + "x",
    "spaces after a month": "May" + " " * MB + "1" + " " * MB + "x",
    "spaces in a view counter": "Read" + " " * MB + "x",
    "spaces around a view counter": "Read:" + " " * MB + "1" + " " * MB + "x",
    "spaces after a byline": "By John" + " " * MB + "x",
    "spaces in a syndication marker": "(MENAFN- " + " " * MB + "x",
    "a word in a syndication marker": "(" + "A" * MB,
    "spaces after a dateline": "WASHINGTON" + " " * MB + "(CNN x",
    "spaces in a dateline": "KYIV, U" + " " * MB + "(AP x",
    "a megabyte word": "a" * MB,
    "joiners inside a word": "a" + "\u200d" * (MB // 3) + "b",
    "joiners at a word's end": "a" + "\u200c\u200d" * (MB // 6) + " b",
    "lowercase sentences that join": "prices rose. " * (2 * MB // 13),
    "a hundred thousand furniture lines": "Advertisement\n" * 100_000,
    "a hundred thousand hyphenated lines": "anti-\n" * 100_000,
}


def prepare_timed(text, answer):
    """Clean and split ``text`` as an import does; put the seconds it took into ``answer``."""
    start = time.perf_counter()
    prepare(RawArticle(text=text, where="hostile"))
    answer.put(time.perf_counter() - start)


@pytest.mark.parametrize("name", sorted(HOSTILE_LINES))
def test_hostile_lines_take_linear_time(name):
    # in a process of its own, so that a pattern that never finishes fails the test
    # instead of hanging the suite. Most take 0.1 s; the slowest (100,000 furniture lines)
    # took 2.05 s on this shared machine on a slow day. 5 s leaves room for that, and a
    # pattern that backtracks quadratically over a megabyte takes minutes.
    context = multiprocessing.get_context("fork")
    answer = context.Queue()
    text = HOSTILE_LINES[name] + "\nThe body says so."
    process = context.Process(target=prepare_timed, args=(text, answer))
    process.start()
    process.join(timeout=30)
    if process.is_alive():
        process.kill()
        process.join()
        pytest.fail(f"{name}: not cleaned after 30 s")
    assert process.exitcode == 0
    assert answer.get(timeout=5) < 5
