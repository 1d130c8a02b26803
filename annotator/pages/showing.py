"""Labels as reviewers read them: one value per field, spans as the words they cover."""

from itertools import pairwise
from typing import NamedTuple

from ..adjudication import field_values


class Span(NamedTuple):
    """A span as shown: its offsets, and the words of the sentence it covers (None when the
    offsets do not lie inside the sentence)."""

    start: object
    end: object
    words: str | None


def inside(span, text):
    """(start, end) of a span that lies inside ``text`` and covers something, else None."""
    start, end = span.get("start"), span.get("end")
    if type(start) is int and type(end) is int and 0 <= start < end <= len(text):
        return start, end
    return None


def shown(value, text):
    """A label value for display: a Span for a span, a dash for nothing, else its text."""
    if value is None:
        return "—"
    if isinstance(value, dict) and "start" in value:
        found = inside(value, text)
        return Span(value.get("start"), value.get("end"), text[slice(*found)] if found else None)
    return str(value)


NOT_ASKED = "not asked"  # a stance target added to the document after the labels were given


def shown_fields(labels, scheme, text):
    """{field: shown value} of a labels object given to a sentence of ``text``; a stance
    target it has no value for was not asked (which is not ``none``)."""
    return {
        field.name: NOT_ASKED if value is None and field.target else shown(value, text)
        for field, value in zip(scheme.fields, scheme.values(labels or {}), strict=True)
    }


def differences(entered, saved, text, scheme):
    """(field, value) of the entered labels that differ from the saved ones, spans shown as
    their words: what a refused form held, listed beside the form that replaces it."""
    before = dict(field_values(saved, scheme))
    listed = []
    for name, value in field_values(entered or {}, scheme):
        if value != before.get(name):
            if isinstance(value, dict):
                value = f"“{text[value['start'] : value['end']]}”"
            listed.append((name, "—" if value is None else str(value)))
    return listed


class Shown(NamedTuple):
    """One annotator's (or the gold) labels as the review view shows them."""

    values: dict  # field -> shown value
    pieces: list | None  # the sentence with the spans marked, see ``marked``


def shown_labels(labels, scheme, text):
    """Shown values and marked spans of a labels object given to a sentence of ``text``."""
    return Shown(shown_fields(labels, scheme, text), marked(labels, scheme, text))


def free_text(scheme):
    """The fields annotators type rather than choose from the scheme."""
    return {field.name for field in scheme.fields if field.kind == "text"}


def marked(labels, scheme, text):
    """The sentence cut at the ends of its source and cue spans, as [(piece, span names)]
    (the names of the spans covering the piece, so overlapping spans show both); None when
    the labels mark no span inside the sentence."""
    spans = {
        field.input: inside(field.value(labels or {}) or {}, text) for field in scheme.span_fields
    }
    spans = {name: ends for name, ends in spans.items() if ends}
    if not spans:
        return None
    cuts = sorted({0, len(text), *(end for ends in spans.values() for end in ends)})
    return [
        (text[a:b], [name for name, (start, end) in spans.items() if start <= a and b <= end])
        for a, b in pairwise(cuts)
    ]
