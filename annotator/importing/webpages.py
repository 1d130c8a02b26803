"""Saved web pages: the article's body and metadata, found with trafilatura.

trafilatura (with htmldate for the date) is the field's standard for news pages: in the
extraction benchmarks its authors and others publish (ScrapingHub's article-extraction
benchmark, Bevendorff et al. 2023) it leads or ties the open-source tools on precision and
recall, it reads the page's JSON-LD, OpenGraph and meta tags for the title, date, site name
and author, and it runs offline on the HTML alone. readability-lxml and jusText find only the
body; newspaper4k fetches pages itself and is slower. What it leaves in the text (captions,
datelines, bylines) goes through the same cleaning as a text file afterwards.
"""

import re
from dataclasses import dataclass
from datetime import date

import trafilatura

# where the lead of a story is never found: links, lists, captions, galleries, headings
NOT_LEAD_TAGS = frozenset(
    {
        "a",
        "li",
        "figure",
        "figcaption",
        "cite",
        "caption",
        "nav",
        "aside",
        "footer",
        "form",
        "button",
        "label",
        "select",
        "option",
        "script",
        "style",
        "noscript",
        "time",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
NOT_LEAD_NAMES = re.compile(
    r"caption|gallery|slideshow|credit|related|promo|image|photo|video", re.I
)
LEAD_WORDS = 12  # a standfirst or lead is a sentence of some length, not a label
ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*$")


@dataclass
class PageArticle:
    """What a page says about its article."""

    text: str  # paragraphs separated by blank lines
    title: str | None
    published: date | None
    outlet: str | None
    url: str | None
    author: str | None


def read_page(html, url=None):
    """The article in a page (HTML as text or bytes; bytes are decoded as the page says), or
    None when the page holds no article text."""
    found = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        # the page's own statement of when it was first published, never a guess from
        # stray numbers (an undated excerpt got 2020-01-01 from "2020 Screen Actors Guild")
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if found is None or not (found.text or "").strip():
        return None
    # one paragraph per line in trafilatura's text: a blank line keeps them apart when the
    # cleaning joins hard-wrapped lines
    paragraphs = [line.strip() for line in found.text.split("\n") if line.strip()]
    paragraphs[:0] = missed_lead(html, paragraphs[0])
    return PageArticle(
        text="\n\n".join(paragraphs),
        title=found.title or None,
        published=published(found.date),
        outlet=found.sitename or None,
        url=found.url or url,
        author=found.author or None,
    )


def published(value):
    """htmldate's ``YYYY-MM-DD``, as a date (None when there is none)."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def missed_lead(html, first):
    """Sentences between the page's headline and the ``first`` paragraph trafilatura found
    that it left out: a standfirst in the page's header, a lead paragraph that follows a box
    of links inside the same paragraph (Yahoo's 2011 pages). Text in links, lists,
    captions, galleries and headings, and an image's alt text, is not the story's."""
    tree = trafilatura.load_html(html)
    headline = tree.find(".//h1") if tree is not None else None
    if headline is None:
        return []
    start = " ".join(first.split())[:50]
    alt_texts = {" ".join(alt.split())[:40] for alt in tree.xpath("//img/@alt")}
    found, started = [], False
    for element in tree.iter():
        started = started or element is headline
        if not started or element is headline or not isinstance(element.tag, str):
            continue
        for piece, owner in ((element.text, element), (element.tail, element.getparent())):
            text = " ".join((piece or "").split())
            if start in text:
                return found
            if (
                len(text.split()) >= LEAD_WORDS
                and ENDS_SENTENCE.search(text)
                and text[:40] not in alt_texts
                and owner is not None
                and not any(map(outside_story, (owner, *owner.iterancestors())))
            ):
                found.append(text)
    return []  # the first paragraph was not found again: add nothing


def outside_story(element):
    """True for an element whose text is page furniture by its tag or class (a caption, a
    list of links, a gallery)."""
    if not isinstance(element.tag, str):
        return False
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return element.tag in NOT_LEAD_TAGS or bool(NOT_LEAD_NAMES.search(names))
