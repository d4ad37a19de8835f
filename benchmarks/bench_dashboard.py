"""Dashboard server time at volume: N synthetic ads over a year, on SQLite and on PostgreSQL.

Target (issue 5): the dashboard answers in under 300 ms server time (p95) on 1,000,000 ads spread
over a year, on both backends; the aggregates update incrementally after ``zicht process``.

Per backend: fill a store with ``monitoring_volume.load_volume``, add three regions, run the full
first aggregate refresh, then time ``GET /dashboard`` in-process (FastAPI ``TestClient``: the app's
own time, no network) over varied filters: both periods, every area level, an area, date ranges
from four weeks to the whole year, with and without a chosen range. Then one day of crawling is
simulated (2% of the ads seen one day later, via the same change ``Store.ingest`` makes) and the
incremental refresh is timed, with 20 requests against the stale aggregates (stored figures + notice).
Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_dashboard.py --ads 100000 [--backend sqlite|postgresql|both]
        [--requests 120] [--sqlite PATH (reused when it exists)]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import bindparam, func, select, update

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from monitoring_volume import END, load_volume  # noqa: E402

from zicht.store.aggregates import mark_stale, refresh_aggregates  # noqa: E402
from zicht.store.models import Ad, Region, RegionGemeente  # noqa: E402
from zicht.store.store import Store  # noqa: E402

LEVELS = ("gemeente", "police_unit", "province", "region", "site", "category")
AREAS = {
    "gemeente": "GM0363",
    "police_unit": "RE09",
    "province": "PV27",
    "site": "kinky",
    "category": "vrouwen",
}


def filters(n: int, seed: int, region_codes: list[str]) -> list[dict[str, str]]:
    """``n`` varied query strings: what people choose on the page."""
    rng = random.Random(seed)
    out: list[dict[str, str]] = [{}]  # the default view: the last 12 weeks per gemeente
    while len(out) < n:
        level = rng.choice(LEVELS)
        period = rng.choice(("week", "day"))
        params = {"level": level, "period": period}
        span = rng.choice((28, 84, 182, 365)) if period == "week" else rng.choice((14, 28, 42))
        if rng.random() < 0.8:
            last = END - timedelta(days=rng.randrange(0, 365 - span + 1))
            params["from"] = (last - timedelta(days=span - 1)).isoformat()
            params["to"] = last.isoformat()
        if rng.random() < 0.3:
            params["area"] = rng.choice(region_codes) if level == "region" else AREAS[level]
        out.append(params)
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@contextmanager
def backend_url(kind: str, sqlite_path: str | None) -> Iterator[str]:
    if kind == "sqlite":
        path = sqlite_path or str(Path(tempfile.mkdtemp(prefix="zicht-bench-")) / "zicht.db")
        yield f"sqlite:///{path}"
        return
    from pg_server import PostgresServer

    server = PostgresServer().start()
    try:
        yield server.create_database("bench")
    finally:
        server.stop()


def add_regions(store: Store) -> list[str]:
    from zicht.analysis.counts import region_code

    wanted = {
        "Randstad-Noord": ["GM0363", "GM0599", "GM0518", "GM0344"],
        "Zuid-Limburg": ["GM0935", "GM0917", "GM1883", "GM0888"],
        "Grote steden": ["GM0363", "GM0599", "GM0772", "GM0935"],
    }
    codes = []
    with store.session() as s:
        for name, gms in wanted.items():
            region = s.scalar(select(Region).where(Region.name == name))
            if region is None:
                region = Region(
                    name=name, created_by="bench", gemeenten=[RegionGemeente(gemeente_code=c) for c in gms]
                )
                s.add(region)
                s.flush()
            codes.append(region_code(region.id))
    return codes


def run(kind: str, n_ads: int, n_requests: int, sqlite_path: str | None) -> None:
    from fastapi.testclient import TestClient

    from zicht.web.app import create_app

    print(f"\n== {kind}: {n_ads} ads, load average {os.getloadavg()[0]:.2f} ==", flush=True)
    with backend_url(kind, sqlite_path) as url:
        data_dir = Path(tempfile.mkdtemp(prefix="zicht-bench-data-"))
        store = Store.open(url, data_dir=data_dir)
        with store.session() as s:
            have = s.scalar(select(func.count()).select_from(Ad)) or 0
        store.close()
        if have < n_ads:
            summary = load_volume(url, n_ads - have, seed=1, data_dir=data_dir)
            print(f"load: {summary.line()}", flush=True)
        store = Store.open(url, data_dir=data_dir)
        try:
            regions = add_regions(store)
            t = time.perf_counter()
            r = refresh_aggregates(store)
            print(
                f"refresh ({'full' if r.full else 'incremental'}): {time.perf_counter() - t:.1f} s, "
                f"{r.changed_ads} ads, {r.weeks} weeks, {r.rows} rows",
                flush=True,
            )
            queries = filters(n_requests, 7, regions)
            with TestClient(create_app(store)) as client:
                for params in queries[:3]:  # warm-up: templates, reference tables, connections
                    client.get("/dashboard", params=params)
                times = []
                slowest = (0.0, {})
                for params in queries:
                    t = time.perf_counter()
                    resp = client.get("/dashboard", params=params)
                    ms = (time.perf_counter() - t) * 1000
                    if resp.status_code != 200:
                        raise SystemExit(f"{params}: HTTP {resp.status_code}")
                    times.append(ms)
                    slowest = max(slowest, (ms, params), key=lambda x: x[0])
                print(
                    f"dashboard, {len(times)} requests: p50 {percentile(times, 50):.0f} ms, "
                    f"p95 {percentile(times, 95):.0f} ms, max {max(times):.0f} ms, "
                    f"mean {statistics.mean(times):.0f} ms (slowest: {slowest[1]})",
                    flush=True,
                )

                # One day of crawling: 2% of the ads still online are seen a day later.
                with store.session() as s:
                    seen = s.execute(
                        select(Ad.id, Ad.last_seen).order_by(Ad.last_seen.desc()).limit(max(1, n_ads // 50))
                    ).all()
                    ids = [ad_id for ad_id, _ in seen]
                    s.connection().execute(
                        update(Ad.__table__).where(Ad.__table__.c.id == bindparam("ad")),
                        [{"ad": ad_id, "last_seen": last + timedelta(days=1)} for ad_id, last in seen],
                    )
                    mark_stale(s)
                # Stale: the stored figures are shown at once with a notice (migration 0007).
                stale = []
                for params in queries[:20]:
                    t = time.perf_counter()
                    resp = client.get("/dashboard", params=params)
                    stale.append((time.perf_counter() - t) * 1000)
                    if resp.status_code != 200 or 'id="stale-notice"' not in resp.text:
                        raise SystemExit(f"{params}: HTTP {resp.status_code} or no stale notice")
                print(
                    f"dashboard on stale aggregates (stored figures + notice), {len(stale)} requests: "
                    f"p50 {percentile(stale, 50):.0f} ms, p95 {percentile(stale, 95):.0f} ms, "
                    f"max {max(stale):.0f} ms",
                    flush=True,
                )
                t = time.perf_counter()
                r = refresh_aggregates(store)
                print(
                    f"refresh after a day ({len(ids)} ads seen again): {time.perf_counter() - t:.1f} s, "
                    f"{r.changed_ads} ads, {r.weeks} weeks, {r.rows} rows",
                    flush=True,
                )
        finally:
            store.close()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ads", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--requests", type=int, default=120)
    parser.add_argument("--sqlite", help="SQLite file to use (loaded once, reused on later runs)")
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for kind in kinds:
        run(kind, args.ads, args.requests, args.sqlite)


if __name__ == "__main__":
    main()
