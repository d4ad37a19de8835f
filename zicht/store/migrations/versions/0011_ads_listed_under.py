"""ads.listed_under: the seed listing url an ad was last reached from, so a complete crawl of one
scope (categories, region) marks removed only its own unseen ads

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Existing ads get the seed of the listing page their newest ad task came from: per run (a url can be
# a seed in one run and a later page in another), the listing parents are walked up in Python, run by
# run (a run's listing pages are few), newest run last; then one executemany by primary key. A
# nullable column is added with ALTER TABLE on SQLite too (batch mode does not recreate the table, so
# its triggers stay).
_RUNS = "SELECT DISTINCT run_id FROM crawl_tasks WHERE kind = 'ad' ORDER BY run_id"
_LISTINGS = "SELECT url, parent_url FROM crawl_tasks WHERE run_id = :run AND kind = 'listing'"
_AD_TASKS = (
    "SELECT url, parent_url FROM crawl_tasks WHERE run_id = :run AND kind = 'ad' "
    "AND parent_url IS NOT NULL ORDER BY id"
)
_BATCH = 5000


def _seed_of(url: str, parents: dict[str, str | None]) -> str:
    seen, cur = {url}, url
    while (parent := parents.get(cur)) and parent in parents and parent not in seen:
        cur = parent
        seen.add(cur)
    return cur


def upgrade() -> None:
    with op.batch_alter_table("ads") as batch:
        batch.add_column(sa.Column("listed_under", sa.String(length=2048), nullable=True))
    bind = op.get_bind()
    listed: dict[str, str] = {}  # ad url -> seed, the newest run's wins
    for (run,) in bind.execute(sa.text(_RUNS)).all():
        parents = dict(bind.execute(sa.text(_LISTINGS), {"run": run}).all())
        seeds: dict[str, str] = {}
        for url, parent in bind.execute(sa.text(_AD_TASKS), {"run": run}):
            seed = seeds.get(parent)
            if seed is None:
                seed = seeds[parent] = _seed_of(parent, parents)
            listed[url] = seed
    if not listed:
        return
    rows = [
        {"id": ad_id, "seed": listed[url]}
        for ad_id, url in bind.execute(sa.text("SELECT id, url FROM ads"))
        if url in listed
    ]
    update = sa.text("UPDATE ads SET listed_under = :seed WHERE id = :id")
    for i in range(0, len(rows), _BATCH):
        bind.execute(update, rows[i : i + _BATCH])


def downgrade() -> None:
    op.drop_column("ads", "listed_under")  # ALTER TABLE DROP COLUMN (SQLite >= 3.35): triggers stay
