"""``flask adjudicate --auto``: gold labels where the annotators agree; ``flask
disagreements --rebuild``: the kept table of disagreements computed from scratch."""

import click
from flask import current_app

from ..adjudication import AUTO_METHODS, BATCH, settle_agreed
from ..database import writing
from ..disputes import rebuild
from ..extensions import db


@click.command("adjudicate")
@click.option(
    "--auto",
    "method",
    type=click.Choice(AUTO_METHODS),
    required=True,
    help="unanimous: every annotator agrees on every field; majority: a strict majority does.",
)
@click.option(
    "--after",
    type=click.IntRange(min=0),
    default=0,
    help="Start after this sentence id: to go on where an interrupted run stopped.",
)
def adjudicate_command(method, after):
    """Fill gold labels where the annotators agree, never overwriting a reviewer's gold.
    Works in ranges of sentences, each saved as it is done; an interrupted run says where
    to go on from."""
    done = [after]

    def progress(upto, last):
        done[0] = upto
        if upto == last or upto // BATCH % 20 == 0:
            click.echo(f"… sentences up to id {upto:,} of {last:,}", err=True)

    try:
        click.echo(settle_agreed(method, current_app.extensions["scheme"], after, progress))
    except KeyboardInterrupt:
        raise click.ClickException(
            f"interrupted; the gold of sentences up to id {done[0]:,} is saved. Run "
            f"`flask adjudicate --auto {method} --after {done[0]}` to go on."
        ) from None


@click.command("disagreements")
@click.option(
    "--rebuild",
    "rebuilding",
    is_flag=True,
    required=True,
    help="Compute the table from every annotation and gold label, in one transaction.",
)
def disagreements_command(rebuilding):
    """Rebuild the table of disagreements the review queue reads. It is kept up to date
    with every save; rebuild it after changing the project's default stance targets
    (``STANCE_TARGETS``) or editing the database by hand."""
    with writing():
        found = rebuild(db.session)
    click.echo(
        f"{found} sentence{'s' if found != 1 else ''} where annotators disagree "
        "(the disagreements table is rebuilt)."
    )


COMMANDS = (adjudicate_command, disagreements_command)
