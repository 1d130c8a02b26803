"""Split clean paragraphs into sentences with exact character offsets.

The splitter is sentencex, chosen by measurement (``bench/SPLITTERS.md``): it keeps
"Dec. 31", "Gov. Jones", "U.S." and quotations of several sentences together and is
fast enough for a million sentences a minute. Two narrow repairs follow it.
"""

import re

from sentencex import segment

CLOCK_END = re.compile(r"\b[ap]\.m\.$", re.I)
CLOCK_CONTINUES = re.compile(
    r"^(?:(?:[ECMP][SD]?T|GMT|UTC|BST|CET|CEST|EET|EEST|MSK|local)\b|"
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b)"
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
        if spans and continues(paragraph, spans[-1], paragraph[start:end]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def continues(paragraph, previous, following):
    """True when the splitter broke a sentence that goes on: a lowercase start, "9 a.m. ET".

    ``previous`` is the span of the sentence so far; only its last four characters are
    read (copying all of it, which grows as pieces join it, took quadratic time).
    """
    if following[:1].islower():
        return True
    start, end = previous
    at_clock = CLOCK_END.search(paragraph, max(start, end - 4), end)
    return bool(at_clock and CLOCK_CONTINUES.match(following))


def split_document(paragraphs):
    """Sentences of a document as ``(paragraph index, start, end)`` in ``"\\n\\n".join(...)``."""
    sentences, offset = [], 0
    for number, paragraph in enumerate(paragraphs):
        for start, end in sentence_spans(paragraph):
            sentences.append((number, offset + start, offset + end))
        offset += len(paragraph) + 2
    return sentences
