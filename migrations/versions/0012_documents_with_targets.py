"""an index of the documents that have stance targets of their own

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 01:10:00

Every review page, the agreement figures and the export read the targets of the documents
that have their own (``annotator.targets.every``): without an index that read walks every
document (6 ms at 1,000,000 sentences on each request of the disagreement list). Few
documents have their own targets; the index holds only those.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

WITH_TARGETS = sa.text("targets IS NOT NULL")


def upgrade():
    op.create_index(
        "ix_documents_with_targets",
        "documents",
        ["seq"],
        sqlite_where=WITH_TARGETS,
        postgresql_where=WITH_TARGETS,
    )


def downgrade():
    op.drop_index("ix_documents_with_targets", table_name="documents")
