"""Pre-computed count aggregates: the dashboard's and the export's numbers without counting every ad.

``refresh_aggregates`` (run at the end of ``zicht process``) keeps a table of totals per level, area
and day or ISO week. It finds what changed cheaply: every ad has a *mark* (first and last seen, its
newest version id, its newest extraction, its persona) from the last refresh; an ad whose mark
differs dirties the days between its old and new span, and only the weeks holding those days are
counted again, from the ads themselves (distinct contact points and personas cannot be summed
over days). An ad seen again one day later dirties only the new day's week. A changed region
definition recomputes that region's rows only.

``fresh_totals`` hands the stored totals to ``zicht.store.counts.area_counts`` only while the store
still has the fingerprint (``store_stamps``) it had when they were computed; otherwise the counts
are computed directly, so a stale aggregate is never shown.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import String, and_, delete, func, insert, select, type_coerce, update
from sqlalchemy.orm import Session

from zicht.analysis.aggregates import count_window
from zicht.analysis.counts import (
    LEVELS,
    Area,
    Level,
    Period,
    Regions,
    Totals,
    local_day,
    region_code,
)
from zicht.store import persona_weeks
from zicht.store.models import (
    Ad,
    AdVersion,
    CountAggregate,
    CountMark,
    CountRefresh,
    Extraction,
    LinkAd,
    LinkDecision,
)
from zicht.store.store import Store

ALGORITHM = "counts-2"  # bump when the counting changes: the next refresh rebuilds everything
WINDOW_WEEKS = 8  # weeks counted together; bounds memory at a million ads
BATCH = 5000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Progress = Callable[[str, int, int], None]


# ---------------------------------------------------------------- regions


def region_rows(store: Store) -> list[tuple[int, str, list[str]]]:
    """Every region as ``(id, name, gemeente codes)``, from ``zicht.store.regions.list_regions``."""
    from zicht.store.regions import list_regions

    return [(r.id, r.name, list(r.gemeenten)) for r in list_regions(store)]


def load_regions(store: Store, only: Iterable[str] | None = None) -> Regions:
    """The regions for counting; ``only`` limits them to these area codes."""
    wanted = set(only) if only is not None else None
    rows = region_rows(store)
    return Regions.of(r for r in rows if wanted is None or region_code(r[0]) in wanted)


def region_hashes(store: Store) -> dict[str, str]:
    """A hash per region of its name and gemeenten: a changed hash means recount that region."""
    return {
        region_code(rid): hashlib.sha256(json.dumps([name, codes]).encode()).hexdigest()[:16]
        for rid, name, codes in region_rows(store)
    }


# ---------------------------------------------------------------- freshness


def _text(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def store_stamps(store: Store) -> dict[str, object]:
    """A cheap fingerprint of everything the counts depend on except regions (one indexed query).

    New ads, new versions, re-extraction, (re)linking and analysts' decisions change it; it is read
    on every dashboard request, so it holds only maxima that indexes answer. What moves no maximum
    (an old ad seen again, a deleted ad) is flagged by its writer with ``mark_stale``
    (``Store.ingest``, ``zicht.store.linking.before_deleting_ads``).
    """
    parts = {
        "max_ad": select(func.max(Ad.id)),
        "first_seen": select(func.max(Ad.first_seen)),
        "last_seen": select(func.max(Ad.last_seen)),
        "max_version": select(func.max(AdVersion.id)),
        "facts": select(func.max(Extraction.created_at)),
        "keyed": select(func.max(LinkAd.keyed_at)),
        "decisions": select(func.max(LinkDecision.id)),
    }
    with store.session() as s:
        row = s.execute(select(*(q.scalar_subquery().label(k) for k, q in parts.items()))).one()
    return {k: _text(v) for k, v in row._mapping.items()}


def mark_stale(session: Session) -> None:
    """Within a writer's transaction: the aggregates no longer hold; ``fresh_totals`` says None.

    ``Store.ingest`` calls it, because a re-seen old ad moves no maximum that ``store_stamps`` reads.
    """
    session.execute(update(CountRefresh).where(CountRefresh.id == 1).values(stamps={}))


def _refresh_row(store: Store) -> CountRefresh | None:
    with store.session() as s:
        row = s.get(CountRefresh, 1)
        if row is not None:
            s.expunge(row)
        return row


def fresh_totals(
    store: Store,
    level: Level,
    period: Period,
    lo: date,
    hi: date,
    *,
    area: str | None = None,
    only: Sequence[date] | None = None,
    stale_ok: bool = False,
) -> tuple[dict[tuple[Area, date], Totals], set[Area]] | None:
    """Stored totals of periods starting in ``lo .. hi``, and the areas with any; None when stale.

    ``area`` keeps one area's totals; ``only`` keeps the totals of these period starts (the areas
    are still those of the whole range), so a page that shows one period reads only its rows.
    ``stale_ok`` returns the totals of the last refresh even when ads changed since (the page then
    says so, see ``freshness``); None only when there are none, or a region changed since.
    """
    state = _refresh_row(store)
    if state is None or state.algorithm != ALGORITHM:
        return None
    if not stale_ok and state.stamps != store_stamps(store):
        return None
    if level == "region" and state.regions != region_hashes(store):
        return None
    agg = CountAggregate
    where = [agg.level == level, agg.period_kind == period, agg.period_start >= lo, agg.period_start <= hi]
    if area is not None:
        where.append(agg.area_code == area)
    # The date as text: SQLite's date parsing per row costs more than the whole query.
    start = type_coerce(agg.period_start, String)
    with store.session() as s:
        conn = s.connection()
        rows = conn.execute(
            select(
                agg.area_code,
                agg.area_name,
                start,
                agg.active_ads,
                agg.new_ads,
                agg.contact_points,
                agg.personas,
            ).where(*where, *([agg.period_start.in_(list(only))] if only is not None else []))
        ).all()
        names = (
            conn.execute(select(agg.area_code, agg.area_name).where(*where).distinct()).all()
            if only is not None
            else []
        )
    areas: dict[tuple[str, str], Area] = {}

    def area_of(code: str, name: str) -> Area:
        found = areas.get((code, name))
        if found is None:
            found = areas[(code, name)] = Area(code, name)
        return found

    def day(value: object) -> date:
        return date.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]

    totals = {(area_of(r[0], r[1]), day(r[2])): (r[3], r[4], r[5], r[6]) for r in rows}
    for code, name in names:
        area_of(code, name)
    return totals, set(areas.values())


@dataclass(frozen=True)
class Freshness:
    """How current the stored figures are: ``fresh``, or refreshed at ``refreshed_at`` with
    ``new_ads`` ads new or seen again since (0 when only extraction or linking changed)."""

    fresh: bool
    refreshed_at: datetime
    new_ads: int = 0


def freshness(store: Store) -> Freshness | None:
    """None when no aggregates exist (the pages count directly); otherwise how current they are."""
    state = _refresh_row(store)
    if state is None or state.algorithm != ALGORITHM:
        return None
    refreshed = state.refreshed_at
    if state.stamps == store_stamps(store):
        return Freshness(True, refreshed)
    basis = state.basis or {}
    max_ad = int(basis.get("max_ad") or 0)
    seen = basis.get("last_seen")
    with store.session() as s:
        # Two index range counts: an OR of both would make SQLite scan every ad.
        new = s.scalar(select(func.count()).where(Ad.id > max_ad)) or 0
        if seen:
            new += (
                s.scalar(
                    select(func.count()).where(
                        Ad.id <= max_ad, Ad.last_seen > datetime.fromisoformat(str(seen))
                    )
                )
                or 0
            )
    return Freshness(False, refreshed, int(new))


# ---------------------------------------------------------------- refresh


@dataclass
class RefreshReport:
    changed_ads: int = 0
    weeks: int = 0
    regions: int = 0
    rows: int = 0
    full: bool = False
    presence_rows: int = 0  # persona_weeks rows written (movement)
    flows: int = 0  # persona_flows rows written
    stamps: dict[str, object] = field(default_factory=dict)


Mark = tuple[datetime, datetime, int, datetime | None, int | None, int | None]


def _current_marks(store: Store) -> dict[int, Mark]:
    with store.session() as s:
        rows = s.execute(
            select(
                Ad.id,
                Ad.first_seen,
                Ad.last_seen,
                func.coalesce(func.max(AdVersion.id), 0),
                func.max(Extraction.created_at),
                LinkAd.persona_id,
                LinkAd.network_id,
            )
            .outerjoin(AdVersion, AdVersion.ad_id == Ad.id)
            .outerjoin(Extraction, Extraction.ad_version_id == AdVersion.id)
            .outerjoin(LinkAd, LinkAd.ad_id == Ad.id)
            .group_by(Ad.id, Ad.first_seen, Ad.last_seen, LinkAd.persona_id, LinkAd.network_id)
        )
        return {r[0]: _mark(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}


def _aware(value: datetime | str | None) -> datetime | None:
    """``max()`` over a joined column comes back without the column type: a string on SQLite."""
    if value is None or isinstance(value, datetime):
        return value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo else value
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _mark(
    first: datetime, last: datetime, version: int, facts: object, persona: int | None, network: int | None
) -> Mark:
    return (first, last, int(version), _aware(facts), persona, network)  # type: ignore[arg-type]


def _stored_marks(store: Store) -> dict[int, Mark]:
    with store.session() as s:
        return {
            r[0]: _mark(r[1], r[2], r[3], r[4], r[5], r[6])
            for r in s.execute(
                select(
                    CountMark.ad_id,
                    CountMark.first_seen,
                    CountMark.last_seen,
                    CountMark.version_stamp,
                    CountMark.facts_stamp,
                    CountMark.persona_id,
                    CountMark.network_id,
                )
            )
        }


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def dirty_days(old: Mark | None, new: Mark | None) -> tuple[date, date] | None:
    """The local days whose counts may differ between an ad's old and new mark (None: none).

    Only a moved last-seen dirties just the days between the old and the new last day; any other
    change (new or deleted ad, new version, re-extraction, another persona or network) dirties its
    whole span.
    """
    if old == new:
        return None
    if old is None or new is None:
        m = new or old
        assert m is not None
        return local_day(m[0]), local_day(m[1])
    if old[0] == new[0] and old[2:] == new[2:]:
        a, b = local_day(old[1]), local_day(new[1])
        if a == b:
            return None
        return min(a, b) + timedelta(days=1), max(a, b)
    return min(local_day(old[0]), local_day(new[0])), max(local_day(old[1]), local_day(new[1]))


def _runs(mondays: Iterable[date]) -> list[tuple[date, int]]:
    """Consecutive weeks as ``(monday, n_weeks)`` windows of at most ``WINDOW_WEEKS``."""
    out: list[tuple[date, int]] = []
    for m in sorted(set(mondays)):
        if out and out[-1][0] + timedelta(days=7 * out[-1][1]) == m and out[-1][1] < WINDOW_WEEKS:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((m, 1))
    return out


def _write_window(
    store: Store,
    monday: date,
    n_weeks: int,
    levels: tuple[Level, ...],
    regions: Regions,
    only_areas: set[str] | None = None,
) -> int:
    from zicht.store.counts import ad_spans

    sunday = monday + timedelta(days=7 * n_weeks - 1)
    totals = count_window(ad_spans(store, monday, sunday), levels, monday, n_weeks, regions)
    rows = [
        {
            "level": level,
            "period_kind": kind,
            "period_start": start,
            "area_code": area.code,
            "area_name": area.name,
            "active_ads": t[0],
            "new_ads": t[1],
            "contact_points": t[2],
            "personas": t[3],
        }
        for (level, kind, start, area), t in totals.items()
    ]
    with store.session() as s:
        where = [
            CountAggregate.level.in_(levels),
            CountAggregate.period_start >= monday,
            CountAggregate.period_start <= sunday,
        ]
        if only_areas is not None:
            where.append(CountAggregate.area_code.in_(sorted(only_areas)))
        s.execute(delete(CountAggregate).where(and_(*where)))
        for i in range(0, len(rows), BATCH):
            s.connection().execute(insert(CountAggregate.__table__), rows[i : i + BATCH])
    return len(rows)


def _save_marks(store: Store, changed: dict[int, Mark | None]) -> None:
    ids = sorted(changed)
    with store.session() as s:
        for i in range(0, len(ids), BATCH):
            s.execute(delete(CountMark).where(CountMark.ad_id.in_(ids[i : i + BATCH])))
        rows = [
            {
                "ad_id": ad_id,
                "first_seen": m[0],
                "last_seen": m[1],
                "version_stamp": m[2],
                "facts_stamp": m[3],
                "persona_id": m[4],
                "network_id": m[5],
            }
            for ad_id in ids
            if (m := changed[ad_id]) is not None
        ]
        for i in range(0, len(rows), BATCH):
            s.connection().execute(insert(CountMark.__table__), rows[i : i + BATCH])


def refresh_aggregates(store: Store, on_progress: Progress | None = None) -> RefreshReport:
    """Bring the aggregates up to date with the store, recounting only the weeks that changed.

    The first run (or one after ``ALGORITHM`` changed) counts every week of the data.
    """
    report = RefreshReport(stamps=store_stamps(store))  # before reading: a change meanwhile makes it stale
    hashes = region_hashes(store)
    state = _refresh_row(store)
    if state is None or state.algorithm != ALGORITHM:
        report.full = True
        with store.session() as s:
            s.execute(delete(CountAggregate))
            s.execute(delete(CountMark))
        persona_weeks.clear(store)
        old_hashes: dict[str, str] = {}
    else:
        old_hashes = dict(state.regions)
        if state.stamps == report.stamps and old_hashes == hashes:
            return report  # nothing changed since the last refresh: not even the marks are read

    old, new = _stored_marks(store), _current_marks(store)
    changed: dict[int, Mark | None] = {}
    mondays: set[int] = set()
    for ad_id in old.keys() | new.keys():
        before, after = old.get(ad_id), new.get(ad_id)
        span = dirty_days(before, after)
        if before != after:
            changed[ad_id] = after
        if span is not None:
            first, last = span
            a, b = (_monday(first).toordinal(), _monday(last).toordinal())
            mondays.update(range(a, b + 1, 7))
    report.changed_ads = len(changed)
    runs = _runs(date.fromordinal(m) for m in mondays)
    report.weeks = sum(n for _, n in runs)

    # Regions whose definition changed (or that are new) are recounted over the whole data range.
    gone = set(old_hashes) - set(hashes)
    redo = {code for code, h in hashes.items() if old_hashes.get(code) != h}
    if report.full:
        redo = set()  # the full count below includes every region
    region_runs: list[tuple[date, int]] = []
    if redo:
        with store.session() as s:
            lo, hi = s.execute(select(func.min(Ad.first_seen), func.max(Ad.last_seen))).one()
        if lo is not None:
            first, last = _monday(local_day(lo)), _monday(local_day(hi))
            region_runs = _runs(first + timedelta(days=7 * i) for i in range((last - first).days // 7 + 1))
    report.regions = len(redo) + len(gone)

    total = report.weeks + sum(n for _, n in region_runs)
    done = 0
    if on_progress:
        on_progress("aggregates", 0, total)
    regions = load_regions(store)
    for monday, n_weeks in runs:
        report.rows += _write_window(store, monday, n_weeks, LEVELS, regions)
        report.presence_rows += persona_weeks.write_presence(store, monday, n_weeks)
        done += n_weeks
        if on_progress:
            on_progress("aggregates", done, total)
    # A flow compares a week with the one before: a dirty week changes its own flows and the next's.
    flow_weeks = {date.fromordinal(m) for m in mondays} | {date.fromordinal(m + 7) for m in mondays}
    report.flows = persona_weeks.write_flows(store, flow_weeks)
    if mondays:
        persona_weeks.write_week_counts(store)
    if gone:
        with store.session() as s:
            s.execute(
                delete(CountAggregate).where(
                    CountAggregate.level == "region", CountAggregate.area_code.in_(sorted(gone))
                )
            )
    if region_runs:
        changed_regions = load_regions(store, only=redo)
        for monday, n_weeks in region_runs:
            report.rows += _write_window(store, monday, n_weeks, ("region",), changed_regions, redo)
            done += n_weeks
            if on_progress:
                on_progress("aggregates", done, total)
    _save_marks(store, changed)
    with store.session() as s:
        row = s.get(CountRefresh, 1) or CountRefresh(id=1)
        row.algorithm = ALGORITHM
        row.stamps = report.stamps
        row.regions = hashes
        row.refreshed_at = datetime.now(UTC)
        row.basis = {k: report.stamps.get(k) for k in ("max_ad", "last_seen")}
        s.add(row)
    return report


def refresh_regions(store: Store, on_progress: Progress | None = None) -> int:
    """Recount only the region rows of regions that changed (or are new), drop those of deleted ones.

    What the region page and ``zicht region`` call after a change, so the dashboard's region level
    reads stored totals again without waiting for the next ``zicht process``. Returns the regions
    recounted or removed; 0 when there are no aggregates yet (the first refresh counts all).
    """
    state = _refresh_row(store)
    if state is None or state.algorithm != ALGORITHM:
        return 0
    hashes = region_hashes(store)
    old_hashes = dict(state.regions)
    gone = set(old_hashes) - set(hashes)
    redo = {code for code, h in hashes.items() if old_hashes.get(code) != h}
    if gone:
        with store.session() as s:
            s.execute(
                delete(CountAggregate).where(
                    CountAggregate.level == "region", CountAggregate.area_code.in_(sorted(gone))
                )
            )
    if redo:
        with store.session() as s:
            lo, hi = s.execute(select(func.min(Ad.first_seen), func.max(Ad.last_seen))).one()
        if lo is not None:
            first, last = _monday(local_day(lo)), _monday(local_day(hi))
            windows = _runs(first + timedelta(days=7 * i) for i in range((last - first).days // 7 + 1))
            changed_regions = load_regions(store, only=redo)
            total, done = sum(n for _, n in windows), 0
            for monday, n_weeks in windows:
                _write_window(store, monday, n_weeks, ("region",), changed_regions, redo)
                done += n_weeks
                if on_progress:
                    on_progress("regions", done, total)
    with store.session() as s:
        s.execute(update(CountRefresh).where(CountRefresh.id == 1).values(regions=hashes))
    return len(redo) + len(gone)


_region_lock = threading.Lock()


def refresh_regions_later(store: Store) -> threading.Thread:
    """``refresh_regions`` in a background thread (one at a time), for a web request that changed a
    region: at a million ads the recount takes minutes, and until it is done the region level is
    counted directly (the stored region hashes differ), so no figure is ever wrong meanwhile."""

    def run() -> None:
        with _region_lock:
            refresh_regions(store)

    thread = threading.Thread(target=run, name="zicht-region-refresh", daemon=True)
    thread.start()
    return thread
