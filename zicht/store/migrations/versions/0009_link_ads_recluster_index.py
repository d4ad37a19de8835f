"""index link_ads.recluster: an increment finds its seed without scanning every profile

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_link_ads_recluster", "link_ads", ["recluster"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_link_ads_recluster", table_name="link_ads")
