"""Turn the raw text of a news article into clean paragraphs plus recovered metadata.

Real articles arrive with site furniture (view counters, tag lines, share buttons, the
headline repeated), syndication markers such as ``(MENAFN- AzerNews)``, datelines such as
``WASHINGTON (CNN) --`` and hard-wrapped lines. None of that may become a sentence, and no
body text may be lost: when in doubt a line stays. Every removed line is recorded with its
reason (``flask import --dry-run`` and ``flask show`` list them; ``--keep-line`` keeps one),
and every piece of metadata with where it was found. What this catches on real articles is
measured in ``bench/articles.py`` on tests/data/articles.
"""

import re
from collections import Counter
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
_A_MONTH = _MONTH.replace("(?P<month>", "(?:")  # where a date is not read, only passed
DATE_PATTERNS = [
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
    # a wire stamp: `26-FEB-1987 15:01:01.79`
    re.compile(rf"\b(?P<day>\d{{1,2}})-{_MONTH}-(?P<year>\d{{4}})\b", re.I),
]
# What may stand beside a date on a metadata line: times, counters, "Updated", separators.
# Read piece by piece, each taken once and never cut up again ((?>…)*+, so the time is
# linear: a run of digits could be cut into numbers in exponentially many ways); a word is a
# whole word, so there is only one way to read a line.
DATE_LINE_REST = re.compile(
    r"(?>\s+|[|•·,:/()-]|\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?|[+-]\d{2}:?\d{2}|\d[\d,]*|"
    r"(?:[ap]\.?m\.?|gmt|utc|read|views?|published|updated|posted|last|on|at|"
    r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?|[ecmp][sd]t|bst|cest?|msk|azt|ist)(?![a-z]))*+",
    re.I,
)
BYLINE = re.compile(r"^by\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}([,;]?\s.{0,60})?$", re.I)
SYNDICATION = re.compile(
    r"^\(\s*(?P<publisher>[A-Z][\w.&']*)\s*-\s*(?P<outlet>[^()]{1,60}?)\s*\)\s*"
)
# `LONDON (Reuters) -`, `SURABAYA, Indonesia/JAKARTA (Reuters) -`, `(CNN) --`
# `CITY, Country, Sept. 20 (Trend) -`, and a web outlet's own: `PanARMENIAN.Net -`
DATELINE = re.compile(
    r"^(?:(?:[A-Z][A-Z.'\-/ ]{1,40}(?:,\s*[A-Z][A-Za-z.\-/ ]{1,30}){0,2}"
    rf"(?:,\s*(?i:{_MONTH})\s+\d{{1,2}})?\s+)?"
    r"\(\s*(?P<outlet>[A-Za-z][\w.&' ]{0,40}?)\s*\)"
    r"|(?P<site>[A-Z][A-Za-z]+\.(?:[Nn]et|[Cc]om|[Oo]rg|[Aa]m|[Aa]z|[Rr]u)))\s*(?:--|—|–|-|:)\s*"
)
# a dateline without an outlet: `WASHINGTON —`, `NEW DELHI, India --`, and the wire's
# `PORTLAND, Ore., Feb 26 -` (a plain hyphen only after the day)
CITY_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\-/]+(?: [A-Z][A-Z.'\-/]+){0,3}(?:,\s*[A-Z][A-Za-z.\-/ ]{1,30}){0,2}"
    rf"(?:\s*(?:—|–|--|:)|,?\s+(?:(?i:{_A_MONTH})\s+\d{{1,2}}|\d{{1,2}}\s+(?i:{_A_MONTH}))"
    r"\s*(?:—|–|-{1,2}))\s+(?=[\"“‘]?[A-Z])"
)
# what a page leaves of a dateline whose city stood in another element: `— -- Hillary …`
DATELINE_DEBRIS = re.compile(r"^(?:(?:—|–|--|-)\s*)+(?=[\"“‘]?[A-Z])")
BULLET = re.compile(r"^[-•*·] ")
LEAD = 4  # a dateline is looked for at the start of the first paragraphs
# each kind of page furniture, named as `flask show` reports it
FURNITURE = [
    (reason, re.compile(pattern, re.I))
    for reason, pattern in (
        ("view counter", r"^(read|views?|viewed|hits)\s*(:\s*)?[\d,.]+(\s*times)?$"),
        ("tag line", r"^(more about|tags?|topics?|related topics|keywords)\s*:"),
        (
            "share button",
            r"^(share|share this( article| story| page)?|share on \w+|share via \w+)\s*:?$",
        ),
        ("follow line", r"^follow (us|@?\w+(\s\w+)?) on\b.{0,60}$"),
        ("subscription prompt", r"^(subscribe|sign up)\b.{0,100}$"),
        (
            "page button",
            r"^(advertisement|advertising|sponsored|print|email|tweet|whatsapp|telegram|"
            r"facebook|twitter|linkedin|copy link|comments?)$",
        ),
        (
            "contributor credit",
            r"^.{0,160}\bcontributed (reporting )?to this (report|story|article)\.?$",
        ),
        # a credit line, not a sentence that starts the same way (no full stop after a word)
        ("reporting credit", r"^(additional )?reporting by .{0,120}(;|(?<![a-z]{2}[.!?])$)"),
        ("editing credit", r"^(editing|edited|writing) by .{0,120}(?<![a-z]{2}[.!?])$"),
        # the credits in brackets that close a wire story, however many names they list
        ("wire credits", r"^\((additional )?(reporting|writing|editing) by [^()]{0,600}\)$"),
        (
            "link to another story",
            r"^\(?(also read|read more|read also|related( articles?| coverage| stories)?)\s*:.*$",
        ),
        ("like line", r"^like us on (facebook|twitter|instagram)\.?$"),
        ("follow line", r"^follow [\w.' ]{1,40} on (twitter|facebook|instagram|x)\b.{0,200}$"),
        ("follow line", r"^follow [\w.' ]{1,40} @\w+.{0,200}$"),
        ("credit line", r"^(photo |image )?credit\s*:.{0,200}$"),
        ("media label", r"^(watch|listen)\s*:?$"),
        ("share line", r"^share this\s*:.{0,100}$"),
        (
            "syndication note",
            r"^(this (article|story) )?(originally (appeared|published)|was (first )?"
            r"(published|provided)) (on|in|by)\b.{0,150}$",
        ),
        ("reporter contact", r"^to contact the (reporters?|editors?)\b.{0,200}$"),
        # Reuters wire copy: the date and time stamp, the slug line, the sign-off
        ("wire time stamp", r"^\d{1,2}-[A-Z]{3}-\d{4} \d{2}:\d{2}:\d{2}\.\d{2}$"),
        ("wire slug", r"^[a-z] [a-z] BC-\S+\s+\d{2}-\d{2} \d{4}$"),
        ("wire sign-off", r"^reuter$"),
        ("wire slug", r"^AP-[A-Z]{2}-{1,2}\S.{0,80}$"),  # `AP-US--Iran-Talks,1st Ld-Writethru`
        ("byline", r"^(reuters|ap|afp|bloomberg|associated press) staff$"),
        ("copyright line", r"^(©|\(c\)|copyright\b).{0,150}$"),
        ("copyright line", r"^all rights reserved\.?$"),
        ("caption credit", r"^(photo|image|picture|file photo|video)( credit)?\s*:.{0,200}$"),
        # a wire photo's caption, its credit and a photo agency's tag: `… [Splash]`
        ("photo caption", r"^.{0,400}\bmandatory credit\s*:.{0,120}$"),
        ("photo caption", r"^file (photo|picture|image)\b.{0,200}$"),
    )
]
# furniture only when it stands alone between blank lines: inside hard-wrapped text such a
# line is the middle of a sentence (`1986.`, `see the results for`)
ALONE = [
    (reason, re.compile(pattern, re.I))
    for reason, pattern in (
        ("photo caption", r"^.{1,200}\[(?-i:[A-Z][\w&/.-]*(?: [A-Z][\w&/.-]*){0,2})\]$"),
        ("photo credit", r"^\([^()]{0,80}(/|@)[^()]{0,80}\)$"),
        ("image file name", r"^\S.{0,120}\.(jpe?g|png|gif|webp)$"),
        # a promotion that ends no sentence: `Watch …`, `Read this story in Bengali`
        ("promotion", r"^(watch|read|listen|see)\b.{0,150}(?<![.!?\"”’)])$"),
        ("no words", r"^(?:[^a-z]*|</?[a-z]+/?>|/[a-z]+>)$"),
        # what a chart or a box of links leaves: its source, footnotes, a linked headline
        ("graphic source", r"^sources?\s*:.{0,200}$"),
        ("footnote", r"^\*{1,3}\s*[A-Z].{0,300}$"),
        ("link to another story", r"^more (related|stories|from|on)\b.{0,400}$"),
        ("link to another story", r"^\([^()]{3,200}(?<![.!?])\)$"),  # `4419915`, a stray `/a>`
        # a dateline alone on its line: `BEIJING:`, `MONTGOMERY, Ala. --`
        (
            "dateline",
            r"^(?-i:[A-Z][A-Z.'\-/]+(?: [A-Z][A-Z.'\-/]+){0,3}(?:,\s*[A-Z][A-Za-z.]+){0,2})"
            r"\s*(?::|—|–|--|-)$",
        ),
    )
]
# a link to another story at the end of a paragraph: `… opposing teams. (RELATED: …)`
INLINE_LINK = re.compile(r"\s+\((?:related|read more|also read|see also)\s*:[^()]{1,200}\)$", re.I)
SYNDICATED_FROM = re.compile(
    r"\b(?i:originally (?:appeared|published)|was (?:first )?(?:published|provided))"
    r" (?i:on|in|by) (?P<outlet>(?:[A-Z][\w.&'’-]*\s?){1,5})(?:[.,]|$)"
)
CREDITS = {"credit line", "photo credit", "caption credit"}
CAPTION_WORDS = 30
HEADING_WORDS = 12
IMAGE_LINES = {"image file name", "photo caption", "caption credit"}
ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*$")
SIGN_OFFS = {"reuter": "Reuters"}  # the wire's 1987 sign-off names the agency
CUT_FROM_HERE = re.compile(r"^(legal disclaimer|disclaimer)\s*:?", re.I)
WRAP_MIN = 60  # nobody hard-wraps narrower; shorter lines that end a sentence end a paragraph
SECTION_NAME = re.compile(r"^[\w&'’ -]{1,30}$")
# a line that ends a sentence (closing quotes after its stop) or a bracket: `… do," said`
# goes on over the line break
ENDS_LINE = re.compile(r"(?:[.!?:][\"'”’)\]]*|\))$")


@dataclass(frozen=True)
class Cut:
    """A line (or the start of a paragraph) the cleaning removed, and why."""

    text: str
    reason: str


@dataclass
class CleanArticle:
    """Clean paragraphs of an article, the metadata found in its text, what was removed and
    where each piece of metadata was found (``sources``: field name → where)."""

    paragraphs: list[str]
    title: str | None = None
    published: date | None = None
    outlet: str | None = None
    publisher: str | None = None
    removed: list[Cut] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    keep: frozenset[str] = frozenset()

    @property
    def text(self):
        """The cleaned document text: paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)

    @property
    def removed_lines(self):
        """The text of each removed line."""
        return [cut.text for cut in self.removed]

    def keeps(self, line):
        """True when the user asked for ``line`` to stay (``--keep-line``)."""
        return bool(self.keep) and line_key(line) in self.keep

    def cut(self, line, reason):
        """Record ``line`` as removed for ``reason``."""
        self.removed.append(Cut(line, reason))

    def found(self, name, value, where):
        """Record metadata found in the text and where."""
        setattr(self, name, value)
        self.sources[name] = where


def line_key(line):
    """A line as ``--keep-line`` matches it: runs of whitespace as one space."""
    return " ".join(line.split())


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


def any_of(kinds):
    """One pattern for a list of (reason, pattern): ``kind(line)`` is the reason of the first
    that matches, or None (one match per line instead of one per pattern)."""
    joined = re.compile(
        "|".join(f"(?P<k{n}>{pattern.pattern})" for n, (_, pattern) in enumerate(kinds)), re.I
    )

    def kind(line):
        match = joined.match(line)
        return kinds[int(match.lastgroup[1:])][0] if match else None

    return kind


# What kind of page furniture a line is (``share line``), or None for article text; the same
# for a line standing alone.
furniture = any_of(FURNITURE)
alone_furniture = any_of(ALONE)


# a sentence's end, closing quotes and brackets after it: `… in “Inside Llewyn Davis.”`
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
# two sentences in one line: `… failed. He said …`
SENTENCE_BREAK = re.compile(r"[.!?][\"'”’)\]]*\s+[\"“‘(]?[A-Z]")


def looks_like_title(line, following):
    """A line of the header that is clearly a headline: it stands alone (or is a wire
    headline in capitals), ends no sentence, holds no two sentences and has no dateline
    marker. When in doubt a line stays body text."""
    stands_alone = not following or (shouted(line) and not shouted(following))
    return (
        len(line) <= 250
        and " " in line  # one word is a section's name (`Sports`), not a headline
        and stands_alone
        and not SENTENCE_END.search(line)
        and not SENTENCE_BREAK.search(line)
        and not SYNDICATION.match(line)
        and not DATELINE.match(line)
        and not CITY_DATELINE.match(line)
        and not BULLET.match(line)
    )


def shouted(line):
    """True for a line of several words in capitals: `BAHIA COCOA REVIEW`."""
    return " " in line.strip() and not any(c.islower() for c in line) and line != line.lower()


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
        if ENDS_LINE.search(previous) and len(previous) + 1 + len(first_word) <= width:
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
    if match and not article.keeps(match[0]):
        where = f"syndication marker {match[0].strip()!r}"
        article.found("publisher", match["publisher"], where)
        article.found("outlet", match["outlet"].strip(), where)
        article.cut(match[0].strip(), "syndication marker")
        return paragraph[match.end() :]
    return paragraph


def clean(raw, title=None, keep=()):
    """Clean one article's raw text; see the module docstring for what is removed.

    With ``title`` (a web page's, from its metadata) no line is taken as the title: a line
    that repeats it is removed, every other line stays. A line in ``keep`` (compared with
    runs of whitespace as one space) is never removed: a lead's way to restore body text."""
    # control, bidirectional and invisible characters go before sentences are split, so
    # that sentence offsets point into the text as stored
    raw_lines = plain_lines(raw).split("\n")
    lines = [line.strip() for line in raw_lines]
    starts = paragraph_starts(raw_lines, lines)
    article = CleanArticle(paragraphs=[], title=title, keep=frozenset(map(line_key, keep)))
    title_key = title.casefold() if title else None
    kept, in_header = [], True  # the header ends with the first line kept
    # lines met so far, and those the text holds more than once
    seen, twice = set(), {line for line, n in Counter(filter(None, lines)).items() if n > 1}
    for number, line in enumerate(lines):
        if number in starts:
            kept.append("")
        if not line or article.keeps(line):
            kept.append(line)
            in_header = in_header and not line
            continue
        if CUT_FROM_HERE.match(line):
            for rest in filter(None, lines[number:]):
                if article.keeps(rest):
                    kept.extend(("", rest))
                else:
                    article.cut(rest, "after the disclaimer")
            break
        following = lines[number + 1] if number + 1 < len(lines) else ""
        reason = removal(line, in_header, title_key)
        if reason is None and in_header and title_key is None and looks_like_title(line, following):
            article.found("title", line, f"line {number + 1}")
            title_key, reason = line.casefold(), "title"
        if reason is None:
            previous = lines[number - 1] if number else ""
            reason = structure(line, previous, following, line in twice, line in seen)
        seen.add(line)
        if reason is None:
            kept.append(line)
            in_header = False
            continue
        if reason == "date line" and article.published is None:
            article.found("published", date_line(line), f"date line {line!r}")
        elif reason == "wire sign-off" and article.outlet is None:
            article.found("outlet", SIGN_OFFS[line.casefold()], f"sign-off {line!r}")
        elif reason in ("syndication note", "follow line") and article.outlet is None:
            if match := SYNDICATED_FROM.search(line):
                article.found("outlet", match["outlet"].rstrip(". "), f"syndication note {line!r}")
        elif reason in CREDITS:
            drop_caption_above(kept, article, line)
        article.cut(line, reason)
        kept.append("")  # page furniture never sits inside a paragraph
    drop_trailing_section_names(kept, article)
    paragraphs = [drop_inline_link(p, article) for block in blocks(kept) for p in reflow(block)]
    if paragraphs:
        paragraphs = strip_lead(paragraphs, article)
    article.paragraphs = [p for p in paragraphs if p]
    return article


def structure(line, previous, following, repeated, met):
    """Why ``line`` goes by where it stands, or None. Only a line standing alone between
    blank lines can go (in hard-wrapped text a line is a piece of a sentence, and the same
    piece may come twice): a repeated one (a gallery, a pull quote) where it repeats, and
    everywhere when it ends no sentence; a label or heading that ends no sentence; the
    furniture of ``ALONE``."""
    alone = not previous and not following
    if alone and (reason := alone_furniture(line)):
        return reason
    words = len(line.split())
    if alone and repeated and words >= 3 and (met or not ENDS_SENTENCE.search(line)):
        return "repeated line"
    if words <= 3 and alone and not ENDS_LINE.search(line):
        return "label"
    if (
        words <= HEADING_WORDS
        and alone
        and (not ENDS_LINE.search(line) or shouted(line))  # `COULD PLANE HAVE STALLED?`
        and not BULLET.match(line)
    ):
        return "heading"  # a subheading or a chart's title: not a sentence to label
    return None


def drop_caption_above(kept, article, credit):
    """Remove the caption that stands above a photo ``credit``: the last line kept, when it
    is one short sentence alone in its paragraph and known for a caption by the credit
    repeating it or by the image's file name or caption standing above it. A sentence
    above a credit is otherwise body text (when in doubt a line stays)."""
    lines = [i for i, line in enumerate(kept) if line]
    if not lines:
        return
    last = lines[-1]
    line = kept[last]
    alone = last == 0 or not kept[last - 1]
    above = article.removed[-1].reason if article.removed else None
    known = line in credit or (above in IMAGE_LINES and kept[last - 2 : last] == ["", ""])
    short = len(line.split()) <= CAPTION_WORDS and not SENTENCE_BREAK.search(line)
    if alone and short and known:
        article.cut(line, "photo caption")
        kept[last] = ""


def drop_inline_link(paragraph, article):
    """``paragraph`` without a link to another story at its end (``(RELATED: …)``)."""
    match = INLINE_LINK.search(paragraph)
    if match and not article.keeps(match[0]):
        article.cut(match[0].strip(), "link to another story")
        return paragraph[: match.start()]
    return paragraph


def paragraph_starts(raw_lines, lines):
    """The numbers of the lines that start a paragraph by their indent, in text whose
    paragraphs are marked so (an indented line followed by unindented wrapped ones, as
    wire copy is written); empty for other text."""
    indented = [bool(line) and raw[:1] in " \t" for raw, line in zip(raw_lines, lines, strict=True)]
    marked = any(
        indented[i] and lines[i + 1] and not indented[i + 1] for i in range(len(lines) - 1)
    )
    return {i for i, indent in enumerate(indented) if indent} if marked else set()


def removal(line, in_header, title_key):
    """Why ``line`` goes (``date line``, ``byline``, a kind of furniture, ``repeats the
    title``), or None when it is article text. Date lines and bylines go only in the header,
    the lines before the first kept one."""
    if in_header and date_line(line):
        return "date line"
    if in_header and BYLINE.match(line) and not line.endswith("."):
        return "byline"
    if line.casefold() == title_key:
        return "repeats the title"
    return furniture(line)


def strip_lead(paragraphs, article):
    """The paragraphs from the story's dateline on: a dateline naming an outlet at the start
    of one of the first paragraphs is removed (its outlet recorded), and what stands above
    it (captions, promotions, a glued headline) is page furniture; a city dateline without
    an outlet is removed from the first paragraph only; without a dateline the first
    paragraph loses a syndication marker."""
    for number, paragraph in enumerate(paragraphs[:LEAD]):
        # a dateline that names no outlet counts where the story starts: first, or under
        # a list of highlights (`- China calls for dialogue`)
        starts = all(BULLET.match(above) for above in paragraphs[:number])
        match = DATELINE.match(paragraph) or (starts and CITY_DATELINE.match(paragraph))
        after = paragraph[match.end() :][:1] if match else ""
        dateline = paragraph[: match.end()].strip() if match else ""
        if after and (after.isupper() or after in '"“‘') and not article.keeps(dateline):
            if match.re is DATELINE:
                outlet = (match["outlet"] or match["site"]).strip()
                article.found("outlet", outlet, f"dateline {dateline!r}")
            kept = [line for line in paragraphs[:number] if article.keeps(line)]
            for line in paragraphs[:number]:
                if line not in kept:
                    article.cut(line, "above the dateline")
            article.cut(dateline, "dateline")
            return [*kept, paragraph[match.end() :], *paragraphs[number + 1 :]]
    first = paragraphs[0]
    debris = DATELINE_DEBRIS.match(first)
    if debris and not article.keeps(debris[0].strip()):
        article.cut(debris[0].strip(), "dateline")
        first = first[debris.end() :]
    return [strip_markers(first, article), *paragraphs[1:]]


def drop_trailing_section_names(lines, article):
    """Remove short unpunctuated lines (``News Line``) and lines in capitals (an author's
    note: ``LAURIE OAKES IS THE NINE NETWORK POLITICAL EDITOR``) after the last body line."""
    body = [
        i
        for i, line in enumerate(lines)
        if (line and not (SECTION_NAME.match(line) or shouted(line))) or article.keeps(line)
    ]
    if not body:
        return
    for line in lines[body[-1] + 1 :]:
        if line:
            article.cut(line, "section name after the text")
    del lines[body[-1] + 1 :]
