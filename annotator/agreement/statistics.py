"""Agreement coefficients on plain arrays, with no database in sight.

``counts`` is an items by categories matrix: how many annotators chose each category for
each item (only items with at least two ratings count), in any integer type: a million
items' counts come in one byte each, and no function here makes an items by categories
copy of them in a wider type (sums over items go one category at a time, or over the
distinct rows, ``rating_patterns``). ``table`` is a two-rater contingency table, rows
rater A, columns rater B. Every function that can fail to be defined returns
``Figure(None, reason)`` rather than raising: a reviewer sees "—" and why.

Krippendorff's alpha comes from the ``krippendorff`` package; the rest is written here
and tested against the published values in ``tests/vectors``.
"""

import math
from typing import NamedTuple

import krippendorff
import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio")
LIBRARY_CELLS = 4_000_000  # items x categories² up to which alpha comes from the package
ONE_LABEL = "only one label was used, so there is no variation to agree on"


class Figure(NamedTuple):
    """A coefficient, or None with the reason it cannot be computed."""

    value: float | None
    reason: str | None = None


def undefined(reason):
    """A figure that cannot be computed, and why."""
    return Figure(None, reason)


def ratings(counts):
    """Per item, how many ratings it has (summed a category at a time, in int64: thrice as
    fast as a sum along rows of a few one-byte numbers)."""
    total = np.zeros(len(counts), dtype=np.int64)
    for column in counts.T:
        total += column
    return total


def rated(counts):
    """The rows of ``counts`` with at least two ratings (no copy when that is all of them)."""
    counts = np.asarray(counts)
    if counts.dtype.kind != "i":
        counts = counts.astype(np.int64)
    keep = ratings(counts) >= 2
    return counts if keep.all() else counts[keep]


def agreeing_pairs(counts):
    """Per item, its ordered pairs of ratings that agree: n (n - 1) summed over its
    categories, in int64 one category at a time."""
    pairs = np.zeros(len(counts), dtype=np.int64)
    for column in counts.T:
        n = column.astype(np.int64)
        pairs += n * (n - 1)
    return pairs


def percent_agreement(counts):
    """Share of agreeing pairs of ratings per item, averaged over items."""
    counts = rated(counts)
    if not len(counts):
        return undefined("no item has two ratings yet")
    m = ratings(counts)
    agreeing = agreeing_pairs(counts) / (m * (m - 1))
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
        return undefined(ONE_LABEL)
    domain = list(values) if values is not None else list(range(counts.shape[1]))
    if reason := no_distances(counts, level, domain):
        return undefined(reason)
    if counts.shape[0] * counts.shape[1] ** 2 > LIBRARY_CELLS:
        # the package builds an items x V x V array; past this size the same coincidence
        # matrix summed by a matrix product (tested equal to the package) saves gigabytes
        return Figure(alpha_of_coincidences(coincidences(counts), level, domain))
    # the package multiplies counts by counts: in one byte, 12 ratings of a label overflow
    value = krippendorff.alpha(
        value_counts=counts.astype(np.int64), value_domain=domain, level_of_measurement=level
    )
    return Figure(float(value))


def no_distances(counts, level, values):
    """Why the numbers of the labels used in ``counts`` leave alpha at an interval or ratio
    level undefined (a 0/0 or NaN), or None when they do not."""
    if level not in ("interval", "ratio"):
        return None
    numbers = np.asarray(values, dtype=float)[counts.sum(axis=0) > 0]
    if not np.isfinite(numbers).all():
        return "a label used stands for no finite number (inf or nan), so it has no distances"
    if len(np.unique(numbers)) < 2:
        return (
            'the labels used all stand for one number (like "1" and "1.0"), '
            "so there is no variation to agree on"
        )
    return None


