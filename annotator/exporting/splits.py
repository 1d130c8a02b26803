"""Splits by document (no article in two splits), stratified by outlet, by stance targets
or by both, reproducible."""

import math
import random

# what a split can be stratified by, and the part of a document's (id, outlet, targets) row
# that makes its stratum: its outlet; its targets as a whole, in any order (a document on
# two targets is dealt with the documents on the same two, not with those on either one)
STRATA = {
    "outlet": lambda outlet, targets: outlet or "",
    "target": lambda outlet, targets: tuple(sorted(targets)),
}


class SplitError(ValueError):
    """A --split that is not NAME=SHARE pairs adding up to 1, or a --stratify that names
    something a split cannot be stratified by."""


def parse_split(text):
    """``train=0.8,dev=0.1,test=0.1`` -> [("train", 0.8), ...]; a clear error otherwise."""
    shares = []
    for part in text.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if not name or not value or not name.replace("-", "").replace("_", "").isalnum():
            raise SplitError(
                f"{part.strip()!r} is not NAME=SHARE; write e.g. train=0.8,dev=0.1,test=0.1"
            )
        try:
            share = float(value)
        except ValueError:
            raise SplitError(f"the share of {name!r} is not a number: {value!r}") from None
        if not 0 < share <= 1:
            raise SplitError(f"the share of {name!r} must be above 0 and at most 1")
        if name in dict(shares):
            raise SplitError(f"{name!r} is named twice")
        shares.append((name, share))
    total = sum(share for _, share in shares)
    if not math.isclose(total, 1.0, abs_tol=1e-9):
        raise SplitError(f"the shares add up to {total:g}, not 1")
    return shares


def parse_stratify(text):
    """``outlet,target`` -> ("outlet", "target"), in that order whatever the order given; a
    clear error otherwise."""
    given = [part.strip() for part in text.split(",")]
    for part in given:
        if part not in STRATA:
            raise SplitError(
                f"{part!r} is not something to stratify by; use {' or '.join(STRATA)}, "
                "or both: outlet,target"
            )
    return tuple(name for name in STRATA if name in given)


def deal(count, shares, debt):
    """How many of ``count`` documents each split gets, carrying the rounding ``debt`` from
    earlier strata so that small strata do not all fall into the largest split.
    Returns (sizes, new debt)."""
    exact = [count * share + owed for share, owed in zip(shares, debt, strict=True)]
    given = [max(0, math.floor(x)) for x in exact]
    while sum(given) > count:  # only when a negative debt was clamped to 0
        worst = min((i for i in range(len(given)) if given[i]), key=lambda i: exact[i] - given[i])
        given[worst] -= 1
    by_remainder = sorted(range(len(shares)), key=lambda i: (given[i] - exact[i], i))
    for i in by_remainder[: count - sum(given)]:
        given[i] += 1
    return given, [x - g for x, g in zip(exact, given, strict=True)]


def assign(documents, shares, seed, strata=("outlet",)):
    """{document id: split name} for ``documents`` given as (id, outlet, targets) in import
    order: within each stratum (``strata``: names in STRATA), documents are shuffled with
    ``seed`` and dealt out by share."""
    by_stratum = {}
    for document_id, outlet, targets in documents:
        stratum = tuple(STRATA[name](outlet, targets) for name in strata)
        by_stratum.setdefault(stratum, []).append(document_id)
    rng = random.Random(seed)
    names = [name for name, _ in shares]
    debt = [0.0] * len(shares)
    split_of = {}
    for stratum in sorted(by_stratum):
        ids = by_stratum[stratum]
        rng.shuffle(ids)
        sizes, debt = deal(len(ids), [share for _, share in shares], debt)
        start = 0
        for name, size in zip(names, sizes, strict=True):
            for document_id in ids[start : start + size]:
                split_of[document_id] = name
            start += size
    return split_of
