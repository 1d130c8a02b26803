"""documents keep what the import removed, where their metadata came from, their author and
the digest of their web page

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 22:30:00

All new columns may be empty: documents imported before this revision (and those read back
from an export) have no record of what was removed. Adding them copies no table, on SQLite
either; undoing it copies ``documents`` once (batch mode).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = [
    ("author", sa.Text()),
    ("html_digest", sa.String(length=64)),
    ("removed", sa.JSON()),
    ("sources", sa.JSON()),
    ("kept_lines", sa.JSON()),
]


def upgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        # not unique: a page imported again under another id with lines kept is a new document
        batch_op.create_index("ix_documents_html_digest", ["html_digest"])


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_html_digest")
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
