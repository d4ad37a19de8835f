"""Ads per area per day or ISO week: the numbers behind the dashboard and ``zicht export counts``.

Pure: the store hands over one ``AdSpan`` per ad and this module counts. Days are Dutch local dates
(Europe/Amsterdam), because a team reads "Monday" as its own Monday, also in the DST-change weeks.

An ad is active on a day when ``first_seen <= day <= last_seen`` (local dates). On each day it belongs
to the area of the version in force that day (the newest version first seen on or before it), so an ad
that moved from Heerlen to Sittard counts in Heerlen before the move and in Sittard after it. Ads
without a known place are counted under an explicit ``onbekend`` area, never dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from zicht import reference

TIMEZONE = ZoneInfo("Europe/Amsterdam")

Period = Literal["day", "week"]
PERIODS: tuple[Period, ...] = ("day", "week")
Level = Literal["all", "gemeente", "police_unit", "province", "site", "category", "region"]
LEVELS: tuple[Level, ...] = ("all", "gemeente", "police_unit", "province", "site", "category", "region")

UNKNOWN_CODE = "onbekend"
UNKNOWN_NAME = "onbekend"
ALL_CODE = "NL"
ALL_NAME = "Nederland"


# ---------------------------------------------------------------- periods


def local_day(value: datetime) -> date:
    """The Dutch calendar date of a stored (timezone-aware) moment."""
    if value.tzinfo is None:
        raise ValueError("naive datetime; the store hands out timezone-aware datetimes")
    return value.astimezone(TIMEZONE).date()


def period_start(day: date, period: Period) -> date:
    """The first day of the period holding ``day``: the day itself, or the Monday of its ISO week."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")


def period_end(start: date, period: Period) -> date:
    """The last day (inclusive) of the period starting on ``start``."""
    return start if period == "day" else start + timedelta(days=6)


def next_period(start: date, period: Period) -> date:
    return start + timedelta(days=1 if period == "day" else 7)


def previous_period(start: date, period: Period) -> date:
    return start - timedelta(days=1 if period == "day" else 7)


def period_key(start: date, period: Period) -> str:
    """``2026-10-05`` for a day, ``2026-W41`` for an ISO week (the ISO year, which differs around 1 January)."""
    if period == "day":
        return start.isoformat()
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def period_starts(first_day: date, last_day: date, period: Period) -> list[date]:
    """The starts of every period touching ``first_day .. last_day``, oldest first, gaps included."""
    if last_day < first_day:
        return []
    out, current = [], period_start(first_day, period)
    while current <= last_day:
        out.append(current)
        current = next_period(current, period)
    return out


