"""Before and after an intervention: counts in the gemeente, its neighbours and the rest of the unit,
and where the personas seen there before turn up afterwards (the "waterbed effect").

Pure: the store hands over the weekly counts of ``zicht.store.counts.area_counts`` and the ad spans
behind them; this module groups, compares and says what the comparison cannot show. Weeks are ISO
weeks of Dutch local dates. The week holding the intervention day is shown but compared with
neither side: it is partly before and partly after.

Neighbours are an approximation. No adjacency table is shipped, so two gemeenten count as
neighbours when their CBS centroids lie closer than ``NEIGHBOUR_FACTOR`` times the sum of the radii
of circles with their areas. On the 2026 map this finds e.g. exactly the six gemeenten bordering
Heerlen; it can miss a neighbour across water and include a near one that does not touch.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from zicht import reference
from zicht.analysis.counts import (
    UNKNOWN_CODE,
    AdSpan,
    CountTable,
    _segments,  # the one definition of "the version in force on a day"
    area_of,
    period_key,
    period_start,
)

NEIGHBOUR_FACTOR = 1.25
MIN_NEIGHBOURS = 2  # an island still gets its nearest gemeenten to compare with
MAX_NEIGHBOURS = 10
DEFAULT_WEEKS = 4
MAX_WEEKS = 26
# Below these the page says "too few to say" instead of a percentage.
MIN_WEEKLY_ADS = 10.0  # mean active ads per week in the intervention gemeenten, before or after
MIN_PERSONAS = 10  # personas active there before, to speak of shares of them

GROUPS = ("target", "neighbours", "rest", "national")
# Where a persona seen in the intervention gemeenten before was seen after, first match wins.
MOVES = ("same", "neighbour", "elsewhere", "unknown_place", "not_seen")


# ---------------------------------------------------------------- neighbours


def distance_km(a: reference.Gemeente, b: reference.Gemeente) -> float:
    """Distance between two centroids (equirectangular; exact enough within the Netherlands)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    x = (lon2 - lon1) * math.cos((lat1 + lat2) / 2)
    return 6371.0 * math.hypot(x, lat2 - lat1)


def _radius(g: reference.Gemeente) -> float:
    return math.sqrt(max(g.area_km2, 0.01) / math.pi)


def neighbours(codes: Iterable[str]) -> tuple[str, ...]:
    """The approximate neighbours of a set of gemeenten (current CBS codes), nearest first.

    Per gemeente: those whose centroid is closer than ``NEIGHBOUR_FACTOR`` × (r_a + r_b), r the
    radius of a circle with the gemeente's area; at least ``MIN_NEIGHBOURS``, at most
    ``MAX_NEIGHBOURS``. The gemeenten themselves are never their own neighbours.
    """
    all_g = reference.gemeenten()
    own = [all_g[c] for c in dict.fromkeys(codes) if c in all_g]
    found: dict[str, float] = {}
    for a in own:
        ranked = sorted(
            ((distance_km(a, b), b) for b in all_g.values() if b.code != a.code), key=lambda t: t[0]
        )
        picked = [
            (d, b)
            for i, (d, b) in enumerate(ranked)
            if i < MIN_NEIGHBOURS or d <= NEIGHBOUR_FACTOR * (_radius(a) + _radius(b))
        ][:MAX_NEIGHBOURS]
        for d, b in picked:
            found[b.code] = min(d, found.get(b.code, d))
    mine = {g.code for g in own}
    return tuple(c for c, _ in sorted(found.items(), key=lambda t: (t[1], t[0])) if c not in mine)


def rest_of_units(codes: Iterable[str], exclude: Iterable[str]) -> tuple[str, ...]:
    """The other gemeenten of the police units the ``codes`` lie in, minus ``exclude``."""
    all_g = reference.gemeenten()
    units = {all_g[c].police_unit_code for c in codes if c in all_g}
    skip = set(codes) | set(exclude)
    return tuple(sorted(g.code for g in all_g.values() if g.police_unit_code in units and g.code not in skip))


