"""A national-scale network for the network page's benchmark and tests: one telefonist's numbers
answering for hundreds of personas across the country.

The demo market's biggest networks hold a few dozen personas; a telefonist in a national store can
answer for hundreds, with thousands of linked pairs. ``add_telefonist`` ingests such a network
through the real stages (ingest, photo records as the photo stage stores them, extraction, linking),
so the page reads exactly what a real run would have stored. Each persona has its own name, age,
photo and gemeente and one to three ads; the personas are spread over ``numbers`` phone numbers (each
below the phone hub cap, so the number still links), and every group shares one persona with the
next, so all of them form one network. Deterministic for a given seed.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from zicht.linking.run import LinkSettings, link
from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store import stages
from zicht.store.store import IngestItem, Store

NAMES = [
    "Anna",
    "Bella",
    "Chantal",
    "Demi",
    "Esmee",
    "Fleur",
    "Gina",
    "Hanna",
    "Ilse",
    "Jade",
    "Kim",
    "Lotte",
    "Mila",
    "Noor",
    "Olga",
    "Petra",
    "Quinty",
    "Romy",
    "Sanne",
    "Tess",
    "Uma",
    "Vera",
    "Wendy",
    "Xena",
    "Yara",
    "Zoë",
]
PLACES = [
    "Amsterdam",
    "Rotterdam",
    "Utrecht",
    "Eindhoven",
    "Groningen",
    "Tilburg",
    "Almere",
    "Breda",
    "Nijmegen",
    "Apeldoorn",
    "Arnhem",
    "Haarlem",
    "Enschede",
    "Amersfoort",
    "Zaanstad",
    "Zwolle",
    "Leiden",
    "Maastricht",
    "Dordrecht",
    "Zoetermeer",
    "Venlo",
    "Heerlen",
    "Deventer",
    "Delft",
    "Alkmaar",
    "Leeuwarden",
    "Helmond",
    "Hilversum",
    "Hengelo",
    "Roosendaal",
]
SENTENCES = (
    "Ik ontvang graag in een schone en rustige woning.",
    "Parkeren kan gratis voor de deur.",
    "Discreet adres, ook in het weekend.",
    "Bel of app voor een afspraak.",
    "Spontaan, lief en altijd in voor een praatje.",
    "Nieuw in de stad, kom snel langs.",
    "Ook escort mogelijk na overleg.",
    "Geen sms, alleen bellen.",
    "Beschikbaar van tien tot tien.",
    "Gezelligheid staat bij mij voorop.",
    "Neem de tijd en ontspan.",
    "Afspraak is afspraak.",
)
START = datetime(2026, 9, 7, 10, 0, tzinfo=UTC)  # a Monday


@dataclass
class BigNetwork:
    numbers: list[str]
    ad_ids: list[int] = field(default_factory=list)
    persona_ads: list[list[int]] = field(default_factory=list)  # per generated persona, its ad ids


def _phash(rng: random.Random) -> int:
    return rng.getrandbits(64) - (1 << 63)  # stored signed, as the photo stage stores it


def add_telefonist(
    store: Store,
    *,
    personas: int = 250,
    numbers: int = 4,
    max_ads: int = 3,
    seed: int = 1,
    site: str = "telefonist",
    settings: LinkSettings | None = None,
) -> BigNetwork:
    """Ingest one telefonist's network of ``personas`` personas and link it (incrementally)."""
    rng = random.Random(seed)
    phones = [f"+3161{seed % 100:02d}{n:05d}" for n in range(numbers)]
    net = BigNetwork(phones)
    items: list[IngestItem] = []
    photos: dict[str, int] = {}
    wanted: dict[str, int] = {}
    per_group = -(-personas // numbers)
    for p in range(personas):
        group = p // per_group
        phone = phones[group]
        # the last persona of a group also answers on the next group's number: one network
        second = phones[group + 1] if p % per_group == per_group - 1 and group + 1 < numbers else None
        name, age = NAMES[p % len(NAMES)], 19 + (p * 7) % 23
        place = PLACES[rng.randrange(len(PLACES))]
        photo = f"{site}-{seed}-{p}"
        wanted[photo] = _phash(rng)
        text = " ".join(rng.sample(SENTENCES, 4))
        ads = []
        for k in range(rng.randint(1, max_ads)):
            source_id = f"{seed}-{p}-{k}"
            ads.append(source_id)
            parsed = ParsedAd(
                site=site,
                source_id=source_id,
                url=f"https://{site}.example/ad/{source_id}",
                title=f"{name} in {place}",
                text=f"Hoi, ik ben {name}. {text}" + (f" Ook bereikbaar op {second}." if second else ""),
                fields={"name": name, "age": str(age), "location": place},
                phone=phone,
                images=[f"https://{site}.example/img/{photo}.jpg"],
            )
            seen = START + timedelta(days=rng.randrange(0, 70))
            items.append(IngestItem(parsed, seen, f"{site}@bench"))
            items.append(IngestItem(parsed, seen + timedelta(days=rng.randrange(1, 21)), f"{site}@bench"))
        net.persona_ads.append(ads)  # source ids for now
    items.sort(key=lambda it: it.seen_at)
    for i in range(0, len(items), 500):
        store.ingest(items[i : i + 500])
    links = []
    for batch in stages.image_urls_without_photo(store):
        for version_id, position, url in batch:
            key = url.rsplit("/", 1)[1].removesuffix(".jpg")
            if key not in wanted:
                continue
            if key not in photos:
                photos[key] = stages.save_photo(
                    store,
                    {
                        "sha256": hashlib.sha256(key.encode()).hexdigest(),
                        "phash": wanted[key],
                        "dhash": wanted[key],
                        "width": 64,
                        "height": 86,
                        "format": "JPEG",
                        "photos_version": "bench",
                    },
                )
            links.append((version_id, position, url, photos[key]))
    stages.link_photos(store, links)
    process(store, photos=False)
    link(store, settings=settings)
    resolved = []
    for ads in net.persona_ads:
        ids = []
        for source_id in ads:
            ad = store.find_ad(site, source_id)
            assert ad is not None
            ids.append(ad.id)
        resolved.append(ids)
    net.persona_ads = resolved
    net.ad_ids = sorted(a for ids in resolved for a in ids)
    return net
