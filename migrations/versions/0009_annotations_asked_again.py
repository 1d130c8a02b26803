"""annotations can be asked again, to answer stance targets added to their document

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 09:00:00

``flask targets --requeue`` marks the annotations that lack a target of their document; the
assignment hands those sentences back to their annotators first. Every stored annotation
starts unmarked. Adding the column copies no table, on SQLite either; undoing it copies
``annotations`` once (batch mode).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("asked_again", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_index(
        "ix_annotations_asked_again",
        "annotations",
        ["annotator_id", "sentence_id"],
        postgresql_where=sa.text("asked_again"),
        sqlite_where=sa.text("asked_again = 1"),
    )


def downgrade():
    op.drop_index("ix_annotations_asked_again", table_name="annotations")
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_column("asked_again")
