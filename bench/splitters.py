"""How the sentence splitter was chosen: boundary quality on news cases, and speed.

Not part of ``make bench`` (the candidates are not dependencies). To reproduce:
    .venv/bin/pip install syntok==1.4.4 pysbd==0.3.4 nupunkt==0.8.0
    .venv/bin/python bench/splitters.py
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.test_segmenting import CASES  # noqa: E402


def syntok_split(text):
    from syntok import segmenter

    return [
        "".join(t.spacing + t.value for t in sentence).strip()
        for paragraph in segmenter.analyze(text)
        for sentence in paragraph
    ]


def pysbd_split(text, _cache={}):  # noqa: B006 - one segmenter, built once
    import pysbd

    segmenter = _cache.setdefault("s", pysbd.Segmenter(language="en", clean=False))
    return [s.strip() for s in segmenter.segment(text)]


def sentencex_split(text):
    from sentencex import segment

    return [s.strip() for s in segment("en", text) if s.strip()]


def nupunkt_split(text):
    import nupunkt

    return [s.strip() for s in nupunkt.sent_tokenize(text)]


def ours(text):
    from annotator.importing.segmenting import sentence_spans

    return [text[s:e] for s, e in sentence_spans(text)]


def main():
    """Print one Markdown row per splitter."""
    print("| splitter | news cases right | sentences/s |\n|---|---|---|")
    paragraphs = [f"{a} {b}" for a, b in CASES] * 200  # split paragraph by paragraph, as we do
    for name, split in [
        ("syntok", syntok_split),
        ("pysbd", pysbd_split),
        ("nupunkt", nupunkt_split),
        ("sentencex", sentencex_split),
        ("sentencex + our repairs", ours),
    ]:
        try:
            right = sum(split(f"{a} {b}") == [a, b] for a, b in CASES)
        except ImportError:
            print(f"| {name} | not installed | |")
            continue
        started = time.perf_counter()
        count = sum(len(split(paragraph)) for paragraph in paragraphs)
        rate = count / (time.perf_counter() - started)
        print(f"| {name} | {right}/{len(CASES)} | {rate:,.0f} |")


if __name__ == "__main__":
    main()
