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

from .cleaning import MONTHS, date_line

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
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ")
DOMAIN = re.compile(r"[\w-]+(\.[\w-]+)+")
SITE_NAME_WORDS = 5
LEAD_WORDS = 12  # a standfirst or lead is a sentence of some length, not a label
AGENCY = re.compile(r"(?i:ap|afp|tnn|pti|ians|reuters|cnn|associated press)|[A-Z]{2,5}")
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
    tree = trafilatura.load_html(html)
    # the story's first paragraph, after the headline when trafilatura kept it as text
    headline = tree.find(".//h1")
    heading = " ".join(headline.text_content().split()) if headline is not None else None
    first = next((p for p in paragraphs if p != heading), paragraphs[0])
    paragraphs[:0] = missed_lead(tree, first)
    page_title = " ".join((tree.findtext(".//title") or "").split())
    title = without_site_name(found.title, found.sitename)
    return PageArticle(
        text="\n\n".join(paragraphs),
        title=title,
        # a date line under the headline is what a reader sees; the metadata may be a
        # time in another zone (`2016-12-15T00:03Z` for a story dated December 14)
        published=stated_date(tree, first) or published(found.date),
        outlet=site_name(found.sitename, page_title, title),
        url=found.url or url,
        author=author_of(found.author, found.sitename),
    )


def without_site_name(title, site):
    """The headline without the site's name after it: `Obama admits … - BBC News`."""
    if not title:
        return None
    if site:
        for separator in TITLE_SEPARATORS:
            if title.casefold().endswith(f"{separator}{site}".casefold()):
                return title[: -len(separator) - len(site)].strip()
    return title


def site_name(site, page_title, headline):
    """The outlet's name: the page's site name, unless that is only a domain
    (`reuters.com`, what trafilatura falls back to) and the page's <title> names the outlet
    after the headline (`Fed lifts rates … | Reuters`)."""
    if site and not DOMAIN.fullmatch(site):
        return site
    if headline and page_title.casefold().startswith(headline.casefold()):
        rest = page_title[len(headline) :]
        for separator in TITLE_SEPARATORS:
            name = rest[len(separator) :].strip() if rest.startswith(separator) else ""
            if name and len(name.split()) <= SITE_NAME_WORDS:
                return name
    return site or None


def author_of(value, site):
    """The names in trafilatura's author string, without what a byline carries beside them:
    `By`, a date or `Updated …`, the site's or an agency's name, an e-mail's pieces
    (`By Josh Haskell; DAVID CAPLAN December` → `Josh Haskell; DAVID CAPLAN`)."""
    names = []
    for part in (value or "").split(";"):
        part = re.sub(r"^by\s+", "", part.strip(), flags=re.I)
        part = re.sub(rf"\s+(?i:{'|'.join(MONTHS)})$", "", part)  # a date's first word
        part = re.sub(r"(?<=[a-z])\s+(?:[A-Z]{2,}\s*)+$", "", part)  # `Meg Wagner NEW YORK …`
        if (
            part
            and not re.search(r"\d|^updated\b|^published\b|\bcom$", part, re.I)
            and part.casefold() != (site or "").casefold()
            and not AGENCY.fullmatch(part)
        ):
            names.append(part)
    return "; ".join(names) or None


def published(value):
    """htmldate's ``YYYY-MM-DD``, as a date (None when there is none)."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def header(tree, first):
    """The pieces of text between the page's headline and its ``first`` paragraph, each with
    the element that holds it; empty when either is not found."""
    headline = tree.find(".//h1") if tree is not None else None
    if headline is None:
        return []
    # the paragraph's first words: trafilatura may have joined a dash or a dateline from
    # another element to them (`— -- Hillary Clinton has …`)
    start = re.sub(r"^[\W_]+", "", " ".join(first.split()))[:40]
    pieces, started, running = [], False, ""
    for element in tree.iter():
        started = started or element is headline
        if not started or element is headline or not isinstance(element.tag, str):
            continue
        for piece, owner in ((element.text, element), (element.tail, element.getparent())):
            text = " ".join((piece or "").split())
            if not text or owner is None:
                continue
            pieces.append((text, owner, len(running)))
            running += text + " "
            # the paragraph may run over several elements (links inside it)
            found = running.find(start, max(0, len(running) - len(text) - 2 * len(start)))
            if found >= 0:
                return [
                    (text, owner) for text, owner, offset in pieces if offset + len(text) <= found
                ]
    return []  # the first paragraph was not found again


def missed_lead(html, first):
    """Sentences between the page's headline and the ``first`` paragraph trafilatura found
    that it left out: a standfirst in the page's header, a lead paragraph that follows a box
    of links inside the same paragraph (Yahoo's 2011 pages). Text in links, lists,
    captions, galleries and headings, and an image's alt text, is not the story's."""
    tree = trafilatura.load_html(html)  # a parsed page is taken as it is
    alt_texts = {" ".join(alt.split())[:40] for alt in tree.xpath("//img/@alt")}
    return [
        text
        for text, owner in header(tree, first)
        if len(text.split()) >= LEAD_WORDS
        and ENDS_SENTENCE.search(text)
        and text[:40] not in alt_texts
        and not any(map(outside_story, (owner, *owner.iterancestors())))
    ]


def stated_date(tree, first):
    """The date of a date line (`Published: Dec. 22, 2016, 6:47 p.m.`) between the headline
    and the ``first`` paragraph, or None."""
    return next(filter(None, (date_line(text) for text, _ in header(tree, first))), None)


def outside_story(element):
    """True for an element whose text is page furniture by its tag or class (a caption, a
    list of links, a gallery)."""
    if not isinstance(element.tag, str):
        return False
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return element.tag in NOT_LEAD_TAGS or bool(NOT_LEAD_NAMES.search(names))
