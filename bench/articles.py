"""How well real articles come through the importer: the corpus in tests/data/articles and
its editor's expectations (expectations.json) against what `flask import` would store.

Figures (issue 15): body words lost, furniture lines kept, the title, date and outlet right
where the text states them, and sentence boundaries against a hand-checked sample of the
corpus's paragraphs (boundaries.json); each file's misses are listed so that they can be fixed.
"""

import json
from pathlib import Path

from annotator.importing.readers import read_articles
from annotator.importing.segmenting import sentence_spans
from annotator.importing.store import prepare

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "articles"


def normal(text):
    """``text`` with runs of whitespace as one space, for comparing."""
    return " ".join(text.split())


def editor(corpus, name):
    """One of the editor's files beside the corpus: expectations.json or boundaries.json."""
    return json.loads((corpus / name).read_text(encoding="utf-8"))


def imported(path):
    """(document row, its sentences) as the importer would store the file at ``path``."""
    raw = next(read_articles(path))
    document, spans = prepare(raw)
    text = document["text"]
    return document, [text[start:end] for _, start, end in spans]


def measure(corpus=CORPUS):
    """Per-file results and the totals of the figures."""
    expectations = editor(corpus, "expectations.json")
    totals = {key: 0 for key in ("files", "body words", "body words lost", "split",
                                 "furniture", "furniture kept")}  # fmt: skip
    stated = {"title": [0, 0], "date": [0, 0], "outlet": [0, 0]}  # right, stated
    misses = []
    for expected in expectations:
        document, sentences = imported(corpus / expected["file"])
        text = normal(" ".join(sentences))
        whole = [normal(s) for s in sentences]
        totals["files"] += 1
        for phrase in map(normal, expected["body_must_survive"]):
            words = len(phrase.split())
            totals["body words"] += words
            if phrase not in text:
                totals["body words lost"] += words
                misses.append((expected["file"], "body lost", phrase))
            elif not any(phrase in sentence for sentence in whole):
                totals["split"] += 1
                misses.append((expected["file"], "body split across sentences", phrase))
        for line in map(normal, expected["furniture_must_go"]):
            totals["furniture"] += 1
            if line and line in text:
                totals["furniture kept"] += 1
                misses.append((expected["file"], "furniture kept", line))
        found = {
            "title": document["title"],
            "date": document["published"].isoformat() if document["published"] else None,
            "outlet": document["outlet"],
        }
        for key, right in stated.items():
            if expected.get(key) is None:
                continue
            right[1] += 1
            if normal(found[key] or "").casefold() == normal(expected[key]).casefold():
                right[0] += 1
            else:
                misses.append((expected["file"], f"{key} wrong", f"{found[key]!r}, "
                               f"expected {expected[key]!r}"))  # fmt: skip
    return totals, stated, misses


def boundaries(corpus=CORPUS):
    """The sample's sentence count and its misses: each expected sentence the splitter does
    not produce exactly, as (file, expected, what was produced over the same text)."""
    count, misses = 0, []
    for entry in editor(corpus, "boundaries.json"):
        paragraph = entry["paragraph"]
        spans = sentence_spans(paragraph)
        found = {paragraph[start:end] for start, end in spans}
        position = 0
        for sentence in entry["sentences"]:
            count += 1
            start = paragraph.index(sentence, position)
            position = start + len(sentence)
            if sentence not in found:
                got = [paragraph[s:e] for s, e in spans if s < position and e > start]
                misses.append((entry["file"], sentence, got))
    return count, misses


def ends(text, width=30):
    """``text`` shortened to its first and last ``width`` characters: a boundary is at an end."""
    return text if len(text) <= 2 * width + 3 else f"{text[:width]} … {text[-width:]}"


def percent(part, whole):
    """``part`` of ``whole`` as a percentage with one decimal, or — of nothing."""
    return f"{100 * part / whole:.1f} %" if whole else "—"


def report(corpus=CORPUS):
    """The Markdown body of the benchmark's section."""
    totals, stated, misses = measure(corpus)
    sentences, wrong = boundaries(corpus)
    lines = [
        f"{totals['files']} real news texts in `tests/data/articles` (sources and licences in "
        "its SOURCES.md), each with an editor's expectations; every file imported as `flask "
        "import` would (read, cleaned, split), without a database. Sentence boundaries are "
        f"checked on {sentences} sentences of its paragraphs that an editor cut by hand "
        "(`boundaries.json`; the rules are in SOURCES.md).",
        "",
        "| figure | value | target |",
        "|---|---|---|",
        f"| body words lost | {totals['body words lost']} of {totals['body words']} | 0 |",
        f"| body sentences split apart | {totals['split']} | 0 |",
        f"| furniture lines kept | {totals['furniture kept']} of {totals['furniture']} "
        f"({percent(totals['furniture kept'], totals['furniture'])}) | ≤ 3 % |",
    ]
    for key, (right, count) in stated.items():
        lines.append(
            f"| {key} right where the text states it | {right} of {count} "
            f"({percent(right, count)}) | ≥ 95 % |"
        )
    lines.append(
        f"| sentence boundaries wrong (hand-checked sample) | {len(wrong)} of {sentences} "
        f"sentences wrong ({percent(len(wrong), sentences)}) | ≤ 1 % |"
    )
    for file, sentence, got in wrong:
        pieces = " | ".join(f"`{ends(piece)}`" for piece in got)
        misses.append((file, "sentence boundary", f"expected `{ends(sentence)}`, got {pieces}"))
    files = [expected["file"] for expected in editor(corpus, "expectations.json")]
    misses.sort(key=lambda miss: files.index(miss[0]))
    if misses:
        lines += ["", "What is still wrong, per file:", ""]
        lines += [f"- `{file}`: {kind}: {detail}" for file, kind, detail in misses]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(report(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS))
