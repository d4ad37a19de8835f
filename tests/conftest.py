"""Shared fixtures: every storage test runs on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pg_server import PostgresServer

from zicht.store.store import Store

_db_counter = itertools.count()

# Starlette's TestClient sends "Host: testserver"; the web app answers only for names it is told.
os.environ.setdefault("ZICHT_ALLOWED_HOSTS", "testserver")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'zicht.db'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.create_database(f"t{os.getpid()}_{next(_db_counter)}")


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    st = Store.open(db_url, data_dir=tmp_path / "data")
    try:
        yield st
    finally:
        st.close()
