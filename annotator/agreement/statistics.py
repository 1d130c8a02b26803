"""Agreement coefficients on plain arrays, with no database in sight.

``counts`` is an items by categories matrix: how many annotators chose each category for
each item (only items with at least two ratings count). ``table`` is a two-rater
contingency table, rows rater A, columns rater B. Every function that can fail to be
defined returns ``Figure(None, reason)`` rather than raising: a reviewer sees "—" and why.

Krippendorff's alpha comes from the ``krippendorff`` package; the rest is written here
and tested against the published values in ``tests/vectors``.
"""

from typing import NamedTuple

import krippendorff
import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio")


class Figure(NamedTuple):
    """A coefficient, or None with the reason it cannot be computed."""

    value: float | None
    reason: str | None = None


def undefined(reason):
    """A figure that cannot be computed, and why."""
    return Figure(None, reason)


def rated(counts):
    """The rows of ``counts`` with at least two ratings."""
    counts = np.asarray(counts, dtype=np.int64)
    return counts[counts.sum(axis=1) >= 2]


def percent_agreement(counts):
    """Share of agreeing pairs of ratings per item, averaged over items."""
    counts = rated(counts)
    if not len(counts):
        return undefined("no item has two ratings yet")
    m = counts.sum(axis=1)
    agreeing = (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))
    return Figure(float(agreeing.mean()))


def krippendorff_alpha(counts, level="nominal", values=None):
    """Krippendorff's alpha at ``level`` (missing ratings allowed, any number of raters).

    ``values`` are the numbers of the categories for interval and ratio levels; for the
    ordinal level the column order is the rank order.
    """
    counts = rated(counts)
    if not len(counts):
        return undefined("no item has two ratings yet")
    if np.count_nonzero(counts.sum(axis=0)) < 2:
        return undefined("only one label was used, so there is no variation to agree on")
    domain = list(values) if values is not None else list(range(counts.shape[1]))
    value = krippendorff.alpha(value_counts=counts, value_domain=domain, level_of_measurement=level)
    return Figure(float(value))


def fleiss_kappa(counts):
    """Fleiss' kappa; defined only when every item has the same number of ratings."""
    counts = rated(counts)
    if not len(counts):
        return undefined("no item has two ratings yet")
    m = counts.sum(axis=1)
    if m.min() != m.max():
        return undefined(
            f"items have different numbers of ratings ({m.min()}–{m.max()}); "
            "Fleiss' kappa needs the same number for every item"
        )
    m = int(m[0])
    shares = counts.sum(axis=0) / counts.sum()
    expected = float((shares**2).sum())
    if expected >= 1:
        return undefined("only one label was used, so there is no variation to agree on")
    observed = float(((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))).mean())
    return Figure((observed - expected) / (1 - expected))


def gwet_ac1(counts, categories=None):
    """Gwet's AC1 for any number of raters with missing ratings (Gwet 2014, ch. 2).

    ``categories`` is the number of categories on the scale (default: the columns).
    """
    counts = rated(counts)
    if not len(counts):
        return undefined("no item has two ratings yet")
    q = categories or counts.shape[1]
    if q < 2:
        return undefined("the scale has a single category")
    m = counts.sum(axis=1)
    observed = ((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))).mean()
    shares = (counts / m[:, None]).mean(axis=0)
    expected = (shares * (1 - shares)).sum() / (q - 1)
    return Figure(float((observed - expected) / (1 - expected)))


def table_percent(table):
    """Observed agreement of a two-rater table."""
    table = np.asarray(table, dtype=float)
    total = table.sum()
    if not total:
        return undefined("the two annotators share no item")
    return Figure(float(np.trace(table) / total))


def cohen_kappa(table):
    """Cohen's kappa of a two-rater table (each rater's own label distribution)."""
    table = np.asarray(table, dtype=float)
    total = table.sum()
    if not total:
        return undefined("the two annotators share no item")
    observed = np.trace(table) / total
    expected = float((table.sum(axis=1) * table.sum(axis=0)).sum() / total**2)
    if expected >= 1:
        return undefined("both used one and the same label throughout")
    return Figure(float((observed - expected) / (1 - expected)))


