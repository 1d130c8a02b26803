"""``flask targets DOC_ID``: a document's stance targets, shown or changed."""

import click
from flask import current_app
from sqlalchemy import func, select

from .. import targets
from ..extensions import db
from ..models import Annotation, Document, Sentence
from ..text import shown


def wanted_targets(document_id, current, set_, add, remove):
    """The targets the options ask for (checked), from the document's ``current`` ones;
    raises TargetProblem."""
    if set_ is not None:
        return targets.from_option(set_, "--set")
    if add is not None:
        name = targets.one(add, "--add")
        same = [target for target in current if target.casefold() == name.casefold()]
        if same:
            raise targets.TargetProblem(f"{document_id} already has the target {same[0]!r}")
        return (*current, name)
    if remove is not None:
        name = targets.one(remove, "--remove")
        if name not in current:
            raise targets.TargetProblem(
                f"{document_id} has no target {name!r}; its targets: "
                f"{', '.join(map(repr, current)) or 'none'}"
            )
        return tuple(target for target in current if target != name)
    return current


@click.command("targets")
@click.argument("document_id")
@click.option("--set", "set_", metavar="A,B", help="Replace the targets ('' for none).")
@click.option("--add", metavar="TARGET", help="Add a target at the end.")
@click.option("--remove", metavar="TARGET", help="Stop asking a target.")
@click.option(
    "--force",
    is_flag=True,
    help="Remove targets that have labels too (their values stay in the annotations).",
)
@click.option(
    "--requeue",
    is_flag=True,
    help="Hand the sentences whose annotations lack a target back to their annotators.",
)
def targets_command(document_id, set_, add, remove, force, requeue):
    """Print a document's stance targets, one a line, or change them with one of --set,
    --add or --remove. Earlier annotations have no value for an added target (not asked);
    a target with labels is removed only with --force, and its labels stay."""
    options = (("--set", set_), ("--add", add), ("--remove", remove))
    given = [name for name, value in options if value is not None]
    if len(given) > 1:
        raise click.UsageError(f"give one of --set, --add or --remove, not {' and '.join(given)}")
    if force and not given:
        raise click.UsageError("--force goes with --set or --remove")
    document = db.session.get(Document, document_id)
    if document is None:
        raise click.ClickException(targets.unknown(document_id))
    current = targets.of(document, current_app.extensions["scheme"])
    if not given and not requeue:
        for target in current:
            click.echo(shown(target))
        if not current:
            click.echo(shown(f"{document_id} has no stance targets."), err=True)
        waiting = db.session.scalar(
            select(func.count())
            .select_from(Annotation)
            .join(Sentence, Sentence.id == Annotation.sentence_id)
            .where(Sentence.document_id == document_id, Annotation.asked_again.is_(True))
        )
        if waiting:  # on stderr: the targets alone stay on stdout, one a line
            click.echo(f"{waiting} annotations asked again, not answered yet.", err=True)
        return
    try:
        wanted = wanted_targets(document_id, current, set_, add, remove)
        change = targets.change(document_id, wanted, force=force, requeue=requeue)
    except targets.HasLabels as refused:
        it, its = ("it", "its") if len(refused.counts) == 1 else ("them", "their")
        raise click.ClickException(
            f"{refused}; --force removes {it} anyway ({its} values stay in the annotations, "
            "only asking stops) — nothing was changed."
        ) from None
    except targets.TargetProblem as problem:
        raise click.ClickException(f"{problem} — nothing was changed.") from None
    for line in change.lines():
        click.echo(shown(line))


COMMANDS = (targets_command,)
