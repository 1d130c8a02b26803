"""Pages for reviewers: how far the annotators agree, per field, outlet and annotator."""

from flask import Blueprint, request, url_for

from .agreement.cache import figures_cache
from .agreement.data import SPAN_FIELDS
from .agreement.report import GROUPINGS
from .auth import roles_required
from .pages import page_or_partial

bp = Blueprint("review", __name__, url_prefix="/review")
staff_only = roles_required("reviewer", "admin")
RELIABLE, TENTATIVE = 0.8, 0.667  # Krippendorff's (2004) thresholds for alpha


@bp.app_template_filter("figure")
def figure(value, decimals=3):
    """A coefficient for display, or — when it could not be computed."""
    return "—" if value is None else f"{value:.{decimals}f}"


@bp.app_template_global()
def reliability(alpha):
    """A CSS class for an alpha: reliable, tentative, unreliable, or unknown."""
    if alpha is None:
        return "unknown"
    if alpha >= RELIABLE:
        return "reliable"
    return "tentative" if alpha >= TENTATIVE else "unreliable"


FIGURE_NAMES = {
    "percent": "percent",
    "alpha": "α",
    "alpha_ci95": "α interval",
    "fleiss_kappa": "Fleiss κ",
    "ac1": "AC1",
    "cohen_kappa": "Cohen κ",
    "f1_exact": "F1 exact",
    "f1_overlap": "F1 overlap",
}


@bp.app_template_global()
def grouped_reasons(why):
    """[(reason, [figure names])]: the figures that are missing for the same reason."""
    grouped = {}
    for key, reason in why.items():
        grouped.setdefault(reason, []).append(FIGURE_NAMES.get(key, key))
    return list(grouped.items())


@bp.app_template_global()
def largest(matrix):
    """The largest value of a matrix (None cells ignored), at least 1e-9: a colour scale."""
    values = [value for row in matrix for value in row if value is not None]
    return max([*values, 1e-9])


@bp.app_template_global()
def pair_matrix(pairs):
    """(names, rows) of a ``{"a|b": value}`` dict: a symmetric annotator by annotator
    matrix, None on the diagonal and for pairs that share no item."""
    names = sorted({name for pair in pairs for name in pair.split("|")})
    rows = [[None] * len(names) for _ in names]
    position = {name: i for i, name in enumerate(names)}
    for pair, value in pairs.items():
        a, b = (position[name] for name in pair.split("|"))
        rows[a][b] = rows[b][a] = value
    return names, rows


@bp.get("/agreement")
@staff_only
def agreement():
    """Agreement per field (and per outlet or annotator with ``?by=``), from the cache of
    figures; new figures are computed in the background while the last ones are shown."""
    by = request.args.get("by") or None
    message = None
    if by not in (None, *GROUPINGS):
        message = f"There is no grouping {by!r}; showing the whole project."
        by = None
    cache = figures_cache()
    entry, current = cache.figures(by)
    return page_or_partial(
        "review/agreement.html",
        "partials/agreement.html",
        entry=entry,
        current=current,
        computing=cache.computing(by),
        by=by,
        groupings=GROUPINGS,
        span_fields=SPAN_FIELDS,
        message=message,
        here=url_for("review.agreement", by=by),
    )
