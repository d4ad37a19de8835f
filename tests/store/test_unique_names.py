"""Migration 0007's unique indexes: region names in any case, one active watch per subject.

The stores check before inserting; the indexes hold when two writers pass that check at the same
time. The race is made real: just before our INSERT reaches the database, a second connection
stores the same name (or watch) and commits. The writer must answer with the message it gives for a
name or watch found taken, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, insert, update
from sqlalchemy.exc import IntegrityError

from zicht.store.models import Region, Watch
from zicht.store.regions import PROBLEM_NAME_TAKEN, RegionError, save_region
from zicht.store.store import Store
from zicht.store.watches import PROBLEM_DUPLICATE, WatchError, create_watch

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


@contextmanager
def other_writer_first(store: Store, table: str, write: Callable[[object], None]) -> Iterator[list[int]]:
    """Run ``write(connection)`` on a second connection right before our first INSERT into ``table``."""
    fired: list[int] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not fired and statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            fired.append(1)
            with store.engine.connect() as other:
                write(other)
                other.commit()

    event.listen(store.engine, "before_cursor_execute", before)
    try:
        yield fired
    finally:
        event.remove(store.engine, "before_cursor_execute", before)


def test_region_names_are_unique_in_any_case(store: Store) -> None:
    save_region(store, "Parkstad", ["Heerlen"], user="analist")
    with pytest.raises(IntegrityError), store.session() as s:
        s.execute(insert(Region).values(name="PARKSTAD", description="", created_by="x", created_at=NOW))

    def other(conn) -> None:  # type: ignore[no-untyped-def]
        conn.execute(
            insert(Region).values(name="limburg-zuid", description="", created_by="y", created_at=NOW)
        )

    with other_writer_first(store, "regions", other) as fired, pytest.raises(RegionError) as exc:
        save_region(store, "Limburg-Zuid", ["Heerlen", "Kerkrade"], user="analist")
    assert fired and tuple(exc.value.problems) == (PROBLEM_NAME_TAKEN,)


def test_one_active_watch_per_subject(store: Store) -> None:
    first = create_watch(store, "gemeente", "Heerlen", user="analist", threshold=20, at=NOW)
    # Another threshold on the same gemeente is another watch (as before the index).
    create_watch(store, "gemeente", "Heerlen", user="analist", threshold=40, at=NOW)
    with pytest.raises(IntegrityError), store.session() as s:
        s.execute(
            insert(Watch).values(
                kind="gemeente",
                target="GM0917",
                label="",
                threshold=20,
                active=True,
                created_by="x",
                created_at=NOW,
            )
        )
    # A removed (inactive) watch does not block a new one.
    with store.session() as s:
        s.execute(update(Watch).where(Watch.id == first.id).values(active=False))
    again = create_watch(store, "gemeente", "Heerlen", user="analist", threshold=20, at=NOW)

    def other(conn) -> None:  # type: ignore[no-untyped-def]
        conn.execute(
            insert(Watch).values(
                kind="gemeente",
                target="GM0935",
                label="",
                threshold=5,
                active=True,
                created_by="y",
                created_at=NOW,
            )
        )

    with other_writer_first(store, "watches", other) as fired, pytest.raises(WatchError) as exc:
        create_watch(store, "gemeente", "Maastricht", user="analist", threshold=5, at=NOW)
    assert fired and exc.value.problem == PROBLEM_DUPLICATE and again.id != first.id
    assert "already watched (watch " in str(exc.value)
