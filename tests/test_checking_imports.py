"""Checking an import: ``flask import --dry-run``, ``flask show`` listing what was removed and
where metadata came from, and ``--keep-line`` / ``keep_lines`` bringing a line back."""

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from annotator.extensions import db
from annotator.importing.cleaning import clean
from annotator.models import Annotation, Document, Sentence
from tests.helpers import add_user

REUTERS = Path(__file__).parent / "data" / "articles" / "html" / "reuters-parasite-sag.html"
ARTICLE = (
    "Port reopens after storm\n\n"
    "June 3, 2016 10:04 a.m.\n\n"
    "Empty terminals in Dover on Friday.\n\n"
    "DOVER (Reuters) - The port reopened on Monday. Ships queued for days.\n\n"
    "Share this: Facebook Twitter\n"
)
CAPTION = "Empty terminals in Dover on Friday."
# what the cleaning (improved elsewhere) finds and removes, as the reports print it
CLEANED = clean(ARTICLE)
FOUND = {name: f"(from {where})" for name, where in CLEANED.sources.items()}
REMOVED = [f"  removed    [{cut.reason}] {cut.text}" for cut in CLEANED.removed]


def stored():
    """Every document row and sentence text, to compare before and after."""
    db.session.rollback()
    return (
        db.session.execute(select(Document.__table__)).all(),
        db.session.execute(select(Sentence.document_id, Sentence.text)).all(),
    )


def sentences_of(document_id):
    return db.session.scalars(
        select(Sentence.text).where(Sentence.document_id == document_id).order_by(Sentence.index)
    ).all()


def invoke(runner, *args, code=0):
    """Run ``flask ARGS``; its output as lines (the progress bar's label left out)."""
    result = runner.invoke(args=[str(arg) for arg in args])
    assert result.exit_code == code, result.output
    return [line for line in result.output.splitlines() if line != "Importing"]


@pytest.fixture
def dover(tmp_path):
    """A text article with a headline, a date line, a caption, a dateline and a share line."""
    path = tmp_path / "dover.txt"
    path.write_text(ARTICLE)
    return path


def report_of_dover(dover, header):
    """The lines ``--dry-run`` and ``flask show`` print about the article in ``dover``."""
    return [
        header,
        "  id         dover  (from file name)",
        f"  title      Port reopens after storm  {FOUND['title']}",
        f"  outlet     Reuters  {FOUND['outlet']}",
        "  publisher  -",
        f"  published  2016-06-03  {FOUND['published']}",
        "  url        -",
        "  author     -",
        "  targets    Azerbaijan, Armenia  (from the scheme's)",
        f"  source     {dover}",
        *REMOVED,
    ]


def test_the_cleaning_finds_the_title_date_and_outlet_and_removes_furniture():
    # what the reports below print; the cleaning's own tests say more
    assert (CLEANED.title, CLEANED.outlet, str(CLEANED.published)) == (
        "Port reopens after storm",
        "Reuters",
        "2016-06-03",
    )
    assert FOUND["outlet"] == "(from dateline 'DOVER (Reuters) -')"
    assert f"  removed    [above the dateline] {CAPTION}" in REMOVED
    assert "  removed    [share line] Share this: Facebook Twitter" in REMOVED


def test_a_dry_run_reports_each_document_and_writes_nothing(runner, dover):
    lines = invoke(runner, "import", "--dry-run", dover)
    assert lines == [
        *report_of_dover(dover, "dover: Port reopens after storm — 2 sentences, new"),
        "",
        f"Would import 1 documents, 2 sentences; skip 0 duplicates; remove {len(REMOVED)} "
        "lines of page furniture (--dry-run: nothing was written).",
    ]
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_a_dry_run_checks_against_the_database_as_an_import_does(runner, dover, tmp_path):
    invoke(runner, "import", dover)
    before = stored()
    again = invoke(runner, "import", "--dry-run", dover)
    assert again[0] == (
        "dover: Port reopens after storm — 2 sentences, duplicate of 'dover' (the same text), "
        "skipped"
    )
    assert again[-1].startswith("Would import 0 documents, 0 sentences; skip 1 duplicates (")
    dover.write_text(ARTICLE.replace("Monday", "Tuesday"))
    refused = invoke(runner, "import", "--dry-run", dover, code=1)
    assert refused[-1] == (
        f"Error: {dover}: document 'dover' already exists with different text; use --replace "
        "to replace it — nothing was imported."
    )
    replacing = invoke(runner, "import", "--dry-run", "--replace", dover)
    assert replacing[0].endswith("2 sentences, replaces the stored document")
    assert replacing[-1].startswith(
        "Would import 1 documents, 2 sentences; skip 0 duplicates; replace 1;"
    )
    sentence = db.session.scalar(select(Sentence).where(Sentence.document_id == "dover"))
    db.session.add(Annotation(sentence_id=sentence.id, annotator_id=add_user("alice").id))
    db.session.commit()
    annotated = invoke(runner, "import", "--dry-run", "--replace", dover, code=1)
    assert "document 'dover' has 1 annotations; it cannot be replaced" in annotated[-1]
    (tmp_path / "bad.jsonl").write_text('{"text": "Fine."}\n{"text": 5}\n')
    bad = invoke(runner, "import", "--dry-run", tmp_path / "bad.jsonl", code=1)
    assert bad[-1].startswith(f"Error: {tmp_path / 'bad.jsonl'}:2: missing 'text'")
    assert stored() == before