# ---------------------------------------------------------------- windows


@dataclass(frozen=True)
class Windows:
    day: date
    weeks: int
    intervention_week: date  # Monday of the week holding ``day``
    before: tuple[date, ...]  # Mondays, oldest first
    after: tuple[date, ...]

    @property
    def first_day(self) -> date:
        return self.before[0]

    @property
    def last_day(self) -> date:
        return self.after[-1] + timedelta(days=6)

    @property
    def before_days(self) -> tuple[date, date]:
        return self.before[0], self.before[-1] + timedelta(days=6)

    @property
    def after_days(self) -> tuple[date, date]:
        return self.after[0], self.after[-1] + timedelta(days=6)


def windows(day: date, weeks: int = DEFAULT_WEEKS) -> Windows:
    """The ``weeks`` ISO weeks before and after the week of ``day`` (that week itself in neither)."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"the window must be 1 to {MAX_WEEKS} weeks, not {weeks}")
    monday = period_start(day, "week")
    before = tuple(monday - timedelta(weeks=weeks - i) for i in range(weeks))
    after = tuple(monday + timedelta(weeks=i + 1) for i in range(weeks))
    return Windows(day, weeks, monday, before, after)


# ---------------------------------------------------------------- counts per group


@dataclass(frozen=True)
class WeekCount:
    period: str  # "2026-W41"
    week_start: date
    active_ads: int
    new_ads: int
    personas: int | None  # summed over gemeenten: a persona in two of them counts twice


@dataclass(frozen=True)
class GroupChange:
    """One group of gemeenten before and after: means per week of active ads, totals of new ads."""

    group: str  # one of GROUPS
    codes: tuple[str, ...]
    weeks: tuple[WeekCount, ...]  # the whole range, the intervention week included
    active_before: float  # mean active ads per week
    active_after: float
    new_before: int
    new_after: int
    active_change_pct: float | None  # None: nothing before, or too few to say
    too_few: bool


def group_weeks(
    table: CountTable, codes: Sequence[str] | None, starts: Sequence[date]
) -> tuple[WeekCount, ...]:
    """Weekly sums of ``table``'s rows over ``codes`` (None: every row, e.g. the national table)."""
    wanted = None if codes is None else set(codes)
    sums: dict[date, list[int]] = {s: [0, 0, 0] for s in starts}
    for r in table.rows:
        if r.period_start in sums and (wanted is None or r.area_code in wanted):
            acc = sums[r.period_start]
            acc[0] += r.active_ads
            acc[1] += r.new_ads
            acc[2] += r.personas or 0
    return tuple(
        WeekCount(
            period_key(s, "week"), s, sums[s][0], sums[s][1], sums[s][2] if table.personas_linked else None
        )
        for s in starts
    )


def pct_change(before: float, after: float) -> float | None:
    """The change in percent, or None when there was nothing before to compare with."""
    return None if before <= 0 else 100.0 * (after - before) / before


def too_few_ads(before: float, after: float) -> bool:
    """Too few ads on both sides to speak of a change in percent."""
    return max(before, after) < MIN_WEEKLY_ADS


def covered(mondays: Sequence[date], data_range: tuple[date, date] | None) -> tuple[date, ...]:
    """The weeks (by Monday) that overlap the days the store holds data for; all when unknown."""
    if data_range is None:
        return tuple(mondays)
    first, last = data_range
    return tuple(m for m in mondays if m <= last and m + timedelta(days=6) >= first)


def _mean(weeks: Sequence[WeekCount], mondays: Sequence[date]) -> float:
    return sum(w.active_ads for w in weeks if w.week_start in mondays) / len(mondays) if mondays else 0.0