def fleiss_kappa(counts):
    """Fleiss' kappa; defined only when every item has the same number of ratings."""
    counts = rated(counts)
    if not len(counts):
        return undefined("no item has two ratings yet")
    m = ratings(counts)
    if m.min() != m.max():
        return undefined(
            f"items have different numbers of ratings ({m.min()}–{m.max()}); "
            "Fleiss' kappa needs the same number for every item"
        )
    m = int(m[0])
    shares = counts.sum(axis=0) / counts.sum()
    expected = float((shares**2).sum())
    if expected >= 1:
        return undefined(ONE_LABEL)
    observed = float((agreeing_pairs(counts) / (m * (m - 1))).mean())
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
    # the formula gives (1 - 0) / (1 - 0) = 1 here: perfect agreement that nobody had to
    # reach by telling two labels apart, so it is left undefined like alpha and kappa
    if np.count_nonzero(counts.sum(axis=0)) < 2:
        return undefined(ONE_LABEL)
    m = ratings(counts)
    observed = (agreeing_pairs(counts) / (m * (m - 1))).mean()
    shares = np.array([(column / m).mean() for column in counts.T])
    expected = (shares * (1 - shares)).sum() / (q - 1)
    return Figure(float((observed - expected) / (1 - expected)))


def table_percent(table):
    """Observed agreement of a two-rater table."""
    table = np.asarray(table, dtype=float)
    total = table.sum()
    if not total:
        return undefined("the two annotators share no item")
    return Figure(float(np.trace(table) / total))


def chance_corrected(table, expected_agreement):
    """(observed - expected) / (1 - expected) for a two-rater table, where
    ``expected_agreement(rows, columns, total)`` gives the chance agreement."""
    table = np.asarray(table, dtype=float)
    total = table.sum()
    if not total:
        return undefined("the two annotators share no item")
    observed = np.trace(table) / total
    expected = float(expected_agreement(table.sum(axis=1), table.sum(axis=0), total))
    if expected >= 1:
        return undefined("both used one and the same label throughout")
    return Figure(float((observed - expected) / (1 - expected)))


def cohen_kappa(table):
    """Cohen's kappa of a two-rater table (each rater's own label distribution)."""
    return chance_corrected(table, lambda rows, columns, total: (rows * columns).sum() / total**2)


def scott_pi(table):
    """Scott's pi of a two-rater table (one label distribution for both raters)."""
    return chance_corrected(
        table, lambda rows, columns, total: (((rows + columns) / (2 * total)) ** 2).sum()
    )


def coincidences(counts):
    """Krippendorff's coincidence matrix of ``counts`` (items with two ratings or more):
    each item's pairs of ratings, weighted 1 / (ratings - 1), summed over the distinct
    rows times how often each occurs."""
    patterns, frequency = rating_patterns(rated(counts))
    patterns = patterns.astype(float)
    weighted = patterns * frequency[:, None] / (patterns.sum(axis=1) - 1)[:, None]
    return weighted.T @ patterns - np.diag(weighted.sum(axis=0))


