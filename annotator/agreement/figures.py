"""How an agreement figure is written and judged: three decimals, or a dash when it could not
be computed; an alpha against Krippendorff's (2004) thresholds."""

RELIABLE, TENTATIVE = 0.8, 0.667  # alpha from which data are reliable / allow tentative conclusions


def figure(value, decimals=3):
    """A coefficient for display (the review pages, the terminal, the dataset card), or —
    when it could not be computed."""
    return "—" if value is None else f"{value:.{decimals}f}"


def reliability(alpha):
    """How far an alpha can be relied on: reliable, tentative, unreliable, or unknown."""
    if alpha is None:
        return "unknown"
    if alpha >= RELIABLE:
        return "reliable"
    return "tentative" if alpha >= TENTATIVE else "unreliable"
