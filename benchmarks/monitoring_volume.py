"""Fill a store with a year of synthetic ads for the monitoring benchmarks (dashboard, movement).

    .venv/bin/python benchmarks/monitoring_volume.py sqlite:////tmp/vol.db --ads 1000000 [--seed 1]
    .venv/bin/python benchmarks/monitoring_volume.py postgresql+psycopg://u@127.0.0.1:5432/db --ads 100000

Bulk inserts straight into the tables (no HTTP, no parsing): ads, versions, extractions, contact
points and the linking stage's ``link_ads`` rows, so a million ads load in minutes. The market is
shaped like the real one where it matters for counting: gemeenten weighted (a few cities hold most
ads), personas with several ads (reposts, other sites), persona phones shared within networks,
versions that move an ad to another gemeente (touring), about 2% of ads without a known place,
lifetimes from a day to months, and a year that holds both DST changes. Importable:
``load_volume(url, n_ads, seed) -> VolumeSummary``; ``benchmarks/bench_dashboard.py`` and
``benchmarks/bench_movement.py`` use it.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import math
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zicht import reference
from zicht.store.models import (
    Ad,
    AdContact,
    AdVersion,
    ContactPoint,
    Extraction,
    LinkAd,
    Site,
)
from zicht.store.store import Store

END = date(2026, 11, 15)  # the last day of the synthetic year (a Sunday)
DAYS = 365
SITES = ("kinky", "sexjobs", "redlights", "massagesalons")
CITIES = ("GM0363", "GM0599", "GM0518", "GM0344", "GM0772", "GM0855", "GM0935", "GM0917", "GM0014")
CATEGORIES = ("vrouwen", "mannen", "trans", "stellen")
BATCH = 20_000
LINKING_VERSION = "volume-bench"


@dataclass
class VolumeSummary:
    url: str
    ads: int
    versions: int
    contact_points: int
    personas: int
    first_day: date
    last_day: date
    seconds: float

    def line(self) -> str:
        return (
            f"{self.ads} ads, {self.versions} versions, {self.contact_points} contact points, "
            f"{self.personas} personas, {self.first_day} .. {self.last_day}, loaded in {self.seconds:.1f} s"
        )


def _gemeente_weights(rng: random.Random) -> tuple[list[str], list[float]]:
    """Every gemeente; the big cities first, the rest in a seeded order, weights falling as a power law."""
    codes = sorted(reference.gemeenten())
    rest = [c for c in codes if c not in CITIES]
    rng.shuffle(rest)
    order = [c for c in CITIES if c in codes] + rest
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(order))]
    return order, list(itertools.accumulate(weights))


def _bulk(store: Store, table: type, rows: list[dict]) -> None:
    if not rows:
        return
    with store.session() as s:
        s.execute(insert(table), rows)


def _fix_sequences(store: Store) -> None:
    """Rows got explicit ids; PostgreSQL's sequences must continue after them."""
    if store.engine.dialect.name != "postgresql":
        return
    with store.session() as s:
        for table in ("ads", "ad_versions", "contact_points", "sites"):
            s.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )


