"""``flask agreement``: the agreement report in the terminal or as JSON."""

import click
from flask import current_app

from ..agreement.assisted import text_lines
from ..agreement.figures import figure
from ..agreement.report import GROUPINGS, Options, ReportError, report
from ..text import shown, shown_json

PAIRS_SHOWN = 6
FIGURES = (
    ("percent", "percent"),
    ("alpha", "alpha"),
    ("fleiss_kappa", "Fleiss κ"),
    ("ac1", "AC1"),
    ("cohen_kappa", "Cohen κ (mean)"),
)


def pair_lines(figures):
    """Cohen's kappa per pair of annotators, lowest first, at most PAIRS_SHOWN of them."""
    pairs = sorted(figures["pairs"].items(), key=lambda pair: (pair[1] is not None, pair[1] or 0))
    lines = [
        f"  {pair}: κ {figure(kappa)} over {figures['pair_items'][pair]} items"
        for pair, kappa in pairs[:PAIRS_SHOWN]
    ]
    if len(pairs) > PAIRS_SHOWN:
        lines.append(f"  … {len(pairs) - PAIRS_SHOWN} more pairs (--json lists them all)")
    return lines


def field_lines(name, figures):
    """Lines describing one field's figures."""
    if "f1_exact" in figures:
        lines = [f"{name}: {figures['items']} items, {figures['annotators']} annotators"]
        lines.append(
            f"  F1 exact {figure(figures['f1_exact'])}   F1 overlap {figure(figures['f1_overlap'])}"
        )
        lines += [
            f"  {pair}: exact {figure(f1['exact'])}, overlap {figure(f1['overlap'])}"
            for pair, f1 in figures["pairs"].items()
        ]
    elif "level" in figures:
        labels = ", ".join(figures["labels"]) or "none"
        lines = [
            f"{name} ({figures['level']}): {figures['items']} items, "
            f"{figures['annotators']} annotators; labels used: {labels}"
        ]
        parts = [f"{title} {figure(figures[key])}" for key, title in FIGURES]
        interval = figures["alpha_ci95"]
        if interval:
            parts[1] += f" [{figure(interval[0])}, {figure(interval[1])}]"
        lines.append("  " + "   ".join(parts))
        lines += pair_lines(figures)
    else:  # one annotator against the rest
        lines = [
            f"{name}: {figures['items']} shared items; agrees with others "
            f"{figure(figures['percent'])}, Cohen κ (mean) {figure(figures['cohen_kappa'])}, "
            f"alpha without them {figure(figures['alpha_without'])}"
        ]
    lines += [f"  {key}: — {reason}" for key, reason in figures["why"].items()]
    return lines


def section_lines(section):
    """Lines for a ``{"fields", "claims_only"}`` section."""
    lines = []
    for name, figures in section["fields"].items():
        lines += field_lines(name, figures)
    for name, figures in section.get("claims_only", {}).items():
        lines += field_lines(f"{name} | claims only", figures)
    return lines


def text_report(result):
    """The whole report as text; outlets, names and labels with any control characters
    shown as escapes."""
    lines = [
        f"{result['annotations']} annotations of {result['items']} sentences "
        f"(skips left out); alpha interval: {result['draws']} bootstrap draws, "
        f"seed {result['seed']}",
        "",
        *section_lines(result),
    ]
    for group, section in result.get("groups", {}).items():
        heading = f"== {result['by']}: {group}"
        if "documents" in section:  # a target: the documents that have it
            count = section["documents"]
            heading += f" ({count} document{'' if count == 1 else 's'})"
        lines += ["", heading, *section_lines(section)]
    if "suggestions" in result:  # without --field
        lines += ["", *text_lines(result["suggestions"])]
    return "\n".join(map(shown, lines))


@click.command("agreement")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--field", help="Only this field, e.g. claim or stance.Armenia.")
@click.option(
    "--by",
    type=click.Choice(GROUPINGS),
    help="Also per outlet, per annotator, or per stance target (each target's own figures).",
)
@click.option(
    "--min-items",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Leave a field's figures out (null) below this many items with 2+ annotations.",
)
@click.option(
    "--draws",
    type=click.IntRange(min=1000),
    default=1000,
    show_default=True,
    help="Bootstrap draws for alpha's 95% interval.",
)
@click.option("--seed", type=int, default=13, show_default=True, help="Bootstrap seed.")
def agreement_command(as_json, field, by, min_items, draws, seed):
    """Inter-annotator agreement per field: percent, Krippendorff's alpha with a bootstrap
    interval, Fleiss' kappa, Gwet's AC1, Cohen's kappa per pair, span F1."""
    options = Options(draws=draws, seed=seed, min_items=min_items)
    try:
        result = report(current_app.extensions["scheme"], field=field, by=by, options=options)
    except ReportError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        # Figures.put leaves no NaN; should one slip in, fail rather than print what strict
        # JSON parsers (JavaScript's among them) refuse
        click.echo(shown_json(result, indent=1, allow_nan=False))
    else:
        click.echo(text_report(result))


COMMANDS = (agreement_command,)
