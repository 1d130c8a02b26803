"""index for an annotator's progress counts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 18:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_annotations_progress', 'annotations', ['annotator_id', 'skipped', 'created']
    )


def downgrade():
    op.drop_index('ix_annotations_progress', table_name='annotations')
