"""Read queries behind the movement page: presence per persona and week, flows, tours, touring groups.

The SQL selects only what placing an ad in time needs (sightings, versions with their gemeente,
persona and network); ``zicht.analysis.movement`` does the rest with the same day rules as the
counts, so SQLite and PostgreSQL give the same flows by construction. No contact value is read.

Reading a large range from the ads is the expensive part (seconds at a million ads). Once the
refresh at the end of ``zicht process`` has filled ``persona_weeks``/``persona_flows``
(``zicht.store.persona_weeks``) the page reads those instead — also when ads came in since, saying
so — and reads the ads directly only for a store never refreshed. Either way the result per range is
kept in a small in-process cache keyed by a stamp of the data: a page that only changes its area
filter re-uses it, and any new ingest, linking run or refresh makes a new stamp.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import BigInteger, cast, func, select

from zicht import reference
from zicht.analysis.counts import UNKNOWN_CODE, local_day, utc_bounds
from zicht.analysis.movement import (
    AdDays,
    FlowRow,
    Itinerary,
    PersonaFlow,
    RouteStep,
    Tour,
    flow_pairs,
    flow_table,
    itinerary,
    local_day_number,
    persona_flows,
    presence_from_days,
    touring_group_route,
    tours,
    week_start,
)
from zicht.store import models
from zicht.store.aggregates import Freshness, freshness
from zicht.store.counts import personas_linked
from zicht.store.models import (
    Ad,
    AdVersion,
    Extraction,
    LinkAd,
    LinkDecision,
    LinkRole,
    Region,
    RegionGemeente,
)
from zicht.store.persona_weeks import personas_known_and_unknown, personas_present, stored_flows
from zicht.store.store import Store

AREA_LEVELS = ("gemeente", "police_unit", "province", "region")
MAX_FLOW_ROWS = 300  # rows of the flows table; the totals always cover every flow
MAX_PAIRS = 40  # origin-destination pairs in the chart
MAX_TOURS = 100
MAX_GROUPS = 100
MAX_ITINERARY_WEEKS = 52  # a persona's or network's places over time: its last year at most
DEFAULT_WEEKS = 8


# ---------------------------------------------------------------- areas


@dataclass(frozen=True)
class AreaFilter:
    """Flows with at least one end in the area; no level means the whole country."""

    level: str | None = None
    code: str = ""
    gemeenten: frozenset[str] = frozenset()  # the region's gemeenten (level "region")

    def contains(self, gm: str) -> bool:
        if self.level is None:
            return True
        if self.level == "region":
            return gm in self.gemeenten
        g = reference.gemeente(gm) if gm != UNKNOWN_CODE else None
        if g is None:
            return False
        if self.level == "gemeente":
            return g.code == self.code
        if self.level == "police_unit":
            return g.police_unit_code == self.code
        if self.level == "province":
            return g.province_code == self.code
        raise ValueError(f"unknown area level {self.level!r}; use one of {', '.join(AREA_LEVELS)}")


@dataclass(frozen=True)
class RegionChoice:
    id: int
    name: str
    gemeenten: frozenset[str]


def regions(store: Store) -> list[RegionChoice]:
    """User-defined regions (tables ``regions``/``region_gemeenten``) with current gemeente codes."""
    with store.session() as s:
        rows = s.execute(
            select(Region.id, Region.name, RegionGemeente.gemeente_code)
            .outerjoin(RegionGemeente, RegionGemeente.region_id == Region.id)
            .order_by(Region.name, Region.id)
        ).all()
    members: dict[tuple[int, str], set[str]] = {}
    for region_id, name, code in rows:
        codes = members.setdefault((region_id, name), set())
        current = reference.current_gemeente_code(code) if code else None
        if current:
            codes.add(current)
    return [RegionChoice(i, n, frozenset(c)) for (i, n), c in members.items()]


# ---------------------------------------------------------------- presence


def _stamp(store: Store) -> tuple:
    """A fingerprint that changes with every new ad, version, sighting, extraction or linking result.

    Only maxima that indexes answer at once (one statement), so it costs no scan on a national
    store; the aggregates' refresh row (``count_refresh``: written by every ``zicht process``,
    emptied by every ingest) catches a re-clustering or an old ad seen again, which move no maximum.
    """
    parts = [
        select(func.max(Ad.id)),
        select(func.max(Ad.first_seen)),
        select(func.max(Ad.last_seen)),
        select(func.max(AdVersion.id)),
        select(func.max(Extraction.ad_version_id)),
        select(func.max(LinkAd.keyed_at)),
        select(func.max(LinkAd.persona_id)),
        select(func.max(LinkDecision.id)),
    ]
    refresh = getattr(models, "CountRefresh", None)
    if refresh is not None:
        # refreshed by every ``zicht process``; emptied by an ingest (``aggregates.mark_stale``)
        parts.append(select(refresh.refreshed_at).where(refresh.id == 1))
        parts.append(select(refresh.stamps).where(refresh.id == 1))
    with store.session() as s:
        row = s.execute(select(*(q.scalar_subquery() for q in parts))).one()
    return tuple(str(v) for v in row)


T = TypeVar("T")


class _RangeCache:
    """A few recent ranges per store; an entry is only found again under the same data stamp."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self.items: OrderedDict[tuple, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], T]) -> T:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
                return found
        made = make()
        with self.lock:
            self.items[key] = made
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return made

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_cache = _RangeCache()


