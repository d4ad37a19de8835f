"""A small linked market for the network page tests: real ads through the real store and stages.

Lisa advertises on two sites with one number and the same photo (re-encoded: pHash distance 2); Nina
answers on that number too (a telefonist's network of two personas); Eva and two others work alone.
Five ads also name one booking e-mail address, which the linking run below treats as a hub (cap 3).
Expected answers in the tests come from ``NetSeed``, never from the page under test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from zicht.linking.run import DEFAULT_HUB_CAPS, LinkSettings, link
from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store import stages
from zicht.store.store import IngestItem, Store

T0 = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)  # a Monday: ISO week 2026-W41
SHARED = "+31612345678"
HUB_EMAIL = "boeking@bureau.example"
SETTINGS = LinkSettings(hub_caps={**DEFAULT_HUB_CAPS, "email": 3})

PHASH_LISA = 0x0123456789ABCDEF
PHASH_LISA_COPY = PHASH_LISA ^ 0b101  # the same picture re-encoded: distance 2
PHASH_NINA = 0x7EDCBA9876543210
PHASH_EVA = 0x1F1F1F1F1F1F1F1F

TEXTS = {
    "lisa": "Hoi, ik ben Lisa uit Heerlen. Ik neem graag de tijd voor je. Bel me gerust.",
    "lisa2": "Lisa hier, lieve meid in Heerlen. Parkeren kan gratis voor de deur.",
    "nina": "Nina ontvangt in Maastricht. Zij werkt op afspraak.",
    "eva": "Welkom op mijn pagina, ik ben Eva. Gezelligheid staat bij mij voorop in Venlo.",
    "roos": "Roos in Sittard, discreet adres, ook in het weekend.",
    "iris": "Iris uit Venlo, spontaan en lief, bel of app.",
}


@dataclass
class NetSeed:
    ids: dict[str, int] = field(default_factory=dict)  # "kinky:1" -> ad id
    photo_ids: dict[str, int] = field(default_factory=dict)  # "lisa" -> photo id

    @property
    def network(self) -> int:
        """Lisa and Nina's network: its id is its smallest ad id."""
        return min(self.ids["kinky:1"], self.ids["sexjobs:2"], self.ids["kinky:3"])

    @property
    def lisa(self) -> int:
        return min(self.ids["kinky:1"], self.ids["sexjobs:2"])

    @property
    def nina(self) -> int:
        return self.ids["kinky:3"]


def _ad(
    site: str, source_id: str, name: str, age: int, place: str, phone: str, text: str, photo: str
) -> ParsedAd:
    return ParsedAd(
        site=site,
        source_id=source_id,
        url=f"https://{site}.example/ad/{source_id}",
        title=f"{name} in {place}",
        text=text,
        fields={"name": name, "age": str(age), "location": place},
        phone=phone,
        email=HUB_EMAIL if source_id != "2" else None,
        images=[f"https://{site}.example/img/{photo}.jpg"],
    )


ADS = [
    ("kinky", "1", "Lisa", 24, "Heerlen", SHARED, TEXTS["lisa"], "lisa"),
    ("sexjobs", "2", "Lisa", 24, "Heerlen", SHARED, TEXTS["lisa2"], "lisa-copy"),
    ("kinky", "3", "Nina", 21, "Maastricht", SHARED, TEXTS["nina"], "nina"),
    ("redlights", "4", "Eva", 30, "Venlo", "+31687654321", TEXTS["eva"], "eva"),
    ("redlights", "5", "Roos", 26, "Sittard", "+31611110005", TEXTS["roos"], "roos"),
    ("kinky", "6", "Iris", 28, "Venlo", "+31611110006", TEXTS["iris"], "iris"),
]
PHASHES = {
    "lisa": PHASH_LISA,
    "lisa-copy": PHASH_LISA_COPY,
    "nina": PHASH_NINA,
    "eva": PHASH_EVA,
    "roos": 0x3C3C3C3C0F0F0F0F,
    "iris": 0x55AA55AA55AA55AA,
}


def seed_network(store: Store) -> NetSeed:
    """Ingest, hash photos as the photo stage would, extract, and link (e-mail hub cap 3)."""
    parsed = [_ad(*row) for row in ADS]
    store.ingest([IngestItem(p, T0, f"{p.site}@test") for p in parsed])
    # Lisa's first ad is seen again eight days later: the network advertises in two ISO weeks.
    store.ingest([IngestItem(parsed[0], T0 + timedelta(days=8), "kinky@test")])
    seed = NetSeed()
    for site, source_id, *_ in ADS:
        ad = store.find_ad(site, source_id)
        assert ad is not None
        seed.ids[f"{site}:{source_id}"] = ad.id
    links = []
    for batch in stages.image_urls_without_photo(store):
        for version_id, position, url in batch:
            key = url.rsplit("/", 1)[1].removesuffix(".jpg")
            if key not in seed.photo_ids:
                seed.photo_ids[key] = stages.save_photo(
                    store,
                    {
                        "sha256": f"{key:0>64}"[-64:],
                        "phash": PHASHES[key],
                        "dhash": PHASHES[key],
                        "width": 64,
                        "height": 86,
                        "format": "JPEG",
                        "photos_version": "test",
                    },
                )
            links.append((version_id, position, url, seed.photo_ids[key]))
    stages.link_photos(store, links)
    process(store, photos=False)
    link(store, full=True, settings=SETTINGS)
    return seed
