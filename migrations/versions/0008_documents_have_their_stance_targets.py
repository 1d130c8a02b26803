"""documents have their own stance targets

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 23:10:00

Every document stored so far gets the targets of the scheme the app runs with (the default
scheme's, Azerbaijan and Armenia, when there is no app), so its stance rows stay as they
were. Adding the column copies no table, on SQLite either.
"""

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def scheme_targets():
    """The targets of the scheme the app runs with."""
    from annotator.schema import Scheme

    if has_app_context() and "scheme" in current_app.extensions:
        return list(current_app.extensions["scheme"].stance_targets)
    return list(Scheme().stance_targets)


def upgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("targets", sa.JSON(), nullable=True))
    documents = sa.table("documents", sa.column("targets", sa.JSON()))
    op.execute(documents.update().values(targets=scheme_targets()))


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("targets")
