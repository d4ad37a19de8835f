"""Pre-computed count aggregates give the direct count's numbers, and follow changes incrementally."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from zicht.analysis.counts import LEVELS, region_code
from zicht.sources.types import ParsedAd
from zicht.store.aggregates import dirty_days, fresh_totals, mark_stale, refresh_aggregates
from zicht.store.counts import area_counts
from zicht.store.models import Ad, CountAggregate, Extraction, LinkAd, Region, RegionGemeente
from zicht.store.store import IngestItem, Store

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
import monitoring_volume as volume

# Ranges over the synthetic year (2025-11-16 .. 2026-11-15): the DST weeks of March and October
# 2026, the turn of the year (ISO week 1 of 2026 starts on 29 December 2025), and the last weeks.
RANGES = [
    ("week", date(2026, 3, 16), date(2026, 4, 5)),
    ("day", date(2026, 3, 27), date(2026, 3, 31)),
    ("week", date(2026, 10, 19), date(2026, 11, 1)),
    ("day", date(2026, 10, 24), date(2026, 10, 26)),
    ("week", date(2025, 12, 22), date(2026, 1, 11)),
    ("week", date(2026, 9, 1), date(2026, 11, 15)),
]


def add_region(store: Store, name: str, codes: list[str]) -> int:
    with store.session() as s:
        region = Region(name=name, created_by="test")
        s.add(region)
        s.flush()
        for code in codes:
            s.add(RegionGemeente(region_id=region.id, gemeente_code=code))
        return region.id


def varied_store(store: Store) -> None:
    """A year of synthetic ads (moves, no place, shared phones, personas) and overlapping regions."""
    volume.load_volume(store.url, 700, seed=5, data_dir=store.data_dir)
    add_region(store, "Randstad", ["GM0363", "GM0599", "GM0518", "GM0344"])
    add_region(store, "Zuid", ["GM0935", "GM0917", "GM0772"])
    add_region(store, "Steden", ["GM0363", "GM0935"])  # overlaps both others
    add_region(store, "Leeg", [])


def assert_same_as_direct(store: Store) -> None:
    for period, first, last in RANGES:
        for level in LEVELS:
            stored = area_counts(store, level, period, first, last)
            direct = area_counts(store, level, period, first, last, direct=True)
            assert stored == direct, (level, period, first)
            # What the page reads: the last period of every area, and one area's series.
            last_key = direct.rows[-1].period if direct.rows else None
            latest = [r for r in direct.rows if r.period == last_key]
            for use_direct in (False, True):
                narrow = area_counts(store, level, period, first, last, latest_only=True, direct=use_direct)
                assert narrow.rows == latest and narrow.areas() == direct.areas(), (level, period)
                assert (narrow.first_day, narrow.last_day) == (direct.first_day, direct.last_day)
                if direct.rows:
                    code = direct.rows[0].area_code
                    one = area_counts(store, level, period, first, last, area=code, direct=use_direct)
                    assert one.rows == direct.for_area(code), (level, period, code)


def test_aggregates_give_the_direct_numbers(store: Store) -> None:
    varied_store(store)
    assert fresh_totals(store, "gemeente", "week", date(2026, 3, 16), date(2026, 4, 5)) is None  # none yet
    report = refresh_aggregates(store)
    assert report.full and report.changed_ads == 700 and report.rows > 0
    assert fresh_totals(store, "gemeente", "week", date(2026, 3, 16), date(2026, 4, 5))
    assert fresh_totals(store, "region", "day", date(2026, 3, 27), date(2026, 3, 31)) is not None
    assert_same_as_direct(store)
    # The varied store has what the equality must hold for: several regions with ads, unknown places.
    week = area_counts(store, "region", "week", date(2026, 9, 1), date(2026, 11, 15))
    assert {a.name for a in week.areas()} == {"Randstad", "Zuid", "Steden", "Leeg"}
    assert sum(r.active_ads for r in week.rows if r.area_name == "Steden") > 0
    assert any(
        r.area_code == "onbekend" and r.active_ads for r in area_counts(store, "gemeente", "week").rows
    )
    # Nothing changed: a second refresh counts nothing again.
    again = refresh_aggregates(store)
    assert (again.full, again.changed_ads, again.weeks, again.regions) == (False, 0, 0, 0)


def test_changes_are_counted_again_only_where_they_fall(store: Store) -> None:
    varied_store(store)
    refresh_aggregates(store)
    with store.session() as s:
        ad = s.scalars(select(Ad).where(Ad.last_seen < datetime(2026, 6, 1, tzinfo=UTC)).limit(1)).one()
        ad_id, old_last = ad.id, ad.last_seen
        # Seen again two days later (the same local week, barring a Sunday): one or two weeks dirty.
        # A writer other than ingest that moves an old ad's last_seen says so with mark_stale.
        ad.last_seen = old_last + timedelta(days=2)
        mark_stale(s)
    assert fresh_totals(store, "site", "week", date(2026, 3, 16), date(2026, 4, 5)) is None  # stale now
    assert_same_as_direct(store)  # stale aggregates are not used: the direct count answers
    report = refresh_aggregates(store)
    assert report.changed_ads == 1 and 1 <= report.weeks <= 2
    assert_same_as_direct(store)

    # A new sighting through ingest makes the aggregates stale by itself; the refresh counts one week.
    seen = datetime(2026, 5, 6, 12, tzinfo=UTC)
    parsed = ParsedAd(
        site="kinky", source_id="new-1", url="https://kinky.example/ad/new-1", title="", text=""
    )
    store.ingest([IngestItem(parsed, seen, "test")])
    assert fresh_totals(store, "site", "week", date(2026, 5, 4), date(2026, 5, 10)) is None
    report = refresh_aggregates(store)
    assert (report.changed_ads, report.weeks) == (1, 1)
    assert area_counts(store, "site", "week", date(2026, 5, 4), date(2026, 5, 4)) == area_counts(
        store, "site", "week", date(2026, 5, 4), date(2026, 5, 4), direct=True
    )

    with store.session() as s:
        # Another persona for one ad, a re-extraction that moves another, a deleted ad.
        s.execute(update(LinkAd).where(LinkAd.ad_id == ad_id).values(persona_id=1))
        moved = s.scalar(select(func.max(Extraction.ad_version_id)))
        s.execute(
            update(Extraction)
            .where(Extraction.ad_version_id == moved)
            .values(gemeente_code="GM0363", created_at=datetime.now(UTC))
        )
        gone = s.scalar(select(func.min(Ad.id)).where(Ad.id > ad_id))
        s.execute(delete(Ad).where(Ad.id == gone))
    report = refresh_aggregates(store)
    assert report.changed_ads == 3 and not report.full
    assert_same_as_direct(store)

    # A changed region recounts that region's rows only; a deleted region loses its rows.
    with store.session() as s:
        zuid = s.scalar(select(Region.id).where(Region.name == "Zuid"))
        s.add(RegionGemeente(region_id=zuid, gemeente_code="GM0599"))
        leeg = s.scalar(select(Region.id).where(Region.name == "Leeg"))
        s.execute(delete(Region).where(Region.id == leeg))
    assert fresh_totals(store, "region", "week", date(2026, 3, 16), date(2026, 4, 5)) is None
    assert fresh_totals(store, "gemeente", "week", date(2026, 3, 16), date(2026, 4, 5)) is not None
    report = refresh_aggregates(store)
    assert (report.changed_ads, report.weeks, report.regions) == (0, 0, 2)
    assert_same_as_direct(store)
    with store.session() as s:
        codes = set(s.scalars(select(CountAggregate.area_code).where(CountAggregate.level == "region")))
    assert region_code(zuid) in codes and region_code(leeg) not in codes


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, None, None),
        # A new ad: its whole span.
        (None, ("2026-03-28T23:30", "2026-03-30T10:00", 1), (date(2026, 3, 29), date(2026, 3, 30))),
        # Seen again later the same Dutch day: nothing to count again.
        (("2026-03-01T10:00", "2026-03-05T10:00", 1), ("2026-03-01T10:00", "2026-03-05T20:00", 1), None),
        # Seen again two days later: only the two new days.
        (
            ("2026-03-01T10:00", "2026-03-05T10:00", 1),
            ("2026-03-01T10:00", "2026-03-07T10:00", 1),
            (date(2026, 3, 6), date(2026, 3, 7)),
        ),
        # A new version: the whole span, old and new.
        (
            ("2026-03-01T10:00", "2026-03-05T10:00", 1),
            ("2026-03-01T10:00", "2026-03-07T10:00", 2),
            (date(2026, 3, 1), date(2026, 3, 7)),
        ),
    ],
)
def test_dirty_days(old: tuple | None, new: tuple | None, expected: tuple | None) -> None:
    def mark(m: tuple | None):  # type: ignore[no-untyped-def]
        if m is None:
            return None
        first, last, version = m
        at = [datetime.fromisoformat(x).replace(tzinfo=UTC) for x in (first, last)]
        return (at[0], at[1], version, None, None, None)

    assert dirty_days(mark(old), mark(new)) == expected


def test_zicht_process_refreshes_the_aggregates(store: Store, db_url: str) -> None:
    from typer.testing import CliRunner

    from zicht.cli import app

    seen = datetime(2026, 10, 6, 12, tzinfo=UTC)
    items = [
        IngestItem(
            ParsedAd(
                site="kinky",
                source_id=str(i),
                url=f"https://kinky.example/ad/{i}",
                title=f"Advertentie {i}",
                text=f"Hoi, nu in {place}. Bel 06123456{i:02d}.",
                fields={"location": place},
            ),
            seen + timedelta(days=i),
            "test",
        )
        for i, place in enumerate(("Heerlen", "Sittard", "Heerlen"))
    ]
    store.ingest(items)
    runner = CliRunner()
    first = runner.invoke(app, ["--db", db_url, "process", "--no-photos"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "Counts: 3 ads changed, 1 weeks and 0 regions counted again (first full count)." in first.output
    week = date(2026, 10, 5)
    assert fresh_totals(store, "gemeente", "week", week, week) is not None
    table = area_counts(store, "gemeente", "week", week, week)
    assert {r.area_code: r.active_ads for r in table.rows} == {"GM0917": 2, "GM1883": 1}
    assert table == area_counts(store, "gemeente", "week", week, week, direct=True)
    again = runner.invoke(app, ["--db", db_url, "process", "--no-photos"], catch_exceptions=False)
    assert "Counts: 0 ads changed, 0 weeks and 0 regions counted again." in again.output