def test_the_import_counts_removed_lines_and_show_lists_them(runner, dover):
    summary = invoke(runner, "import", dover)
    assert summary == [
        f"Imported 1 documents, 2 sentences; skipped 0 duplicates; removed {len(REMOVED)} lines "
        "of page furniture, see `flask show dover`."
    ]
    lines = invoke(runner, "show", "dover")
    report = report_of_dover(dover, "dover: Port reopens after storm — 2 sentences")
    assert lines[: len(report)] == report
    hint = f"To keep a removed line: flask import {dover} --replace --keep-line 'LINE'"
    assert lines[len(report)] == hint
    assert lines[-2:] == [
        "   0  [0:28]  The port reopened on Monday.",
        "   1  [29:51]  Ships queued for days.",
    ]


def test_show_names_the_fields_a_record_gave_and_the_options(runner, tmp_path):
    records = [
        {"id": "given", "text": ARTICLE, "title": "Storm over", "outlet": "Dover Times",
         "published": "2016-06-04", "url": "https://example.org/storm", "author": "Ann Writer"},
        {"text": "Ships queued for days. The port reopened."},
    ]  # fmt: skip
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    invoke(runner, "import", "--publisher", "Wire", path)
    lines = invoke(runner, "show", "given")
    assert lines[:10] == [
        "given: Storm over — 2 sentences",
        "  id         given  (from field 'id')",
        "  title      Storm over  (from field 'title')",
        "  outlet     Dover Times  (from field 'outlet')",
        "  publisher  Wire  (from --publisher option)",
        "  published  2016-06-04  (from field 'published')",
        "  url        https://example.org/storm  (from field 'url')",
        "  author     Ann Writer  (from field 'author')",
        "  targets    Azerbaijan, Armenia  (from the scheme's)",
        f"  source     {path}:1",
    ]
    assert f"To keep a removed line: flask import {path} --replace --keep-line 'LINE'" in lines
    assert '  (or list it in the record\'s "keep_lines")' in lines
    digest = db.session.scalar(select(Document.id).where(Document.id != "given"))
    assert f"  id         {digest}  (from text digest)" in invoke(runner, "show", digest)


def test_show_names_what_a_web_page_gave(runner):
    invoke(runner, "import", REUTERS)
    lines = invoke(runner, "show", "reuters-parasite-sag")
    document = db.session.get(Document, "reuters-parasite-sag")
    title = "'Parasite' scores historic upset at SAG awards, boosting Oscar chances"
    count = len(sentences_of(document.id))
    assert lines[0] == f"reuters-parasite-sag: {title} — {count} sentences"
    assert lines[1:3] == [
        "  id         reuters-parasite-sag  (from file name)",
        f"  title      {title}  (from page metadata)",
    ]
    assert "  author     Jill Serjeant  (from page metadata)" in lines
    assert f"  source     {REUTERS}" in lines
    assert document.removed  # the dateline, at least
    for cut in document.removed:
        assert f"  removed    [{cut['reason']}] {cut['text']}" in lines
    assert document.author == "Jill Serjeant"
    assert document.html_digest == hashlib.sha256(REUTERS.read_bytes()).hexdigest()


def test_a_line_to_keep_brings_it_back_and_one_that_matches_nothing_says_so(runner, dover):
    invoke(runner, "import", dover)
    refused = invoke(runner, "import", dover, "--keep-line", CAPTION, code=1)
    assert "already exists with different text; use --replace" in refused[-1]
    # spaces as typed do not matter
    lines = invoke(runner, "import", dover, "--replace", "--keep-line", CAPTION.replace(" ", "  "))
    assert lines == [
        "Imported 1 documents, 3 sentences; skipped 0 duplicates; replaced 1; removed 4 lines "
        "of page furniture, see `flask show dover`."
    ]
    assert sentences_of("dover")[0] == CAPTION
    document = db.session.get(Document, "dover")
    assert document.kept_lines == [CAPTION]
    assert CAPTION not in [cut["text"] for cut in document.removed]
    shown = invoke(runner, "show", "dover")
    assert f"  kept       {CAPTION}" in shown
    assert (
        f"To keep a removed line: flask import {dover} --replace --keep-line '{CAPTION}' "
        "--keep-line 'LINE'"
    ) in shown
    before = stored()
    typo = CAPTION.replace("Friday", "Fryday")
    lines = invoke(
        runner, "import", dover, "--replace", "--keep-line", CAPTION, "--keep-line", typo
    )
    assert lines == [
        f"Warning: --keep-line '{typo}' matched no removed line in any document",
        "Imported 0 documents, 0 sentences; skipped 1 duplicates.",
    ]
    assert stored() == before


