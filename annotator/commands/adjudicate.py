"""``flask adjudicate --auto``: gold labels where the annotators agree."""

import click
from flask import current_app

from ..adjudication import AUTO_METHODS, settle_agreed


@click.command("adjudicate")
@click.option(
    "--auto",
    "method",
    type=click.Choice(AUTO_METHODS),
    required=True,
    help="unanimous: every annotator agrees on every field; majority: a strict majority does.",
)
def adjudicate_command(method):
    """Fill gold labels where the annotators agree, never overwriting a reviewer's gold."""
    click.echo(settle_agreed(method, current_app.extensions["scheme"]))


COMMANDS = (adjudicate_command,)
