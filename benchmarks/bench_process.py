"""Extraction + scoring throughput (issue 3 target: >= 1,000 ad versions/s in one process on a 2-core
machine).

Builds a demo market, renders and parses every version offline (no HTTP), ingests it into a
fresh SQLite (or --db) store, then times `process` without photos: once for the pure functions
alone, once end to end including reading and writing the store. Photos are left out of these
figures; ``--photos N`` times perceptual hashing of N demo photos apart (OCR: bench_photos.py).

Every phase prints wall time and CPU time of this process (``time.process_time``). On a shared machine
wall time depends on the load; CPU time does not, so versions per CPU-second is the figure to compare
across runs, and the one that says whether one process can keep up with 1,000 versions/s when it has a
core to itself.

    python benchmarks/bench_process.py [--ads 5000] [--db URL] [--photos 200]
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


class Timer:
    """Wall and CPU seconds of a block, and the rates they give."""

    def __enter__(self) -> Timer:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0

    def rates(self, n: int, what: str = "versions") -> str:
        return (
            f"{n / self.wall:,.0f} {what}/s wall ({self.wall:.1f} s), "
            f"{n / self.cpu:,.0f} {what}/s CPU ({self.cpu:.1f} s CPU)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ads", type=int, default=5000)
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--photos", type=int, default=0, help="also time hashing of this many demo photos")
    args = ap.parse_args()

    market = generate_market(seed=11, n_ads=args.ads, weeks=6)
    rows = list(parsed_versions(market))
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"market: {len(market.ads)} ads, {len(rows)} versions; load average {os.getloadavg()[0]:.1f}")

    catalogue = load_catalogue()
    with Timer() as pure:
        for _ad, _day, p, _seen in rows:
            facts = extract_facts(p.title, p.text, p.fields, p.services, p.rates, p.phone, p.url)
            score(evaluate(p.title, p.text, facts, catalogue, services=p.services), catalogue)
    print(f"pure extraction + scoring (no photos): {pure.rates(len(rows))}")

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = Store.open(url, data_dir=Path(tmp) / "data")
        with Timer() as ingest:
            items = [IngestItem(p, seen, "bench") for _ad, _day, p, seen in rows]
            for i in range(0, len(items), 1000):
                store.ingest(items[i : i + 1000])
        print(f"ingest into {store.dialect}: {ingest.rates(len(rows))}")
        report = ProcessReport()
        with Timer() as ext:
            process_extraction(store, report, on_progress=None)
        with Timer() as sig:
            process_signals(store, report, on_progress=None)
        print(f"stored extraction: {ext.rates(report.extracted)}")
        print(f"stored scoring: {sig.rates(report.scored)}")
        wall, cpu = ext.wall + sig.wall, ext.cpu + sig.cpu
        print(
            f"process (extraction + scoring, store included, no photos): {report.extracted / wall:,.0f} "
            f"versions/s wall, {report.extracted / cpu:,.0f} versions/s CPU (target: 1,000)"
        )
        store.close()
    if args.photos:
        bench_photo_hashing(market, args.photos)


def bench_photo_hashing(market, n: int) -> None:  # type: ignore[no-untyped-def]
    """Perceptual hashing (``photo_facts``) of ``n`` demo photos, rendered beforehand (not timed)."""
    from zicht.demo.images import render_photo
    from zicht.extract.photos import photo_facts

    photos = [ph for ad in market.ads for v in ad.versions for ph in v.photos][:n]
    data = [render_photo(ph.photo_id, ph.variant, overlay_text=ph.overlay_text) for ph in photos]
    with Timer() as t:
        for blob in data:
            photo_facts(blob)
    print(f"photo hashing, apart (demo JPEGs, no OCR): {t.rates(len(data), 'photos')}")


if __name__ == "__main__":
    main()
