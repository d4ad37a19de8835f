"""Server time and size of the network pages for the biggest networks of a store.

    .venv/bin/python benchmarks/bench_network_page.py --db /tmp/b20k.db --add 200,500 --runs 15

``--db`` is a store the linking stage has run on (``python -m zicht.demo.offline_store`` or
``benchmarks/bench_linking.py`` make one; the script writes to it when ``--add`` is given, so use a
copy). The demo market's biggest networks hold a few dozen personas; ``--add 200,500`` first adds one
telefonist network of 200 and one of 500 personas through the real stages
(``zicht.demo.big_network``), linked incrementally into the store.

Printed per network (the ``--top`` biggest by personas): personas, ads, linked pairs, page size, and
the server time of ``GET /netwerken/{id}`` (p50/p95 over ``--runs`` requests after two warm-ups,
measured around the ASGI app, so without the test client's own cost), of page 10 of its pairs, of
one pair's why-linked page, and of the store query alone. Then the list page ``/netwerken`` in its
orders and filters over all networks of the store (``link_networks`` has no index on role or size).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from zicht.demo.big_network import add_telefonist
from zicht.store.models import LinkNetwork
from zicht.store.network_page import network_page
from zicht.store.store import Store
from zicht.web.app import create_app


class Timed:
    """The app, timing each request from the first byte in to the last byte out."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.last = 0.0

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            self.last = time.perf_counter() - started


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(runs: int, call: Callable[[], float]) -> tuple[float, float]:
    for _ in range(2):
        call()
    return percentiles([call() for _ in range(runs)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLite path or database URL of a linked store")
    parser.add_argument(
        "--add", default="", help="personas of telefonist networks to add first, e.g. 200,500"
    )
    parser.add_argument("--top", type=int, default=4)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    url = args.db if "://" in args.db else f"sqlite:///{args.db}"
    store = Store.open(url)
    for n, personas in enumerate(int(p) for p in args.add.split(",") if p.strip()):
        started = time.perf_counter()
        net = add_telefonist(store, personas=personas, numbers=max(2, personas // 60), seed=100 + n)
        print(
            f"added a telefonist network: {personas} personas, {len(net.ad_ids)} ads "
            f"({time.perf_counter() - started:.0f} s)"
        )
    print(
        f"{platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
        f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())} · {store.dialect}"
    )
    with store.session() as s:
        n_networks = s.scalar(select(func.count()).select_from(LinkNetwork)) or 0
        biggest = list(
            s.execute(
                select(LinkNetwork.id, LinkNetwork.n_personas, LinkNetwork.n_ads)
                .order_by(LinkNetwork.n_personas.desc(), LinkNetwork.id)
                .limit(args.top)
            )
        )
    app = Timed(create_app(store))
    with TestClient(app) as client:

        def get(path: str) -> float:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return app.last

        print(
            f"\n{'network':>8} {'personas':>8} {'ads':>6} {'pairs':>7} {'page KB':>8} "
            f"{'page p50/p95 ms':>16} {'pairs p.10':>11} {'one pair':>9} {'query':>7}"
        )
        for nid, personas, ads in biggest:
            size = len(client.get(f"/netwerken/{nid}").content)
            page = timed(args.runs, lambda nid=nid: get(f"/netwerken/{nid}"))
            later = timed(args.runs, lambda nid=nid: get(f"/netwerken/{nid}?paren=10"))
            net = network_page(store, nid)
            assert net is not None
            pair = net.pairs[-1] if net.pairs else None
            why = f"/netwerken/{nid}/paren/{pair.ad_a}-{pair.ad_b}" if pair else ""
            one = timed(args.runs, lambda why=why: get(why)) if pair else (0.0, 0.0)

            def query(nid: int = nid) -> float:
                started = time.perf_counter()
                network_page(store, nid)
                return time.perf_counter() - started

            alone = timed(args.runs, query)
            print(
                f"{nid:>8} {personas:>8} {ads:>6} {net.pairs_total:>7} {size / 1024:>8.0f} "
                f"{page[0]:>8.0f}/{page[1]:<7.0f} {later[0]:>5.0f}/{later[1]:<5.0f} "
                f"{one[0]:>4.0f}/{one[1]:<4.0f} {alone[0]:>7.0f}"
            )
        print(f"\nlist of {n_networks} networks{'':>22} p50/p95 ms")
        for path in (
            "/netwerken",
            "/netwerken?order=recent",
            "/netwerken?role=telefonist",
            "/netwerken?min=1&page=20",
        ):
            p50, p95 = timed(args.runs, lambda path=path: get(path))
            print(f"  {path:<40} {p50:>6.0f}/{p95:<6.0f}")
    store.close()


if __name__ == "__main__":
    main()
