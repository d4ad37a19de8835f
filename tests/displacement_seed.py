"""A market where the waterbed effect is known: shared by the store, CLI and web tests of interventions.

Twelve personas advertise in Schiedam in the two weeks before a control action on Wednesday
14 October 2026 (ISO week 42). Afterwards five of them turn up in Vlaardingen, one is back in
Schiedam, one is in Amsterdam, one only in an ad without a known place, and four are not seen
again. Two Vlaardingen personas advertise throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store.models import LinkAd
from zicht.store.store import IngestItem, Store

DAY = date(2026, 10, 14)  # Wednesday of ISO week 42
TODAY = date(2026, 11, 23)
SCHIEDAM, VLAARDINGEN, AMSTERDAM = "GM0606", "GM0622", "GM0363"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seen:
    source_id: str
    persona: int
    place: str
    days: tuple[date, ...]


BEFORE = (date(2026, 9, 29), date(2026, 10, 6))  # weeks 40 and 41
MARKET: list[Seen] = [Seen(f"s{k}", k, "Schiedam", BEFORE) for k in range(1, 13)]
MARKET += [Seen(f"v{k}", k, "Vlaardingen", (date(2026, 10, 20),)) for k in range(1, 6)]  # week 43
MARKET += [
    Seen("s6b", 6, "Schiedam", (date(2026, 10, 20),)),
    Seen("a7", 7, "Amsterdam", (date(2026, 10, 27),)),  # week 44
    Seen("x8", 8, "Nergenshuizen", (date(2026, 10, 21),)),  # no known place
    Seen("w101", 101, "Vlaardingen", (date(2026, 9, 29), date(2026, 10, 27))),
    Seen("w102", 102, "Vlaardingen", (date(2026, 9, 29), date(2026, 10, 27))),
]


def seed(store: Store, *, link: bool = True) -> None:
    items = []
    for s in MARKET:
        phone = f"06{s.persona:08d}"
        parsed = ParsedAd(
            site="kinky",
            source_id=s.source_id,
            url=f"https://kinky.example/ad/{s.source_id}",
            title=f"Advertentie {s.source_id}",
            text=f"Hoi, nu in {s.place}. Bel {phone}.",
            fields={"location": s.place, "category": "Vrouwen"},
            phone=phone,
        )
        items += [IngestItem(parsed, at(d), "kinky@test") for d in s.days]
    store.ingest(sorted(items, key=lambda i: i.seen_at))
    process(store, photos=False)
    if link:
        with store.session() as s:
            for seen in MARKET:
                found = store.find_ad("kinky", seen.source_id)
                assert found is not None
                s.add(
                    LinkAd(ad_id=found.id, linking_version="test", version_stamp=0, persona_id=seen.persona)
                )