def utc_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC of Dutch local days ``first_day .. last_day``; a DST day is 23 or 25 hours."""
    start = datetime.combine(first_day, time(0), TIMEZONE).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(0), TIMEZONE).astimezone(UTC)
    return start, end


# ---------------------------------------------------------------- input


@dataclass(frozen=True)
class VersionSpan:
    """One content of an ad, from when it was first seen; ``contacts`` are keyed pseudonyms (hmac)."""

    first_seen: datetime
    gemeente_code: str | None = None
    category: str | None = None
    contacts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AdSpan:
    ad_id: int
    site: str
    first_seen: datetime
    last_seen: datetime
    versions: tuple[VersionSpan, ...] = ()
    persona_id: int | None = None  # None: not linked yet


# ---------------------------------------------------------------- areas


@dataclass(frozen=True, order=True)
class Area:
    code: str
    name: str


UNKNOWN = Area(UNKNOWN_CODE, UNKNOWN_NAME)


def region_code(region_id: int) -> str:
    """The area code of a user-defined region: ``RG`` and its id (``RG3``), apart from CBS codes."""
    return f"RG{region_id}"


@dataclass(frozen=True)
class Regions:
    """User-defined regions: every region (rows even without ads) and the regions of each gemeente.

    A gemeente may lie in several regions; an ad there counts once in each of them.
    """

    areas: tuple[Area, ...] = ()
    by_gemeente: Mapping[str, tuple[Area, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, regions: Iterable[tuple[int, str, Iterable[str]]]) -> Regions:
        """From ``(id, name, gemeente codes)``; codes in any spelling are read as current CBS codes."""
        areas, by_gemeente = [], defaultdict(list)
        for region_id, name, codes in regions:
            area = Area(region_code(region_id), name)
            areas.append(area)
            for code in codes:
                g = reference.gemeente(code)
                if g is not None and area not in by_gemeente[g.code]:
                    by_gemeente[g.code].append(area)
        return cls(tuple(areas), {k: tuple(v) for k, v in by_gemeente.items()})


NO_REGIONS = Regions()


def areas_of(
    level: Level, site: str, version: VersionSpan | None, regions: Regions = NO_REGIONS
) -> tuple[Area, ...]:
    """The areas an ad is in at ``level``: one, except for regions (none, one or several)."""
    if level != "region":
        return (area_of(level, site, version),)
    g = reference.gemeente(version.gemeente_code) if version and version.gemeente_code else None
    return regions.by_gemeente.get(g.code, ()) if g is not None else ()


def area_of(level: Level, site: str, version: VersionSpan | None) -> Area:
    """The area an ad belongs to at ``level`` while ``version`` is in force.

    Old CBS codes are mapped to the current gemeente where the reference tables know how; anything
    else is ``onbekend`` rather than a guess.
    """
    if level == "all":
        return Area(ALL_CODE, ALL_NAME)
    if level == "site":
        return Area(site, site)
    if version is None:
        return UNKNOWN
    if level == "category":
        value = " ".join((version.category or "").split()).lower()
        return Area(value, value) if value else UNKNOWN
    g = reference.gemeente(version.gemeente_code) if version.gemeente_code else None
    if g is None:
        return UNKNOWN
    if level == "gemeente":
        return Area(g.code, g.name)
    if level == "police_unit":
        return Area(g.police_unit_code, g.police_unit)
    if level == "province":
        return Area(g.province_code, g.province)
    raise ValueError(f"unknown area level {level!r}; use one of {', '.join(LEVELS)}")


# ---------------------------------------------------------------- counting


@dataclass(frozen=True)
class CountRow:
    """Counts of one area in one period, with the change against the period before it."""

    area_code: str
    area_name: str
    period: str  # period_key
    period_start: date
    active_ads: int
    new_ads: int
    contact_points: int
    personas: int | None  # None: linking has not run, personas are not known yet
    active_ads_change: int
    new_ads_change: int
    contact_points_change: int
    personas_change: int | None


@dataclass(frozen=True)
class CountTable:
    level: Level
    period: Period
    first_day: date  # start of the first period
    last_day: date  # end of the last period
    personas_linked: bool
    rows: list[CountRow] = field(default_factory=list)

    def areas(self) -> list[Area]:
        """Areas in row order (``onbekend`` last)."""
        seen: dict[str, Area] = {}
        for r in self.rows:
            seen.setdefault(r.area_code, Area(r.area_code, r.area_name))
        return list(seen.values())

    def for_area(self, code: str) -> list[CountRow]:
        return [r for r in self.rows if r.area_code == code]

    def latest(self) -> list[CountRow]:
        """The row of the last period of every area."""
        key = period_key(period_start(self.last_day, self.period), self.period)
        return [r for r in self.rows if r.period == key]


def _segments(ad: AdSpan, lo: date, hi: date) -> list[tuple[date, date, VersionSpan | None]]:
    """Days ``[start, end]`` of the ad within ``lo .. hi`` with the version in force on them."""
    a, b = max(local_day(ad.first_seen), lo), min(local_day(ad.last_seen), hi)
    if b < a:
        return []
    versions = sorted(ad.versions, key=lambda v: v.first_seen)
    if not versions:
        return [(a, b, None)]
    out: list[tuple[date, date, VersionSpan | None]] = []
    for i, v in enumerate(versions):
        # The first version stands for the ad from its first day, whatever its own timestamp says.
        start = a if i == 0 else max(a, local_day(v.first_seen))
        end = (
            b if i == len(versions) - 1 else min(b, local_day(versions[i + 1].first_seen) - timedelta(days=1))
        )
        if start <= end:
            out.append((start, end, v))
    return out


def _ad_on_day(segments: Sequence[tuple[date, date, VersionSpan | None]], day: date) -> VersionSpan | None:
    for start, end, v in segments:
        if start <= day <= end:
            return v
    return None


Totals = tuple[int, int, int, int]  # active ads, new ads, contact points, personas


def count(
    ads: Iterable[AdSpan],
    level: Level,
    period: Period,
    first_day: date,
    last_day: date,
    *,
    personas_linked: bool,
    regions: Regions = NO_REGIONS,
) -> CountTable:
    """Counts per area and period over the whole periods touching ``first_day .. last_day``.

    Every area seen in the range (or in the period before it, for the change) gets a row for every
    period, zeros included, so a chart shows a gap as a gap. Personas are distinct persona ids; an ad
    the linking stage has not reached yet counts as a persona of its own. At the region level every
    defined region has its rows; an ad counts once in each region holding its gemeente.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown area level {level!r}; use one of {', '.join(LEVELS)}")
    starts = period_starts(first_day, last_day, period)
    if not starts:
        raise ValueError(f"empty range: {first_day} .. {last_day}")
    before = previous_period(starts[0], period)
    lo, hi = before, period_end(starts[-1], period)

    active: dict[tuple[Area, date], set[int]] = defaultdict(set)
    new: dict[tuple[Area, date], set[int]] = defaultdict(set)
    contacts: dict[tuple[Area, date], set[str]] = defaultdict(set)
    personas: dict[tuple[Area, date], set[int]] = defaultdict(set)
    areas: set[Area] = set()

    for ad in ads:
        segments = _segments(ad, lo, hi)
        if not segments:
            continue
        persona = ad.persona_id if ad.persona_id is not None else -ad.ad_id
        for start, end, version in segments:
            for area in areas_of(level, ad.site, version, regions):
                areas.add(area)
                p = period_start(start, period)
                while p <= end:
                    key = (area, p)
                    active[key].add(ad.ad_id)
                    personas[key].add(persona)
                    if version is not None:
                        contacts[key].update(version.contacts)
                    p = next_period(p, period)
        born = local_day(ad.first_seen)
        if lo <= born <= hi:
            for area in areas_of(level, ad.site, _ad_on_day(segments, born), regions):
                areas.add(area)
                new[(area, period_start(born, period))].add(ad.ad_id)

    totals = {
        key: (len(ids), len(new.get(key, ())), len(contacts.get(key, ())), len(personas.get(key, ())))
        for key, ids in active.items()
    }
    for key, ids in new.items():
        totals.setdefault(key, (0, len(ids), 0, 0))
    return build_table(
        totals, level, period, first_day, last_day, personas_linked=personas_linked, regions=regions
    )


