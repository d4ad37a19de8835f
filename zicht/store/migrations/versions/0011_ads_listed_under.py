"""ads.listed_under: the seed listing url an ad was last reached from, so a complete crawl of one
scope (categories, region) marks removed only its own unseen ads

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Existing ads get the listing page their newest ad task came from, then that page is walked up
# its listing parents to the seed (a seed has no parent). A nullable column is added with ALTER
# TABLE on SQLite too (batch mode does not recreate the table, so its triggers stay).
_FROM_AD_TASK = """
UPDATE ads SET listed_under = (
    SELECT t.parent_url FROM crawl_tasks t
    WHERE t.kind = 'ad' AND t.url = ads.url AND t.parent_url IS NOT NULL
    ORDER BY t.id DESC LIMIT 1)
"""
_UP_ONE_LISTING = """
UPDATE ads SET listed_under = (
    SELECT t.parent_url FROM crawl_tasks t
    WHERE t.kind = 'listing' AND t.url = ads.listed_under AND t.parent_url IS NOT NULL
    ORDER BY t.id DESC LIMIT 1)
WHERE listed_under IS NOT NULL AND EXISTS (
    SELECT 1 FROM crawl_tasks t
    WHERE t.kind = 'listing' AND t.url = ads.listed_under AND t.parent_url IS NOT NULL
      AND t.parent_url <> ads.listed_under)
"""
MAX_LISTING_DEPTH = 1000


def upgrade() -> None:
    with op.batch_alter_table("ads") as batch:
        batch.add_column(sa.Column("listed_under", sa.String(length=2048), nullable=True))
    bind = op.get_bind()
    bind.execute(sa.text(_FROM_AD_TASK))
    for _ in range(MAX_LISTING_DEPTH):
        if not bind.execute(sa.text(_UP_ONE_LISTING)).rowcount:
            break


def downgrade() -> None:
    op.drop_column("ads", "listed_under")  # ALTER TABLE DROP COLUMN (SQLite >= 3.35): triggers stay