def scott_pi(table):
    """Scott's pi of a two-rater table (one label distribution for both raters)."""
    table = np.asarray(table, dtype=float)
    total = table.sum()
    if not total:
        return undefined("the two annotators share no item")
    observed = np.trace(table) / total
    shares = (table.sum(axis=1) + table.sum(axis=0)) / (2 * total)
    expected = float((shares**2).sum())
    if expected >= 1:
        return undefined("both used one and the same label throughout")
    return Figure(float((observed - expected) / (1 - expected)))


def coincidences(counts):
    """Krippendorff's coincidence matrix of ``counts`` (items with two ratings or more)."""
    counts = rated(counts).astype(float)
    m = counts.sum(axis=1)
    pairs = counts[:, :, None] * counts[:, None, :]
    pairs[:, np.arange(counts.shape[1]), np.arange(counts.shape[1])] -= counts
    return (pairs / (m - 1)[:, None, None]).sum(axis=0)


def squared_distances(level, totals, values):
    """Krippendorff's metric differences δ² between categories, given the category totals
    (the ordinal metric depends on them) and the categories' numeric values."""
    size = len(totals)
    if level == "nominal":
        return 1.0 - np.eye(size)
    if level == "ordinal":
        cumulative = np.concatenate(([0.0], np.cumsum(totals)))
        c, k = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
        low, high = np.minimum(c, k), np.maximum(c, k)
        between = cumulative[high + 1] - cumulative[low]
        return (between - (totals[c] + totals[k]) / 2) ** 2
    values = np.asarray(values, dtype=float)
    difference = values[:, None] - values[None, :]
    if level == "interval":
        return difference**2
    total = values[:, None] + values[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total == 0, 0.0, (difference / total) ** 2)


def alpha_of_coincidences(matrix, level, values):
    """Alpha from a coincidence matrix; NaN when it has no variation."""
    totals = matrix.sum(axis=1)
    n = totals.sum()
    delta = squared_distances(level, totals, values)
    expected = (totals[:, None] * totals[None, :] * delta).sum()
    if expected == 0:
        return float("nan")
    return float(1 - (n - 1) * (matrix * delta).sum() / expected)


def bootstrap_alpha(counts, level="nominal", values=None, draws=1000, seed=13):
    """A 95% percentile interval for alpha, resampling items with replacement.

    Items with the same ratings are interchangeable, so the draw counts how often each
    distinct rating pattern is picked (one multinomial per draw) and sums their
    coincidence matrices: exact, and fast for any number of items.
    """
    counts = rated(counts)
    if len(counts) < 2 or np.count_nonzero(counts.sum(axis=0)) < 2:
        return undefined("too few items or labels to resample")
    values = list(values) if values is not None else list(range(counts.shape[1]))
    patterns, frequency = np.unique(counts, axis=0, return_counts=True)
    per_pattern = np.stack([coincidences(pattern[None, :]) for pattern in patterns])
    rng = np.random.default_rng(seed)
    picks = rng.multinomial(len(counts), frequency / frequency.sum(), size=draws)
    matrices = np.einsum("dp,pck->dck", picks, per_pattern)
    alphas = np.array([alpha_of_coincidences(m, level, values) for m in matrices])
    alphas = alphas[~np.isnan(alphas)]
    if not len(alphas):
        return undefined("no resample had any variation")
    low, high = np.percentile(alphas, [2.5, 97.5])
    return Figure((float(low), float(high)))


def pair_confusion(counts):
    """Label by label counts over all pairs of ratings of the same item (symmetric)."""
    counts = rated(counts).astype(np.int64)
    pairs = counts[:, :, None] * counts[:, None, :]
    diagonal = np.arange(counts.shape[1])
    pairs[:, diagonal, diagonal] -= counts
    return pairs.sum(axis=0)


def span_f1(pairs):
    """F1 of two annotators' spans, exact and by overlap, pooled over items.

    ``pairs`` holds (span of A, span of B) per shared item, a span being (start, end) or
    None. Items where neither marked a span do not count (there is nothing to match).
    """
    marked = exact = overlap = 0
    for a, b in pairs:
        marked += (a is not None) + (b is not None)
        if a is not None and b is not None:
            exact += a == b
            overlap += a[0] < b[1] and b[0] < a[1]
    if not marked:
        return {"exact": undefined("no spans marked"), "overlap": undefined("no spans marked")}
    return {"exact": Figure(2 * exact / marked), "overlap": Figure(2 * overlap / marked)}
