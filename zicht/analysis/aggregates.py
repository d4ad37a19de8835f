"""Counts of many periods and every area level in one pass: what the pre-computed aggregates hold.

``zicht.analysis.counts.count`` counts one level over a short range with Python sets: right for a
request, far too slow to fill a year of days and weeks for seven levels at a million ads. This module
gives the same numbers (a test compares them on varied markets) for a window of whole ISO weeks: the
Python loop only cuts each ad into its segments (days with one version in force) and looks up their
areas; the distinct counts are sorts of integer keys in numpy. Distinct contact points and personas
cannot be added up over days, so each day and each week is counted from the ads themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import numpy as np

from zicht.analysis.counts import (
    NO_REGIONS,
    AdSpan,
    Area,
    Level,
    Period,
    Regions,
    Totals,
    VersionSpan,
    _ad_on_day,
    _segments,
    areas_of,
    local_day,
)

Key = tuple[Level, Period, date, Area]  # level, period kind, period start, area


def _distinct(group: np.ndarray, item: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Groups and their number of distinct items (both non-negative int64 arrays of one length)."""
    if len(group) == 0:
        return group, group
    n_items = int(item.max()) + 1
    pairs = np.unique(group * n_items + item)
    return np.unique(pairs // n_items, return_counts=True)


def count_window(
    ads: Iterable[AdSpan],
    levels: Sequence[Level],
    monday: date,
    n_weeks: int,
    regions: Regions = NO_REGIONS,
) -> dict[Key, Totals]:
    """Totals of every day and ISO week of ``n_weeks`` weeks from ``monday``, for each of ``levels``.

    Only totals that are not all zero are returned. Personas are persona ids, or the ad itself when
    the linking stage has not reached it (as in ``count``).
    """
    if monday.weekday() != 0:
        raise ValueError(f"{monday} is not a Monday")
    n_days = 7 * n_weeks
    lo, hi = monday, monday + timedelta(days=n_days - 1)
    area_ids: dict[tuple[Level, Area], int] = {}
    area_list: list[tuple[Level, Area]] = []
    version_ids: dict[int, int] = {}  # id(VersionSpan) -> dense index
    version_contacts: list[list[int]] = []
    contact_ids: dict[str, int] = {}
    persona_ids: dict[int, int] = {}
    seg_start: list[int] = []
    seg_end: list[int] = []
    seg_ad: list[int] = []
    seg_persona: list[int] = []
    seg_version: list[int] = []
    pairs: dict[Level, tuple[list[int], list[int]]] = {level: ([], []) for level in levels}
    new: dict[Key, int] = defaultdict(int)
    area_cache: dict[tuple[str, str | None, str | None, bool], list[tuple[Level, tuple[int, ...]]]] = {}

    def area_index(site: str, version: VersionSpan | None) -> list[tuple[Level, tuple[int, ...]]]:
        """The area numbers of every level for an ad on ``site`` with ``version`` in force."""
        key = (
            site,
            version.gemeente_code if version else None,
            version.category if version else None,
            version is None,
        )
        found = area_cache.get(key)
        if found is None:
            found = []
            for level in levels:
                numbers = []
                for area in areas_of(level, site, version, regions):
                    if (level, area) not in area_ids:
                        area_ids[(level, area)] = len(area_list)
                        area_list.append((level, area))
                    numbers.append(area_ids[(level, area)])
                found.append((level, tuple(numbers)))
            area_cache[key] = found
        return found

    for n_ad, ad in enumerate(ads):
        segments = _segments(ad, lo, hi)
        if not segments:
            continue
        persona = ad.persona_id if ad.persona_id is not None else -ad.ad_id
        p_index = persona_ids.setdefault(persona, len(persona_ids))
        for start, end, version in segments:
            seg = len(seg_start)
            seg_start.append((start - lo).days)
            seg_end.append((end - lo).days)
            seg_ad.append(n_ad)
            seg_persona.append(p_index)
            if version is None:
                seg_version.append(-1)
            else:
                v = version_ids.get(id(version))
                if v is None:
                    v = version_ids[id(version)] = len(version_contacts)
                    version_contacts.append(
                        [contact_ids.setdefault(c, len(contact_ids)) for c in sorted(version.contacts)]
                    )
                seg_version.append(v)
            for level, numbers in area_index(ad.site, version):
                segs, areas = pairs[level]
                for a in numbers:
                    segs.append(seg)
                    areas.append(a)
        born = local_day(ad.first_seen)
        if lo <= born <= hi:
            version = _ad_on_day(segments, born)
            week = born - timedelta(days=born.weekday())
            for level, numbers in area_index(ad.site, version):
                for a in numbers:
                    area = area_list[a][1]
                    new[(level, "day", born, area)] += 1
                    new[(level, "week", week, area)] += 1

    out: dict[Key, list[int]] = {}
    starts = np.asarray(seg_start, dtype=np.int64)
    lengths = np.asarray(seg_end, dtype=np.int64) - starts + 1
    s_ad = np.asarray(seg_ad, dtype=np.int64)
    s_persona = np.asarray(seg_persona, dtype=np.int64)
    s_version = np.asarray(seg_version, dtype=np.int64)
    c_len = np.asarray([len(c) for c in version_contacts] + [0], dtype=np.int64)  # index -1: no version
    c_flat = np.asarray([c for cs in version_contacts for c in cs], dtype=np.int64)
    c_off = np.cumsum(c_len) - c_len

    for level in levels:
        p_seg = np.asarray(pairs[level][0], dtype=np.int64)
        p_area = np.asarray(pairs[level][1], dtype=np.int64)
        if len(p_seg) == 0:
            continue
        n = lengths[p_seg]
        row_pair = np.repeat(np.arange(len(p_seg)), n)
        offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        seg = p_seg[row_pair]
        day = starts[seg] + offset
        area = p_area[row_pair]
        for kind, slot, n_slots in (("day", day, n_days), ("week", day // 7, n_weeks)):
            group = area * n_slots + slot
            measures = (
                _distinct(group, s_ad[seg]),
                _distinct(group, s_persona[seg]),
                _contacts(group, s_version[seg], c_len, c_off, c_flat),
            )
            for column, (groups, counts) in zip((0, 3, 2), measures, strict=True):
                for g, c in zip(groups.tolist(), counts.tolist(), strict=True):
                    a, s = divmod(g, n_slots)
                    start = lo + timedelta(days=s if kind == "day" else 7 * s)
                    key = (level, kind, start, area_list[a][1])
                    out.setdefault(key, [0, 0, 0, 0])[column] = c
    for key, n_new in new.items():
        out.setdefault(key, [0, 0, 0, 0])[1] = n_new
    return {k: (v[0], v[1], v[2], v[3]) for k, v in out.items()}


def _contacts(
    group: np.ndarray, version: np.ndarray, c_len: np.ndarray, c_off: np.ndarray, c_flat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct contact points per group: the (group, version) pairs first, then their contacts."""
    if len(group) == 0 or len(c_flat) == 0:
        return group[:0], group[:0]
    n_versions = len(c_len)
    pairs = np.unique(group * n_versions + (version % n_versions))  # -1 (no version) -> last, empty
    g, v = pairs // n_versions, pairs % n_versions
    n = c_len[v]
    row = np.repeat(np.arange(len(v)), n)
    offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    return _distinct(g[row], c_flat[c_off[v[row]] + offset])