def load_volume(
    url: str, n_ads: int, seed: int = 1, *, data_dir: Path | None = None, end: date = END
) -> VolumeSummary:
    """Add ``n_ads`` synthetic ads over the year ending on ``end`` to the store at ``url``."""
    started = time.perf_counter()
    rng = random.Random(seed)
    store = Store.open(url, data_dir=data_dir or Path(tempfile.mkdtemp(prefix="zicht-volume-")))
    try:
        gemeenten, cum = _gemeente_weights(rng)
        with store.session() as s:
            site_ids = {}
            for name in SITES:
                found = s.scalar(select(Site.id).where(Site.name == name))
                if found is None:
                    site = Site(name=name, base_url=f"https://{name}.example")
                    s.add(site)
                    s.flush()
                    found = site.id
                site_ids[name] = found
            ad_id = (s.scalar(select(func.max(Ad.id))) or 0) + 1
            version_id = (s.scalar(select(func.max(AdVersion.id))) or 0) + 1
            contact_id = (s.scalar(select(func.max(ContactPoint.id))) or 0) + 1
        first_new = ad_id
        start = end - timedelta(days=DAYS - 1)
        t0 = datetime(start.year, start.month, start.day, 8, tzinfo=UTC)
        now = datetime.now(UTC)

        ads: list[dict] = []
        versions: list[dict] = []
        facts: list[dict] = []
        contacts: list[dict] = []
        ad_contacts: list[dict] = []
        links: list[dict] = []
        n_versions = n_contacts = n_personas = 0

        def flush(force: bool = False) -> None:
            if force or len(ads) >= BATCH:
                _bulk(store, ContactPoint, contacts)
                _bulk(store, Ad, ads)
                _bulk(store, AdVersion, versions)
                _bulk(store, Extraction, facts)
                _bulk(store, AdContact, ad_contacts)
                _bulk(store, LinkAd, links)
                for rows in (contacts, ads, versions, facts, ad_contacts, links):
                    rows.clear()

        network_phone: int | None = None
        made = 0
        while made < n_ads:
            # One persona: a home gemeente, a phone (shared with its network now and then), 1-8 ads.
            n_personas += 1
            persona = ad_id
            home = rng.choices(gemeenten, cum_weights=cum)[0]
            if network_phone is not None and rng.random() < 0.3:
                phone = network_phone
            else:
                phone = contact_id
                contact_id += 1
                n_contacts += 1
                value = f"+3161{n_contacts:07d}"
                contacts.append(
                    {
                        "id": phone,
                        "kind": "phone",
                        "value": value,
                        "country": "NL",
                        "hmac": hashlib.sha256(f"{seed}:{value}".encode()).hexdigest(),
                    }
                )
                if rng.random() < 0.2:
                    network_phone = phone
            category = rng.choice(CATEGORIES) if rng.random() < 0.9 else None
            born = t0 + timedelta(days=rng.randrange(DAYS), minutes=rng.randrange(24 * 60))
            for _ in range(min(1 + int(rng.expovariate(0.5)), 8, n_ads - made)):
                first = born + timedelta(days=rng.randrange(0, 30), minutes=rng.randrange(600))
                life = min(int(rng.lognormvariate(math.log(7), 1.0)), 180)
                last = first + timedelta(days=life, minutes=rng.randrange(600))
                limit = datetime(end.year, end.month, end.day, 20, tzinfo=UTC)
                if first > limit:
                    first = limit - timedelta(hours=rng.randrange(1, 48))
                last = min(last, limit)
                site = rng.choice(SITES)
                n_v = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
                v_times = sorted([first] + [first + (last - first) * rng.random() for _ in range(n_v - 1)])
                place = None if rng.random() < 0.02 else home
                current = None
                for i, seen in enumerate(v_times):
                    if i > 0 and rng.random() < 0.4:  # touring: the next version is elsewhere
                        place = rng.choices(gemeenten, cum_weights=cum)[0]
                    current = version_id
                    versions.append(
                        {
                            "id": version_id,
                            "ad_id": ad_id,
                            "content_hash": f"{ad_id}-{i}",
                            "first_seen": seen,
                            "last_seen": v_times[i + 1] if i + 1 < len(v_times) else last,
                            "parser": "volume@1",
                            "title": "",
                            "text": "",
                            "fields": {"category": category} if category else {},
                            "services": [],
                            "rates": [],
                            "images": [],
                        }
                    )
                    facts.append(
                        {
                            "ad_version_id": version_id,
                            "extractor_version": "volume@1",
                            "created_at": now,
                            "facts": {},
                            "gemeente_code": place,
                            "error_count": 0,
                        }
                    )
                    ad_contacts.append(
                        {"ad_version_id": version_id, "contact_point_id": phone, "source": "field"}
                    )
                    version_id += 1
                    n_versions += 1
                ads.append(
                    {
                        "id": ad_id,
                        "site_id": site_ids[site],
                        "source_id": f"v{seed}-{ad_id}",
                        "url": f"https://{site}.example/ad/{ad_id}",
                        "first_seen": first,
                        "last_seen": last,
                        "status": "active",
                    }
                )
                links.append(
                    {
                        "ad_id": ad_id,
                        "linking_version": LINKING_VERSION,
                        "version_stamp": current,
                        "keyed_at": now,
                        "dirty": False,
                        "recluster": False,
                        "persona_id": persona,
                        "network_id": persona,
                        "profile": {},
                    }
                )
                ad_id += 1
                made += 1
            flush()
        flush(force=True)
        # Versions point at their ad and the ad at its current version: the ads go in first, the
        # pointer afterwards in one statement.
        with store.session() as s:
            s.execute(
                text(
                    "UPDATE ads SET current_version_id = "
                    "(SELECT max(v.id) FROM ad_versions v WHERE v.ad_id = ads.id) WHERE ads.id >= :lo"
                ),
                {"lo": first_new},
            )
        _fix_sequences(store)
    finally:
        store.close()
    return VolumeSummary(
        url, made, n_versions, n_contacts, n_personas, start, end, time.perf_counter() - started
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="sqlite:///path.db or postgresql+psycopg://…")
    parser.add_argument("--ads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(load_volume(args.url, args.ads, args.seed).line())


if __name__ == "__main__":
    main()
