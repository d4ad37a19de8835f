"""indicator hits keep the engine's whole explanation

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_hits") as batch:
        batch.add_column(sa.Column("detail", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("indicator_hits") as batch:
        batch.drop_column("detail")
