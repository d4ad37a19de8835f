"""The migrations and the models must describe the same schema, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from zicht.store.models import Base
from zicht.store.store import Store


def test_models_match_migrations(store: Store) -> None:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_migrating_twice_is_harmless(store: Store) -> None:
    from zicht.store import db

    db.migrate(store.engine)
    assert not db.needs_migration(store.engine)


def test_0011_lists_each_ad_under_the_seed_of_its_newest_run(db_url: str) -> None:
    """The backfill walks listing pages up to their seed within each run: a url that is a later page
    in one run and a seed in another gives the seed of the run that last reached the ad."""
    from datetime import UTC, datetime

    import sqlalchemy as sa
    from alembic import command

    from zicht.store import db

    engine = db.make_engine(db_url)
    try:
        cfg = db.alembic_config(engine)
        command.upgrade(cfg, "0010")
        now = datetime(2026, 1, 1, tzinfo=UTC)
        run = {"site_id": 1, "kind": "crawl", "status": "finished", "started_at": now, "purpose": "p"}
        run |= {"legal_basis": "l", "config": {}, "stats": {}, "complete": True}
        tasks = [
            (1, "S1", "listing", None), (1, "S1p2", "listing", "S1"), (1, "S1p3", "listing", "S1p2"),
            (1, "A", "ad", "S1p3"), (1, "B", "ad", "S1"),
            (2, "S2", "listing", None), (2, "C", "ad", "S2"), (2, "A", "ad", "S2"),
            (2, "S1p2", "listing", None), (2, "D", "ad", "S1p2"),  # run 2 starts at page 2 of S1
        ]  # fmt: skip
        meta = sa.MetaData()
        meta.reflect(engine, only=["sites", "crawl_runs", "crawl_tasks", "ads"])
        t = meta.tables
        with engine.begin() as c:
            c.execute(t["sites"].insert(), {"id": 1, "name": "s", "default_region": "NL", "created_at": now})
            c.execute(t["crawl_runs"].insert(), [run | {"id": 1}, run | {"id": 2}])
            c.execute(
                t["crawl_tasks"].insert(),
                [
                    {"id": i, "run_id": r, "url": u, "kind": k, "status": "done", "attempts": 0}
                    | {"parent_url": p, "updated_at": now}
                    for i, (r, u, k, p) in enumerate(tasks, 1)
                ],
            )
            c.execute(
                t["ads"].insert(),
                [
                    {"id": i, "site_id": 1, "source_id": u, "url": u, "first_seen": now, "last_seen": now}
                    | {"status": "active"}
                    for i, u in enumerate("ABCDE", 1)
                ],
            )
        command.upgrade(cfg, "head")
        with engine.connect() as c:
            listed = dict(c.execute(sa.text("SELECT url, listed_under FROM ads")).all())
    finally:
        engine.dispose()
    assert listed == {"A": "S2", "B": "S1", "C": "S2", "D": "S1p2", "E": None}
