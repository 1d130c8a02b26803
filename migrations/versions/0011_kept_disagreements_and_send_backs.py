"""the kept table of disagreements, and reviewers' send-backs

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 21:00:00

``disputes`` holds one row per sentence whose annotators differ, kept in step with every
save (``annotator.disputes``); it is filled here from the stored annotations, as ``flask
disagreements --rebuild`` would. ``send_backs`` holds reviewers' requests that an annotator
label a sentence again, with a note.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "disputes",
        sa.Column("sentence_id", sa.Integer(), nullable=False),
        sa.Column("document_seq", sa.Integer(), nullable=False),
        sa.Column("sentence_index", sa.Integer(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("field_count", sa.Integer(), nullable=False),
        sa.Column("agreement", sa.Double(), nullable=False),
        sa.Column("labelled_by", sa.Text(), nullable=False),
        sa.Column("remarked", sa.Boolean(), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sentence_id"],
            ["sentences.id"],
            name="fk_disputes_sentence_id_sentences",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sentence_id", name="pk_disputes"),
    )
    op.create_index(
        "ix_disputes_disputed",
        "disputes",
        [sa.column("field_count").desc(), "document_seq", "sentence_index"],
    )
    op.create_index(
        "ix_disputes_agreement", "disputes", ["agreement", "document_seq", "sentence_index"]
    )
    op.create_index("ix_disputes_document", "disputes", ["document_seq", "sentence_index"])
    op.create_index(
        "ix_disputes_annotators", "disputes", ["labelled_by", "document_seq", "sentence_index"]
    )
    op.create_table(
        "send_backs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sentence_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("sent", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotator_id"], ["users.id"], name="fk_send_backs_annotator_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name="fk_send_backs_reviewer_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["sentence_id"],
            ["sentences.id"],
            name="fk_send_backs_sentence_id_sentences",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_send_backs"),
    )
    op.create_index("ix_send_backs_annotator", "send_backs", ["annotator_id", "sentence_id"])
    op.create_index("ix_send_backs_sentence_id", "send_backs", ["sentence_id"])

    from annotator.disputes import rebuild  # noqa: PLC0415  (needs the app's scheme)

    rebuild(op.get_bind())


def downgrade():
    op.drop_index("ix_send_backs_sentence_id", table_name="send_backs")
    op.drop_index("ix_send_backs_annotator", table_name="send_backs")
    op.drop_table("send_backs")
    op.drop_index("ix_disputes_annotators", table_name="disputes")
    op.drop_index("ix_disputes_document", table_name="disputes")
    op.drop_index("ix_disputes_agreement", table_name="disputes")
    op.drop_index("ix_disputes_disputed", table_name="disputes")
    op.drop_table("disputes")
