"""Did the suggestions sway the labels? Figures from what each annotation recorded of them.

Every annotation saved on a sentence with suggestions records them (``suggested``: shown,
or hidden when ``SUGGESTIONS`` held them back), with whether each field's saved value is the
suggested one. From that:

- **acceptance**: of the suggested values shown, the share kept, per field and per annotator;
- **agreement with the suggester unaided**: the same share where they were hidden. An
  annotator who keeps far more shown suggestions than they match hidden ones is anchored by
  them (or a careful labeller has an easier time when shown: compare with the next figure);
- **agreement between annotators** on sentences every annotator saw with suggestions
  (assisted) and on those every annotator labelled without (unassisted): percent and
  Krippendorff's alpha per field. Assisted agreement far above unassisted, with acceptance
  high, means the suggestions, not the annotators, agree.

``SUGGESTIONS=0.5`` makes both kinds of sentence on the same team.
"""

from collections import Counter

import numpy as np
from sqlalchemy import select

from ..extensions import db
from ..models import ANNOTATIONS, USERS
from ..suggesting import FACTS, claims, newest_model
from . import statistics as stats
from .figures import figure

COMPARED = ("claim", "attribution.source_type")  # categorical: agreement between annotators


def share(part, whole):
    """``part / whole`` to 3 decimals, or None of nothing."""
    return round(part / whole, 3) if whole else None


class Tally:
    """Offered and kept, shown and hidden."""

    def __init__(self):
        self.counts = Counter()

    def add(self, shown, accepted):
        kind = "shown" if shown else "hidden"
        self.counts[kind] += 1
        self.counts[f"{kind} kept"] += bool(accepted)

    def result(self):
        return {
            "shown": self.counts["shown"],
            "accepted": share(self.counts["shown kept"], self.counts["shown"]),
            "hidden": self.counts["hidden"],
            "matched_unaided": share(self.counts["hidden kept"], self.counts["hidden"]),
        }


def agreement_between(items, name, scheme):
    """Percent agreement and nominal alpha of one categorical field over ``items`` (lists of
    labels objects, one list per sentence)."""
    field = scheme.named[name]
    categories = {label: n for n, label in enumerate(field.choices)}
    rows = []
    for labels in items:
        row = np.zeros(len(categories), dtype=np.int64)
        for each in labels:
            value = field.value(each)
            if value in categories:
                row[categories[value]] += 1
        if row.sum() >= 2:
            rows.append(row)
    if not rows:
        return {"items": 0, "percent": None, "alpha": None}
    counts = np.array(rows)
    alpha = stats.krippendorff_alpha(counts).value
    return {
        "items": len(rows),
        "percent": round(stats.percent_agreement(counts).value, 3),
        "alpha": None if alpha is None or not np.isfinite(alpha) else round(alpha, 3),
    }


def classifier_state():
    """The newest claim classifier and its held-out accuracy, or None."""
    row = newest_model(FACTS)
    if row is None:
        return None
    return {
        "name": f"{row.name}/{row.version}",
        "labels": row.labels,
        "held_out": row.held_out,
        "accuracy": row.accuracy,
        "prior_accuracy": row.prior_accuracy,
        "used": claims.beats_prior(row.accuracy, row.prior_accuracy),
        "trained": row.trained.isoformat(),
    }


def suggestion_report(scheme):
    """The figures, as a dict for JSON, the terminal and the review page; None when no
    annotation recorded a suggestion."""
    rows = db.session.execute(
        select(
            ANNOTATIONS.c.sentence_id, USERS.c.name, ANNOTATIONS.c.labels, ANNOTATIONS.c.suggested
        )
        .join(USERS, USERS.c.id == ANNOTATIONS.c.annotator_id)
        .where(~ANNOTATIONS.c.skipped, ANNOTATIONS.c.suggested.is_not(None))
    ).all()
    rows = [row for row in rows if row.suggested]  # a JSON null stored as such
    if not rows:
        return None
    fields, annotators = {}, {}
    sentences = {}
    for sentence_id, name, labels, suggested in rows:
        shown = bool(suggested.get("shown"))
        for field, given in (suggested.get("fields") or {}).items():
            fields.setdefault(field, Tally()).add(shown, given.get("accepted"))
            annotators.setdefault(name, {}).setdefault(field, Tally()).add(
                shown, given.get("accepted")
            )
        sentences.setdefault(sentence_id, []).append((shown, labels or {}))
    assisted = [
        [labels for _, labels in given]
        for given in sentences.values()
        if all(shown for shown, _ in given)
    ]
    unassisted = [
        [labels for _, labels in given]
        for given in sentences.values()
        if not any(shown for shown, _ in given)
    ]
    return {
        "annotations": len(rows),
        "shown": sum(bool(r.suggested.get("shown")) for r in rows),
        "fields": {name: tally.result() for name, tally in fields.items()},
        "annotators": {
            name: {field: tally.result() for field, tally in tallies.items()}
            for name, tallies in sorted(annotators.items())
        },
        "between_annotators": {
            name: {
                "assisted": agreement_between(assisted, name, scheme),
                "unassisted": agreement_between(unassisted, name, scheme),
            }
            for name in COMPARED
        },
        "claim_classifier": classifier_state(),
    }


def text_lines(result):
    """The figures for the terminal."""
    if result is None:
        return ["Suggestions: no annotation recorded any (none shown or hidden yet)."]
    lines = [
        f"Suggestions: {result['annotations']} annotations recorded them, "
        f"{result['shown']} shown, {result['annotations'] - result['shown']} hidden",
        "  field: accepted when shown (n) · matched when hidden (n)",
    ]
    for name, tally in result["fields"].items():
        lines.append(tally_line(name, tally))
    for annotator, tallies in result["annotators"].items():
        lines.append(f"  {annotator}:")
        lines += ["  " + tally_line(name, tally) for name, tally in tallies.items()]
    lines.append("  between annotators: assisted sentences · unassisted sentences")
    for name, pair in result["between_annotators"].items():
        parts = [
            f"{kind} {pair[kind]['items']} items, percent {figure(pair[kind]['percent'])}, "
            f"alpha {figure(pair[kind]['alpha'])}"
            for kind in ("assisted", "unassisted")
        ]
        lines.append(f"  {name}: " + " · ".join(parts))
    state = result["claim_classifier"]
    if state is None:
        lines.append("  claim: the rule-based prior (no classifier trained yet)")
    else:
        lines.append(
            f"  claim: {state['name']} on {state['labels']} labels, held-out accuracy "
            f"{figure(state['accuracy'])} against the prior's {figure(state['prior_accuracy'])} "
            f"({state['held_out']} sentences): "
            + ("suggesting" if state["used"] else "not used until it beats the prior")
        )
    return lines


def tally_line(name, tally):
    return (
        f"  {name}: {figure(tally['accepted'])} ({tally['shown']}) · "
        f"{figure(tally['matched_unaided'])} ({tally['hidden']})"
    )