def test_a_records_keep_lines_keep_lines_of_that_record_only(runner, tmp_path):
    records = [
        {"id": "kept", "text": ARTICLE, "keep_lines": ["Share this: Facebook Twitter", "Typo"]},
        {"id": "cut", "text": ARTICLE.replace("Monday", "Sunday")},
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    lines = invoke(runner, "import", path)
    assert lines[0] == (
        f"Warning: {path}:1: keep_lines 'Typo' matched no removed line of its document"
    )
    assert sentences_of("kept")[-1] == "Share this: Facebook Twitter"
    assert sentences_of("cut")[-1] == "Ships queued for days."
    assert db.session.get(Document, "kept").kept_lines == ["Share this: Facebook Twitter"]


def test_an_empty_keep_line_is_refused(runner, dover):
    lines = invoke(runner, "import", dover, "--keep-line", " \x1b ", code=1)
    assert lines == [
        "Error: --keep-line: an empty line; give the text of the line to keep — nothing was "
        "imported."
    ]


def test_the_same_web_page_is_a_duplicate_under_another_id(runner, tmp_path):
    page = tmp_path / "sag.html"
    shutil.copy(REUTERS, page)
    invoke(runner, "import", page)
    # as if an older cleaning had stored it: the page is the same, its text is not
    db.session.execute(update(Document).values(content_hash="an older cleaning's"))
    db.session.commit()
    before = stored()
    copy = tmp_path / "copy" / "again.htm"
    copy.parent.mkdir()
    shutil.copy(REUTERS, copy)
    lines = invoke(runner, "import", "--dry-run", copy)
    assert re.search(r" sentences, duplicate of 'sag' \(the same page\), skipped$", lines[0])
    assert invoke(runner, "import", copy) == [
        "Imported 0 documents, 0 sentences; skipped 1 duplicates."
    ]
    assert stored() == before
    # under its own id the page is replaced on request, and imported again it is a duplicate
    first, second = (c["text"] for c in db.session.get(Document, "sag").removed[:2])
    keeping = ["--keep-line", first]
    refused = invoke(runner, "import", page, *keeping, code=1)
    assert "document 'sag' already exists with different text; use --replace" in refused[-1]
    invoke(runner, "import", page, "--replace", *keeping)
    assert first in " ".join(sentences_of("sag"))
    assert invoke(runner, "import", page) == [
        "Imported 0 documents, 0 sentences; skipped 1 duplicates."
    ]
    # under another id with a line kept its text differs: a new document (the way back for a
    # page whose stored document has labels, which --replace refuses)
    assert invoke(runner, "import", copy, "--keep-line", second)[0].startswith(
        "Imported 1 documents"
    )
    assert second in " ".join(sentences_of("again"))


HOSTILE = "Evil\x1b[31mRED\x1b]0;title\x07\x9b2J\r\u202eright"
SHOWN = "Evil\\x1b[31mRED\\x1b]0;title\\x07\\x9b2J\\r\\u202eright"
RAW = ("\x1b", "\x07", "\x9b", "\r", "\u202e")


def test_removed_lines_sources_and_kept_lines_reach_the_terminal_escaped(runner, dover):
    invoke(runner, "import", dover)
    document = db.session.get(Document, "dover")
    document.removed = [{"text": HOSTILE, "reason": HOSTILE}]
    document.sources = {"title": HOSTILE}
    document.kept_lines = [HOSTILE]
    document.source = HOSTILE
    db.session.commit()
    result = runner.invoke(args=["show", "dover"])
    assert result.exit_code == 0, result.output
    assert f"  removed    [{SHOWN}] {SHOWN}" in result.output
    assert f"(from {SHOWN})" in result.output and f"  kept       {SHOWN}" in result.output
    assert not any(c in result.output for c in RAW)
    typed = runner.invoke(args=["import", "--dry-run", str(dover), "--keep-line", HOSTILE])
    assert typed.exit_code == 0, typed.output
    assert "Warning: --keep-line 'Evil[31mRED]0;title2J right' matched no removed" in typed.output
    assert not any(c in typed.output for c in RAW)


def test_a_document_from_before_says_its_removed_lines_are_not_known(runner, dover):
    invoke(runner, "import", dover)
    db.session.execute(
        Document.__table__.update().values(removed=None, sources=None, kept_lines=None)
    )
    db.session.commit()
    lines = invoke(runner, "show", "dover")
    assert "  title      Port reopens after storm" in lines
    assert (
        "  removed    not recorded (imported before this was kept, or read from an export)"
    ) in lines
    assert not any(line.startswith("To keep a removed line") for line in lines)


def test_a_records_fields_win_over_its_pages_and_say_so(runner, tmp_path):
    record = {"id": "sag", "html": REUTERS.read_text(encoding="utf-8"), "outlet": "Reuters US"}
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps(record) + "\n")
    invoke(runner, "import", path)
    document = db.session.get(Document, "sag")
    assert document.sources == {
        "id": "field 'id'",
        "title": "page metadata",
        "outlet": "field 'outlet'",
        "author": "page metadata",
        "targets": "the scheme's",
    }
    page = record["html"].encode()
    assert document.html_digest == hashlib.sha256(page).hexdigest()
