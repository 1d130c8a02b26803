"""Split clean paragraphs into sentences with exact character offsets.

The splitter is sentencex, chosen by measurement (``bench/SPLITTERS.md``): it keeps
"Dec. 31", "Gov. Jones", "U.S." and quotations of several sentences together and is
fast enough for a million sentences a minute. Narrow repairs follow it, each for a case of
news text it gets wrong (measured on the hand-checked sample of the article corpus,
``tests/data/articles/boundaries.json``).
"""

import re
from bisect import bisect_right
from itertools import accumulate, pairwise

from sentencex import segment

# Ends sentencex misses, each before a capital that starts the next sentence: a sentence
# closed by two quotation marks, a whole sentence in parentheses, and (looked for only in a
# sentence that opens with a quotation) an attribution that ends in a company's name before
# a new quotation: `“…,” said Yearout, chief executive of Yearout Mechanical Inc. “The …`,
# not `Sales of Acme Inc. “Smart Home” devices rose.`
CLOSED_TWICE = re.compile(  # `… or we will come after you.'"`
    r"[.!?](?<=[a-z0-9][.!?])(?:['’][\"”]|[\"”]['’])\s+(?=[\"“‘]?[A-Z])"
)
IN_PARENTHESES = re.compile(  # `(And for now, … hardly blameless.)`
    r"\((?<!\S\()[A-Z\"“][^()\s]*\s[^()]*[a-z0-9][.!?]\)\s+(?=[\"“‘]?[A-Z])"
)
COMPANY_BEFORE_QUOTATION = re.compile(r"(?:Inc|Corp|Co|Ltd|Plc|LLC)\.\s+(?=[\"“][A-Z])")
# A paragraph without one of these holds none of those ends, and most have none: one quick
# search (of alternatives that each start with a literal) spares running the three patterns.
MISSED_END_SIGNS = re.compile(
    r"""'"|’”|"'|”’|\.\)|\?\)|!\)|"""
    r"""Inc\. ["“]|Corp\. ["“]|Co\. ["“]|Ltd\. ["“]|Plc\. ["“]|LLC\. ["“]"""
)

# Quotation marks the splitter put on the wrong side of a break: an opening one left at the
# end of a sentence opens the next, a closing one at the start of a sentence closes the last.
OPENERS = "“‘\"'"
OPENING_QUOTES = re.compile(r"(?:[“‘]|(?<!\S)[\"'])+$")
CLOSERS = "”’"
CLOSING_QUOTES = re.compile(r"[”’]+(?=\s|$)")
# Double quotation marks, opening or closing: sentencex keeps a closed quotation whole, and
# one whose closing mark is missing (it runs on into the next paragraph) is kept whole here.
QUOTATION_MARK = re.compile(r"(?P<open>“|\"(?<![^\s(\[]\")(?=\S))|(?P<close>”|\"(?<=\S\"))")

# What goes on after a break that ends no sentence.
CLOCK_END = re.compile(r"\b[ap]\.m\.$", re.I)
CLOCK_CONTINUES = re.compile(
    r"(?:[ECMP][SD]?T|GMT|UTC|BST|CET|CEST|EET|EEST|MSK|local|"
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b"
)
MARKET_CODE = re.compile(r"[A-Z0-9]+\b")  # glued to a spaced stop: `Average .DJI fell`
ASKED = re.compile(r"[?!][\"'”’)\]]*$")
DASH = re.compile(r"[—–]|--|-\s")
QUOTE_ASKED = re.compile(r"[?!][\"'”’]+$")
# speaker and verb (`Smith asked.`, `Mr Obama told reporters.`); "said Smith" starts lowercase
ATTRIBUTION = re.compile(
    r"(?:[A-Z][\w'’.-]*\s+){1,4}(?:said|says|asked|asks|added|adds|told|tells|shouted|yelled|"
    r"cried|replied|wrote|tweeted|joked|quipped|insisted|wondered|exclaimed|recalled|continued)"
    r"(?:\s+[^\s.!?]+){0,3}(?:[.,;:]|$)"
)


