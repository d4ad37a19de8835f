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
