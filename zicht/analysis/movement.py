"""Movement of personas between gemeenten: where, week by week, and the flows between weeks.

Pure: the store hands over ads with their versions (``AdPlace``, or ``AdDays`` already in local day
numbers, the fast path for a national year) and this module does the rest, with
the same day rules as the counts (``zicht.analysis.counts``): an ad is present on every Dutch local day
from its first to its last sighting, in the gemeente of the version in force that day. So the movement
page and the dashboard can never place an ad differently.

Definitions (also in docs/monitoring.md, section "Movement"):

- **presence**: persona *p* is present in gemeente *G* in ISO week *w* when at least one of its ads
  placed it in *G* on at least one local day of *w*. An ad reposted daily or placed on three sites is one
  persona, so it is present once. An ad the linking stage has not reached yet is a persona of its own.
  Ads without a known place are present in ``onbekend``.
- **flow** A→B in week *w*: *p* was present in A in week *w−1* and not in week *w*, and present in B in
  week *w* and not in week *w−1*; A and B are known gemeenten (``onbekend`` never makes a flow). A
  persona that left two places and arrived in one makes two flows; a persona that stays in A and also
  appears in B made no flow (it added a place); a week without any presence breaks the chain (no flow
  across a gap). Flows count personas (and the networks they belong to), never ads.
- **tour** (a per-persona finding): a chain of flows A→B, B→C, ... where each next flow leaves the
  gemeente the previous one arrived in within ``MAX_STAY_WEEKS`` weeks, visiting at least
  ``MIN_TOUR_GEMEENTEN`` distinct gemeenten. Several personas of one network travelling *together* is
  the linking stage's ``touring_group`` role; this module only reads that (``touring_group_route``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from zicht import reference
from zicht.analysis.counts import TIMEZONE, UNKNOWN_CODE, VersionSpan, local_day, period_key

MIN_TOUR_GEMEENTEN = 3  # distinct gemeenten on one chain of flows before it reads as a tour
MAX_STAY_WEEKS = 2  # the longest stay (in weeks) between two flows of one tour
LINKING_EPOCH_MONDAY = date(1970, 1, 5)  # week 0 of ``zicht.linking.profile.week_of_day``


def week_start(day: date) -> date:
    """The Monday of the ISO week holding ``day``."""
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    """``2026-W41``: the ISO year and week (the ISO year differs from the calendar year around 1 January)."""
    return period_key(monday, "week")


# ---------------------------------------------------------------- input and presence


@dataclass(frozen=True)
class AdPlace:
    """One ad as movement needs it: its sightings, its versions (with gemeente), persona and network."""

    ad_id: int
    first_seen: datetime
    last_seen: datetime
    versions: tuple[VersionSpan, ...] = ()
    persona_id: int | None = None  # None: not linked yet; the ad is a persona of its own
    network_id: int | None = None

    @property
    def persona(self) -> int:
        """The persona key: the persona id, or minus the ad id for an ad not linked yet."""
        return self.persona_id if self.persona_id is not None else -self.ad_id

    @property
    def network(self) -> int:
        if self.network_id is not None:
            return self.network_id
        return self.persona


@dataclass
class Presence:
    """Where each persona was, per ISO week: ``days[(persona, monday, gemeente)]`` is a bit mask of the
    local days (bit 0 = Monday) it was present there, ``monday`` a date ordinal (``date.toordinal``,
    ints keep a national year fast); ``network[persona]`` is its network key."""

    first_week: date
    last_week: date
    days: dict[tuple[int, int, str], int] = field(default_factory=dict)
    network: dict[int, int] = field(default_factory=dict)

    def mask(self, persona: int, week: date, gemeente: str) -> int:
        """The days (bit mask, bit 0 = Monday) of ``persona`` in ``gemeente`` in the week of ``week``."""
        return self.days.get((persona, week_start(week).toordinal(), gemeente), 0)

    def places(self) -> dict[int, dict[int, set[str]]]:
        """persona → week (ordinal of its Monday) → the known gemeenten it was in (``onbekend`` left out)."""
        out: dict[int, dict[int, set[str]]] = {}
        for persona, week, gm in self.days:
            if gm != UNKNOWN_CODE:
                out.setdefault(persona, {}).setdefault(week, set()).add(gm)
        return out

    def personas(self) -> set[int]:
        return {p for p, _, _ in self.days}


_HOUR_DAY: dict[int, int] = {}


def local_day_number(epoch_seconds: int) -> int:
    """The Dutch local date (as an ordinal) of a UTC moment given in seconds since 1970.

    Europe/Amsterdam changes its offset only on whole UTC hours, so one look-up per hour is exact.
    """
    hour = epoch_seconds // 3600
    found = _HOUR_DAY.get(hour)
    if found is None:
        found = _HOUR_DAY[hour] = datetime.fromtimestamp(hour * 3600, TIMEZONE).date().toordinal()
    return found


# (persona key, network key, first local day, last local day, ((first local day, raw gemeente), ...))
AdDays = tuple[int, int, int, int, Sequence[tuple[int, "str | None"]]]


def presence(ads: Iterable[AdPlace], first_day: date, last_day: date) -> Presence:
    """Presence per persona, ISO week and gemeente over the whole weeks touching ``first_day .. last_day``."""
    rows = []
    for ad in ads:
        versions = sorted(ad.versions, key=lambda v: v.first_seen)
        rows.append(
            (
                ad.persona,
                ad.network,
                local_day(ad.first_seen).toordinal(),
                local_day(ad.last_seen).toordinal(),
                [(local_day(v.first_seen).toordinal(), v.gemeente_code) for v in versions],
            )
        )
    return presence_from_days(rows, first_day, last_day)


def presence_from_days(ads: Iterable[AdDays], first_day: date, last_day: date) -> Presence:
    """``presence`` from ads already in local day numbers, versions oldest first (the store's fast path).

    On each day an ad is in the gemeente of the version in force that day: the newest version first
    seen on or before it; the first version stands for the ad from its first day
    (``zicht.analysis.counts._segments``, in day numbers).
    """
    lo_week = week_start(first_day)
    out = Presence(lo_week, week_start(last_day))
    lo, hi = lo_week.toordinal(), week_start(last_day).toordinal() + 6
    gemeente_of: dict[str | None, str] = {}
    days = out.days
    for persona, network, first, last, versions in ads:
        a, b = max(first, lo), min(last, hi)
        if b < a:
            continue
        out.network.setdefault(persona, network)
        n = len(versions)
        if n == 0:
            segments: list[tuple[int, int, str | None]] = [(a, b, None)]
        else:
            segments = []
            for i, (vday, raw) in enumerate(versions):
                start = a if i == 0 else max(a, vday)
                end = b if i == n - 1 else min(b, versions[i + 1][0] - 1)
                if start <= end:
                    segments.append((start, end, raw))
        for start, end, raw in segments:
            gm = gemeente_of.get(raw)
            if gm is None:
                gm = gemeente_of[raw] = _gemeente(raw)
            day = start
            while day <= end:
                weekday = (day - 1) % 7  # ordinal 1 (0001-01-01) was a Monday
                monday = day - weekday
                stop = min(end, monday + 6)
                key = (persona, monday, gm)
                days[key] = days.get(key, 0) | (((1 << (stop - day + 1)) - 1) << weekday)
                day = stop + 1
    return out


def _gemeente(raw: str | None) -> str:
    g = reference.gemeente(raw) if raw else None
    return g.code if g is not None else UNKNOWN_CODE


# ---------------------------------------------------------------- flows


@dataclass(frozen=True, order=True)
class PersonaFlow:
    """One persona's move from ``origin`` (week before) to ``destination`` (``week``, a Monday)."""

    week: date
    origin: str
    destination: str
    persona: int
    network: int


def persona_flows(found: Presence) -> list[PersonaFlow]:
    """Every flow of every persona whose arrival week lies in the presence's range after its first week.

    The first week of the range only serves as the week before: flows need both weeks.
    """
    out: list[PersonaFlow] = []
    first = found.first_week.toordinal()
    for persona, weeks in found.places().items():
        if len(weeks) < 2:
            continue
        network = found.network.get(persona, persona)
        for monday, now in weeks.items():
            before = weeks.get(monday - 7)
            if not before or monday <= first:
                continue
            left, arrived = before - now, now - before
            if left and arrived:
                week = date.fromordinal(monday)
                for a in sorted(left):
                    for b in sorted(arrived):
                        out.append(PersonaFlow(week, a, b, persona, network))
    out.sort()
    return out


@dataclass(frozen=True)
class FlowRow:
    """Personas (and their networks) that moved from one gemeente to another in one week."""

    week: date
    origin: str
    destination: str
    personas: int
    networks: int

    @property
    def week_label(self) -> str:
        return week_label(self.week)


def flow_table(flows: Iterable[PersonaFlow], keep: Callable[[str, str], bool] | None = None) -> list[FlowRow]:
    """Flows per (week, origin, destination), most personas first within a week, oldest week first.

    ``keep(origin, destination)`` selects the flows of an area (e.g. either end in a police unit).
    """
    personas: dict[tuple[date, str, str], set[int]] = defaultdict(set)
    networks: dict[tuple[date, str, str], set[int]] = defaultdict(set)
    for f in flows:
        if keep is not None and not keep(f.origin, f.destination):
            continue
        key = (f.week, f.origin, f.destination)
        personas[key].add(f.persona)
        networks[key].add(f.network)
    rows = [FlowRow(w, a, b, len(personas[(w, a, b)]), len(networks[(w, a, b)])) for w, a, b in personas]
    rows.sort(key=lambda r: (r.week, -r.personas, r.origin, r.destination))
    return rows


def flow_pairs(rows: Iterable[FlowRow]) -> list[tuple[str, str, int]]:
    """(origin, destination, person-moves) summed over the weeks, biggest first: the chart's matrix.

    A persona moving A→B in two different weeks counts twice here (two moves), once per week in the table.
    """
    total: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        total[(r.origin, r.destination)] += r.personas
    return sorted(((a, b, n) for (a, b), n in total.items()), key=lambda x: (-x[2], x[0], x[1]))


# ---------------------------------------------------------------- tours


@dataclass(frozen=True)
class Tour:
    """A persona's chain of flows through at least ``MIN_TOUR_GEMEENTEN`` gemeenten with short stays."""

    persona: int
    network: int
    route: tuple[PersonaFlow, ...]

    @property
    def gemeenten(self) -> list[str]:
        """The places in route order (a return to an earlier place is listed again)."""
        return [self.route[0].origin, *(f.destination for f in self.route)]

    @property
    def distinct(self) -> int:
        return len(set(self.gemeenten))

    @property
    def first_week(self) -> date:
        return self.route[0].week - timedelta(days=7)

    @property
    def last_week(self) -> date:
        return self.route[-1].week

    def stays(self) -> list[int]:
        """Weeks spent in each intermediate gemeente (between arriving and leaving again)."""
        return [(b.week - a.week).days // 7 for a, b in zip(self.route, self.route[1:], strict=False)]


def tours(
    flows: Iterable[PersonaFlow],
    *,
    min_gemeenten: int = MIN_TOUR_GEMEENTEN,
    max_stay_weeks: int = MAX_STAY_WEEKS,
) -> list[Tour]:
    """Per persona the chain of flows with the most distinct gemeenten, when it reaches ``min_gemeenten``.

    A flow continues a chain when it leaves the gemeente the chain last arrived in, 1 to
    ``max_stay_weeks`` weeks later. Chains are followed in week order; ties keep the earliest chain.
    """
    by_persona: dict[int, list[PersonaFlow]] = defaultdict(list)
    for f in flows:
        by_persona[f.persona].append(f)
    out: list[Tour] = []
    for persona, items in sorted(by_persona.items()):
        items.sort()
        best_chain: dict[int, tuple[PersonaFlow, ...]] = {}
        for i, f in enumerate(items):
            chain: tuple[PersonaFlow, ...] = (f,)
            for j in range(i):
                g = items[j]
                gap = (f.week - g.week).days // 7
                if g.destination == f.origin and 1 <= gap <= max_stay_weeks:
                    candidate = (*best_chain[j], f)
                    if _distinct(candidate) > _distinct(chain) or (
                        _distinct(candidate) == _distinct(chain) and len(candidate) > len(chain)
                    ):
                        chain = candidate
            best_chain[i] = chain
        if not best_chain:
            continue
        chosen = max(
            best_chain.values(), key=lambda c: (_distinct(c), len(c), [-x.week.toordinal() for x in c])
        )
        if _distinct(chosen) >= min_gemeenten:
            out.append(Tour(persona, items[0].network, chosen))
    return out


def _distinct(chain: tuple[PersonaFlow, ...]) -> int:
    return len({chain[0].origin, *(f.destination for f in chain)})


# ---------------------------------------------------------------- places over time


@dataclass(frozen=True)
class Itinerary:
    """A weeks × gemeenten table: ``cells[(week, gemeente)] = (personas, days)`` where *days* is the
    number of persona-days (for one persona: the days it was present there that week)."""

    weeks: list[date]
    gemeenten: list[str]
    cells: dict[tuple[date, str], tuple[int, int]]

    def cell(self, week: date, gemeente: str) -> tuple[int, int] | None:
        return self.cells.get((week, gemeente))


def itinerary(found: Presence, *, max_gemeenten: int = 40) -> Itinerary:
    """Places over time of the personas in ``found``: every week of its range (gaps included).

    Gemeenten are ordered by the week they first appear in (``onbekend`` last); only the
    ``max_gemeenten`` with the most persona-days are kept, so the table stays readable.
    """
    personas: dict[tuple[date, str], set[int]] = defaultdict(set)
    days: dict[tuple[date, str], int] = defaultdict(int)
    for (persona, monday, gm), mask in found.days.items():
        week = date.fromordinal(monday)
        personas[(week, gm)].add(persona)
        days[(week, gm)] += bin(mask).count("1")
    first_seen: dict[str, date] = {}
    weight: dict[str, int] = defaultdict(int)
    for (week, gm), n in days.items():
        first_seen[gm] = min(first_seen.get(gm, week), week)
        weight[gm] += n
    kept = sorted(weight, key=lambda g: (-weight[g], g))[:max_gemeenten]
    kept.sort(key=lambda g: (g == UNKNOWN_CODE, first_seen[g], g))
    weeks, w = [], found.first_week
    while w <= found.last_week:
        weeks.append(w)
        w += timedelta(days=7)
    cells = {(w, g): (len(personas[(w, g)]), days[(w, g)]) for (w, g) in personas if g in kept}
    return Itinerary(weeks, kept, cells)


# ---------------------------------------------------------------- touring groups (linking's role)


@dataclass(frozen=True)
class RouteStep:
    week: date  # Monday of the week of arrival
    origin: str
    destination: str


def touring_group_route(evidence: Mapping[str, object]) -> list[RouteStep]:
    """The route of a ``touring_group`` role as stored by linking (weeks since 1970-01-05, raw codes).

    Codes are mapped to current gemeente codes where possible (otherwise kept as written); steps
    that cannot be read are skipped rather than guessed.
    """
    out: list[RouteStep] = []
    route = evidence.get("route")
    if not isinstance(route, list):
        return out
    for step in route:
        if not isinstance(step, Mapping):
            continue
        try:
            week = LINKING_EPOCH_MONDAY + timedelta(days=7 * int(step["week"]))  # type: ignore[call-overload]
        except (KeyError, TypeError, ValueError):
            continue
        a, b = str(step.get("from") or ""), str(step.get("to") or "")
        out.append(
            RouteStep(week, reference.current_gemeente_code(a) or a, reference.current_gemeente_code(b) or b)
        )
    out.sort(key=lambda s: (s.week, s.origin, s.destination))
    return out


def local_week(value: datetime) -> date:
    """The Monday of the Dutch local week of a stored moment."""
    return week_start(local_day(value))
