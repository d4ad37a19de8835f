"""Extraction + scoring throughput (issue 3 target: >= 1,000 ad versions/s in one process).

Builds a demo market, renders and parses every version offline (no HTTP), ingests it into a
fresh SQLite (or --db) store, then times `process` without photos: once for the pure functions
alone, once end to end including reading and writing the store.

    python benchmarks/bench_process.py [--ads 5000] [--db URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from zicht.demo.market import generate_market
from zicht.demo.offline import parsed_versions
from zicht.extract.facts import extract_facts
from zicht.pipeline import ProcessReport, process_extraction, process_signals
from zicht.signals.catalogue import load_catalogue
from zicht.signals.engine import evaluate
from zicht.signals.score import score
from zicht.store.store import IngestItem, Store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ads", type=int, default=5000)
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    args = ap.parse_args()

    market = generate_market(seed=11, n_ads=args.ads, weeks=6)
    rows = list(parsed_versions(market))
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"market: {len(market.ads)} ads, {len(rows)} versions")

    catalogue = load_catalogue()
    t = time.perf_counter()
    for _ad, _day, p, _seen in rows:
        facts = extract_facts(p.title, p.text, p.fields, p.services, p.rates, p.phone, p.url)
        score(evaluate(p.title, p.text, facts, catalogue, services=p.services), catalogue)
    pure = time.perf_counter() - t
    print(f"pure extraction + scoring: {len(rows) / pure:,.0f} versions/s ({pure:.1f} s)")

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = Store.open(url, data_dir=Path(tmp) / "data")
        t = time.perf_counter()
        items = [IngestItem(p, seen, "bench") for _ad, _day, p, seen in rows]
        for i in range(0, len(items), 1000):
            store.ingest(items[i : i + 1000])
        ingest = time.perf_counter() - t
        print(f"ingest into {store.dialect}: {len(rows) / ingest:,.0f} versions/s ({ingest:.1f} s)")
        report = ProcessReport()
        t = time.perf_counter()
        process_extraction(store, report, on_progress=None)
        ext = time.perf_counter() - t
        t = time.perf_counter()
        process_signals(store, report, on_progress=None)
        sig = time.perf_counter() - t
        total = ext + sig
        print(f"stored extraction: {report.extracted / ext:,.0f} versions/s ({ext:.1f} s)")
        print(f"stored scoring: {report.scored / sig:,.0f} versions/s ({sig:.1f} s)")
        print(f"process (extraction + scoring, store included): {report.extracted / total:,.0f} versions/s")
        store.close()


if __name__ == "__main__":
    main()
