"""A small demo market ingested straight into a store, with the ground truth beside it.

No crawl and no site: each ``DemoVersion`` becomes a ``ParsedAd`` seen on the day it went online and
on its last day, photos are hashed from the demo's procedural images (small renders, the same hashes
for the same picture) and written the way the photo stage writes them, then ``zicht process`` runs
without its photo step. What linking sees is what the pipeline stored, nothing from the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from zicht.demo.market import generate_market
from zicht.demo.model import TZ, DemoAd, Market
from zicht.demo.offline_store import hash_photos as offline_hash_photos
from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store.store import IngestItem, Store

_ROWS: dict[str, dict] = {}  # photo key -> its photos row, for the whole test session


@dataclass
class DemoStore:
    market: Market
    ad_ids: dict[tuple[str, str], int]  # (site, source_id) -> ad id in the store

    def truth(self, attr: str) -> dict[int, str]:
        """ad id -> a truth attribute (persona_id, network_id, scam_operator_id, role)."""
        out = {}
        for ad in self.market.ads:
            value = getattr(ad.truth, attr)
            if value is not None:
                out[self.ad_ids[ad.key]] = value
        return out


def _url(ad: DemoAd) -> str:
    return f"https://{ad.site}.example/advertentie/{ad.source_id}"


def _when(market: Market, day: int, hour: int) -> datetime:
    return datetime.combine(market.date_of(day), time(hour, 0), tzinfo=TZ)


def _parsed(ad: DemoAd, n: int) -> ParsedAd:
    v = ad.versions[n]
    return ParsedAd(
        site=ad.site,
        source_id=ad.source_id,
        url=_url(ad),
        title=v.title,
        text=v.text,
        posted_at=ad.posted_at,
        fields=dict(v.fields),
        services=list(v.services),
        rates=list(v.rates),
        images=[f"https://{ad.site}.example/img/{p.key}.jpg" for p in v.photos],
        phone=ad.phone_display,
        email=ad.email,
    )


def ingest_market(store: Store, market: Market) -> DemoStore:
    items = []
    for ad in market.ads:
        for n, v in enumerate(ad.versions):
            end = ad.versions[n + 1].from_day - 1 if n + 1 < len(ad.versions) else ad.last_day
            parsed = _parsed(ad, n)
            items.append(IngestItem(parsed, _when(market, v.from_day, 10), f"{ad.site}@demo"))
            if end > v.from_day:
                items.append(IngestItem(parsed, _when(market, end, 18), f"{ad.site}@demo"))
    items.sort(key=lambda it: it.seen_at)
    for i in range(0, len(items), 500):
        store.ingest(items[i : i + 500])
    ad_ids = {ad.key: store.find_ad(*ad.key).id for ad in market.ads}
    return DemoStore(market, ad_ids)


def hash_photos(store: Store, demo: DemoStore) -> int:
    """Write photos and ad_photos as the photo stage would (``zicht.demo.offline_store``), each picture
    rendered and hashed once per test session."""
    return offline_hash_photos(store, demo.market, _ROWS)


def demo_store(
    store: Store, *, seed: int = 7, n_ads: int = 600, weeks: int = 6, photos: bool = True
) -> DemoStore:
    market = generate_market(seed=seed, n_ads=n_ads, weeks=weeks)
    demo = ingest_market(store, market)
    if photos:
        hash_photos(store, demo)
    process(store, photos=False)
    return demo
