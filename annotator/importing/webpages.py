"""Saved web pages: the article's body and metadata, found with trafilatura.

trafilatura (with htmldate for the date) is the field's standard for news pages: in the
extraction benchmarks its authors and others publish (ScrapingHub's article-extraction
benchmark, Bevendorff et al. 2023) it leads or ties the open-source tools on precision and
recall, it reads the page's JSON-LD, OpenGraph and meta tags for the title, date, site name
and author, and it runs offline on the HTML alone. readability-lxml and jusText find only the
body; newspaper4k fetches pages itself and is slower. What it leaves in the text (captions,
datelines, bylines) goes through the same cleaning as a text file afterwards.
"""

from dataclasses import dataclass
from datetime import date

import trafilatura


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
