"""Sentence boundaries on the cases that trip up splitters in news text, and on the
hand-checked sample of the article corpus (tests/data/articles/boundaries.json)."""

import json
from pathlib import Path

import pytest

from annotator.importing.segmenting import sentence_spans, split_document
from bench.articles import boundaries

CORPUS = Path(__file__).parent / "data" / "articles"
SAMPLE = json.loads((CORPUS / "boundaries.json").read_text(encoding="utf-8"))

CASES = [
    ("The deal closes Dec. 31 in New York.", "Markets rose."),
    ("Brian M. Good said the plan works.", "He left."),
    ("The meeting starts at 9 a.m. ET on Monday.", "It ends at noon."),
    ("She left at 5 p.m. EST.", "He stayed."),
    ("The plane lands at 10 a.m.", "The crew is ready."),
    ("The U.S. and the U.K. signed the pact.", "Officials cheered."),
    ("It happened in the U.S.", "The president was briefed."),
    ('"We will win. We will not stop," he said.', "The crowd cheered."),
    ("He said: \u201cWe are ready. We will act.\u201d", "The talks ended."),
    ("Dr. Smith met Gov. Jones on Tuesday.", "They talked."),
    ("Apple Inc. and Microsoft Corp. rose.", "The Nasdaq gained 1.2%."),
    ("Lt. Col. John Doe of Fort Bragg, N.C., was promoted.", "He is 45."),
    ("Prices rose 2.5 pct. in Sept. last year.", "Inflation eased."),
    ("It was approved on Jan. 5, 2024, by the U.N. Security Council.", "Russia abstained."),
]
# The repairs after sentencex, rule by rule, each with cases that must still be cut.
MARKET_CODES = [
    (
        "The Dow Jones Industrial Average .DJI fell 0.5 percent, the S&P 500 .SPX lost 0.6 "
        "percent and the Nasdaq Composite .IXIC dropped 1 percent.",
        "Oil rose.",
    ),
    ("Tech shares lifted the Nasdaq Composite .IXIC.", "Oil rose."),
    ("BankAmerica Corp <BAC> said it would delay the offer.", "Analysts agreed."),
    ("Shares of Standard Oil Co <SRD.N> rose 2 pct.", "Others fell."),
    ("Standard Oil Co <SRD> said it will form a financial unit.", "BP agreed."),
    ("He bought <BAC> shares.", "Prices rose."),
    ("Analysts prefer BankAmerica <BAC>.", "Prices rose."),
]
QUOTATION_MARKS = [
    ("He spoke.", '"We are ready.'),  # the quotation runs on into the next paragraph
    ("He spoke.", "\u201cWe are ready."),
    ("He spoke.", "'We are ready."),
    ('"It was bad," said Eben Burnham-Snyder, a spokesman.', '"We are ready. We will act.'),
    ('"We heard you. You are unsettled," said Eben Burnham-Snyder.', '"We will not stop.'),
    (
        "\u201cIt is sluggish,\u201d said Jim Mason of Taylor International Corp. in Las Vegas.",
        "\u2018We still have a lot of excess capacity.\u2019\u2019",
    ),
    ("Stocks fell.", '"We are worried," he said.'),
    ("He left.", "\u201cWe are worried.\u201d"),
]
DASHES = [
    ("The plan \u2014 who knew? \u2014 failed.", "Others said so."),
    ("The plan -- what a mess! -- failed.", "He left."),
    ("The plan\u2014who knew?\u2014failed.", "He left."),
    ("The plan (who knew?) failed.", "He left."),
    ("Who knew?", "The plan failed."),
    ("The plan failed \u2014 who knew?", "Nobody did."),
]
ATTRIBUTIONS = [
    ('"We will go on," said Smith.', "He left."),
    ('"Why now?" she asked.', "He left."),
    ("\u201cWhy now?\u201d Smith asked.", "He left."),
    ('"Stop!" Patrol Chief James Hall shouted at the crowd.', "It worked."),
    ('"Stop!"', "Police arrived at noon."),
    ("\u201cIs it over?\u201d", "Smith said the answer was no."),
]
MISSED_ENDS = [
    (
        "\"Many see a message -- 'either ignore the science or we will come after you.'\"",
        "Committee Chairman Jason Chaffetz did not respond.",
    ),
    ("(And for now, I will leave gun laws out of it.)", "We must all be more specific."),
    (
        "\u201cIt has been a slow climb back,\u201d said Yearout of Yearout Mechanical Inc.",
        "\u201cThe economy went very south, very quickly.\u201d",
    ),
    ("He called it \"a 'tragedy.'\" and left the room.", "Nobody followed."),
    ("Rep. Adam Schiff (D-Calif.) Sunday said the vote would wait.", "Others disagreed."),
    ("Sales of Acme Inc. \u201cSmart Home\u201d devices rose.", "Others fell."),
]


@pytest.mark.parametrize(
    ("first", "second"),
    CASES + MARKET_CODES + QUOTATION_MARKS + DASHES + ATTRIBUTIONS + MISSED_ENDS,
)
def test_boundaries(first, second):
    paragraph = f"{first} {second}"
    spans = sentence_spans(paragraph)
    assert [paragraph[s:e] for s, e in spans] == [first, second]


def test_offsets_point_into_the_joined_text():
    paragraphs = ["One here. Two here.", "Three  here."]
    text = "\n\n".join(paragraphs)
    found = [(p, text[s:e]) for p, s, e in split_document(paragraphs)]
    assert found == [(0, "One here."), (0, "Two here."), (1, "Three  here.")]


def test_the_boundary_sample_is_cut_from_its_paragraphs():
    assert sum(len(entry["sentences"]) for entry in SAMPLE) >= 300
    for entry in SAMPLE:
        assert (CORPUS / entry["file"]).is_file()
        position = 0
        for sentence in entry["sentences"]:
            assert sentence == sentence.strip(), sentence
            start = entry["paragraph"].find(sentence, position)
            assert start >= 0, f"{entry['file']}: {sentence!r} not in its paragraph, in order"
            position = start + len(sentence)


def test_at_most_one_in_a_hundred_sample_sentences_is_cut_wrong():
    sentences, wrong = boundaries()
    assert len(wrong) <= sentences / 100, wrong