def clear_cache() -> None:
    _cache.clear()


def _epoch(column, dialect: str):  # type: ignore[no-untyped-def]
    """Seconds since 1970 (UTC) of a stored moment, computed by the database: no datetime objects."""
    if dialect == "sqlite":  # stored as UTC text, "YYYY-MM-DD HH:MM:SS.ffffff"
        return cast(func.strftime("%s", column), BigInteger)
    return cast(func.floor(func.extract("epoch", column)), BigInteger)  # floor: never round up a day


def ad_days(
    store: Store,
    first_day: date | None = None,
    last_day: date | None = None,
    *,
    persona_id: int | None = None,
    network_id: int | None = None,
) -> list[AdDays]:
    """Ads seen on a Dutch local day ``first_day .. last_day`` (all days when not given), in local
    day numbers with their versions oldest first: the input of ``presence_from_days``.

    One query driven by the ads' sighting indexes (or the persona/network index); moments arrive as
    epoch seconds and become local days by ``local_day_number``, which keeps a national year fast.
    ``persona_id`` / ``network_id`` keep only that persona's or network's ads (by the linking stage).
    """
    dialect = store.engine.dialect.name
    where = []
    if first_day is not None and last_day is not None:
        lo, hi = utc_bounds(first_day, last_day)
        where += [Ad.first_seen < hi, Ad.last_seen >= lo]
    if persona_id is not None:
        where.append(LinkAd.persona_id == persona_id)
    if network_id is not None:
        where.append(LinkAd.network_id == network_id)
    query = (
        select(
            Ad.id,
            _epoch(Ad.first_seen, dialect),
            _epoch(Ad.last_seen, dialect),
            LinkAd.persona_id,
            LinkAd.network_id,
            _epoch(AdVersion.first_seen, dialect),
            AdVersion.id,
            Extraction.gemeente_code,
        )
        .select_from(Ad)
        .join(AdVersion, AdVersion.ad_id == Ad.id)
        .outerjoin(Extraction, Extraction.ad_version_id == AdVersion.id)
        .outerjoin(LinkAd, LinkAd.ad_id == Ad.id)
        .where(*where)
        .order_by(Ad.id, AdVersion.first_seen, AdVersion.id)
    )
    with store.session() as s:
        rows = s.connection().execute(query).all()
    out: list[AdDays] = []
    current = None
    versions: list[tuple[int, str | None]] = []
    for ad_id, first, last, persona, network, v_first, _v_id, gm in rows:
        if ad_id != current:
            current = ad_id
            versions = []
            key = persona if persona is not None else -ad_id
            out.append(
                (
                    key,
                    network if network is not None else key,
                    local_day_number(first),
                    local_day_number(last),
                    versions,
                )
            )
        versions.append((local_day_number(v_first), gm))
    return out


@dataclass
class RangeData:
    """Everything the page derives from one range, whatever the area: kept in the cache.

    ``present`` (gemeente -> personas in the shown weeks) is filled by the direct path only; from
    the stored tables the personas of an area are counted in SQL (``personas_in``).
    """

    flows: list[PersonaFlow]
    tours: list[Tour]
    present: dict[str, set[int]] | None  # gemeente -> personas present in the shown weeks
    unknown_only: int  # personas present in the shown weeks only under ``onbekend``
    known: int  # personas present in the shown weeks with a known place
    stamp: tuple = ()
    first_week: date | None = None
    last_week: date | None = None
    as_of: Freshness | None = None  # None: computed directly from the ads

    def personas_in(self, store: Store, gemeenten: Iterable[str]) -> int:
        """Distinct personas present with a known place in one of ``gemeenten`` in the shown weeks."""
        wanted = set(gemeenten) - {UNKNOWN_CODE}
        if self.present is not None:
            found: set[int] = set()
            for gm in wanted & self.present.keys():
                found |= self.present[gm]
            return len(found)
        assert self.first_week is not None and self.last_week is not None
        return personas_present(store, self.first_week, self.last_week, sorted(wanted))


