"""Crawl throughput: the demo site crawled end to end into a store, then the same pages re-parsed.

Prints two figures:
  fetch+store   pages/s and ad pages/s of a full crawl (HTTP to an in-process demo server, WARC
                evidence with fsync, raw page rows, parsing, phone numbers, ingest), all three sites;
  parse+store   ad pages/s when the stored raw pages are read back, parsed and ingested into a
                fresh database (no HTTP): the part of the pipeline that does not wait on the network.
  crawler path  ad pages/s of ``crawl_site`` itself into a fresh database, its responses answered
                from memory instead of HTTP: evidence (WARC + raw page row), parse, phone number,
                parse results, tasks and ingest exactly as a crawl does them (photos not fetched).
                This is the figure for the target ">= 500 ad pages/s parsed and stored".

The demo's robots.txt Crawl-delay and rate limit are lifted for the measurement (a real crawl is
paced at 1 request/s per host by default, so its speed is set by politeness, not by this code).

    .venv/bin/python benchmarks/bench_crawl.py [--ads 3000] [--postgres] [--profile] [--repeat 3]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import zicht.demo.site as demo_site  # noqa: E402
from zicht.demo.market import generate_market  # noqa: E402
from zicht.demo.model import TZ  # noqa: E402
from zicht.sources.adapters import get_adapter  # noqa: E402
from zicht.sources.config import CrawlConfig, SiteConfig  # noqa: E402
from zicht.sources.crawler import crawl_site  # noqa: E402
from zicht.sources.http import Response  # noqa: E402
from zicht.sources.types import ParsedAd, ParseError  # noqa: E402
from zicht.store.store import IngestItem, Store  # noqa: E402

SITES = ("kinky", "sexjobs", "redlights")
INGEST_BATCH = 200


class DemoServer:
    """The demo app on a loopback port; an IPPROTO_TCP socket so responses are not Nagle-delayed."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.bind(("127.0.0.1", 0))
        self.root = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._server = uvicorn.Server(
            uvicorn.Config(app, log_level="error", lifespan="off", access_log=False)
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        while not self._server.started:
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)
        self._sock.close()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}, {os.cpu_count()} cores (load {load:.1f}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def open_store(backend: str, tmp: Path, name: str, pg) -> Store:  # type: ignore[no-untyped-def]
    if backend == "postgresql":
        return Store.open(pg.create_database(name), data_dir=tmp / f"{name}-data")
    return Store.open(f"sqlite:///{tmp / name}.db", data_dir=tmp / f"{name}-data")


def crawl_all(store: Store, server: DemoServer, when: datetime) -> tuple[float, int, int, int]:
    config = CrawlConfig(
        purpose="benchmark",
        legal_basis="benchmark on invented data",
        contact="bench@example.nl",
        rate=100_000.0,
        sites=tuple(SiteConfig(name=s, base_url=f"{server.root}/{s}") for s in SITES),
    )
    pages = ads = errors = 0
    t0 = time.perf_counter()
    for site in SITES:
        summary = crawl_site(store, site, config, now=lambda: when)
        pages += summary.fetched
        ads += summary.ads_parsed
        errors += summary.parse_errors + summary.failed
        print(
            f"  {site}: {summary.fetched} pages, {summary.ads_parsed} ads, "
            f"{summary.parse_errors} parse errors, {summary.failed} failed"
        )
    return time.perf_counter() - t0, pages, ads, errors


def reparse_all(source: Store, target: Store) -> tuple[float, float, float, int]:
    """Read back, parse and ingest every stored ad page; returns (total s, read s, parse s, ads)."""
    phones: dict[str, bytes] = {}
    pages = []
    t0 = time.perf_counter()
    for page in source.raw_pages(kinds=("phone",)):
        phones[page.url] = source.read_raw_body(page)
    for page in source.raw_pages(kinds=("ad",)):
        pages.append((page, source.read_raw_body(page)))
    read_s = time.perf_counter() - t0
    parse_s = 0.0
    batch: list[IngestItem] = []
    n = 0
    for page, body in pages:
        site = next(s for s in SITES if f"/{s}/" in page.url)
        adapter = get_adapter(site)
        p0 = time.perf_counter()
        try:
            parsed = adapter.parse(body, page.url)
            if isinstance(parsed, ParsedAd) and parsed.phone_url in phones and not parsed.phone:
                parsed.phone = adapter.parse_phone(phones[parsed.phone_url], parsed.phone_url)
        except ParseError:
            continue
        parse_s += time.perf_counter() - p0
        if not isinstance(parsed, ParsedAd):
            continue
        batch.append(IngestItem(parsed, page.fetched_at, f"{adapter.NAME}@{adapter.VERSION}", None))
        n += 1
        if len(batch) >= INGEST_BATCH:
            target.ingest(batch)
            batch = []
    target.ingest(batch)
    return time.perf_counter() - t0, read_s, parse_s, n


class ReplayClient:
    """The crawler's HTTP client, answering from responses kept by an earlier crawl (no network)."""

    def __init__(self, responses: dict[str, tuple[int, list[tuple[str, str]], bytes]]) -> None:
        self.responses = responses

    def allowed(self, url: str) -> bool:
        return True

    def fetch(self, url: str) -> Response:
        status, headers, body = self.responses.get(url, (404, [], b""))
        return Response(url=url, final_url=url, status=status, headers=headers, body=body)

    def has_cookie(self, url: str, name: str) -> bool:
        return True  # the kept pages are the ones behind the gates

    def set_cookie(self, url: str, name: str, value: str) -> None:
        pass

    def submit(self, method: str, url: str, data: dict) -> None:
        pass

    def stats(self) -> dict:
        return {}

    def close(self) -> None:
        pass


def kept_responses(store: Store) -> dict[str, tuple[int, list[tuple[str, str]], bytes]]:
    out = {}
    for page in store.raw_pages(kinds=("listing", "ad", "phone")):
        headers = [("Content-Type", page.content_type)] if page.content_type else []
        out[page.url] = (page.status_code, headers, store.read_raw_body(page))
    return out


def crawler_path(target: Store, responses: dict, server_root: str, when: datetime) -> tuple[float, int]:
    """``crawl_site`` for every site into ``target`` with responses from memory; (seconds, ad pages)."""
    config = CrawlConfig(
        purpose="benchmark",
        legal_basis="benchmark on invented data",
        contact="bench@example.nl",
        rate=100_000.0,
        fetch_images=False,
        sites=tuple(SiteConfig(name=s, base_url=f"{server_root}/{s}") for s in SITES),
    )
    client = ReplayClient(responses)
    ads = 0
    t0 = time.perf_counter()
    for site in SITES:
        summary = crawl_site(target, site, config, now=lambda: when, client=client)  # type: ignore[arg-type]
        ads += summary.ads_parsed
    return time.perf_counter() - t0, ads


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ads", type=int, default=3000, help="ads in the generated market (all weeks)")
    parser.add_argument("--day", type=int, default=10, help="market day to crawl")
    parser.add_argument("--postgres", action="store_true", help="use a throw-away PostgreSQL server")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the first crawler-path run and print its top functions",
    )
    parser.add_argument("--repeat", type=int, default=3, help="crawler-path runs (best and median shown)")
    args = parser.parse_args()

    market = generate_market(seed=7, n_ads=args.ads, weeks=4)
    app = demo_site.create_site_app(market, today=args.day, rate_limit_per_s=0)
    server = DemoServer(app)
    backend = "postgresql" if args.postgres else "sqlite"
    pg = None
    if args.postgres:
        sys.path.insert(0, str(ROOT / "tests"))
        from pg_server import PostgresServer

        pg = PostgresServer().start()
    when = datetime.combine(market.date_of(args.day), dtime(8, 0), tzinfo=TZ).astimezone(UTC)
    online = len(market.active_on(args.day))
    print(f"machine: {machine()}")
    print(f"database: {backend}; market: {len(market)} ads, {online} online on day {args.day}")
    try:
        with tempfile.TemporaryDirectory(prefix="zicht-bench-") as tmp_name:
            tmp = Path(tmp_name)
            store = open_store(backend, tmp, "crawl", pg)
            profiler = cProfile.Profile() if args.profile else None
            elapsed, pages, ads, errors = crawl_all(store, server, when)
            print(
                f"fetch+store: {pages} pages ({ads} ad pages) in {elapsed:.1f}s = "
                f"{pages / elapsed:.0f} pages/s, {ads / elapsed:.0f} ad pages/s "
                f"({errors} parse errors or failures)"
            )
            target = open_store(backend, tmp, "reparse", pg)
            total, read_s, parse_s, n = reparse_all(store, target)
            ingest_s = total - read_s - parse_s
            print(
                f"parse+store: {n} ad pages in {total:.2f}s = {n / total:.0f} ad pages/s; of which "
                f"reading evidence {read_s:.2f}s, parsing {parse_s:.2f}s ({n / parse_s:.0f}/s), "
                f"ingest {ingest_s:.2f}s ({n / ingest_s:.0f}/s)"
            )
            responses = kept_responses(store)
            rates, cpu_rates = [], []
            for i in range(args.repeat):
                replay = open_store(backend, tmp, f"replay{i}", pg)
                if profiler and i == 0:
                    profiler.enable()
                cpu0 = time.process_time()
                seconds, n_ads = crawler_path(replay, responses, server.root, when)
                cpu = time.process_time() - cpu0
                if profiler and i == 0:
                    profiler.disable()
                rates.append(n_ads / seconds)
                cpu_rates.append(n_ads / cpu)
                print(
                    f"crawler path run {i + 1}: {n_ads} ad pages in {seconds:.2f}s wall = {rates[-1]:.0f} "
                    f"ad pages/s; {cpu:.2f}s CPU = {cpu_rates[-1]:.0f} ad pages/s of CPU"
                    + (" (profiled)" if profiler and i == 0 else "")
                )
                replay.close()
            rates.sort()
            cpu_rates.sort()
            print(
                f"crawler path: best {rates[-1]:.0f}, median {rates[len(rates) // 2]:.0f} ad pages/s wall; "
                f"best {cpu_rates[-1]:.0f}, median {cpu_rates[len(cpu_rates) // 2]:.0f} per CPU second "
                f"({args.repeat} runs; load now {os.getloadavg()[0]:.1f})"
            )
            store.close()
            target.close()
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    finally:
        server.stop()
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    main()
