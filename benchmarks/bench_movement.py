"""Server time of the movement page (``/beweging``) on a large store: p50/p95 per kind of request.

    # an already-filled store (e.g. by benchmarks/monitoring_volume.py)
    .venv/bin/python benchmarks/bench_movement.py --url sqlite:////tmp/vol.db
    # fill a fresh SQLite file (or a throw-away PostgreSQL with --pg) first
    .venv/bin/python benchmarks/bench_movement.py --ads 100000 [--pg] [--requests 40]

Requests go through the real app in-process (FastAPI TestClient, no network), timed from send to
full response. Filters vary: the default range (last 8 weeks), 4- and 12-week ranges at several
offsets, the whole country, gemeenten, police units and provinces. The movement store keeps a few
presences per range in memory (keyed by a data stamp), so the first request for a range ("cold")
and later ones with another area ("warm") are reported apart. Prints figures only; nothing is asserted.
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

from zicht.store import movement as store_movement
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


def bench(url: str, n_requests: int, seed: int) -> None:
    store = Store.open(url, data_dir=Path(tempfile.mkdtemp(prefix="zicht-bench-")))
    rng = random.Random(seed)
    try:
        first_week, last_week = store_movement.default_weeks(store, 52)
        print(f"store: {url.split('@')[-1]}  weeks {first_week} .. {last_week}")
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
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an already-filled store (sqlite:///… or postgresql+psycopg://…)")
    parser.add_argument("--ads", type=int, default=100_000, help="ads to load when no --url is given")
    parser.add_argument("--pg", action="store_true", help="load into a throw-away PostgreSQL server")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.url:
        bench(args.url, args.requests, args.seed)
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
        bench(url, args.requests, args.seed)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