def sentence_spans(paragraph):
    """``(start, end)`` of each sentence in ``paragraph``, without surrounding spaces.

    Each piece is read at its ends only, and a character is tested before a pattern is run:
    this runs for every sentence of an import.
    """
    spans, opening, quoted, read = [], None, 0, 0
    # a paragraph whose marks pair up has no quotation to count: sentencex keeps them whole
    unpaired = paragraph.count('"') % 2 or paragraph.count("“") != paragraph.count("”")
    for start, end in pieces(paragraph):
        start, end = trimmed(paragraph, start, end)
        if spans and start < end and paragraph[start] in CLOSERS:  # it closes the last one
            closing = CLOSING_QUOTES.match(paragraph, start, end)
            if closing:
                spans[-1], opening = (spans[-1][0], closing.end()), None
                start, end = trimmed(paragraph, closing.end(), end)
        if start == end:
            continue
        begin = opening.start() if opening else start  # with the `“` the last piece left
        if unpaired:
            quoted, read = quotations(paragraph, read, begin, quoted), begin
        if spans and (quoted or continues(paragraph, spans[-1], start, end)):
            begin = spans.pop()[0]
        opening = None
        if paragraph[end - 1] in OPENERS:  # a `“` at the end opens the next sentence
            opening = OPENING_QUOTES.search(paragraph, max(begin, end - 4), end)
            if opening:
                end = trimmed(paragraph, begin, opening.start())[1]
        if begin < end:
            spans.append((begin, end))
    if opening:  # nothing follows it: it stays where it was
        spans.append((spans.pop()[0] if spans else opening.start(), opening.end()))
    return spans


def quotations(paragraph, start, end, open_before):
    """How many double quotations are open after ``paragraph[start:end]``."""
    count = open_before
    for mark in QUOTATION_MARK.finditer(paragraph, start, end):
        count = count + 1 if mark.lastgroup == "open" else max(count - 1, 0)
    return count


def trimmed(paragraph, start, end):
    """``start`` and ``end`` moved inwards past white space."""
    while start < end and paragraph[start].isspace():
        start += 1
    while end > start and paragraph[end - 1].isspace():
        end -= 1
    return start, end


def pieces(paragraph):
    """sentencex's pieces as ``(start, end)``, also cut at the ends it misses."""
    ends = list(accumulate(map(len, segment("en", paragraph))))
    if MISSED_END_SIGNS.search(paragraph):
        starts = [0, *ends]
        cuts = [
            found.end()
            for pattern in (CLOSED_TWICE, IN_PARENTHESES, COMPANY_BEFORE_QUOTATION)
            for found in pattern.finditer(paragraph)
            if pattern is not COMPANY_BEFORE_QUOTATION
            or paragraph[starts[bisect_right(ends, found.end())]] in '"“'
        ]
        ends = sorted({*ends, *cuts})
    return pairwise([0, *ends])


def continues(paragraph, previous, start, end):
    """True when the splitter broke a sentence that goes on in ``paragraph[start:end]``: a
    lowercase word, "9 a.m. ET", a market code after a spaced stop (`Average .DJI fell`), a
    dash after a `?` or `!` (`The plan — who knew? — failed.`), a speaker and verb after a
    quotation that asks or exclaims (`"Why now?" Smith asked.`).

    ``previous`` is the span of the sentence so far; only its last characters are read
    (copying all of it, which grows as pieces join it, took quadratic time).
    """
    if paragraph[start].islower():
        return True
    first, last = previous
    tail, mark = max(first, last - 8), paragraph[last - 1]
    if mark == ".":
        if last == start and paragraph[last - 2].isspace():
            return bool(MARKET_CODE.match(paragraph, start, end))
        at_clock = paragraph[last - 2] in "mM" and CLOCK_END.search(paragraph, tail, last)
        return bool(at_clock and CLOCK_CONTINUES.match(paragraph, start, end))
    if mark not in "?!\"'”’)]" or not ASKED.search(paragraph, tail, last):
        return False
    if DASH.match(paragraph, start, end):
        return True
    return bool(
        QUOTE_ASKED.search(paragraph, tail, last) and ATTRIBUTION.match(paragraph, start, end)
    )


def split_document(paragraphs):
    """Sentences of a document as ``(paragraph index, start, end)`` in ``"\\n\\n".join(...)``."""
    sentences, offset = [], 0
    for number, paragraph in enumerate(paragraphs):
        for start, end in sentence_spans(paragraph):
            sentences.append((number, offset + start, offset + end))
        offset += len(paragraph) + 2
    return sentences
