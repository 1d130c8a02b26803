"""Turn the raw text of a news article into clean paragraphs plus recovered metadata.

Real articles arrive with site furniture (view counters, tag lines, share buttons, the
headline repeated), syndication markers such as ``(MENAFN- AzerNews)``, datelines such as
``WASHINGTON (CNN) --`` and hard-wrapped lines. None of that may become a sentence.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from ..text import plain_lines

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE_PATTERNS = [
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
]
# What may stand beside a date on a metadata line: times, counters, "Updated", separators.
# Read piece by piece, each taken once and never cut up again ((?>…)*+, so the time is
# linear: a run of digits could be cut into numbers in exponentially many ways); a word is a
# whole word, so there is only one way to read a line.
DATE_LINE_REST = re.compile(
    r"(?>\s+|[|•·,:/()-]|\d{1,2}:\d{2}(?::\d{2})?|[+-]\d{2}:?\d{2}|\d[\d,]*|"
    r"(?:[ap]\.?m\.?|gmt|utc|read|views?|published|updated|posted|last|on|at|"
    r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?|[ecmp][sd]t|bst|cest?|msk|azt)(?![a-z]))*+",
    re.I,
)
BYLINE = re.compile(r"^by\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}([,;]?\s.{0,60})?$", re.I)
SYNDICATION = re.compile(
    r"^\(\s*(?P<publisher>[A-Z][\w.&']*)\s*-\s*(?P<outlet>[^()]{1,60}?)\s*\)\s*"
)
# `LONDON (Reuters) -`, `SURABAYA, Indonesia/JAKARTA (Reuters) -`, `(CNN) --`
DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'\-/ ]{1,40}(?:,\s*[A-Z][A-Za-z.\-/ ]{1,30}){0,2}\s+)?"
    r"\(\s*(?P<outlet>[A-Za-z][\w.&' ]{0,40}?)\s*\)\s*(?:--|—|–|-|:)\s*"
)
# a dateline without an outlet: `WASHINGTON —`, `NEW DELHI, India --`
CITY_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\-/]+(?: [A-Z][A-Z.'\-/]+){0,3}(?:,\s*[A-Z][A-Za-z.\-/ ]{1,30})?\s*"
    r"(?:—|–|--)\s+(?=[\"“‘]?[A-Z])"
)
LEAD = 4  # a dateline is looked for at the start of the first paragraphs
FURNITURE = [
    re.compile(p, re.I)
    for p in (
        r"^(read|views?|viewed|hits)\s*(:\s*)?[\d,.]+(\s*times)?$",
        r"^(more about|tags?|topics?|related topics|keywords)\s*:",
        r"^(share|share this( article| story| page)?|share on \w+|share via \w+)\s*:?$",
        r"^follow (us|@?\w+(\s\w+)?) on\b.{0,60}$",
        r"^(subscribe|sign up)\b.{0,100}$",
        r"^(advertisement|advertising|sponsored|print|email|tweet|whatsapp|telegram|"
        r"facebook|twitter|linkedin|copy link|comments?)$",
        r"^.{0,160}\bcontributed (reporting )?to this (report|story|article)\.?$",
        # a credit line, not a sentence that starts the same way (no full stop after a word)
        r"^(additional )?reporting by .{0,120}(;|(?<![a-z]{2}[.!?])$)",
        r"^(editing|edited|writing) by .{0,120}(?<![a-z]{2}[.!?])$",
        # the credits in brackets that close a wire story, however many names they list
        r"^\((additional )?(reporting|writing|editing) by [^()]{0,600}\)$",
        r"^\(?(also read|read more|read also|related( articles?| coverage| stories)?)\s*:.*$",
        r"^like us on (facebook|twitter|instagram)\.?$",
        r"^follow [\w.' ]{1,40} on (twitter|facebook|instagram|x)\b.{0,60}$",
        r"^(photo |image )?credit\s*:.{0,200}$",
        r"^(watch|listen)\s*:?$",
        r"^share this\s*:.{0,100}$",
        r"^this (article|story) (originally appeared|was (first )?(published|provided))"
        r" (on|in|by)\b.{0,150}$",
        r"^to contact the (reporters?|editors?)\b.{0,200}$",
        # Reuters wire copy: the date and time stamp, the slug line, the sign-off
        r"^\d{1,2}-[A-Z]{3}-\d{4} \d{2}:\d{2}:\d{2}\.\d{2}$",
        r"^[a-z] [a-z] BC-\S+ \d{2}-\d{2} \d{4}$",
        r"^reuter$",
        r"^(©|\(c\)|copyright\b).{0,150}$",
        r"^all rights reserved\.?$",
        r"^(photo|image|picture|file photo|video)( credit)?\s*:.{0,200}$",
    )
]
CUT_FROM_HERE = re.compile(r"^(legal disclaimer|disclaimer)\s*:?", re.I)
WRAP_MIN = 60  # nobody hard-wraps narrower; shorter lines that end a sentence end a paragraph
SECTION_NAME = re.compile(r"^[\w&'’ -]{1,30}$")
TERMINAL = (".", "!", "?", '"', "'", "”", "’", ")", ":")


@dataclass
class CleanArticle:
    """Clean paragraphs of an article and the metadata found in its text."""

    paragraphs: list[str]
    title: str | None = None
    published: date | None = None
    outlet: str | None = None
    publisher: str | None = None
    removed: list[str] = field(default_factory=list)

    @property
    def text(self):
        """The cleaned document text: paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)


