"""A small demo market ingested straight into a real SQLite store and processed (no crawl, no photos)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eval_builders import ingest_market

from zicht.demo.market import generate_market
from zicht.demo.model import Market
from zicht.demo.run import TRUTH_FILE
from zicht.demo.truth import write_truth
from zicht.pipeline import process
from zicht.store.store import Store


@dataclass(frozen=True)
class DemoStore:
    market: Market
    db_path: Path
    data_dir: Path
    truth_path: Path
    versions: int

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStore]:
    root = tmp_path_factory.mktemp("evaluation")
    market = generate_market(seed=5, n_ads=150, weeks=2)
    db_path = root / "zicht.db"
    with Store.open(f"sqlite:///{db_path}") as store:
        versions = ingest_market(store, market)
        process(store, photos=False)
        data_dir = store.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    truth_path = data_dir / TRUTH_FILE
    write_truth(market, truth_path)
    yield DemoStore(market, db_path, data_dir, truth_path, versions)