def range_data(store: Store, first_week: date, last_week: date, *, direct: bool = False) -> RangeData:
    """Presence, flows and tours for arrival weeks ``first_week .. last_week`` (the week before is read).

    Read from the stored ``persona_weeks``/``persona_flows`` whenever a refresh has filled them
    (also when ads came in since: ``as_of`` says how current they are, and the page says so);
    computed from the ads directly only when there are none, or with ``direct``.
    """
    first_week, last_week = week_start(first_week), week_start(last_week)
    as_of = None if direct else freshness(store)
    stamp = _stamp(store)
    key = (store.url, first_week, last_week, stamp, as_of is not None)
    if as_of is not None:
        made = _cache.get(key, lambda: _stored_range_data(store, first_week, last_week, stamp))
        return replace(made, as_of=as_of)
    return _cache.get(key, lambda: _range_data(store, first_week, last_week, stamp))


def _stored_range_data(store: Store, first_week: date, last_week: date, stamp: tuple) -> RangeData:
    flows = stored_flows(store, first_week, last_week)
    known, unknown_only = personas_known_and_unknown(store, first_week, last_week)
    return RangeData(
        flows,
        tours(flows),
        None,
        unknown_only,
        known,
        stamp,
        first_week,
        last_week + timedelta(days=6),
    )


def _range_data(store: Store, first_week: date, last_week: date, stamp: tuple) -> RangeData:
    before = first_week - timedelta(days=7)
    found = presence_from_days(ad_days(store, before, last_week + timedelta(days=6)), before, last_week)
    flows = persona_flows(found)
    present: dict[str, set[int]] = defaultdict(set)
    first = first_week.toordinal()
    for persona, week, gm in found.days:
        if week >= first:
            present[gm].add(persona)
    known = set().union(*(v for g, v in present.items() if g != UNKNOWN_CODE))
    unknown_only = len(present.get(UNKNOWN_CODE, set()) - known)
    return RangeData(
        flows, tours(flows), dict(present), unknown_only, len(known), stamp, first_week, last_week
    )


# ---------------------------------------------------------------- the movement page


@dataclass(frozen=True)
class TouringGroup:
    """A ``touring_group`` role of the linking stage: personas of one network that moved together."""

    network_id: int
    personas: list[int]
    route: list[RouteStep]
    score: float
    summary: str


@dataclass(frozen=True)
class Movement:
    first_week: date  # first arrival week shown
    last_week: date
    personas_linked: bool
    flows: list[FlowRow]  # at most MAX_FLOW_ROWS, oldest week first
    n_flow_rows: int
    personas_moving: int  # distinct personas with at least one flow shown
    person_moves: int  # sum of the personas column over every flow row
    pairs: list[tuple[str, str, int]]
    tours: list[Tour]
    groups: list[TouringGroup]
    personas_in_area: int  # distinct personas present in the area in the range (known place)
    personas_unknown: int  # distinct personas present only under ``onbekend`` in the range
    weeks: list[date] = field(default_factory=list)
    as_of: Freshness | None = None  # the stored tables' freshness; None: computed from the ads


def _data_range(store: Store) -> tuple[date, date] | None:
    """First and last Dutch local day with ads: two index look-ups (one ``min, max`` select would
    make SQLite scan every ad)."""
    with store.session() as s:
        first, last = s.execute(
            select(
                select(func.min(Ad.first_seen)).scalar_subquery(),
                select(func.max(Ad.last_seen)).scalar_subquery(),
            )
        ).one()
    if first is None or last is None:
        return None
    return local_day(first), local_day(last)


def default_weeks(store: Store, n_weeks: int = DEFAULT_WEEKS) -> tuple[date, date]:
    """The last ``n_weeks`` ISO weeks with data (Mondays); this week when the store is empty."""
    found = _data_range(store)
    if found is None:
        today = week_start(date.today())
        return today, today
    first, last = found
    last_week = week_start(last)
    return max(week_start(first), last_week - timedelta(days=7 * (n_weeks - 1))), last_week


def touring_groups(store: Store) -> list[TouringGroup]:
    """Every ``touring_group`` role stored by the linking stage, with its route in ISO weeks."""
    with store.session() as s:
        rows = s.execute(
            select(LinkRole.network_id, LinkRole.score, LinkRole.evidence)
            .where(LinkRole.role == "touring_group")
            .order_by(LinkRole.network_id, LinkRole.id)
        ).all()
    out = []
    for network_id, score, evidence in rows:
        evidence = evidence or {}
        personas = [int(p) for p in evidence.get("personas") or [] if str(p).lstrip("-").isdigit()]
        out.append(
            TouringGroup(
                network_id,
                personas,
                touring_group_route(evidence),
                float(score),
                str(evidence.get("summary", "")),
            )
        )
    return out


