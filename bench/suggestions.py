"""How good the suggestions are, against real news sentences labelled by hand
(tests/data/labelled: dev, on which the rules were written and tuned, and heldout, on which
they were not), and what they save an annotator.

Figures (issue 17): cue and source spans as precision, recall and F1, exact and overlapping;
source type and entity accuracy; the claim classifier's accuracy as a learning curve (trained
on the first 50, 100, 200, 500 labelled sentences of a shuffled set, scored on the sentences
it did not see); suggestion time per sentence; and keys per sentence for a scripted
annotator, with and without the suggestions pre-filled, on the same sentences.
"""

import json
import random
import statistics
import time
from collections import Counter
from pathlib import Path

from annotator.suggesting import attribution, claims

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "labelled"
SETS = {"dev": ("dev-a.jsonl", "dev-b.jsonl"), "heldout": ("heldout.jsonl",)}
CURVE = (50, 100, 200, 500)


def labelled(name):
    """The hand-labelled sentences of a set, in article order."""
    rows = []
    for file in SETS[name]:
        with (LABELLED / file).open(encoding="utf-8") as lines:
            rows.extend(json.loads(line) for line in lines if line.strip())
    return rows


def by_article(rows):
    """{file: its labelled rows in order}."""
    articles = {}
    for row in rows:
        articles.setdefault(row["file"], []).append(row)
    return articles


def suggested(rows):
    """The attribution suggestion for every row, each article's sentences read in order."""
    found = []
    for sentences in by_article(rows).values():
        found.extend(attribution.suggest_document([row["text"] for row in sentences]))
    return found


def span_of(suggestion, name):
    """A suggestion's span as (start, end), or None."""
    return None if suggestion is None else getattr(suggestion, name)


def gold_span(row, name):
    span = row.get(name)
    return None if span is None else (span["start"], span["end"])


def prf(pairs, overlap):
    """Precision, recall, F1 of predicted against gold spans (one or none per sentence)."""
    right = predicted = gold = 0
    for guess, truth in pairs:
        predicted += guess is not None
        gold += truth is not None
        if guess is None or truth is None:
            continue
        if guess == truth or (overlap and guess[0] < truth[1] and truth[0] < guess[1]):
            right += 1
    precision = right / predicted if predicted else 0.0
    recall = right / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "predicted": predicted, "gold": gold}  # fmt: skip


def normal_name(name):
    return " ".join((name or "").lower().replace("’", "'").split()) or None


def attribution_figures(rows):
    """Span, type and entity figures of the rules on ``rows``."""
    found = suggested(rows)
    figures = {}
    for name in ("source", "cue"):
        pairs = [(span_of(s, name), gold_span(r, name)) for s, r in zip(found, rows, strict=True)]
        figures[name] = {"exact": prf(pairs, False), "overlap": prf(pairs, True)}
    types = [
        (s.source_type if s else "author") == r["source_type"]
        for s, r in zip(found, rows, strict=True)
    ]
    figures["source_type_accuracy"] = round(sum(types) / len(rows), 3)
    named = [(s, r) for s, r in zip(found, rows, strict=True) if r.get("entity")]
    right = sum(normal_name(s.entity if s else None) == normal_name(r["entity"]) for s, r in named)
    figures["entity"] = {"accuracy": round(right / len(named), 3) if named else None,
                         "sentences": len(named)}  # fmt: skip
    found_where = [(s, r) for s, r in named if s is not None and s.source is not None]
    right_found = sum(normal_name(s.entity) == normal_name(r["entity"]) for s, r in found_where)
    figures["entity"]["accuracy_where_source_found"] = (
        round(right_found / len(found_where), 3) if found_where else None
    )
    patterns = Counter()
    for s, r in zip(found, rows, strict=True):
        if s is not None:
            patterns[(s.pattern, gold_span(r, "cue") == s.cue)] += 1
    figures["pattern_precision"] = {
        p: round(patterns[(p, True)] / (patterns[(p, True)] + patterns[(p, False)]), 3)
        for p in {p for p, _ in patterns}
    }
    no_cue = [r["source_type"] == "author" for s, r in zip(found, rows, strict=True) if s is None]
    figures["no_cue_author_share"] = round(sum(no_cue) / len(no_cue), 3) if no_cue else None
    return figures


def claim_inputs(rows):
    found = suggested(rows)
    return [
        (claims.classifier_input(r["text"], claims.signs(r["text"], s is not None)), r["claim"])
        for s, r in zip(found, rows, strict=True)
    ]


