"""A SQLite store opened the ordinary way writes ahead (WAL) and enforces foreign keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from zicht.store.store import Store


def test_store_open_sets_wal_and_foreign_keys(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'z.db'}") as store, store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            conn.execute(
                text(
                    "INSERT INTO ads (site_id, source_id, url, status, first_seen, last_seen)"
                    " VALUES (999, 'x', 'u', 'active', '2026-01-01', '2026-01-01')"
                )
            )
        assert (tmp_path / "z.db-wal").exists()