def group_change(
    group: str,
    codes: tuple[str, ...],
    weeks: tuple[WeekCount, ...],
    win: Windows,
    data_range: tuple[date, date] | None = None,
) -> GroupChange:
    """Means per week of active ads over the weeks the data cover: a week after the last crawl (or
    before the first) is unknown, not zero, and would otherwise read as a fall (or a rise)."""
    before = [w for w in weeks if w.week_start in win.before]
    after = [w for w in weeks if w.week_start in win.after]
    known_b, known_a = covered(win.before, data_range), covered(win.after, data_range)
    mean_b, mean_a = _mean(before, known_b), _mean(after, known_a)
    few = too_few_ads(mean_b, mean_a) or not known_b or not known_a
    return GroupChange(
        group=group,
        codes=codes,
        weeks=weeks,
        active_before=mean_b,
        active_after=mean_a,
        new_before=sum(w.new_ads for w in before),
        new_after=sum(w.new_ads for w in after),
        active_change_pct=None if few else pct_change(mean_b, mean_a),
        too_few=few,
    )


# ---------------------------------------------------------------- where personas went


def presence(spans: Iterable[AdSpan], first_day: date, last_day: date) -> dict[int, set[str]]:
    """Per persona, the gemeenten (current codes, or ``onbekend``) it was active in on these days.

    The persona of an ad the linking stage has not reached is the ad itself (key ``-ad_id``), as in
    the counts.
    """
    out: dict[int, set[str]] = defaultdict(set)
    for ad in spans:
        key = ad.persona_id if ad.persona_id is not None else -ad.ad_id
        for _, _, version in _segments(ad, first_day, last_day):
            out[key].add(area_of("gemeente", ad.site, version).code)
    return dict(out)


@dataclass(frozen=True)
class Destination:
    code: str
    name: str
    relation: str  # target | neighbour | elsewhere | unknown_place
    personas: int


@dataclass(frozen=True)
class Movement:
    tracked: int  # personas active in the intervention gemeenten in the weeks before
    moves: dict[str, int]  # MOVES -> personas
    destinations: tuple[Destination, ...]  # where the tracked personas were seen after, most first
    too_few: bool

    def share(self, move: str) -> float | None:
        """Percentage of the tracked personas, None when too few to say."""
        return None if self.too_few or not self.tracked else 100.0 * self.moves[move] / self.tracked


def classify(after: set[str], targets: set[str], near: set[str]) -> str:
    """Where one persona went: the first of MOVES that applies."""
    if after & targets:
        return "same"
    if after & near:
        return "neighbour"
    if after - {UNKNOWN_CODE}:
        return "elsewhere"
    if after:
        return "unknown_place"
    return "not_seen"


def movement(
    before: dict[int, set[str]], after: dict[int, set[str]], targets: Sequence[str], near: Sequence[str]
) -> Movement:
    """Follow the personas active in ``targets`` before into the after-window."""
    t, n = set(targets), set(near)
    tracked = [p for p, places in before.items() if places & t]
    moves = dict.fromkeys(MOVES, 0)
    dest: dict[str, int] = defaultdict(int)
    for p in tracked:
        places = after.get(p, set())
        moves[classify(places, t, n)] += 1
        for code in places:
            dest[code] += 1

    def relation(code: str) -> str:
        if code in t:
            return "target"
        if code in n:
            return "neighbour"
        return "unknown_place" if code == UNKNOWN_CODE else "elsewhere"

    def name(code: str) -> str:
        g = reference.gemeente(code) if code != UNKNOWN_CODE else None
        return g.name if g else UNKNOWN_CODE

    rows = sorted(
        (Destination(c, name(c), relation(c), k) for c, k in dest.items()),
        key=lambda d: (-d.personas, d.code == UNKNOWN_CODE, d.name.lower()),
    )
    return Movement(len(tracked), moves, tuple(rows), too_few=len(tracked) < MIN_PERSONAS)


# ---------------------------------------------------------------- the comparison and its caveats


