"""``flask export`` and ``flask import-annotations``: training data out, and back in."""

import shlex
from pathlib import Path

import click
from flask import current_app

from .. import targets
from ..adjudication import AUTO_METHODS, settle_agreed
from ..exporting.reading import RecordError, import_annotations
from ..exporting.splits import SplitError, parse_split, parse_stratify
from ..exporting.writing import CannotWrite, export
from ..text import shown


def command_line(out, final_only, anonymize, no_comments, split, seed, no_agreement, auto, strata):
    """The export command as typed, for the dataset card: ``--out`` as the file's name (the
    card sits beside the file; the folder it was written to is nobody else's business)."""
    parts = ["flask", "export"]
    if out:
        parts += ["--out", out.name]
    if auto:
        parts += ["--auto", auto]
    if final_only:
        parts.append("--final-only")
    if anonymize:
        parts.append("--anonymize")
    if no_comments:
        parts.append("--no-comments")
    if split:
        parts += ["--split", split, "--seed", str(seed)]
        if strata != ("outlet",):
            parts += ["--stratify", ",".join(strata)]
    if no_agreement:
        parts.append("--no-agreement")
    return shlex.join(parts)


@click.command("export")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .jsonl file to write (default: exports/annotations-DATE-TIME.jsonl).",
)
@click.option(
    "--final-only",
    is_flag=True,
    help="Training mode: only sentences with final labels, without the annotations.",
)
@click.option("--anonymize", is_flag=True, help="Replace annotator names with stable pseudonyms.")
@click.option(
    "--no-comments",
    is_flag=True,
    help="Leave out free text: comments, skip reasons and gold notes (null in every record).",
)
@click.option("--split", help="Split by document, e.g. train=0.8,dev=0.1,test=0.1.")
@click.option("--seed", type=int, default=13, show_default=True, help="Seed of the split.")
@click.option(
    "--stratify",
    default="outlet",
    show_default=True,
    help="What each split keeps the shares of: outlet, target (a document's stance targets "
    "as a whole), or outlet,target.",
)
@click.option(
    "--no-agreement",
    is_flag=True,
    help="Leave the agreement figures out of the card (they take as long as the export).",
)
@click.option(
    "--auto",
    type=click.Choice(AUTO_METHODS),
    help="First fill gold where the annotators agree, as `flask adjudicate --auto` does "
    "(kept in the database; a reviewer's gold is left as it is).",
)
def export_command(
    out, final_only, anonymize, no_comments, split, seed, stratify, no_agreement, auto
):
    """Write every sentence with its annotations and final labels as JSON Lines, and a
    dataset card (NAME.md) beside it; say why sentences have no final labels."""
    try:
        shares = parse_split(split) if split else None
    except SplitError as error:
        raise click.BadParameter(str(error), param_hint="'--split'") from None
    try:
        strata = parse_stratify(stratify)
    except SplitError as error:
        raise click.BadParameter(str(error), param_hint="'--stratify'") from None
    if strata != ("outlet",) and not split:
        raise click.BadParameter(
            "only a split is stratified; give --split too", param_hint="'--stratify'"
        )
    command = command_line(
        out, final_only, anonymize, no_comments, split, seed, no_agreement, auto, strata
    )
    if auto:  # every document's targets: a target the app's scheme lacks is kept in the gold
        click.echo(settle_agreed(auto, targets.every(current_app.extensions["scheme"])))
    try:
        paths, tally, card = export(
            out,
            final_only,
            anonymize,
            shares,
            seed,
            command,
            agreement=not no_agreement,
            comments=not no_comments,
            strata=strata,
        )
    except CannotWrite as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"writing the export failed: {error}") from None
    for split_name, path in paths.items():
        count = tally.records[split_name]
        label = "" if split_name == "all" else f"{split_name}: "
        final = tally.final[split_name]
        click.echo(shown(f"{label}{count} records, {final} with final labels -> {path}"))
    if not sum(tally.records.values()):
        why = "no sentence has final labels" if final_only else "the database holds no sentences"
        click.echo(f"Nothing to export: {why}; wrote empty file(s).")
    heading, reasons = tally.why_unsettled()
    if heading:
        click.echo("\n".join([heading, *(f"  {line}" for line in reasons)]))
    click.echo(shown(f"Dataset card -> {card}"))


@click.command("import-annotations")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_annotations_command(path):
    """Read exported records (JSON Lines) back in: all of them, or, at the first malformed
    record, none."""
    try:
        with path.open(encoding="utf-8") as lines:
            counts = import_annotations(lines, current_app.extensions["scheme"])
    except RecordError as error:
        raise click.ClickException(f"{path}: {error}; nothing was imported") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text; nothing was imported") from None
    click.echo(shown(", ".join(f"{n} {what}" for what, n in counts.items()) + f" from {path}"))


COMMANDS = (export_command, import_annotations_command)