def find_date(line):
    """The first calendar date written in ``line`` and the match, or (None, None)."""
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(line):
            month = match["month"]
            month = int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]
            try:
                return date(int(match["year"]), month, int(match["day"])), match
            except ValueError:
                continue
    return None, None


def date_line(line):
    """The date of a metadata line such as ``19 September 2023   Read: 845``, else None."""
    found, match = find_date(line)
    if found is None:
        return None
    rest = line[: match.start()] + " " + line[match.end() :]
    return found if DATE_LINE_REST.fullmatch(rest.strip()) else None


def is_furniture(line):
    """True for a line that belongs to the web page, not the article."""
    return any(pattern.match(line) for pattern in FURNITURE)


# a sentence's end, closing quotes and brackets after it: `… in “Inside Llewyn Davis.”`
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
# two sentences in one line: `… failed. He said …`
SENTENCE_BREAK = re.compile(r"[.!?][\"'”’)\]]*\s+[\"“‘(]?[A-Z]")


def looks_like_title(line, following):
    """A first line that stands alone, ends no sentence, holds no two sentences and has no
    dateline marker: when in doubt a line stays body text."""
    return (
        len(line) <= 250
        and not following
        and not SENTENCE_END.search(line)
        and not SENTENCE_BREAK.search(line)
        and not SYNDICATION.match(line)
        and not DATELINE.match(line)
    )


def blocks(lines):
    """Group lines into blocks separated by blank lines."""
    block = []
    for line in lines:
        if line:
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def reflow(block):
    """Join hard-wrapped lines of one block into paragraphs.

    A line break is a paragraph break only when the line ends a sentence and the next
    line's first word would have fitted on it: a wrapping editor would have put it there.
    """
    width = max(WRAP_MIN, *(len(line) for line in block))
    paragraphs, current = [], block[0]
    for previous, line in pairwise(block):
        first_word = line.split(" ", 1)[0]
        if previous.endswith(TERMINAL) and len(previous) + 1 + len(first_word) <= width:
            paragraphs.append(current)
            current = line
        elif re.search(r"[^\W\d_]-$", previous) and line[:1].islower():
            current += line
        else:
            current += " " + line
    paragraphs.append(current)
    return [re.sub(r" {2,}", " ", p).strip() for p in paragraphs]


def strip_markers(paragraph, article):
    """Remove a leading syndication marker, recording the publisher and outlet it names."""
    match = SYNDICATION.match(paragraph)
    if match:
        article.publisher = match["publisher"]
        article.outlet = match["outlet"].strip()
        return paragraph[match.end() :]
    return paragraph


def clean(raw, title=None):
    """Clean one article's raw text; see the module docstring for what is removed.

    With ``title`` (a web page's, from its metadata) no line is taken as the title: a line
    that repeats it is removed, every other line stays."""
    # control, bidirectional and invisible characters go before sentences are split, so
    # that sentence offsets point into the text as stored
    lines = [line.strip() for line in plain_lines(raw).split("\n")]
    article = CleanArticle(paragraphs=[], title=title)
    nonblank = [i for i, line in enumerate(lines) if line]
    if nonblank and title is None:
        first = nonblank[0]
        following = first + 1 < len(lines) and bool(lines[first + 1])
        if looks_like_title(lines[first], following):
            article.title = lines[first]
            article.removed.append(lines[first])
            lines[first] = ""
    title_key = article.title.casefold() if article.title else None
    kept, in_header = [], True  # the header ends with the first line kept
    for number, line in enumerate(lines):
        if not line:
            kept.append(line)
            continue
        if CUT_FROM_HERE.match(line):
            article.removed.extend(filter(None, lines[number:]))
            break
        published = date_line(line) if in_header else None
        byline = in_header and BYLINE.match(line) and not line.endswith(".")
        if published and article.published is None:
            article.published = published
        elif not (published or byline or is_furniture(line) or line.casefold() == title_key):
            kept.append(line)
            in_header = False
            continue
        article.removed.append(line)
        kept.append("")  # page furniture never sits inside a paragraph
    drop_trailing_section_names(kept, article)
    paragraphs = [p for block in blocks(kept) for p in reflow(block)]
    if paragraphs:
        paragraphs = strip_lead(paragraphs, article)
    article.paragraphs = [p for p in paragraphs if p]
    return article


def strip_lead(paragraphs, article):
    """The paragraphs from the story's dateline on: a dateline naming an outlet at the start
    of one of the first paragraphs is removed (its outlet recorded), and what stands above
    it (captions, promotions, a glued headline) is page furniture; a city dateline without
    an outlet is removed from the first paragraph only; without a dateline the first
    paragraph loses a syndication marker."""
    for number, paragraph in enumerate(paragraphs[:LEAD]):
        # a dateline that names no outlet counts only where the story starts
        match = DATELINE.match(paragraph) or (number == 0 and CITY_DATELINE.match(paragraph))
        after = paragraph[match.end() :][:1] if match else ""
        if after and (after.isupper() or after in '"“‘'):
            if "outlet" in match.re.groupindex:
                article.outlet = match["outlet"].strip()
            article.removed.extend(paragraphs[:number])
            article.removed.append(paragraph[: match.end()].strip())
            return [paragraph[match.end() :], *paragraphs[number + 1 :]]
    return [strip_markers(paragraphs[0], article), *paragraphs[1:]]


def drop_trailing_section_names(lines, article):
    """Remove short unpunctuated lines (``News Line``) that follow the last body line."""
    body = [i for i, line in enumerate(lines) if line and not SECTION_NAME.match(line)]
    if not body:
        return
    for line in lines[body[-1] + 1 :]:
        if line:
            article.removed.append(line)
    del lines[body[-1] + 1 :]