def movement(
    store: Store,
    first_week: date,
    last_week: date,
    area: AreaFilter | None = None,
    *,
    direct: bool = False,
) -> Movement:
    """Flows arriving in ISO weeks ``first_week .. last_week`` with an end in ``area``; tours; groups."""
    area = area or AreaFilter()
    first_week, last_week = week_start(first_week), week_start(last_week)
    if last_week < first_week:
        raise ValueError(f"the range ends ({last_week}) before it starts ({first_week})")
    # The week before the first one is read too: a flow compares two weeks.
    data = range_data(store, first_week, last_week, direct=direct)
    inside: dict[str, bool] = {}

    def within(gm: str) -> bool:
        found = inside.get(gm)
        if found is None:
            found = inside[gm] = area.contains(gm)
        return found

    shown = [f for f in data.flows if within(f.origin) or within(f.destination)]
    rows = flow_table(shown)
    in_area = 0
    if area.level is not None:
        codes = tuple(sorted(c for c in reference.gemeenten() if within(c)))
        in_area = _cache.get(
            (store.url, "in_area", first_week, last_week, data.stamp, data.as_of is not None, codes),
            lambda: data.personas_in(store, codes),
        )
    found_tours = [t for t in data.tours if any(within(g) for g in t.gemeenten)]
    found_tours.sort(key=lambda t: (-t.distinct, -len(t.route), t.route[0].week, t.persona))
    groups = [
        g
        for g in _cache.get((store.url, "groups", data.stamp), lambda: touring_groups(store))
        if any(
            first_week <= step.week <= last_week
            and (area.contains(step.origin) or area.contains(step.destination))
            for step in g.route
        )
    ]
    weeks, w = [], first_week
    while w <= last_week:
        weeks.append(w)
        w += timedelta(days=7)
    return Movement(
        first_week=first_week,
        last_week=last_week,
        personas_linked=personas_linked(store),
        flows=rows[:MAX_FLOW_ROWS],
        n_flow_rows=len(rows),
        personas_moving=len({f.persona for f in shown}),
        person_moves=sum(r.personas for r in rows),
        pairs=flow_pairs(rows)[:MAX_PAIRS],
        tours=found_tours[:MAX_TOURS],
        groups=groups[:MAX_GROUPS],
        personas_in_area=in_area if area.level is not None else data.known,
        personas_unknown=data.unknown_only,
        weeks=weeks,
        as_of=data.as_of,
    )


# ---------------------------------------------------------------- places over time


@dataclass(frozen=True)
class Places:
    """Places over time of one persona or network, with its flows and (for a persona) its tour."""

    kind: str  # persona | network
    id: int
    n_ads: int
    n_personas: int
    network_id: int | None
    personas: list[int]  # the linked personas (ids), smallest first
    table: Itinerary
    flows: list[FlowRow]
    tour: Tour | None
    groups: list[TouringGroup]


def places_over_time(store: Store, kind: str, subject_id: int) -> Places | None:
    """The weeks × gemeenten table of a persona (``kind="persona"``) or network; None when unknown.

    The range is the subject's whole activity, its last ``MAX_ITINERARY_WEEKS`` weeks at most.
    """
    if kind not in ("persona", "network"):
        raise ValueError(f"unknown kind {kind!r}; use persona or network")
    if kind == "persona":
        ads = ad_days(store, persona_id=subject_id)
    else:
        ads = ad_days(store, network_id=subject_id)
    if not ads:
        return None
    last = date.fromordinal(max(a[3] for a in ads))
    first = max(date.fromordinal(min(a[2] for a in ads)), last - timedelta(days=7 * MAX_ITINERARY_WEEKS - 1))
    found = presence_from_days(ads, first, last)
    flows = persona_flows(found)
    found_tours = tours(flows)
    network_id = subject_id if kind == "network" else min(a[1] for a in ads)
    groups = [g for g in touring_groups(store) if g.network_id == network_id]
    return Places(
        kind=kind,
        id=subject_id,
        n_ads=len(ads),
        n_personas=len({a[0] for a in ads}),
        personas=sorted({a[0] for a in ads if a[0] > 0}),
        network_id=network_id,
        table=itinerary(found),
        flows=flow_table(flows),
        tour=found_tours[0] if kind == "persona" and found_tours else None,
        groups=groups,
    )


def persona_of_ad(store: Store, ad_id: int) -> tuple[int | None, int | None]:
    """(persona id, network id) of an ad, (None, None) before linking."""
    with store.session() as s:
        row = s.execute(select(LinkAd.persona_id, LinkAd.network_id).where(LinkAd.ad_id == ad_id)).first()
    return (row[0], row[1]) if row else (None, None)
