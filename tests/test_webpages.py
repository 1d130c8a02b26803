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

# a 2020 reuters.com page, as excerpted in the article corpus (see its SOURCES.md)
REUTERS = Path(__file__).parent / "data" / "articles" / "html" / "reuters-parasite-sag.html"
TITLE = "'Parasite' scores historic upset at SAG awards, boosting Oscar chances"
# a page's metadata as news sites write it: JSON-LD, OpenGraph, a canonical link
META_PAGE = """<!DOCTYPE html><html><head><title>Strike ends | Example News</title>
<link rel="canonical" href="https://news.example.org/2026/03/strike-ends">
<meta property="og:site_name" content="Example News">
<meta property="og:title" content="Dock strike ends after nine days">
<script type="application/ld+json">{"@type": "NewsArticle",
 "headline": "Dock strike ends after nine days", "datePublished": "2026-03-14T09:30:00Z"}
</script></head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Dock strike ends after nine days</h1>
<p>ROTTERDAM (Reuters) - Dock workers in Rotterdam returned to work on Saturday after a
nine-day strike over pay that had left hundreds of containers waiting at sea.</p>
<p>The union said its members had accepted an offer of a 6 percent rise over two years.</p>
<p>Port officials expect the backlog to clear by the end of the month.</p></article>
<aside><h2>Most read</h2><ul><li><a href="/a">Ten things to do this weekend</a></li></ul></aside>
<footer>© 2026 Example News. All rights reserved.</footer></body></html>"""


def sentences_of(document_id):
    return db.session.scalars(
        select(Sentence.text).where(Sentence.document_id == document_id).order_by(Sentence.index)
    ).all()


def test_a_saved_page_gives_its_article_without_the_page_around_it(runner):
    result = runner.invoke(args=["import", str(REUTERS)])
    assert result.exit_code == 0, result.output
    document = db.session.get(Document, "reuters-parasite-sag")
    assert (document.title, document.outlet) == (TITLE, "Reuters")
    assert document.published is None  # the excerpt states no date: none is guessed
    sentences = sentences_of("reuters-parasite-sag")
    # the dateline leaves the first sentence; body sentences survive whole
    assert sentences[0].startswith("South Korean thriller “Parasite” was the upset winner")
    assert "“It was a difficult part,” quipped Pitt of his role." in sentences
    assert sentences[-1].endswith("It’s been the most beautiful dream,” Waller-Bridge said.")
    text = " ".join(sentences)
    # the page's furniture: byline, reading time, related box, slideshow, credits, standards
    for furniture in ("By Jill Serjeant", "Min Read", "Related Coverage", "Slideshow",
                      "Editing by", "Our Standards", "LOS ANGELES (Reuters)", TITLE):  # fmt: skip
        assert furniture not in text


def test_a_page_s_metadata_gives_title_date_outlet_and_address(runner, tmp_path):
    (tmp_path / "strike.html").write_text(META_PAGE)
    result = runner.invoke(args=["import", str(tmp_path / "strike.html")])
    assert result.exit_code == 0, result.output
    document = db.session.get(Document, "strike")
    assert (document.title, document.published, document.outlet, document.url) == (
        "Dock strike ends after nine days",
        date(2026, 3, 14),
        "Example News",
        "https://news.example.org/2026/03/strike-ends",
    )
    assert sentences_of("strike") == [
        "Dock workers in Rotterdam returned to work on Saturday after a nine-day strike over "
        "pay that had left hundreds of containers waiting at sea.",
        "The union said its members had accepted an offer of a 6 percent rise over two years.",
        "Port officials expect the backlog to clear by the end of the month.",
    ]


