"""The agreement report: every figure per field, for the whole project, per outlet, or
per annotator against the rest. Plain dicts, ready for JSON, the terminal and the page."""

from itertools import combinations

import numpy as np

from .. import targets
from . import statistics as stats
from .assisted import suggestion_report
from .data import UNRATED, having, load

GROUPINGS = ("outlet", "annotator", "target")


class ReportError(ValueError):
    """A request the data cannot answer (unknown field, a level the labels cannot carry)."""


def rounded(value):
    """Floats to 6 decimals (tuples too); None stays None."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return [round(v, 6) for v in value]
    return round(value, 6)


class Figures:
    """Collects figures into a dict, with the reason beside each one that is None."""

    def __init__(self, **known):
        self.data = dict(known)
        self.why = {}

    def put(self, name, figure):
        """Store a Figure under ``name`` (its reason too when it is undefined); NaN or an
        infinity is stored as undefined, since JSON has no such numbers."""
        if figure.value is not None and not np.isfinite(figure.value).all():
            figure = stats.undefined(f"the formula gave {figure.value}, not a finite number")
        self.data[name] = rounded(figure.value)
        if figure.value is None:
            self.why[name] = figure.reason

    def result(self):
        """The figures, with ``why`` listing the reasons for the missing ones."""
        return {**self.data, "why": self.why}


def numeric_values(name, level, categories):
    """The numbers behind the labels, needed for interval and ratio levels."""
    if level in ("nominal", "ordinal"):
        return list(range(len(categories)))
    try:
        return [float(label) for label in categories]
    except ValueError:
        text = next(label for label in categories if not is_number(label))
        raise ReportError(
            f"{name}: level {level!r} needs numeric labels, but {text!r} is text; "
            'set level = "nominal" or "ordinal" for it in the scheme file'
        ) from None


def is_number(label):
    """Whether a label reads as a number."""
    try:
        float(label)
    except ValueError:
        return False
    return True


def too_few(items, minimum, answered=None):
    """Why figures are left out for lack of items; ``answered``: how many annotations give
    the field a value (none at all: a stance target nobody was asked yet)."""
    if answered == 0:
        return (
            "no annotation gives it a value yet (nothing labelled, or a stance target "
            "nobody was asked)"
        )
    if not items:
        return "no sentence has two annotations yet"
    return f"only {items} sentences have two annotations or more; at least {minimum} wanted"


def pair_tables(r):
    """{(a, b): contingency table} for every pair of annotators sharing an item."""
    size = len(r.categories)
    tables = {}
    for a, b in combinations(range(len(r.annotators)), 2):
        both = (r.matrix[:, a] >= 0) & (r.matrix[:, b] >= 0)
        if both.any():
            flat = r.matrix[both, a].astype(np.intp) * size + r.matrix[both, b]
            tables[(a, b)] = np.bincount(flat, minlength=size * size).reshape(size, size)
    return tables


def pair_name(r, a, b):
    """``alice|bob``: the two names in alphabetical order."""
    return "|".join(sorted((r.annotators[a], r.annotators[b])))


def mean_kappa(kappas):
    """Mean of the defined pairwise kappas as a Figure."""
    defined = [k for k in kappas if k is not None]
    if not defined:
        return stats.undefined("no pair of annotators has a defined kappa")
    return stats.Figure(float(np.mean(defined)))


def category_figures(r, level, values, options):
    """All figures of one categorical field."""
    counts = r.counts()
    multiple = stats.ratings(counts) >= 2
    counts = counts[multiple]
    shared = r.matrix[multiple]
    annotators = np.count_nonzero((shared >= 0).any(axis=0))
    used = counts.sum(axis=0)
    figures = Figures(
        items=len(counts),
        annotators=int(annotators),
        labels=[label for label, n in zip(r.categories, used, strict=True) if n],
        level=level,
    )
    if len(counts) < options.min_items or not len(counts):
        reason = too_few(len(counts), options.min_items, int(np.count_nonzero(r.matrix >= 0)))
        for name in ("percent", "alpha", "alpha_ci95", "fleiss_kappa", "ac1", "cohen_kappa"):
            figures.put(name, stats.undefined(reason))
        figures.data.update(pairs={}, pair_items={}, confusion=None, label_counts={})
        return figures.result()
    figures.put("percent", stats.percent_agreement(counts))
    figures.put("alpha", stats.krippendorff_alpha(counts, level, values))
    figures.put(
        "alpha_ci95",
        stats.bootstrap_alpha(counts, level, values, draws=options.draws, seed=options.seed),
    )
    figures.put("fleiss_kappa", stats.fleiss_kappa(counts))
    figures.put("ac1", stats.gwet_ac1(counts, categories=max(len(r.categories), 2)))
    pairs, items = {}, {}
    for (a, b), table in pair_tables(r.select(multiple)).items():
        name = pair_name(r, a, b)
        pairs[name] = rounded(stats.cohen_kappa(table).value)
        items[name] = int(table.sum())
    figures.put("cohen_kappa", mean_kappa(pairs.values()))
    confusion = stats.pair_confusion(counts)
    figures.data.update(
        pairs=pairs,
        pair_items=items,
        confusion={"labels": list(r.categories), "matrix": confusion.tolist()},
        label_counts={label: int(n) for label, n in zip(r.categories, used, strict=True)},
    )
    return figures.result()


def span_figures(spans, options):
    """Pairwise F1 of one span field, exact and by overlap, pooled and per pair."""
    multiple = spans.rated.sum(axis=1) >= 2
    shared = spans.select(multiple)
    figures = Figures(
        items=int(multiple.sum()), annotators=int(np.count_nonzero(shared.rated.any(axis=0)))
    )
    if multiple.sum() < options.min_items or not multiple.any():
        reason = too_few(int(multiple.sum()), options.min_items)
        figures.put("f1_exact", stats.undefined(reason))
        figures.put("f1_overlap", stats.undefined(reason))
        figures.data["pairs"] = {}
        return figures.result()
    pooled, pairs = [], {}
    for a, b in combinations(range(len(shared.annotators)), 2):
        both = shared.rated[:, a] & shared.rated[:, b]
        if both.any():
            columns = (shared.start[both, a], shared.end[both, a])
            columns += (shared.start[both, b], shared.end[both, b])
            f1 = stats.span_f1(*columns)
            pairs[pair_name(shared, a, b)] = {k: rounded(v.value) for k, v in f1.items()}
            pooled.append(columns)
    together = [np.concatenate(parts) for parts in zip(*pooled, strict=True)] or [[]] * 4
    f1 = stats.span_f1(*together)
    figures.put("f1_exact", f1["exact"])
    figures.put("f1_overlap", f1["overlap"])
    figures.data["pairs"] = pairs
    return figures.result()


class Options:
    """What the report computes: bootstrap draws and seed, the minimum of items."""

    def __init__(self, draws=1000, seed=13, min_items=1):
        self.draws, self.seed, self.min_items = draws, seed, min_items


class Project:
    """Every field of the project's annotations, read once per report."""

    def __init__(self, scheme):
        self.scheme = targets.every(scheme)  # a stance field per target of any document
        self.levels = {field.name: field.level for field in self.scheme.agreed_fields}
        self.spans = {field.name for field in self.scheme.span_fields}
        annotations = load(self.scheme, default=scheme)
        self.annotations = annotations.count
        self.items = annotations.items
        self.outlets = annotations.outlets
        self.documents = annotations.documents
        self.targets = annotations.targets
        self.fields = annotations.fields
        self.values = {
            name: numeric_values(name, level, self.fields[name].categories)
            for name, level in self.levels.items()
        }
        self.claims = self.claim_items()

    def claim_items(self):
        """Items that every annotator who labelled them marked as some kind of claim."""
        r = self.fields["claim"]
        # "not_claim" is the one label that is not a claim (the first, in a scheme without it)
        not_claim = "not_claim" if "not_claim" in r.categories else r.categories[0]
        claim_codes = [i for i, label in enumerate(r.categories) if label != not_claim]
        rated = r.matrix != UNRATED
        is_claim = np.isin(r.matrix, claim_codes)
        return rated.any(axis=1) & ~(rated & ~is_claim).any(axis=1)

    def names(self):
        """Every field name in report order."""
        return list(self.fields)

    def figures(self, name, keep, options):
        """The figures of field ``name`` over the items where ``keep`` holds."""
        r = self.fields[name].select(keep)
        if name in self.spans:
            return span_figures(r, options)
        return category_figures(r, self.levels[name], self.values[name], options)

    def all_figures(self, names, keep, options):
        """``fields`` and ``claims_only`` figures for ``names`` over the kept items."""
        conditional = [n for n in names if self.scheme.named[n].claims_only]
        return {
            "fields": {name: self.figures(name, keep, options) for name in names},
            "claims_only": {
                name: self.figures(name, keep & self.claims, options) for name in conditional
            },
        }

    def target_figures(self, names, options):
        """Per stance target: how many documents have it, and its field's figures over
        their sentences (``items``: those with two or more annotators asked it)."""
        groups = {}
        for field in self.scheme.agreed_fields:
            if field.target is None or field.name not in names:
                continue
            keep = having(self.documents, self.targets, field.target)
            documents = sum(field.target in asked for asked in self.targets.values())
            groups[field.target] = {
                "documents": documents,
                **self.all_figures([field.name], keep, options),
            }
        return groups

    def annotator_figures(self, names, options):
        """Each annotator against the others, per categorical field."""
        groups = {}
        for annotator in self.fields["claim"].annotators:
            fields = {}
            for name in names:
                if name in self.spans:
                    continue
                fields[name] = self.one_against_rest(name, annotator, options)
            groups[annotator] = {"fields": fields}
        return groups

    def one_against_rest(self, name, annotator, options):
        """How one annotator agrees with the others on one field."""
        r = self.fields[name]
        if annotator not in r.annotators:
            return {"items": 0, "percent": None, "cohen_kappa": None, "alpha_without": None}
        column = r.annotators.index(annotator)
        mine = r.matrix[:, column]
        others = np.delete(r.matrix, column, axis=1)
        shared = (mine >= 0) & (others >= 0).any(axis=1)
        rated_others = others[shared] >= 0
        agreeing = (others[shared] == mine[shared][:, None]) & rated_others
        figures = Figures(items=int(shared.sum()))
        if shared.any():
            figures.put("percent", stats.Figure(float(agreeing.sum() / rated_others.sum())))
        else:
            figures.put("percent", stats.undefined("shares no item with another annotator"))
        kappas = [
            stats.cohen_kappa(table).value
            for (a, b), table in pair_tables(r).items()
            if column in (a, b)
        ]
        figures.put("cohen_kappa", mean_kappa(kappas))
        rest = r.without(column).counts()
        alpha = stats.krippendorff_alpha(rest, self.levels[name], self.values[name])
        figures.put("alpha_without", alpha)
        return figures.result()


