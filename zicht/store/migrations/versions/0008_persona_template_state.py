"""each persona's template group as last clustered, so an increment re-walks only groups that changed

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("link_personas") as batch:
        batch.add_column(sa.Column("template_group", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("template_state", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("link_personas") as batch:
        batch.drop_column("template_state")
        batch.drop_column("template_group")
