"""How well real articles come through the importer: the corpus in tests/data/articles and
its editor's expectations (expectations.json) against what `flask import` would store.

Figures (issue 15): body words lost, furniture lines kept, and the title, date and outlet
right where the text states them; each file's misses are listed so that they can be fixed.
The same figures for the held-out set (tests/data/articles/heldout), on which no rule was
tuned, say how far the development corpus's figures carry to texts the rules have not seen.
"""

import json
import statistics
import time
from pathlib import Path

from annotator.importing.readers import read_articles
from annotator.importing.store import prepare

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "articles"
HELDOUT = CORPUS / "heldout"


def normal(text):
    """``text`` with runs of whitespace as one space, for comparing."""
    return " ".join(text.split())


def imported(path):
    """(document row, its sentences) as the importer would store the file at ``path``."""
    raw = next(read_articles(path))
    document, spans = prepare(raw)
    text = document["text"]
    return document, [text[start:end] for _, start, end in spans]


def measure(corpus=CORPUS):
    """Per-file results and the totals of the figures."""
    expectations = json.loads((corpus / "expectations.json").read_text(encoding="utf-8"))
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
            # a line of a word or two ('more', 'Share') is kept when it is a sentence of its
            # own; a longer one when its text is anywhere
            if line and (line in whole if len(line.split()) < 3 else line in text):
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


def percent(part, whole):
    """``part`` of ``whole`` as a percentage with one decimal, or — of nothing."""
    return f"{100 * part / whole:.1f} %" if whole else "—"


def figures(corpus):
    """How many files ``corpus`` has, and the lines of its figures' table followed by what is
    still wrong in it, file by file."""
    totals, stated, misses = measure(corpus)
    lines = [
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
    if misses:
        lines += ["", "What is still wrong, per file:", ""]
        lines += [f"- `{file}`: {kind}: {detail}" for file, kind, detail in misses]
    return totals["files"], lines


def report():
    """The Markdown body of the benchmark's section: the development corpus, then the
    held-out set."""
    files, development = figures(CORPUS)
    held, heldout = figures(HELDOUT)
    lines = [
        f"{files} real news texts in `tests/data/articles` (sources and licences in its "
        "SOURCES.md), each with an editor's expectations; every file imported as `flask "
        "import` would (read, cleaned, split), without a database.",
        "",
        *development,
        "",
        f"Held-out set: {held} more texts in `tests/data/articles/heldout`, whose expectations "
        "were written before the importer ever ran on them and on which no rule was tuned; "
        "the same figures, to show how far the ones above carry to texts the rules have "
        "not seen.",
        "",
        *heldout,
    ]
    return "\n".join(lines)


def page_speed(corpus=CORPUS, repeat=5):
    """How fast saved web pages go through the importer (trafilatura, cleaning, splitting):
    the corpus's pages, the median of ``repeat`` runs, after one run to load trafilatura."""
    pages = sorted((corpus / "html").glob("*.html"))
    size = sum(page.stat().st_size for page in pages)
    sentences = sum(len(imported(page)[1]) for page in pages)  # loads trafilatura too
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for page in pages:
            imported(page)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return (
        f"Saved web pages: {len(pages)} pages ({size / 1024:.0f} KiB, {sentences} sentences) "
        f"in {seconds * 1000:.0f} ms, median of {repeat}: {len(pages) / seconds:.0f} pages/s, "
        f"{sentences / seconds:,.0f} sentences/s, {size / 1024 / 1024 / seconds:.1f} MiB/s "
        "(extraction dominates; plain text: see the section on importing)."
    )


if __name__ == "__main__":
    import sys

    print("\n".join(figures(Path(sys.argv[1]))[1]) if len(sys.argv) > 1 else report())
