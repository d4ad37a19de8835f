"""Counting ads per area and period: Dutch local days, ISO weeks, moves, gaps and the unknown area."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zicht import reference
from zicht.analysis.counts import (
    UNKNOWN_CODE,
    AdSpan,
    VersionSpan,
    area_of,
    count,
    local_day,
    period_key,
    period_start,
    period_starts,
    utc_bounds,
)

HEERLEN = "GM0917"
SITTARD = "GM1883"


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    """A UTC moment on ``day``."""
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


def ad(
    ad_id: int, first: datetime, last: datetime, *versions: VersionSpan, site: str = "kinky", persona=None
):
    return AdSpan(ad_id, site, first, last, tuple(versions), persona)


def v(first: datetime, gm: str | None = HEERLEN, contacts: tuple[str, ...] = (), category: str | None = None):
    return VersionSpan(first, gm, category, frozenset(contacts))


# ---------------------------------------------------------------- periods


def test_local_day_is_the_dutch_date_not_the_utc_date() -> None:
    # 22:30 UTC on 5 October is 00:30 on 6 October in Amsterdam (CEST, UTC+2).
    assert local_day(at("2026-10-05", 22, 30)) == date(2026, 10, 6)
    # In winter (CET, UTC+1) 22:30 UTC is still 23:30 the same day.
    assert local_day(at("2026-12-05", 22, 30)) == date(2026, 12, 5)
    with pytest.raises(ValueError):
        local_day(datetime(2026, 1, 1))


def test_utc_bounds_of_dst_days_are_23_and_25_hours() -> None:
    spring = utc_bounds(date(2026, 3, 29), date(2026, 3, 29))
    autumn = utc_bounds(date(2026, 10, 25), date(2026, 10, 25))
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert autumn[1] - autumn[0] == timedelta(hours=25)
    assert spring[0] == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)


def test_iso_weeks_use_the_iso_year_and_start_on_monday() -> None:
    assert period_start(date(2026, 10, 11), "week") == date(2026, 10, 5)  # a Sunday -> its Monday
    assert period_key(date(2026, 10, 5), "week") == "2026-W41"
    # 31 December 2024 lies in ISO week 1 of 2025.
    assert period_key(period_start(date(2024, 12, 31), "week"), "week") == "2025-W01"
    assert period_key(date(2026, 10, 5), "day") == "2026-10-05"
    with pytest.raises(ValueError):
        period_start(date(2026, 1, 1), "month")  # type: ignore[arg-type]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 400))
def test_period_starts_cover_the_range_without_gaps(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    for period, step in (("day", 1), ("week", 7)):
        starts = period_starts(first, last, period)
        assert starts[0] <= first and starts[-1] <= last < starts[-1] + timedelta(days=step)
        assert all(b - a == timedelta(days=step) for a, b in itertools.pairwise(starts))
        if period == "week":
            assert all(s.weekday() == 0 for s in starts)


# ---------------------------------------------------------------- areas


def test_area_levels_come_from_the_reference_tables() -> None:
    g = reference.gemeente(HEERLEN)
    assert g is not None
    version = v(at("2026-10-05"))
    assert area_of("gemeente", "kinky", version).name == g.name
    assert area_of("police_unit", "kinky", version).code == g.police_unit_code
    assert area_of("province", "kinky", version).name == g.province
    assert area_of("site", "kinky", version).code == "kinky"
    # Old spellings of a code are normalised; unknown or merged-away codes become "onbekend".
    assert area_of("gemeente", "kinky", v(at("2026-10-05"), gm="917")).code == HEERLEN
    assert area_of("gemeente", "kinky", v(at("2026-10-05"), gm="GM0001")).code == UNKNOWN_CODE
    assert area_of("gemeente", "kinky", None).code == UNKNOWN_CODE
    assert area_of("category", "kinky", v(at("2026-10-05"), category=" Vrouwen ")).code == "vrouwen"


# ---------------------------------------------------------------- counting


def test_active_new_and_gap_periods_per_day() -> None:
    ads = [
        ad(1, at("2026-10-05"), at("2026-10-06"), v(at("2026-10-05"), contacts=("h1",))),
        ad(2, at("2026-10-06"), at("2026-10-06"), v(at("2026-10-06"), contacts=("h1", "h2"))),
        # Seen again after a gap of two days with nothing in the gemeente.
        ad(3, at("2026-10-09"), at("2026-10-09"), v(at("2026-10-09"))),
    ]
    table = count(ads, "gemeente", "day", date(2026, 10, 5), date(2026, 10, 9), personas_linked=False)
    rows = {r.period: r for r in table.for_area(HEERLEN)}
    assert list(rows) == [f"2026-10-0{d}" for d in range(5, 10)]
    assert [rows[k].active_ads for k in rows] == [1, 2, 0, 0, 1]
    assert [rows[k].new_ads for k in rows] == [1, 1, 0, 0, 1]
    assert [rows[k].contact_points for k in rows] == [1, 2, 0, 0, 0]
    assert [rows[k].active_ads_change for k in rows] == [1, 1, -2, 0, 1]
    assert all(r.personas is None and r.personas_change is None for r in table.rows)


def test_an_ad_that_moves_counts_in_each_gemeente_on_its_own_days() -> None:
    moved = ad(
        1,
        at("2026-10-05"),
        at("2026-10-08"),
        v(at("2026-10-05"), gm=HEERLEN, contacts=("h1",)),
        v(at("2026-10-07"), gm=SITTARD, contacts=("h1",)),
    )
    days = count([moved], "gemeente", "day", date(2026, 10, 5), date(2026, 10, 8), personas_linked=False)
    active = {(r.area_code, r.period): r.active_ads for r in days.rows}
    assert [active[(HEERLEN, f"2026-10-0{d}")] for d in (5, 6, 7, 8)] == [1, 1, 0, 0]
    assert [active[(SITTARD, f"2026-10-0{d}")] for d in (5, 6, 7, 8)] == [0, 0, 1, 1]
    new = {(r.area_code, r.period): r.new_ads for r in days.rows}
    assert new[(HEERLEN, "2026-10-05")] == 1 and sum(r.new_ads for r in days.for_area(SITTARD)) == 0
    # In the week both gemeenten saw it; the province counts it once.
    week = count([moved], "gemeente", "week", date(2026, 10, 5), date(2026, 10, 5), personas_linked=False)
    assert {(r.area_code, r.active_ads) for r in week.rows} == {(HEERLEN, 1), (SITTARD, 1)}
    province = count([moved], "province", "week", date(2026, 10, 5), date(2026, 10, 5), personas_linked=False)
    assert [r.active_ads for r in province.rows] == [1]


def test_ads_without_a_place_are_counted_as_onbekend_not_dropped() -> None:
    ads = [
        ad(1, at("2026-10-05"), at("2026-10-05"), v(at("2026-10-05"), gm=None)),
        ad(2, at("2026-10-05"), at("2026-10-05")),  # no version at all
        ad(3, at("2026-10-05"), at("2026-10-05"), v(at("2026-10-05"))),
    ]
    table = count(ads, "police_unit", "week", date(2026, 10, 5), date(2026, 10, 11), personas_linked=False)
    assert [r.area_code for r in table.rows][-1] == UNKNOWN_CODE  # the unknown row comes last
    assert {r.area_code: r.active_ads for r in table.rows}[UNKNOWN_CODE] == 2
    assert sum(r.active_ads for r in table.rows) == len(ads)


def test_weeks_follow_dutch_local_dates_around_midnight_and_dst() -> None:
    # Sunday 25 October 2026 (the night clocks go back) 23:30 local = 22:30 UTC: still week 43.
    late_sunday = ad(1, at("2026-10-25", 22, 30), at("2026-10-25", 22, 30), v(at("2026-10-25", 22, 30)))
    # Sunday 11 October 23:30 local (CEST) = 21:30 UTC; 22:30 UTC is already Monday, week 42.
    monday = ad(2, at("2026-10-11", 22, 30), at("2026-10-11", 22, 30), v(at("2026-10-11", 22, 30)))
    table = count(
        [late_sunday, monday], "all", "week", date(2026, 10, 5), date(2026, 10, 25), personas_linked=False
    )
    new = {r.period: r.new_ads for r in table.rows}
    assert new == {"2026-W41": 0, "2026-W42": 1, "2026-W43": 1}


def test_personas_count_a_reposted_ad_once() -> None:
    ads = [
        ad(1, at("2026-10-05"), at("2026-10-06"), v(at("2026-10-05")), persona=1),
        ad(2, at("2026-10-06"), at("2026-10-06"), v(at("2026-10-06")), site="sexjobs", persona=1),
        ad(3, at("2026-10-06"), at("2026-10-06"), v(at("2026-10-06")), persona=None),  # not linked yet
    ]
    table = count(ads, "gemeente", "week", date(2026, 10, 5), date(2026, 10, 5), personas_linked=True)
    (row,) = table.rows
    assert (row.active_ads, row.personas, row.personas_change) == (3, 2, 2)


def test_change_compares_with_the_period_before_the_range() -> None:
    ads = [
        ad(1, at("2026-09-28"), at("2026-10-06"), v(at("2026-09-28"))),
        ad(2, at("2026-09-29"), at("2026-09-30"), v(at("2026-09-29"))),
    ]
    table = count(ads, "gemeente", "week", date(2026, 10, 5), date(2026, 10, 5), personas_linked=False)
    (row,) = table.rows
    assert row.period == "2026-W41"
    assert (row.active_ads, row.active_ads_change, row.new_ads, row.new_ads_change) == (1, -1, 0, -2)


def test_unknown_level_and_empty_range_are_refused() -> None:
    with pytest.raises(ValueError):
        count([], "street", "day", date(2026, 1, 1), date(2026, 1, 2), personas_linked=False)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        count([], "gemeente", "day", date(2026, 1, 2), date(2026, 1, 1), personas_linked=False)


def test_the_national_row_exists_without_any_ads() -> None:
    table = count([], "all", "week", date(2026, 10, 5), date(2026, 10, 18), personas_linked=False)
    assert [(r.period, r.active_ads, r.new_ads) for r in table.rows] == [
        ("2026-W41", 0, 0),
        ("2026-W42", 0, 0),
    ]
    assert (
        count([], "gemeente", "week", date(2026, 10, 5), date(2026, 10, 18), personas_linked=False).rows == []
    )