def test_a_page_in_json_lines_with_its_url_and_fields_that_win(runner, tmp_path):
    record = {"id": "sag", "html": REUTERS.read_text(encoding="utf-8"), "outlet": "Reuters US",
              "url": "https://example.org/sag", "published": "2020-01-20"}  # fmt: skip
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps(record) + "\n")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    document = db.session.get(Document, "sag")
    assert (document.title, document.outlet, document.url, document.published) == (
        TITLE,
        "Reuters US",
        "https://example.org/sag",
        date(2020, 1, 20),
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


CORPUS_PAGES = REUTERS.parent


@pytest.mark.parametrize(
    ("name", "lead"),
    [  # a standfirst in the page's header; a lead that follows a box of links in its <p>
        ("telegraph-plumber-jailed", 'A plumber who killed the "dazzling" daughter'),
        ("yahoo-ap-steve-jobs-resigns", "SAN FRANCISCO (AP) — Steve Jobs, the mind behind"),
    ],
)
def test_a_lead_the_extractor_leaves_out_is_taken_back(name, lead):
    from annotator.importing.webpages import read_page

    page = read_page((CORPUS_PAGES / f"{name}.html").read_text(encoding="utf-8"))
    assert page.text.startswith(lead)


def test_captions_and_links_above_the_story_are_not_taken_for_its_lead():
    from annotator.importing.webpages import missed_lead

    caption = "Dock workers cheer outside the gates of the port of Rotterdam on Saturday."
    page = META_PAGE.replace(
        "<h1>Dock strike ends after nine days</h1>",
        "<h1>Dock strike ends after nine days</h1>"
        f'<figure><img src="a.jpg" alt="Workers"><figcaption>{caption}</figcaption></figure>'
        f'<div class="photo-credit">{caption.replace("cheer", "wave")}</div>'
        "<ul><li>Strikes have closed ports in Antwerp and Hamburg twice this year.</li></ul>",
    )
    first = "ROTTERDAM (Reuters) - Dock workers in Rotterdam returned to work on Saturday"
    assert missed_lead(page, first) == []
    standfirst = "Nine days of waiting end for hundreds of containers as the union accepts a rise."
    with_standfirst = page.replace("<figure>", f"<p>{standfirst}</p><figure>")
    assert missed_lead(with_standfirst, first) == [standfirst]


def test_the_outlet_is_named_by_the_page_and_the_site_s_name_leaves_the_headline():
    from annotator.importing.webpages import site_name, without_site_name

    headline = "Obama admits US gun laws are his 'biggest frustration'"
    assert without_site_name(f"{headline} - BBC News", "BBC News") == headline
    assert without_site_name("Strike - what next?", "Example News") == "Strike - what next?"
    fed = "Fed lifts rates, sees faster pace of hikes"
    assert site_name("reuters.com", f"{fed} | Reuters", fed) == "Reuters"  # only a domain
    assert site_name("CNN", f"{fed} - CNN.com", fed) == "CNN"
    assert site_name(None, f"{fed} | a page about rates and the dollar", fed) is None
    assert site_name("reuters.com", "Markets", fed) == "reuters.com"


def test_a_date_line_under_the_headline_is_the_date_a_reader_sees():
    page = META_PAGE.replace(
        "<h1>Dock strike ends after nine days</h1>",
        "<h1>Dock strike ends after nine days</h1><div>Published: Mar. 13, 2026, 11:47 p.m.</div>",
    )
    from annotator.importing.webpages import read_page

    assert read_page(page).published == date(2026, 3, 13)  # the metadata says the 14th (UTC)
    assert read_page(META_PAGE).published == date(2026, 3, 14)


@pytest.mark.parametrize(
    ("given", "site", "names"),
    [  # trafilatura's author strings for pages of the corpus
        ("By Josh Haskell; DAVID CAPLAN; PATRICK REEVELL December", None,
         "Josh Haskell; DAVID CAPLAN; PATRICK REEVELL"),
        ("Mike Cason; Mcason Com", None, "Mike Cason"),
        ("Saibal Dasgupta; TNN; Updated Oct 9", None, "Saibal Dasgupta"),
        ("Meg Wagner NEW YORK DAILY NEWS", "nydailynews.com", "Meg Wagner"),
        ("Dana Ford; Tom Watkins; CNN", "CNN", "Dana Ford; Tom Watkins"),
        ("BBC News", "BBC News", None),
        ("Mike", None, "Mike"),
    ],
)  # fmt: skip
def test_an_author_is_the_names_of_the_byline(given, site, names):
    from annotator.importing.webpages import author_of

    assert author_of(given, site) == names
