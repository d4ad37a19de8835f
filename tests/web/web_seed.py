"""A small seeded market for the web tests: real data through the real store.

Expected answers in the tests are computed from ``Seed`` itself, never typed in by hand.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
    b"<img src='http://127.0.0.1:9/remote.jpg' onerror=\"document.body.innerHTML='PWNED'\">"
    # every other way a stored page could reach out: none of it may leave the app (test_browser)
    b"<style>@import url('http://127.0.0.1:9/import.css');"
    b"p{background:url('http://127.0.0.1:9/bg.png')}@font-face{font-family:x;src:url('http://127.0.0.1:9/f.woff')}"
    b"</style><script src='http://127.0.0.1:9/remote.js'></script>"
    b"<img srcset='http://127.0.0.1:9/set.jpg 2x' alt=''><video poster='http://127.0.0.1:9/poster.jpg'></video>"
    b"<iframe src='http://127.0.0.1:9/frame.html'></iframe><object data='http://127.0.0.1:9/o.swf'></object>"
    b"<link rel='prefetch' href='http://127.0.0.1:9/prefetch'><link rel='icon' href='http://127.0.0.1:9/i.ico'>"
    b"</body></html>"
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


# ---------------------------------------------------------------- signals (worklist, ad page)

T1 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HOSTILE_TEXT = '<script>document.title="PWNED"</script><b onmouseover="x()">vet</b>'


@dataclass(frozen=True)
class SignalAd:
    key: str
    site: str
    title: str
    text: str
    fields: dict[str, str]
    hours_after_t1: int
    services: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()
    phone: str | None = None
    removed: bool = False


# Ads written to produce known kinds of signals; what each one scores is read back from the store,
# never assumed: the tests compare the pages with what the real pipeline stored.
SIGNAL_ADS = (
    SignalAd(
        "many",
        "kinky",
        "Jonge meid net 18, 24/7 beschikbaar",
        "Hoi ik ben Anna. Geen AV! Pijpen zonder condoom. Bel nul zes een twee drie vier vijf zes zeven "
        f"acht. {HOSTILE_TEXT} 100% echt",
        {"location": "Heerlen", "age": "23", "origin": "Roemeense", "hours": "24/7", "reception": "hotel"},
        0,
        services=("Pijpen zonder", "Geen grenzen"),
        rates=("30 min € 50", "1 uur € 100"),
        phone="0612345678",
    ),
    SignalAd(
        "third_person",
        "sexjobs",
        "Nieuw in Amsterdam",
        "Onze meiden wachten op je. Alleen deze week!",
        {"location": "Amsterdam", "age": "25"},
        1,
    ),
    SignalAd(
        "hotel",
        "redlights",
        "Dag en nacht bereikbaar",
        "Ontvangst in een hotel in Maastricht. Bel gerust.",
        # declared hours that do not say "around the clock": the title does
        {"location": "Maastricht", "age": "31", "hours": "weekend 10-18"},
        2,
    ),
    SignalAd(
        "overlap",
        "kinky",
        "Keuze uit 2 jonge meiden",
        "Keuze uit 2 jonge meiden, discreet en gezellig.",
        {"location": "Rotterdam", "age": "22"},
        3,
    ),
    SignalAd(
        "quiet",
        "sexjobs",
        "Hoi, ik ben Eva",
        "Hoi, ik ben Eva. Bel me gerust voor een afspraak.",
        {"location": "Utrecht", "age": "34"},
        4,
    ),
    SignalAd(
        "unknown_place",
        "kinky",
        "Hallo",
        "Lieve groetjes en tot snel.",
        {"location": "Atlantis"},
        5,
    ),
    SignalAd(
        "removed",
        "kinky",
        "Jonge meiden 24/7",
        "Jonge meiden, geen grenzen, 24/7.",
        {"location": "Heerlen", "age": "20"},
        6,
        removed=True,
    ),
    SignalAd(
        "negated_only",
        "sexjobs",
        "Veilig en vertrouwd",
        "Geen AV, alleen met condoom. Ontvangst in Zwolle.",
        {"location": "Zwolle", "age": "29"},
        7,
    ),
    # the same score a day later: the newer one comes first
    SignalAd(
        "tie_old",
        "redlights",
        "Altijd beschikbaar",
        "Altijd beschikbaar voor jou in Eindhoven.",
        {"location": "Eindhoven", "age": "28"},
        30,
    ),
    SignalAd(
        "tie_new",
        "redlights",
        "Altijd beschikbaar",
        "Altijd beschikbaar voor jou in Eindhoven.",
        {"location": "Eindhoven", "age": "28"},
        31,
    ),
)


# "quiet" was first seen at T1 + 4 h and changed its text three days later.
CHANGED_LATER = "quiet"
CHANGED_AFTER = timedelta(days=3)
CHANGED_TEXT = "Hoi, ik ben Eva. Vanaf nu ook in het weekend, bel me gerust voor een afspraak."


@dataclass
class SignalSeed:
    ids: dict[str, int] = field(default_factory=dict)
    first_seen: dict[str, datetime] = field(default_factory=dict)

    def key_of(self, ad_id: int) -> str:
        return next(k for k, v in self.ids.items() if v == ad_id)


def seed_signals(store: Store) -> SignalSeed:
    """The ads of ``SIGNAL_ADS`` through the real pipeline: extraction and signals, no photos."""
    from zicht.pipeline import process

    seed = SignalSeed()
    items = []
    for ad in SIGNAL_ADS:
        seen = T1 + timedelta(hours=ad.hours_after_t1)
        parsed = ParsedAd(
            site=ad.site,
            source_id=ad.key,
            url=f"https://{ad.site}.example/advertenties/{ad.key}",
            title=ad.title,
            text=ad.text,
            fields=dict(ad.fields),
            services=list(ad.services),
            rates=list(ad.rates),
            phone=ad.phone,
        )
        items.append(IngestItem(parsed, seen, f"{ad.site}@test"))
        seed.first_seen[ad.key] = seen
    store.ingest(items)
    # An old ad that changed later: its new version is what "new or changed since" must find.
    old = next(a for a in SIGNAL_ADS if a.key == CHANGED_LATER)
    changed = ParsedAd(
        site=old.site,
        source_id=old.key,
        url=f"https://{old.site}.example/advertenties/{old.key}",
        title=old.title,
        text=CHANGED_TEXT,
        fields=dict(old.fields),
    )
    store.ingest([IngestItem(changed, T1 + CHANGED_AFTER, f"{old.site}@test")])
    for ad in SIGNAL_ADS:
        found = store.find_ad(ad.site, ad.key)
        assert found is not None
        seed.ids[ad.key] = found.id
        if ad.removed:
            site_id = store.site_id(ad.site)
            assert site_id is not None
            store.mark_removed_urls(site_id, [found.url], T1 + timedelta(days=1))
    process(store, photos=False)
    return seed


@dataclass
class SignalSite:
    """A store seeded with ``seed_signals`` and the app on it."""

    store: Store
    seed: SignalSeed
    app: FastAPI


_signal_dbs = itertools.count()


def backend_url(backend: str, tmp: Path, pg_server: object | None = None) -> str:
    """A new, empty database: a SQLite file under ``tmp`` or one on the test PostgreSQL server."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'zicht.db'}"
    return pg_server.create_database(f"sig{os.getpid()}_{next(_signal_dbs)}")  # type: ignore[union-attr]


@contextmanager
def signal_site(url: str, tmp: Path) -> Iterator[SignalSite]:
    """``seed_signals`` in the (empty) database at ``url``, with the app on it."""
    from zicht.web.app import create_app

    store = Store.open(url, data_dir=tmp / "data")
    try:
        yield SignalSite(store, seed_signals(store), create_app(store))
    finally:
        store.close()
