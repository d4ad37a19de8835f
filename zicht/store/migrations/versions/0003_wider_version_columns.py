"""version strings of stages may be long (they combine every extractor's version)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = {
    "extractions": ("extractor_version", 64, False),
    "ad_versions": ("parser", 64, False),
    "raw_pages": ("parser", 64, True),
    "photos": ("photos_version", 32, False),
    "indicator_hits": ("catalogue_version", 32, False),
    "scores": ("catalogue_version", 32, False),
}


def upgrade() -> None:
    for table, (column, old, nullable) in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, type_=sa.String(255), existing_type=sa.String(old), existing_nullable=nullable
            )


def downgrade() -> None:
    for table, (column, old, nullable) in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, type_=sa.String(old), existing_type=sa.String(255), existing_nullable=nullable
            )
