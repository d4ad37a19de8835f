"""A SQLite file locked by another process: a clear error, and nothing already stored is lost."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from zicht.sources.types import ParsedAd
from zicht.store import db
from zicht.store.store import IngestItem, Store

HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def _ad(source_id: str) -> ParsedAd:
    return ParsedAd(site="kinky", source_id=source_id, url=f"http://x/{source_id}", title="t", text=source_id)


def test_locked_database_gives_clear_error_and_keeps_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "zicht.db"
    url = f"sqlite:///{path}"
    with Store.open(url) as store:
        store.ingest([IngestItem(_ad("1"), datetime(2026, 10, 5, tzinfo=UTC), "x")])

    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path), "30"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_S", 0.5)
        store = Store(db.make_engine(url, busy_timeout_s=0.5), url, tmp_path / "data")
        started = time.monotonic()
        with pytest.raises(db.DatabaseError, match=r"is locked by another process .*Nothing was changed"):
            store.ingest([IngestItem(_ad("2"), datetime(2026, 10, 6, tzinfo=UTC), "x")])
        assert time.monotonic() - started < 20  # it waited, then gave up instead of hanging
        store.close()
    finally:
        holder.kill()
        holder.wait()

    with Store.open(url) as store:
        assert store.find_ad("kinky", "1") is not None
        assert store.find_ad("kinky", "2") is None
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
