"""Read queries behind the monitoring counts: one function that the dashboard and the export share.

The SQL only selects the ads that touch the requested days, their versions (gemeente, declared
category) and the keyed pseudonyms of their contact points; ``zicht.analysis.counts`` does the
counting, so SQLite and PostgreSQL give the same numbers by construction. Phone numbers never leave
this module: only ``contact_points.hmac`` is read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from zicht.analysis.counts import (
    NO_REGIONS,
    AdSpan,
    CountTable,
    Level,
    Period,
    VersionSpan,
    build_table,
    count,
    local_day,
    period_end,
    period_key,
    period_start,
    previous_period,
    utc_bounds,
)
from zicht.store.models import Ad, AdContact, AdVersion, ContactPoint, Extraction, LinkAd, Site
from zicht.store.store import Store


def data_range(store: Store) -> tuple[date, date] | None:
    """The first and last Dutch local day on which any ad was seen; None for an empty store."""
    with store.session() as s:
        first, last = s.execute(select(func.min(Ad.first_seen), func.max(Ad.last_seen))).one()
    if first is None or last is None:
        return None
    return local_day(first), local_day(last)


def personas_linked(store: Store) -> bool:
    """Whether the linking stage has assigned any persona yet; until it has, personas are unknown."""
    with store.session() as s:
        return s.scalar(select(LinkAd.ad_id).where(LinkAd.persona_id.is_not(None)).limit(1)) is not None


def ad_spans(store: Store, first_day: date, last_day: date) -> list[AdSpan]:
    """Every ad seen on a Dutch local day ``first_day .. last_day``, with all its versions."""
    lo, hi = utc_bounds(first_day, last_day)
    touching = (Ad.first_seen < hi, Ad.last_seen >= lo)
    with store.session() as s:
        ads = s.execute(
            select(Ad.id, Site.name, Ad.first_seen, Ad.last_seen, LinkAd.persona_id)
            .join(Site, Site.id == Ad.site_id)
            .outerjoin(LinkAd, LinkAd.ad_id == Ad.id)
            .where(*touching)
            .order_by(Ad.id)
        ).all()
        versions = s.execute(
            select(
                AdVersion.ad_id,
                AdVersion.id,
                AdVersion.first_seen,
                Extraction.gemeente_code,
                AdVersion.fields["category"].as_string(),
            )
            .join(Ad, Ad.id == AdVersion.ad_id)
            .outerjoin(Extraction, Extraction.ad_version_id == AdVersion.id)
            .where(*touching)
            .order_by(AdVersion.ad_id, AdVersion.first_seen, AdVersion.id)
        ).all()
        contacts: dict[int, set[str]] = defaultdict(set)
        for version_id, hmac in s.execute(
            select(AdContact.ad_version_id, ContactPoint.hmac)
            .join(ContactPoint, ContactPoint.id == AdContact.contact_point_id)
            .join(AdVersion, AdVersion.id == AdContact.ad_version_id)
            .join(Ad, Ad.id == AdVersion.ad_id)
            .where(*touching)
            .distinct()
        ):
            contacts[version_id].add(hmac)
    by_ad: dict[int, list[VersionSpan]] = defaultdict(list)
    for ad_id, version_id, first_seen, gemeente_code, category in versions:
        by_ad[ad_id].append(VersionSpan(first_seen, gemeente_code, category, frozenset(contacts[version_id])))
    return [
        AdSpan(ad_id, site, first_seen, last_seen, tuple(by_ad[ad_id]), persona_id)
        for ad_id, site, first_seen, last_seen, persona_id in ads
    ]


def default_range(store: Store, period: Period, n_periods: int | None = None) -> tuple[date, date]:
    """The whole data range, or its last ``n_periods`` periods; today when the store is empty."""
    found = data_range(store)
    if found is None:
        today = local_day_today()
        return today, today
    first, last = found
    if n_periods is not None:
        start = period_start(last, period)
        for _ in range(n_periods - 1):
            start = previous_period(start, period)
        first = max(first, start)
    return first, last


def local_day_today() -> date:
    return local_day(datetime.now(UTC))


def area_counts(
    store: Store,
    level: Level,
    period: Period,
    first_day: date | None = None,
    last_day: date | None = None,
    *,
    direct: bool = False,
    area: str | None = None,
    latest_only: bool = False,
    stale_ok: bool = False,
) -> CountTable:
    """Counts per area (``level``) and period, over whole periods; both bounds default to the data range.

    The one source of the dashboard's and the export's numbers. It reads the pre-computed aggregates
    (``zicht.store.aggregates``) while they are fresh and counts the ads directly otherwise (or with
    ``direct``); both give the same table. ``area`` keeps that area's rows and ``latest_only`` the
    rows of the last period (every area of the range, zeros included): what a page shows, read
    without building the rest. ``stale_ok`` reads the aggregates of the last refresh even when ads
    changed since (what the dashboard and the export show, with ``aggregates.freshness`` saying how
    current they are); the direct count then answers only when there are no aggregates at all.
    """
    from zicht.store.aggregates import fresh_totals, load_regions

    if first_day is None or last_day is None:
        default_first, default_last = default_range(store, period)
        first_day = first_day or default_first
        last_day = last_day or default_last
    if last_day < first_day:
        raise ValueError(f"the range ends ({last_day}) before it starts ({first_day})")
    # The period before the first one is read too: the change column compares with it.
    first_start = period_start(first_day, period)
    lo = previous_period(first_start, period)
    last_start = period_start(last_day, period)
    regions = load_regions(store) if level == "region" else NO_REGIONS
    linked = personas_linked(store)
    only = (previous_period(last_start, period), last_start) if latest_only else None
    found = (
        None
        if direct
        else fresh_totals(store, level, period, lo, last_start, area=area, only=only, stale_ok=stale_ok)
    )
    if found is not None:
        totals, areas = found
        table = build_table(
            totals,
            level,
            period,
            last_start if latest_only else first_day,
            last_day,
            personas_linked=linked,
            regions=regions,
            extra_areas=areas,
        )
        table = replace(table, first_day=first_start)
    else:
        spans = ad_spans(store, lo, period_end(last_start, period))
        table = count(spans, level, period, first_day, last_day, personas_linked=linked, regions=regions)
    if area is not None or latest_only:
        last_key = period_key(last_start, period)
        rows = [
            r
            for r in table.rows
            if (area is None or r.area_code == area) and (not latest_only or r.period == last_key)
        ]
        table = replace(table, rows=rows)
    return table
