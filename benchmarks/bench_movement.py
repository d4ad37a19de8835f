"""Server time of the movement page (``/beweging``) on a large store: p50/p95 per kind of request.

    # an already-filled store (e.g. by benchmarks/monitoring_volume.py)
    .venv/bin/python benchmarks/bench_movement.py --url sqlite:////tmp/vol.db
    # fill a fresh SQLite file (or a throw-away PostgreSQL with --pg) first
    .venv/bin/python benchmarks/bench_movement.py --ads 100000 [--pg] [--requests 40]

Requests go through the real app in-process (FastAPI TestClient, no network), timed from send to
full response. Filters vary: the default range (last 8 weeks), 4- and 12-week ranges at several
offsets, the whole country, gemeenten, police units and provinces. The movement store keeps a few
ranges in memory (keyed by a data stamp), so the first request for a range ("cold") and later ones
with another area ("warm") are reported apart. The page reads the stored ``persona_weeks`` /
``persona_flows`` once a refresh has filled them (a freshly loaded store is refreshed first, timed);
``--direct`` times the direct computation from the ads instead. Prints figures only.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fastapi.testclient import TestClient
from sqlalchemy import bindparam, func, select, update

from zicht.store import movement as store_movement
from zicht.store.aggregates import freshness, mark_stale, refresh_aggregates
from zicht.store.models import Ad
from zicht.store.store import Store
from zicht.web.app import create_app

AREAS = (
    "",
    "gemeente:GM0363",
    "gemeente:GM0917",
    "gemeente:GM0935",
    "police_unit:RE10",
    "police_unit:RE06",
    "province:PV27",
    "province:PV31",
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(client: TestClient, url: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get(url, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} {params}: HTTP {response.status_code}")
    return elapsed


def report(name: str, values: list[float]) -> None:
    if values:
        print(
            f"  {name:<34} n={len(values):>3}  p50 {statistics.median(values):7.1f} ms"
            f"  p95 {percentile(values, 0.95):7.1f} ms  max {max(values):7.1f} ms"
        )


def stale_requests(store: Store, client: TestClient, rng: random.Random) -> None:
    """A day of crawling (2% of the ads seen a day later, as ``Store.ingest`` would), not yet
    refreshed: the page shows the stored rows with a notice. Then the incremental refresh is timed.
    Changes the store."""
    with store.session() as s:
        n = max(1, (s.scalar(select(func.count()).select_from(Ad)) or 0) // 50)
        seen = s.execute(select(Ad.id, Ad.last_seen).order_by(Ad.last_seen.desc()).limit(n)).all()
        s.connection().execute(
            update(Ad.__table__).where(Ad.__table__.c.id == bindparam("ad")),
            [{"ad": ad_id, "last_seen": last + timedelta(days=1)} for ad_id, last in seen],
        )
        mark_stale(s)
    times = []
    for area in AREAS:
        store_movement.clear_cache()
        started = time.perf_counter()
        response = client.get("/beweging", params={"area": area, "lang": "nl"})
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or 'id="stale-notice"' not in response.text:
            raise SystemExit(f"stale {area}: HTTP {response.status_code} or no notice")
    print(f"stale: {n} ads seen again since the refresh (cold, every area)")
    report("stale, stored rows + notice", times)
    started = time.perf_counter()
    r = refresh_aggregates(store)
    print(
        f"  refresh after it: {time.perf_counter() - started:.1f} s ({r.weeks} weeks, "
        f"{r.presence_rows} persona-week rows, {r.flows} flows)"
    )


def bench(url: str, n_requests: int, seed: int, direct: bool = False, stale: bool = False) -> None:
    store = Store.open(url, data_dir=Path(tempfile.mkdtemp(prefix="zicht-bench-")))
    rng = random.Random(seed)
    try:
        first_week, last_week = store_movement.default_weeks(store, 52)
        print(f"store: {url.split('@')[-1]}  weeks {first_week} .. {last_week}")
        as_of = None if direct else freshness(store)
        if direct:
            # The page has no switch: hide the stored tables' refresh row for the run.
            store_movement.freshness = lambda _store: None  # type: ignore[assignment]
        print(
            "source: "
            + (
                f"stored persona_weeks/persona_flows (refreshed {as_of.refreshed_at:%Y-%m-%d %H:%M} UTC)"
                if as_of
                else "direct from the ads"
            )
        )
        client = TestClient(create_app(store))
        cold: dict[str, list[float]] = {"default range (8 weeks)": [], "4 weeks": [], "12 weeks": []}
        warm: dict[str, list[float]] = {k: [] for k in cold}
        span_weeks = max(0, (last_week - first_week).days // 7)
        for i in range(n_requests):
            kind = list(cold)[i % 3]
            params: dict[str, str] = {"lang": "nl"}
            if kind != "default range (8 weeks)":
                n = 4 if kind == "4 weeks" else 12
                end = last_week - timedelta(days=7 * rng.randint(0, max(0, span_weeks - n)))
                params["from"] = (end - timedelta(days=7 * (n - 1))).isoformat()
                params["to"] = (end + timedelta(days=6)).isoformat()
            store_movement.clear_cache()
            cold[kind].append(timed(client, "/beweging", {**params, "area": rng.choice(AREAS)}))
            for area in rng.sample(AREAS, 3):
                warm[kind].append(timed(client, "/beweging", {**params, "area": area}))
        print("movement page, first request for a range (cold: presence read from the store)")
        for k, v in cold.items():
            report(k, v)
        report("all cold", [x for v in cold.values() for x in v])
        print("movement page, same range, other area (warm)")
        for k, v in warm.items():
            report(k, v)
        report("all warm", [x for v in warm.values() for x in v])
        board = store_movement.movement(store, last_week - timedelta(days=49), last_week)
        subjects = [t.persona for t in board.tours if t.persona > 0][:10]
        if subjects:
            report(
                "persona places-over-time page",
                [timed(client, f"/beweging/persona/{p}", {}) for p in subjects],
            )
        print(
            f"  last 8 weeks: {board.n_flow_rows} flow rows, {board.personas_moving} personas moving, "
            f"{len(board.tours)} tours shown"
        )
        if stale:
            stale_requests(store, client, rng)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an already-filled store (sqlite:///… or postgresql+psycopg://…)")
    parser.add_argument("--ads", type=int, default=100_000, help="ads to load when no --url is given")
    parser.add_argument("--pg", action="store_true", help="load into a throw-away PostgreSQL server")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--direct", action="store_true", help="time the direct path (no stored tables)")
    parser.add_argument("--no-refresh", action="store_true", help="do not refresh a freshly loaded store")
    parser.add_argument(
        "--stale", action="store_true", help="then simulate a day of crawling and time the stale page"
    )
    args = parser.parse_args()
    if args.url:
        bench(args.url, args.requests, args.seed, args.direct, args.stale)
        return
    from monitoring_volume import load_volume  # type: ignore[import-not-found]

    server = None
    if args.pg:
        from pg_server import PostgresServer

        server = PostgresServer().start()
        url = server.create_database("movement_bench")
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='zicht-movement-')) / 'vol.db'}"
    try:
        print(load_volume(url, args.ads, args.seed).line())
        if not args.no_refresh:
            store = Store.open(url, data_dir=Path(tempfile.mkdtemp(prefix="zicht-bench-")))
            started = time.perf_counter()
            r = refresh_aggregates(store)
            store.close()
            print(
                f"first full refresh: {time.perf_counter() - started:.1f} s "
                f"({r.rows} count rows, {r.presence_rows} persona-week rows, {r.flows} flows)"
            )
        bench(url, args.requests, args.seed, args.direct, args.stale)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
