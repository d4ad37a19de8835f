"""How fast the demo market is generated: ads per second, streamed, without images.

Run: ``.venv/bin/python benchmarks/bench_market.py [n_ads ...]`` (default 20000 100000). Prints figures
only; performance is never asserted in tests. The generator is single-threaded; writing each ad's phone
number through ``zicht.extract.phone_formats.render_phone`` (phonenumbers parses every call) is a large
part of the time, so the second figure shows the generator's own speed with that call replaced.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import zicht.demo.market as market_module
from zicht.demo.images import render_photo
from zicht.demo.market import generate_market, iter_ads
from zicht.demo.truth import write_truth


def _rate(n_ads: int) -> tuple[float, float]:
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    count = sum(1 for _ in iter_ads(seed=7, n_ads=n_ads, weeks=6))
    assert count == n_ads
    return count / (time.perf_counter() - start_wall), count / (time.process_time() - start_cpu)


def main(sizes: list[int]) -> None:
    print(f"{'ads':>9} {'ads/s (wall)':>13} {'ads/s (cpu)':>12}")
    for n in sizes:
        wall, cpu = _rate(n)
        print(f"{n:>9,} {wall:>13,.0f} {cpu:>12,.0f}")

    real = market_module.render_phone
    market_module.render_phone = lambda e164, format_class, rng: e164
    try:
        wall, cpu = _rate(sizes[0])
        print(f"{sizes[0]:>9,} {wall:>13,.0f} {cpu:>12,.0f}   without render_phone (generator alone)")
    finally:
        market_module.render_phone = real

    t = time.perf_counter()
    market = generate_market(n_ads=3000)
    print(f"generate_market(n_ads=3000): {time.perf_counter() - t:.2f} s (sorted, in memory)")
    with TemporaryDirectory() as tmp:
        t = time.perf_counter()
        write_truth(market, Path(tmp) / "truth.jsonl.gz")
        print(f"write_truth, 3000 ads, gzip: {time.perf_counter() - t:.2f} s")
    photos = [p for ad in market.ads[:40] for p in ad.versions[0].photos][:100]
    t = time.perf_counter()
    for p in photos:
        render_photo(p.photo_id, p.variant, overlay_text=p.overlay_text)
    print(f"render_photo: {(time.perf_counter() - t) / len(photos) * 1000:.1f} ms per photo (480x640 JPEG)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [20_000, 100_000])
