"""Fixtures of the crawler tests: the demo site serving each module's own ``market``, and a SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_crawler import DemoServer

from zicht.demo.model import Market
from zicht.store.store import Store


@pytest.fixture
def server(market: Market) -> Iterator[DemoServer]:
    srv = DemoServer(market)
    yield srv
    srv.stop()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    st = Store.open(f"sqlite:///{tmp_path / 'crawl.db'}", data_dir=tmp_path / "data")
    yield st
    st.close()
