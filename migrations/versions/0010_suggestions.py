"""suggestions: what the suggesters propose per sentence, trained claim classifiers, what
each annotation was offered, and whose turn it is to do the background work

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:00:00

The suggestions of sentences imported before this are made by the server's background
worker, or at once by ``flask suggest --missing``. Adding the
annotations column copies no table; undoing it copies ``annotations`` once (batch mode).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "suggestions",
        sa.Column("document_id", sa.String(length=200), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(length=100), nullable=True),
        sa.Column("claim_confidence", sa.Double(), nullable=True),
        sa.Column("claim_by", sa.String(length=60), nullable=True),
        sa.Column("attribution", sa.JSON(), nullable=True),
        sa.Column("attribution_confidence", sa.Double(), nullable=True),
        sa.Column("attribution_by", sa.String(length=60), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id", "index"],
            ["sentences.document_id", "sentences.index"],
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "index"),
    )
    op.create_table(
        "suggester_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("labels", sa.Integer(), nullable=False),
        sa.Column("upto", sa.Integer(), nullable=False),
        sa.Column("held_out", sa.Integer(), nullable=False),
        sa.Column("accuracy", sa.Double(), nullable=True),
        sa.Column("prior_accuracy", sa.Double(), nullable=True),
        sa.Column("library", sa.String(length=60), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column(
            "trained", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("model", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "version"),
    )
    op.create_table(
        "background_turns",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=40), nullable=False),
        sa.Column("until", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suggested", sa.JSON(none_as_null=True), nullable=True))


def downgrade():
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_column("suggested")
    op.drop_table("background_turns")
    op.drop_table("suggester_models")
    op.drop_table("suggestions")