@dataclass(frozen=True)
class Caveat:
    """A code the web and the CLI turn into a sentence, with the values it needs."""

    code: str
    values: dict[str, object] = field(default_factory=dict)


ALWAYS = ("no_control_group", "seasonality", "ads_not_people", "unlinked_reappearance")


def caveats(
    win: Windows,
    target: GroupChange,
    national: GroupChange,
    moved: Movement,
    *,
    personas_linked: bool,
    neighbours_chosen: bool,
    data_range: tuple[date, date] | None,
    overlapping: Sequence[int] = (),
) -> list[Caveat]:
    """What this comparison cannot say, most specific first, then what holds for every comparison."""
    out: list[Caveat] = []
    if target.too_few:
        out.append(Caveat("too_few_ads", {"min": int(MIN_WEEKLY_ADS)}))
    if moved.too_few:
        out.append(Caveat("too_few_personas", {"n": moved.tracked, "min": MIN_PERSONAS}))
    first, last = data_range or (None, None)
    if last is None or last < win.after_days[1]:
        out.append(Caveat("after_incomplete", {"day": last.isoformat() if last else "–", "of": win.weeks}))
    if first is None or first > win.before_days[0]:
        out.append(Caveat("before_incomplete", {"day": first.isoformat() if first else "–", "of": win.weeks}))
    if overlapping:
        out.append(Caveat("other_interventions", {"ids": ", ".join(f"#{i}" for i in overlapping)}))
    if not personas_linked:
        out.append(Caveat("personas_not_linked"))
    if not neighbours_chosen:
        out.append(Caveat("neighbours_approximate"))
    out.append(Caveat("no_control_group"))
    pct = pct_change(national.active_before, national.active_after)
    out.append(Caveat("seasonality", {"pct": round(pct) if pct is not None else None}))
    out.append(Caveat("ads_not_people"))
    out.append(Caveat("unlinked_reappearance"))
    return out


@dataclass(frozen=True)
class Comparison:
    windows: Windows
    groups: dict[str, GroupChange]  # by GROUPS
    movement: Movement
    caveats: list[Caveat]
    personas_linked: bool
    neighbours_chosen: bool

    @property
    def target(self) -> GroupChange:
        return self.groups["target"]


def compare(
    day: date,
    targets: Sequence[str],
    near: Sequence[str],
    gemeente_weeks: CountTable,
    national_weeks: CountTable,
    spans: Sequence[AdSpan],
    *,
    weeks: int = DEFAULT_WEEKS,
    personas_linked: bool,
    neighbours_chosen: bool = False,
    data_range: tuple[date, date] | None = None,
    overlapping: Sequence[int] = (),
) -> Comparison:
    """The whole comparison from the weekly counts (gemeente level and national) and the ad spans
    touching the windows."""
    win = windows(day, weeks)
    starts = (*win.before, win.intervention_week, *win.after)
    target_codes = tuple(dict.fromkeys(targets))
    near_codes = tuple(c for c in dict.fromkeys(near) if c not in target_codes)
    rest = rest_of_units(target_codes, near_codes)
    groups = {
        name: group_change(name, codes, group_weeks(gemeente_weeks, codes, starts), win, data_range)
        for name, codes in (("target", target_codes), ("neighbours", near_codes), ("rest", rest))
    }
    groups["national"] = group_change(
        "national", (), group_weeks(national_weeks, None, starts), win, data_range
    )
    before = presence(spans, *win.before_days)
    after = presence(spans, *win.after_days)
    moved = movement(before, after, target_codes, near_codes)
    notes = caveats(
        win,
        groups["target"],
        groups["national"],
        moved,
        personas_linked=personas_linked,
        neighbours_chosen=neighbours_chosen,
        data_range=data_range,
        overlapping=overlapping,
    )
    return Comparison(win, groups, moved, notes, personas_linked, neighbours_chosen)
