"""The real-article corpus (tests/data/articles) and its held-out set (heldout/ inside it) are
what their expectations say: every file listed exists and has its source recorded, and every
body phrase and furniture line the editor wrote down is in the file as written (so the
benchmark measures the importer, not typing)."""

import json
import re
from html import unescape
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "data" / "articles"
SETS = (CORPUS, CORPUS / "heldout")


def expectations(folder):
    """The expectations written for the files in ``folder``, none if there are none yet."""
    path = folder / "expectations.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def bare(text):
    """``text`` without any whitespace: a page's markup may put spaces anywhere."""
    return re.sub(r"\s+", "", text)


def visible(path):
    """The file's text; for a page, its text without comments, tags and entities."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".html", ".htm"):
        text = unescape(re.sub(r"<[^>]+>", "", re.sub(r"(?s)<!--.*?-->", "", text)))
    return bare(text)


@pytest.mark.parametrize(
    "path, expected",
    [
        pytest.param(folder / e["file"], e, id=str((folder / e["file"]).relative_to(CORPUS)))
        for folder in SETS
        for e in expectations(folder)
    ],
)
def test_every_expectation_is_in_its_file(path, expected):
    assert path.is_file()
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    assert f"| {path.relative_to(CORPUS)} |" in sources
    text = visible(path)
    for phrase in expected["body_must_survive"] + expected["furniture_must_go"]:
        assert bare(phrase) in text, phrase
    assert expected["body_must_survive"], "an article with no body to keep"


def test_no_body_text_of_the_corpus_is_lost_or_split():
    # the first target, met on the development corpus: every sentence the editor
    # marked survives whole (the held-out set is measured by the benchmark, not held to it)
    from bench.articles import measure

    totals, _, misses = measure()
    assert (totals["body words lost"], totals["split"]) == (0, 0), misses
