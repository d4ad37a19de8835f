"""Parse speed per site adapter, over ad and listing pages rendered by the demo site (no HTTP).

Target: well above 1,500 ad pages/s per adapter in one process, so that parsing plus storing on
SQLite stays above 500 pages/s. Run: ``.venv/bin/python benchmarks/bench_parse.py [--ads 3000]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

from zicht.demo.market import generate_market
from zicht.demo.site import DemoSite
from zicht.sources.adapters import ADAPTERS

ROOT = "http://127.0.0.1:8000"


def _pages(site: DemoSite, name: str) -> tuple[list[tuple[bytes, str]], list[tuple[bytes, str]]]:
    ads, listings = [], []
    for ad in site.ads:
        if ad.site == name:
            day = ad.versions[-1].from_day
            ads.append((site.render_ad(ad, day, prefix=f"/{name}"), f"{ROOT}/{name}{site.ad_path(ad)}"))
    for key in site.listing_keys(name):
        for page in (1, 2):
            body = site.render_listing(name, key, page, prefix=f"/{name}")
            listings.append((body, f"{ROOT}/{name}{site.listing_path(name, key, page)}"))
    return ads, listings


def _rate(parse, pages: list[tuple[bytes, str]], repeat: int) -> float:
    """Best of ``repeat`` passes, in pages per second (the best pass is the least disturbed one)."""
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        for body, url in pages:
            parse(body, url)
        rates.append(len(pages) / (time.perf_counter() - start))
    return max(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ads", type=int, default=3000, help="ads in the generated market")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    market = generate_market(seed=args.seed, n_ads=args.ads, weeks=6)
    site = DemoSite(market, today=market.days // 2, broken_fraction=0)
    print(f"market: {len(market)} ads, seed {args.seed}; best of {args.repeat} passes")
    print(f"{'adapter':<10} {'ad pages':>9} {'avg KiB':>8} {'ads/s':>9} {'MiB/s':>7} {'listings/s':>11}")
    overall = []
    for name, adapter in ADAPTERS.items():
        ads, listings = _pages(site, name)
        if not ads:
            continue
        kib = statistics.mean(len(b) for b, _ in ads) / 1024
        ad_rate = _rate(adapter.parse, ads, args.repeat)
        listing_rate = _rate(adapter.parse, listings, args.repeat) if listings else float("nan")
        overall.append(ad_rate)
        print(
            f"{name:<10} {len(ads):>9} {kib:>8.1f} {ad_rate:>9.0f} {ad_rate * kib / 1024:>7.1f} {listing_rate:>11.0f}"
        )
    print(f"slowest adapter: {min(overall):.0f} ad pages/s (target > 1500)")


if __name__ == "__main__":
    main()
