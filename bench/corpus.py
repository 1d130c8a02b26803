"""A reproducible corpus of news-like articles with the mess real ones have.

Each article has a headline, a date line with a view counter, datelines or syndication
markers, abbreviations ("Dec. 31", "U.S.", "9 a.m. ET"), quotations, hard-wrapped
paragraphs, share lines and tag lines — so the benchmark pays for all of the cleaning.
"""

import json
import random
import textwrap

PEOPLE = ["Jeyhun Bayramov", "Brian M. Good", "Dr. Anna Smith", "Gov. Jones", "Sergey Lavrov"]
ORGS = ["the U.N. Security Council", "Acme Inc.", "the U.S. Army", "the ministry", "NATO"]
OUTLETS = ["AzerNews", "Reuters", "CNN", "Trend", "AP"]
TEMPLATES = [
    "{p} said on Tuesday that {o} would respond by Dec. 31.",
    "The meeting starts at 9 a.m. ET on Monday, officials said.",
    '"We will not stop. We will win," {p} told reporters.',
    "{o} reported a 2.5% rise in Sept. compared with a year earlier.",
    "According to {o}, the talks in New York were constructive.",
    "{p} emphasized that the measures were aimed only at military targets.",
    "Critics in the U.S. and the U.K. questioned the figures.",
    "The vote, set for Jan. 5, 2024, was delayed again.",
    "Officials, who spoke on condition of anonymity, confirmed the report.",
    "Prices fell sharply after the announcement.",
]


def capitalise(sentence):
    """Upper-case the first letter only ("the U.S. Army ..." -> "The U.S. Army ...")."""
    return sentence[:1].upper() + sentence[1:]


def article(rng, number, sentences):
    """One article of ``sentences`` sentences as raw text, in one of three shapes."""
    paragraphs = []
    for start in range(0, sentences, 3):
        paragraph = None
        # no paragraph twice in one article: the importer takes a repeated one for furniture
        while paragraph is None or paragraph in paragraphs:
            paragraph = " ".join(
                capitalise(rng.choice(TEMPLATES).format(p=rng.choice(PEOPLE), o=rng.choice(ORGS)))
                for _ in range(min(3, sentences - start))
            )
        paragraphs.append(paragraph)
    shape = number % 3
    if shape == 0:  # a web page: headline, date line, furniture, blank-line paragraphs
        head = [f"Headline number {number} about the talks", "", "19 September 2023   Read: 845"]
        tail = ["", "Share this article", f"More about: #Talks #{number}", "", "News Line"]
        return "\n".join([*head, "", "\n\n".join(paragraphs), *tail])
    if shape == 1:  # a syndicated wire copy, hard-wrapped at 65 columns
        paragraphs[0] = f"(MENAFN- {rng.choice(OUTLETS)}) " + paragraphs[0]
        return "\n".join(textwrap.fill(p, 65) for p in paragraphs)
    paragraphs[0] = "WASHINGTON (CNN) -- " + paragraphs[0]  # a dateline, one line per paragraph
    paragraphs.append("Jane Doe contributed to this report.")
    return "\n".join(paragraphs)


def write_corpus(path, total_sentences, seed=13):
    """Write a JSON Lines corpus holding ``total_sentences`` sentences; return the article count."""
    rng = random.Random(seed)
    written = count = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < total_sentences:
            size = min(rng.randint(10, 60), total_sentences - written)
            record = {"id": f"bench-{count}", "text": article(rng, count, size)}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += size
            count += 1
    return count
