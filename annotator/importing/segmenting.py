"""Split clean paragraphs into sentences with exact character offsets.

The splitter is sentencex, chosen by measurement (``bench/SPLITTERS.md``): it keeps
"Dec. 31", "Gov. Jones", "U.S." and quotations of several sentences together and is
fast enough for a million sentences a minute. Narrow repairs follow it, each for a case of
news text it gets wrong (measured on the hand-checked sample of the article corpus,
``tests/data/articles/boundaries.json``).
"""

import re

from sentencex import segment

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
    """``(start, end)`` of each sentence in ``paragraph``, without surrounding spaces."""
    spans, position = [], 0
    for piece in segment("en", paragraph):
        start, end = position, position + len(piece)
        position = end
        while start < end and paragraph[start].isspace():
            start += 1
        while end > start and paragraph[end - 1].isspace():
            end -= 1
        if start == end:
            continue
        if spans and continues(paragraph, spans[-1], start, end):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


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
        at_clock = CLOCK_END.search(paragraph, tail, last)
        return bool(at_clock and CLOCK_CONTINUES.match(paragraph, start, end))
    if not ASKED.search(paragraph, tail, last):
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
