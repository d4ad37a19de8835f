"""A demo market in a store without HTTP: rendered, parsed, hashed, processed, linked, truth beside it.

``zicht demo`` crawls its market over real HTTP, which takes minutes and does not fetch images. For
evaluating linking (``zicht evaluate``) a store that holds what a crawl would have stored is enough:
every version is rendered by the demo site and read back by the real adapter (``offline``), seen on
the day it went online and again on its last day; every photo is rendered small (the same perceptual
hashes as full size) and hashed the way the photo stage hashes it (no OCR); then extraction, scoring
and linking run as ``zicht process`` runs them. The truth goes to ``<data dir>/demo-truth.jsonl``.

    python -m zicht.demo.offline_store --db demo-offline/zicht.db --ads 3000 --seed 7
    zicht --db demo-offline/zicht.db evaluate
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from zicht.demo.images import render_photo
from zicht.demo.intervention import record_demo_intervention
from zicht.demo.market import generate_market
from zicht.demo.model import TZ, DemoPhoto, Market
from zicht.demo.offline import DEMO_BASE, parsed_versions
from zicht.demo.truth import write_truth
from zicht.store.store import IngestItem, Store

PHOTO_SIZE = (64, 86)  # small renders: the same pHash distances as full size, far quicker
BATCH = 500


def ingest_offline(store: Store, market: Market) -> int:
    """Every version as the adapter reads it, seen on its first day and on its last; returns versions."""
    items: list[IngestItem] = []
    for ad, day, parsed, seen in parsed_versions(market):
        items.append(IngestItem(parsed, seen, f"{ad.site}@offline"))
        later = [v.from_day for v in ad.versions if v.from_day > day]
        end = min(later) - 1 if later else ad.last_day
        if end > day:
            last = datetime.combine(market.start + timedelta(days=end), dtime(18, 0), tzinfo=TZ)
            items.append(IngestItem(parsed, last, f"{ad.site}@offline"))
    items.sort(key=lambda it: it.seen_at)
    versions = 0
    for i in range(0, len(items), BATCH):
        versions += store.ingest(items[i : i + BATCH]).new_versions
    return versions


def photo_row(photo: DemoPhoto, cache: dict[str, dict] | None = None) -> dict:
    """The ``photos`` row the photo stage would write for this demo picture (rendered small: the same
    pHash distances as full size). ``cache``: rows by photo key, kept by a caller that renders the
    same pictures again (tests)."""
    from zicht.extract.photos import PHOTOS_VERSION, photo_facts

    if cache is not None and photo.key in cache:
        return cache[photo.key]
    data = render_photo(photo.photo_id, photo.variant, PHOTO_SIZE, photo.overlay_text)
    facts = photo_facts(data)
    row = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "phash": facts.phash,
        "dhash": facts.dhash,
        "width": facts.width,
        "height": facts.height,
        "format": facts.format,
        "photos_version": PHOTOS_VERSION,
    }
    if cache is not None:
        cache[photo.key] = row
    return row


def hash_photos(store: Store, market: Market, cache: dict[str, dict] | None = None) -> int:
    """Write photos and ad_photos as the photo stage would (pHash/dHash of the rendered pictures)."""
    from zicht.store import stages

    by_key: dict[str, DemoPhoto] = {p.key: p for ad in market.ads for v in ad.versions for p in v.photos}
    photo_ids: dict[str, int] = {}
    for batch in stages.image_urls_without_photo(store):
        links = []
        for version_id, position, url in batch:
            key = url.rsplit("/", 1)[1].removesuffix(".jpg")
            photo_id = photo_ids.get(key)
            if photo_id is None and key in by_key:
                photo_id = photo_ids[key] = stages.save_photo(store, photo_row(by_key[key], cache))
            links.append((version_id, position, url, photo_id))
        stages.link_photos(store, links)
    return len(photo_ids)


def build_offline_store(
    store: Store, market: Market, *, photos: bool = True, say: Callable[[str], None] = print
) -> Path:
    """Fill ``store`` with ``market`` as processed and linked; returns the path of the truth file."""
    from zicht.demo.run import TRUTH_FILE
    from zicht.linking.run import link
    from zicht.pipeline import process

    t = time.perf_counter()
    versions = ingest_offline(store, market)
    say(f"{len(market.ads)} ads, {versions} versions stored ({time.perf_counter() - t:.0f} s; {DEMO_BASE})")
    if photos:
        t = time.perf_counter()
        say(f"{hash_photos(store, market)} photos hashed ({time.perf_counter() - t:.0f} s)")
    t = time.perf_counter()
    r = process(store, photos=False)
    say(f"{r.extracted} versions extracted, {r.scored} scored ({time.perf_counter() - t:.0f} s)")
    # Recorded before linking, as ``zicht demo`` records it before its crawl: moves right after a
    # control are not group travel (``zicht.linking.clusters.MOVE_AFTER_CONTROL_DAYS``).
    recorded = record_demo_intervention(store, market)
    if recorded is not None:
        say(f"simulated control action recorded as intervention #{recorded.id} ({recorded.day})")
    t = time.perf_counter()
    lr = link(store)
    say(
        f"linked: {lr.personas} personas, {lr.networks} networks, {lr.links} links "
        f"({time.perf_counter() - t:.0f} s)"
    )
    store.data_dir.mkdir(parents=True, exist_ok=True)
    truth = store.data_dir / TRUTH_FILE
    write_truth(market, truth)
    say(f"ground truth in {truth}")
    return truth


def main() -> None:  # pragma: no cover - a command-line helper
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="SQLite path or database URL (a fresh one)")
    ap.add_argument("--ads", type=int, default=3000)
    ap.add_argument("--weeks", type=int, default=6)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-photos", action="store_true", help="Do not hash photos (links without photos)")
    ap.add_argument(
        "--no-intervention",
        action="store_true",
        help="No simulated control action (the market of the figures measured before it existed)",
    )
    args = ap.parse_args()
    url = args.db if "://" in args.db else f"sqlite:///{Path(args.db).resolve()}"
    if "://" not in args.db:
        Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    market = generate_market(
        seed=args.seed, n_ads=args.ads, weeks=args.weeks, intervention=not args.no_intervention
    )
    with Store.open(url) as store:
        if store.counts()["ads"]:
            raise SystemExit(f"{args.db} already holds ads: give a fresh database")
        build_offline_store(store, market, photos=not args.no_photos)


if __name__ == "__main__":  # pragma: no cover
    main()