def squared_distances(level, totals, values):
    """Krippendorff's metric differences δ² between categories, for one or many sets of
    category totals (the ordinal metric depends on them; shape ``(..., V)``), given the
    categories' numeric values."""
    totals = np.asarray(totals, dtype=float)
    size = totals.shape[-1]
    if level == "nominal":
        return np.broadcast_to(1.0 - np.eye(size), (*totals.shape[:-1], size, size))
    if level == "ordinal":
        zero = np.zeros((*totals.shape[:-1], 1))
        cumulative = np.concatenate((zero, np.cumsum(totals, axis=-1)), axis=-1)
        c, k = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
        low, high = np.minimum(c, k), np.maximum(c, k)
        between = cumulative[..., high + 1] - cumulative[..., low]
        return (between - (totals[..., c] + totals[..., k]) / 2) ** 2
    values = np.asarray(values, dtype=float)
    difference = values[:, None] - values[None, :]
    if level == "interval":
        delta = difference**2
    else:
        total = values[:, None] + values[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = np.where(total == 0, 0.0, (difference / total) ** 2)
    return np.broadcast_to(delta, (*totals.shape[:-1], size, size))


def alpha_of_coincidences(matrix, level, values):
    """Alpha from a coincidence matrix, or from a stack of them (shape ``(..., V, V)``);
    NaN where there is no variation."""
    matrix = np.asarray(matrix, dtype=float)
    totals = matrix.sum(axis=-1)
    n = totals.sum(axis=-1)
    delta = squared_distances(level, totals, values)
    expected = (totals[..., :, None] * totals[..., None, :] * delta).sum(axis=(-2, -1))
    observed = (matrix * delta).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(expected == 0, np.nan, 1 - (n - 1) * observed / expected)
    return float(alpha) if alpha.ndim == 0 else alpha


def rating_patterns(counts):
    """The distinct rows of ``counts`` and how often each occurs, ordered comparing the last
    category first (so that a seed always draws the same interval). Rows are numbered in base
    max+1 when those numbers fit in int64 (a sort of numbers: ten times faster), else
    compared whole (many categories: 3 annotators overflow from the 33rd on)."""
    if not len(counts):
        return counts, np.zeros(0, dtype=np.int64)
    base = int(counts.max()) + 1
    if counts.shape[1] * math.log2(base) < 63:
        numbers = np.zeros(len(counts), dtype=np.int64)
        for column, power in zip(counts.T, base ** np.arange(counts.shape[1]), strict=True):
            numbers += column * power
        _, first, frequency = np.unique(numbers, return_index=True, return_counts=True)
        return counts[first], frequency
    backwards, frequency = np.unique(counts[:, ::-1], axis=0, return_counts=True)
    return backwards[:, ::-1], frequency


def bootstrap_alpha(counts, level="nominal", values=None, draws=1000, seed=13):
    """A 95% percentile interval for alpha, resampling items with replacement.

    Items with the same ratings are interchangeable, so a draw only counts how often each
    distinct rating pattern is picked (one multinomial per draw) and sums the patterns'
    coincidence matrices: exact, and as fast for a million items as for a hundred.
    """
    counts = rated(counts)
    if len(counts) < 2 or np.count_nonzero(counts.sum(axis=0)) < 2:
        return undefined("too few items or labels to resample")
    values = list(values) if values is not None else list(range(counts.shape[1]))
    if reason := no_distances(counts, level, values):
        return undefined(reason)
    patterns, frequency = rating_patterns(counts)
    per_pattern = np.stack([coincidences(pattern[None, :]) for pattern in patterns])
    rng = np.random.default_rng(seed)
    picks = rng.multinomial(len(counts), frequency / frequency.sum(), size=draws)
    alphas = alpha_of_coincidences(np.einsum("dp,pck->dck", picks, per_pattern), level, values)
    alphas = alphas[~np.isnan(alphas)]
    if not len(alphas):
        return undefined("no resample had any variation")
    low, high = np.percentile(alphas, [2.5, 97.5])
    return Figure((float(low), float(high)))


def pair_confusion(counts):
    """Label by label counts over all pairs of ratings of the same item (symmetric), summed
    over the distinct rows times how often each occurs."""
    patterns, frequency = rating_patterns(rated(counts))
    patterns = patterns.astype(np.int64)
    weighted = patterns * frequency[:, None]
    return weighted.T @ patterns - np.diag(weighted.sum(axis=0))


def span_f1(a_start, a_end, b_start, b_end):
    """F1 of two annotators' spans over their shared items, exact and by overlap.

    Arrays per shared item; a start of -1 means that annotator marked no span there.
    Items where neither marked a span do not count (there is nothing to match).
    """
    a_start, a_end, b_start, b_end = map(np.asarray, (a_start, a_end, b_start, b_end))
    a, b = a_start >= 0, b_start >= 0
    marked = int(a.sum() + b.sum())
    if not marked:
        return {"exact": undefined("no spans marked"), "overlap": undefined("no spans marked")}
    both = a & b
    exact = both & (a_start == b_start) & (a_end == b_end)
    overlap = both & (a_start < b_end) & (b_start < a_end)
    return {
        "exact": Figure(2 * int(exact.sum()) / marked),
        "overlap": Figure(2 * int(overlap.sum()) / marked),
    }