def report(scheme, field=None, by=None, options=None):
    """The agreement report as a dict (see DESIGN.md): ``fields`` (a ``stance.<target>``
    for every target of any document), ``claims_only``, and with ``by`` the same per
    outlet or per annotator, or a target's own figures and document count per target,
    under ``groups``; without ``field``, ``suggestions``: how the suggestions were taken
    (``assisted.py``)."""
    options = options or Options()
    if by is not None and by not in GROUPINGS:
        raise ReportError(f"--by {by!r} is not a grouping; use one of: {', '.join(GROUPINGS)}")
    project = Project(scheme)
    names = project.names()
    if field is not None:
        if field not in names:
            raise ReportError(f"no field {field!r}; the fields are: {', '.join(names)}")
        names = [field]
    everything = np.ones(len(project.items), dtype=bool)
    result = {
        "annotations": project.annotations,
        "items": len(project.items),
        "draws": options.draws,
        "seed": options.seed,
        **project.all_figures(names, everything, options),
        **({"suggestions": suggestion_report(project.scheme)} if field is None else {}),
    }
    if by == "outlet":
        result["by"] = "outlet"
        result["groups"] = {
            outlet: project.all_figures(names, project.outlets == outlet, options)
            for outlet in sorted(set(project.outlets))
        }
    elif by == "annotator":
        result["by"] = "annotator"
        result["groups"] = project.annotator_figures(names, options)
    elif by == "target":
        if field is not None and project.scheme.named[field].target is None:
            raise ReportError(
                f"--by target gives the stance figures of each target; {field!r} is not one "
                "(name a stance.<target> field, or leave --field out)"
            )
        result["by"] = "target"
        result["groups"] = project.target_figures(names, options)
    return result
