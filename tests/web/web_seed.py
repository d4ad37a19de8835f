"""A small seeded market for the web tests: real data through the real store.

Expected answers in the tests are computed from ``Seed`` itself, never typed in by hand.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from PIL import Image

from zicht.sources.types import ParsedAd
from zicht.store.models import AdPhoto, Photo
from zicht.store.store import IngestItem, Store

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
PLACES = ("Heerlen", "Maastricht", "Sittard-Geleen")

SNAPSHOT_HTML = (
    b"<!doctype html><html><head><title>Lisa</title>"
    b"<script>document.body && (document.body.innerHTML = 'PWNED');"
    b"fetch('http://127.0.0.1:9/leak');</script>"
    b"<link rel='stylesheet' href='http://127.0.0.1:9/remote.css'></head>"
    b"<body><h1>Lisa in Heerlen</h1><p id='txt'>Hoi, ik ben Lisa uit Heerlen.</p>"
    b"<img src='http://127.0.0.1:9/remote.jpg' onerror=\"document.body.innerHTML='PWNED'\"></body></html>"
)

# The versioned ad: three contents, the middle one moves the ad to Sittard.
VERSION_TEXTS = (
    "Hoi, ik ben Lisa uit Heerlen. Bel me gerust.",
    "Hoi, ik ben Lisa, nu in Sittard. Bel me gerust.",
    "Hoi, ik ben Lisa, nu in Sittard. Bel me gerust of stuur een bericht.",
)


@dataclass
class SeedAd:
    site: str
    source_id: str
    title: str
    text: str
    place: str
    age: str
    first_seen: datetime
    last_seen: datetime
    removed: bool = False
    id: int = 0


@dataclass
class Seed:
    ads: list[SeedAd] = field(default_factory=list)
    versioned_id: int = 0
    snapshot_id: int = 0
    snapshot_sha256: str = ""
    photo_raw_page_id: int = 0
    image_urls: list[str] = field(default_factory=list)

    def where(self, **match: object) -> list[SeedAd]:
        return [a for a in self.ads if all(getattr(a, k) == v for k, v in match.items())]


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (24, 16), (40, 90, 160)).save(buf, format="PNG")
    return buf.getvalue()


def _parsed(ad: SeedAd, **overrides: object) -> ParsedAd:
    values: dict = {
        "site": ad.site,
        "source_id": ad.source_id,
        "url": f"https://{ad.site}.example/advertenties/{ad.source_id}",
        "title": ad.title,
        "text": ad.text,
        "fields": {"location": ad.place, "age": ad.age},
    }
    extra_fields = overrides.pop("fields", {})
    values["fields"].update(extra_fields)
    values.update(overrides)
    return ParsedAd(**values)


def seed_store(store: Store) -> Seed:
    """66 ads on two sites (5 removed), one with three versions, a stored page and a photo."""
    seed = Seed()
    for i in range(55):
        seen = T0 + timedelta(hours=i)
        seed.ads.append(
            SeedAd(
                site="kinky",
                source_id=f"k{i}",
                title=f"Advertentie {i} in {PLACES[i % 3]}",
                text=f"Tekst van advertentie {i}.",
                place=PLACES[i % 3],
                age=str(21 + i % 10),
                first_seen=seen,
                last_seen=seen + timedelta(days=2),
                removed=i < 5,
            )
        )
    for i in range(10):
        seen = T0 + timedelta(days=10, hours=i)
        seed.ads.append(
            SeedAd(
                site="sexjobs",
                source_id=f"s{i}",
                title=f"Nieuw in Amsterdam {i}",
                text="Discreet en gezellig." + (" Zonnebloemveld." if i == 3 else ""),
                place="Amsterdam",
                age="30",
                first_seen=seen,
                last_seen=seen,
            )
        )
    items = []
    for ad in seed.ads:
        items.append(IngestItem(_parsed(ad), ad.first_seen, f"{ad.site}@test"))
        if ad.last_seen != ad.first_seen:
            items.append(IngestItem(_parsed(ad), ad.last_seen, f"{ad.site}@test"))
    store.ingest(items)

    kinky = store.ensure_site("kinky", "https://kinky.example")
    store.mark_removed_urls(
        kinky,
        [f"https://kinky.example/advertenties/{a.source_id}" for a in seed.ads if a.removed],
        T0 + timedelta(days=3),
    )

    # The versioned ad, its first version read from a stored page.
    run = store.start_run(kinky, "crawl", purpose="toezicht test", legal_basis="APV art. 3:5 (test)")
    seed.snapshot_id = store.store_page(
        run,
        "https://kinky.example/advertenties/v1",
        "ad",
        200,
        [("Content-Type", "text/html; charset=utf-8")],
        SNAPSHOT_HTML,
        T0 - timedelta(days=1),
    )
    seed.photo_raw_page_id = store.store_page(
        run,
        "https://kinky.example/img/v1-1.png",
        "image",
        200,
        [("Content-Type", "image/png")],
        png_bytes(),
        T0,
    )
    seed.snapshot_sha256 = store.get_raw_page(seed.snapshot_id).sha256
    seed.image_urls = ["https://kinky.example/img/v1-1.png", "javascript:alert(1)"]
    lisa = SeedAd(
        "kinky",
        "v1",
        "Lisa",
        VERSION_TEXTS[0],
        "Heerlen",
        "23",
        T0 - timedelta(days=1),
        T0 + timedelta(days=2),
    )
    for n, text in enumerate(VERSION_TEXTS):
        place = "Heerlen" if n == 0 else "Sittard"
        services = ["massage", "knuffelen"] if n < 2 else ["massage"]
        store.ingest(
            [
                IngestItem(
                    _parsed(
                        lisa,
                        text=text,
                        fields={"location": place, "name": "Lisa"},
                        services=services,
                        rates=["30 min € 80"],
                        images=seed.image_urls,
                        phone="0612345678",
                    ),
                    lisa.first_seen + timedelta(days=n),
                    "kinky@test",
                    seed.snapshot_id if n == 0 else None,
                )
            ]
        )
    lisa.place, lisa.text, lisa.last_seen = "Sittard", VERSION_TEXTS[-1], lisa.first_seen + timedelta(days=2)
    seed.ads.append(lisa)

    for ad in seed.ads:
        found = store.find_ad(ad.site, ad.source_id)
        assert found is not None
        ad.id = found.id
    seed.versioned_id = lisa.id

    # What the photo stage will write: the first image of the current version, kept as evidence.
    current = store.versions(lisa.id)[-1]
    with store.session() as s:
        photo = Photo(sha256="0" * 64, photos_version="test", raw_page_id=seed.photo_raw_page_id)
        s.add(photo)
        s.flush()
        s.add(AdPhoto(ad_version_id=current.id, position=0, url=seed.image_urls[0], photo_id=photo.id))
    return seed


@dataclass
class Seeded:
    """A seeded store and the app on it."""

    store: Store
    seed: Seed
    app: FastAPI


@dataclass
class LiveSite:
    """The seeded market behind a real server."""

    url: str
    seed: Seed
    store: Store