def build_table(
    totals: Mapping[tuple[Area, date], Totals],
    level: Level,
    period: Period,
    first_day: date,
    last_day: date,
    *,
    personas_linked: bool,
    regions: Regions = NO_REGIONS,
    extra_areas: Iterable[Area] = (),
) -> CountTable:
    """The rows of a ``CountTable`` from the totals per (area, period start) that are not all zero.

    Shared by the direct count and the pre-computed aggregates, so both lay out rows alike: every
    area with a total in the range or the period before it (or in ``extra_areas``), every period,
    zeros included.
    """
    starts = period_starts(first_day, last_day, period)
    if not starts:
        raise ValueError(f"empty range: {first_day} .. {last_day}")
    before = previous_period(starts[0], period)
    hi = period_end(starts[-1], period)
    areas = {area for area, p in totals if before <= p <= starts[-1]}
    areas.update(extra_areas)
    if level == "all":
        # The national row exists even for a range without ads: a chart of nothing is a line at zero.
        areas.add(Area(ALL_CODE, ALL_NAME))
    if level == "region":
        areas.update(regions.areas)

    def order(area: Area) -> tuple[bool, str, str]:
        return (area.code == UNKNOWN_CODE, area.name.lower(), area.code)

    zero = (0, 0, 0, 0)
    rows: list[CountRow] = []
    for area in sorted(areas, key=order):
        prev = totals.get((area, before), zero)
        for p in starts:
            now = totals.get((area, p), zero)
            rows.append(
                CountRow(
                    area_code=area.code,
                    area_name=area.name,
                    period=period_key(p, period),
                    period_start=p,
                    active_ads=now[0],
                    new_ads=now[1],
                    contact_points=now[2],
                    personas=now[3] if personas_linked else None,
                    active_ads_change=now[0] - prev[0],
                    new_ads_change=now[1] - prev[1],
                    contact_points_change=now[2] - prev[2],
                    personas_change=now[3] - prev[3] if personas_linked else None,
                )
            )
            prev = now
    return CountTable(level, period, starts[0], hi, personas_linked, rows)