def learning_curve(rows, seed=13):
    """Claim accuracy of the prior and of the classifier after N labels, on the rest."""
    examples = claim_inputs(rows)
    random.Random(seed).shuffle(examples)
    found = suggested(rows)
    prior_right = sum(
        claims.prior(claims.signs(r["text"], s is not None))[0] == r["claim"]
        for s, r in zip(found, rows, strict=True)
    )
    curve = {"prior (no labels)": round(prior_right / len(rows), 3)}
    majority = Counter(label for _, label in examples).most_common(1)[0]
    curve["always the commonest label"] = round(majority[1] / len(examples), 3)
    for size in CURVE:
        if size >= len(examples) - 50:
            break
        learned, scored = examples[:size], examples[size:]
        pipeline = claims.new_pipeline().fit(*zip(*learned, strict=True))
        predicted = pipeline.predict([text for text, _ in scored])
        right = sum(p == label for p, (_, label) in zip(predicted, scored, strict=True))
        curve[f"after {size} labels"] = round(right / len(scored), 3)
    return curve


def speed(rows, repeat=5):
    """Median milliseconds per sentence to make the attribution and prior suggestions of a
    set (at import, not per request)."""
    texts = [row["text"] for row in rows]
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        found = attribution.suggest_document(texts)
        for text, s in zip(texts, found, strict=True):
            claims.prior(claims.signs(text, s is not None))
        timings.append((time.perf_counter() - started) * 1000 / len(texts))
    return round(statistics.median(timings), 3)


# The scripted annotator's costs, in the workspace as it is (README, "Keys"): a choice is
# one digit key (it moves on to the next group); a span is one mouse selection plus its key
# (s or c); the entity is e, the typed name, then Esc; Enter saves.
def keys_for(row, start):
    """(keys, mouse selections, characters typed) to turn the form ``start`` (the values
    it opens with) into the hand label ``row``."""
    keys = mouse = typed = 0
    if start.get("claim") != row["claim"]:
        keys += 1
    if start.get("source_type", "author") != row["source_type"]:
        keys += 1
    for name in ("source", "cue"):
        wanted = gold_span(row, name)
        if start.get(name) != wanted:
            if wanted is None:
                keys += 1  # Shift+S / Shift+C clears it
            else:
                keys += 1
                mouse += 1
    if normal_name(start.get("entity")) != normal_name(row.get("entity")):
        keys += 2
        typed += len(row.get("entity") or "")
    return keys + 1, mouse, typed  # + Enter


def keys_per_sentence(rows):
    """Median and mean keys per sentence without and with the suggestions pre-filled."""
    found = suggested(rows)
    results = {}
    for assisted in (False, True):
        costs = []
        for s, r in zip(found, rows, strict=True):
            start = {"source_type": "author"}
            if assisted:
                start["claim"] = claims.prior(claims.signs(r["text"], s is not None))[0]
                if s is not None:
                    start |= {"source_type": s.source_type, "source": s.source, "cue": s.cue,
                              "entity": s.entity}  # fmt: skip
            costs.append(keys_for(r, start))
        attributed = [c for c, r in zip(costs, rows, strict=True) if r["source_type"] != "author"]
        right = [
            c
            for c, s, r in zip(costs, found, rows, strict=True)
            if r["source_type"] != "author" and s is not None and attribution_right(s, r)
        ]
        results["with suggestions" if assisted else "without"] = {
            "keys, mean": round(statistics.mean(c[0] for c in costs), 2),
            "keys, attributed sentences, mean": round(statistics.mean(c[0] for c in attributed), 2),
            "mouse selections per attributed sentence": round(
                statistics.mean(c[1] for c in attributed), 2
            ),
            "characters typed per attributed sentence": round(
                statistics.mean(c[2] for c in attributed), 1
            ),
            "attributed sentences whose attribution suggestion is right": len(right),
            "keys where it is right, mean": round(statistics.mean(c[0] for c in right), 2),
            "keys where it is right, most": max(c[0] for c in right),
        }
    return results


def attribution_right(suggestion, row):
    """Whether a suggestion's source type, spans and entity are all the hand label's."""
    return (
        suggestion.source_type == row["source_type"]
        and suggestion.source == gold_span(row, "source")
        and suggestion.cue == gold_span(row, "cue")
        and normal_name(suggestion.entity) == normal_name(row.get("entity"))
    )


def run():
    """Every figure, per set, as a dict (bench/run.py writes it to RESULTS.md)."""
    results = {}
    everything = labelled("dev") + labelled("heldout")
    for name in SETS:
        rows = labelled(name)
        results[name] = {"sentences": len(rows), **attribution_figures(rows)}
        results[name]["keys"] = keys_per_sentence(rows)
    results["claim learning curve (dev + heldout, shuffled)"] = learning_curve(everything)
    results["milliseconds per sentence (rules + prior)"] = speed(everything)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
