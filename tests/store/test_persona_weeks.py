"""The stored presence and flows (persona_weeks, persona_flows) give the direct movement, exactly.

On a varied synthetic year (moves, ads without place, personas with several ads), on SQLite and
PostgreSQL, before and after changes: new ads, an ad that moved, personas and networks relinked.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from zicht.analysis.movement import presence_from_days
from zicht.sources.types import ParsedAd
from zicht.store.aggregates import freshness, mark_stale, refresh_aggregates
from zicht.store.models import AdVersion, Extraction, LinkAd, PersonaFlow, PersonaWeek
from zicht.store.movement import AreaFilter, ad_days, clear_cache, movement
from zicht.store.persona_weeks import stored_presence
from zicht.store.store import IngestItem, Store

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
import monitoring_volume as volume

# (first arrival week, last arrival week): the DST weeks, the turn of the ISO year, the last weeks.
RANGES = [
    (date(2026, 3, 16), date(2026, 4, 6)),
    (date(2025, 12, 22), date(2026, 1, 12)),
    (date(2026, 10, 12), date(2026, 11, 9)),
    (date(2026, 5, 4), date(2026, 5, 4)),
]
AREAS = [
    AreaFilter(),
    AreaFilter("gemeente", "GM0363"),
    AreaFilter("police_unit", "RE10"),
    AreaFilter("province", "PV27"),
    AreaFilter("region", "1", frozenset({"GM0363", "GM0935", "GM0917"})),
]


def assert_same_as_direct(store: Store) -> None:
    for first, last in RANGES:
        for area in AREAS:
            clear_cache()
            stored = movement(store, first, last, area)
            assert stored.as_of is not None
            direct = movement(store, first, last, area, direct=True)
            assert direct.as_of is None
            assert replace(stored, as_of=None) == direct, (first, area)
        # The presence rows themselves, week by week.
        before = first - timedelta(days=7)
        found = presence_from_days(ad_days(store, before, last + timedelta(days=6)), before, last)
        kept = stored_presence(store, before, last)
        assert kept.days == found.days
        assert {p: kept.network[p] for p in found.network if any(k[0] == p for k in found.days)} == {
            p: found.network[p] for p in found.network if any(k[0] == p for k in found.days)
        }


def ad(source_id: str, place: str, phone: str) -> ParsedAd:
    return ParsedAd(
        site="kinky",
        source_id=source_id,
        url=f"https://kinky.example/ad/{source_id}",
        title=f"Advertentie {source_id}",
        text=f"Hoi, nu in {place}. Bel {phone}.",
        fields={"location": place},
        phone=phone,
    )


PLACES = {"Heerlen": "GM0917", "Maastricht": "GM0935", "Sittard": "GM1883"}


def extract_places(store: Store) -> None:
    """The extraction stage's gemeente for the new versions (the synthetic year has its own)."""
    with store.session() as s:
        new = s.execute(
            select(AdVersion.id, AdVersion.text)
            .outerjoin(Extraction, Extraction.ad_version_id == AdVersion.id)
            .where(Extraction.ad_version_id.is_(None))
        ).all()
        for version_id, text in new:
            place = next(code for name, code in PLACES.items() if name in text)
            s.add(
                Extraction(
                    ad_version_id=version_id,
                    extractor_version="test",
                    created_at=datetime.now(UTC),
                    facts={},
                    gemeente_code=place,
                    error_count=0,
                )
            )


def test_stored_movement_equals_the_direct_computation(store: Store) -> None:
    volume.load_volume(store.url, 2000, seed=5, data_dir=store.data_dir)
    assert freshness(store) is None  # no refresh yet: the direct path answers
    assert movement(store, *RANGES[0]).as_of is None
    report = refresh_aggregates(store)
    assert report.presence_rows > 0 and report.flows > 0
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(PersonaFlow)) == report.flows
        assert s.scalar(select(func.count()).select_from(PersonaWeek)) == report.presence_rows
    assert_same_as_direct(store)
    board = movement(store, date(2026, 3, 2), date(2026, 11, 9))
    assert board.n_flow_rows > 20 and board.personas_unknown > 0  # a varied store

    # New ads, one of them moving from Heerlen to Maastricht a week later: stale until refreshed.
    monday = datetime(2026, 10, 19, 10, tzinfo=UTC)
    items = [
        IngestItem(ad("m1", "Heerlen", "0611112222"), monday, "test"),
        IngestItem(ad("m1", "Maastricht", "0611112222"), monday + timedelta(days=7), "test"),
        IngestItem(ad("m2", "Sittard", "0633334444"), monday + timedelta(days=1), "test"),
    ]
    store.ingest(items)
    extract_places(store)
    stale = movement(store, date(2026, 10, 19), date(2026, 11, 2))
    assert stale.as_of is not None and not stale.as_of.fresh and stale.as_of.new_ads == 2
    assert replace(stale, as_of=None) != movement(store, date(2026, 10, 19), date(2026, 11, 2), direct=True)
    report = refresh_aggregates(store)
    assert report.changed_ads == 2 and 1 <= report.weeks <= 3 and not report.full
    fresh = movement(store, date(2026, 10, 19), date(2026, 11, 2))
    assert fresh.as_of is not None and fresh.as_of.fresh
    assert ("GM0917", "GM0935") in {
        (r.origin, r.destination) for r in fresh.flows if r.week == date(2026, 10, 26)
    }
    assert_same_as_direct(store)

    # Relinked: two personas merged into one network, another persona's ads given to a third.
    with store.session() as s:
        personas = s.scalars(
            select(LinkAd.persona_id)
            .where(LinkAd.persona_id.is_not(None))
            .distinct()
            .order_by(LinkAd.persona_id)
        ).all()
        a, b, c = personas[10], personas[20], personas[30]
        s.execute(update(LinkAd).where(LinkAd.persona_id == b).values(network_id=a))
        s.execute(update(LinkAd).where(LinkAd.persona_id == c).values(persona_id=a, network_id=a))
        mark_stale(s)  # what the linking stage does when it assigns personas
    report = refresh_aggregates(store)
    assert report.changed_ads > 0 and not report.full
    assert_same_as_direct(store)
