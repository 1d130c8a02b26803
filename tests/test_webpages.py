"""Saved web pages in: the article's body and metadata out of real news pages (trafilatura),
through the same cleaning and splitting as text."""

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.importing.cleaning import clean
from annotator.models import Document, Sentence

PAGES = Path(__file__).parent / "data" / "pages"
# Reuters, 2020-01-20, as kept in trafilatura's tests (see tests/data/pages/SOURCES.md)
REUTERS = PAGES / "reuters-parasite.html"
TITLE = "'Parasite' scores historic upset at SAG awards, boosting Oscar chances"


def sentences_of(document_id):
    return db.session.scalars(
        select(Sentence.text).where(Sentence.document_id == document_id).order_by(Sentence.index)
    ).all()


def test_a_saved_page_gives_its_article_without_the_page_around_it(runner):
    result = runner.invoke(args=["import", str(REUTERS)])
    assert result.exit_code == 0, result.output
    assert "Imported 1 documents, 24 sentences" in result.output
    document = db.session.get(Document, "reuters-parasite")
    assert (document.title, document.published, document.outlet, document.url) == (
        TITLE,
        date(2020, 1, 20),
        "Reuters",
        "https://www.reuters.com/article/us-awards-sag-idUSKBN1ZI0EH",
    )
    sentences = sentences_of("reuters-parasite")
    # the dateline leaves the first sentence; body sentences survive whole
    assert sentences[0].startswith("South Korean thriller “Parasite” was the upset winner")
    assert (
        "Despite an unknown cast, it beat homegrown Hollywood movies “The Irishman” and "
        "“Once Upon A Time in Hollywood” which both have A-list stars."
    ) in sentences
    assert sentences[-1] == (
        "“This whole thing has been a dream and if I wake up tomorrow and find it’s been just "
        "that, thank you. It’s been the most beautiful dream,” Waller-Bridge said."
    ) or sentences[-1].endswith("Waller-Bridge said.")
    text = " ".join(sentences)
    # the page's furniture: byline, editing credit, standards and quotes notes, the headline
    for furniture in ("Jill Serjeant", "Editing by", "Our Standards", "All quotes delayed", TITLE):
        assert furniture not in text


def test_a_page_in_json_lines_with_its_url_and_fields_that_win(runner, tmp_path):
    record = {"id": "sag", "html": REUTERS.read_text(encoding="utf-8"), "outlet": "Reuters US",
              "url": "https://example.org/sag"}  # fmt: skip
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps(record) + "\n")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    document = db.session.get(Document, "sag")
    assert (document.title, document.outlet, document.url) == (
        TITLE,
        "Reuters US",
        "https://example.org/sag",
    )
    # the same article as the saved file: a duplicate by its text
    saved = tmp_path / "again.htm"
    shutil.copy(REUTERS, saved)
    result = runner.invoke(args=["import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "skipped 2 duplicates" in result.output  # the JSON Lines record and the .htm


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("menu.html", "<html><body><nav><a href='/'>Home</a></nav></body></html>",
         "menu.html: no sentences left after removing page furniture"),
        ("empty.html", "<html><head><title>Menu</title></head><body></body></html>",
         "empty.html: no article text found in the page; save the article's own page"),
        ("both.jsonl", json.dumps({"text": "A text.", "html": "<p>A page.</p>"}),
         "both.jsonl:1: give either 'text' or 'html', not both"),
        ("number.jsonl", json.dumps({"html": 3}),
         "number.jsonl:1: 'html' must be the page's HTML"),
        ("binary.html", "<html>\x00</html>", "binary.html: binary content (NUL bytes)"),
    ],
)  # fmt: skip
def test_a_page_without_an_article_imports_nothing(runner, tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    shutil.copy(REUTERS, tmp_path / "good.html")
    result = runner.invoke(args=["import", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_a_first_paragraph_that_ends_a_sentence_is_never_the_title():
    # a first paragraph that ends a sentence inside a closing quote is body text, in a text
    # file too; from a page whose title is known no line is even considered
    body = (
        "Oscar Isaac has had a pretty stellar year. It started with a nomination for "
        "“Inside Llewyn Davis.”\n\nHe went on to other roles."
    )
    assert clean(body).title is None
    assert clean(body).paragraphs[0].endswith("“Inside Llewyn Davis.”")
    article = clean(f"Isaac's roles\n\n{body}", title="Isaac's roles")
    assert article.title == "Isaac's roles"
    assert article.paragraphs == [
        "Oscar Isaac has had a pretty stellar year. It started with a nomination for "
        "“Inside Llewyn Davis.”",
        "He went on to other roles.",
    ]
