"""every column with a default in Python has it in the database too

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 19:30:00

An insert that leaves such a column out (plain SQL, another tool) gets the same value the
app would give: now for timestamps, false for flags, the annotator role, an active account,
empty labels, revision 1. On SQLite each table named here is copied once (batch mode).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
# table -> [(column, its type, its default)]
DEFAULTS = {
    "documents": [("imported", TIMESTAMP, sa.func.now())],
    "users": [
        ("role", sa.String(length=20), "annotator"),
        ("active", sa.Boolean(), sa.true()),
        ("created", TIMESTAMP, sa.func.now()),
    ],
    "login_sessions": [("started", TIMESTAMP, sa.func.now()), ("seen", TIMESTAMP, sa.func.now())],
    "leases": [("created", TIMESTAMP, sa.func.now())],
    "annotations": [
        ("labels", sa.JSON(), "{}"),
        ("skipped", sa.Boolean(), sa.false()),
        ("flagged", sa.Boolean(), sa.false()),
        ("created", TIMESTAMP, sa.func.now()),
        ("updated", TIMESTAMP, sa.func.now()),
    ],
    "gold": [
        ("revision", sa.Integer(), "1"),
        ("created", TIMESTAMP, sa.func.now()),
        ("updated", TIMESTAMP, sa.func.now()),
    ],
}


def set_defaults(present):
    """Give each column of DEFAULTS its default, or with ``present`` false take it away."""
    for table, columns in DEFAULTS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_, default in columns:
                batch_op.alter_column(
                    name,
                    existing_type=type_,
                    existing_nullable=False,
                    server_default=default if present else None,
                )


def upgrade():
    set_defaults(True)


def downgrade():
    set_defaults(False)
