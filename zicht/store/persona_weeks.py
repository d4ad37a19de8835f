"""Persisted presence and flows for the movement page (tables ``persona_weeks``, ``persona_flows``).

Reading every ad of a range per request takes seconds at a million ads. Instead the refresh that
keeps the count aggregates (``zicht.store.aggregates.refresh_aggregates``) also writes, for the same
dirty ISO weeks, where each persona was (one row per persona, week and gemeente, with a bit mask of
its days), then the flows of those weeks and of the week after each (a flow compares a week with
the one before), and rebuilds ``persona_week_counts``, from which the personas present in any range
are a sum instead of a distinct count over every presence of the range. Both come from the pure functions in ``zicht.analysis.movement`` over the same
``ad_days`` the direct path reads, window by whole week, so the stored rows are exactly what a direct
computation of any range gives; a test compares the two on both backends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import numpy as np
from sqlalchemy import and_, delete, func, insert, select

from zicht.analysis.counts import UNKNOWN_CODE
from zicht.analysis.movement import PersonaFlow, Presence, persona_flows, presence_from_days
from zicht.store.models import PersonaFlow as FlowRecord
from zicht.store.models import PersonaWeek, PersonaWeekCount
from zicht.store.store import Store

BATCH = 5000
NO_WEEK = date(1900, 1, 1)  # ``persona_week_counts.prev_week`` of a persona's first week


def write_presence(store: Store, monday: date, n_weeks: int) -> int:
    """Recompute ``persona_weeks`` for the ``n_weeks`` ISO weeks from ``monday``; rows written."""
    from zicht.store.movement import ad_days

    sunday = monday + timedelta(days=7 * n_weeks - 1)
    found = presence_from_days(ad_days(store, monday, sunday), monday, sunday)
    rows = [
        {
            "week": date.fromordinal(week),
            "persona": persona,
            "gemeente_code": gm,
            "network": found.network.get(persona, persona),
            "days": mask,
        }
        for (persona, week, gm), mask in found.days.items()
    ]
    with store.session() as s:
        s.execute(delete(PersonaWeek).where(PersonaWeek.week >= monday, PersonaWeek.week <= sunday))
        for i in range(0, len(rows), BATCH):
            s.connection().execute(insert(PersonaWeek.__table__), rows[i : i + BATCH])
    return len(rows)


def stored_presence(store: Store, first_week: date, last_week: date) -> Presence:
    """The stored presence of the ISO weeks ``first_week .. last_week`` (Mondays)."""
    out = Presence(first_week, last_week)
    with store.session() as s:
        rows = s.connection().execute(
            select(
                PersonaWeek.persona,
                PersonaWeek.week,
                PersonaWeek.gemeente_code,
                PersonaWeek.network,
                PersonaWeek.days,
            ).where(PersonaWeek.week >= first_week, PersonaWeek.week <= last_week)
        )
        for persona, week, gm, network, mask in rows:
            week = date.fromisoformat(week) if isinstance(week, str) else week
            out.days[(persona, week.toordinal(), gm)] = mask
            out.network.setdefault(persona, network)
    return out


def _week_runs(mondays: Iterable[date]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for m in sorted(set(mondays)):
        if out and out[-1][1] + timedelta(days=7) == m:
            out[-1] = (out[-1][0], m)
        else:
            out.append((m, m))
    return out


def write_flows(store: Store, weeks: Iterable[date]) -> int:
    """Recompute ``persona_flows`` of these arrival weeks (Mondays) from ``persona_weeks``."""
    written = 0
    for first, last in _week_runs(weeks):
        found = stored_presence(store, first - timedelta(days=7), last)
        rows = [
            {
                "week": f.week,
                "persona": f.persona,
                "origin": f.origin,
                "destination": f.destination,
                "network": f.network,
            }
            for f in persona_flows(found)
        ]
        with store.session() as s:
            s.execute(delete(FlowRecord).where(FlowRecord.week >= first, FlowRecord.week <= last))
            for i in range(0, len(rows), BATCH):
                s.connection().execute(insert(FlowRecord.__table__), rows[i : i + BATCH])
        written += len(rows)
    return written


def clear(store: Store) -> None:
    with store.session() as s:
        s.execute(delete(PersonaWeek))
        s.execute(delete(FlowRecord))
        s.execute(delete(PersonaWeekCount))


def write_week_counts(store: Store) -> int:
    """Rebuild ``persona_week_counts`` from every ``persona_weeks`` row (a few seconds at 1 M ads).

    Per kind (known place / any place), week and previous week of presence: how many personas. A
    change in one week changes the previous week of later rows, so the table is rebuilt whole.
    """
    with store.session() as s:
        rows = s.connection().execute(
            select(
                PersonaWeek.persona,
                PersonaWeek.week,
                PersonaWeek.gemeente_code != UNKNOWN_CODE,
            ).order_by(PersonaWeek.persona, PersonaWeek.week)
        )
        persona, week, known = [], [], []
        for p, w, k in rows:
            persona.append(p)
            week.append((date.fromisoformat(w) if isinstance(w, str) else w).toordinal())
            known.append(bool(k))
    out = []
    p_all = np.asarray(persona, dtype=np.int64)
    w_all = np.asarray(week, dtype=np.int64)
    k_all = np.asarray(known, dtype=bool)
    for kind, keep in ((True, k_all), (False, np.ones(len(k_all), dtype=bool))):
        p, w = p_all[keep], w_all[keep]
        if len(p) == 0:
            continue
        first = np.ones(len(p), dtype=bool)
        first[1:] = (p[1:] != p[:-1]) | (w[1:] != w[:-1])
        p, w = p[first], w[first]  # one row per persona and week, sorted
        prev = np.full(len(p), NO_WEEK.toordinal(), dtype=np.int64)
        same = p[1:] == p[:-1]
        prev[1:][same] = w[:-1][same]
        pairs, counts = np.unique(np.stack([w, prev], axis=1), axis=0, return_counts=True)
        out += [
            {
                "known": kind,
                "week": date.fromordinal(int(a)),
                "prev_week": date.fromordinal(int(b)),
                "personas": int(n),
            }
            for (a, b), n in zip(pairs.tolist(), counts.tolist(), strict=True)
        ]
    with store.session() as s:
        s.execute(delete(PersonaWeekCount))
        for i in range(0, len(out), BATCH):
            s.connection().execute(insert(PersonaWeekCount.__table__), out[i : i + BATCH])
    return len(out)


def stored_flows(store: Store, first_week: date, last_week: date) -> list[PersonaFlow]:
    """The flows arriving in ``first_week .. last_week``, sorted as ``persona_flows`` sorts them."""
    with store.session() as s:
        rows = s.connection().execute(
            select(
                FlowRecord.week,
                FlowRecord.origin,
                FlowRecord.destination,
                FlowRecord.persona,
                FlowRecord.network,
            ).where(FlowRecord.week >= first_week, FlowRecord.week <= last_week)
        )
        out = [
            PersonaFlow(date.fromisoformat(w) if isinstance(w, str) else w, a, b, p, n)
            for w, a, b, p, n in rows
        ]
    out.sort()
    return out


def personas_present(
    store: Store, first_week: date, last_week: date, gemeenten: Sequence[str] | None = None
) -> int:
    """Distinct personas present in ``gemeenten`` (every known gemeente when None) in the weeks."""
    where = [PersonaWeek.week >= first_week, PersonaWeek.week <= last_week]
    if gemeenten is None:
        where.append(PersonaWeek.gemeente_code != UNKNOWN_CODE)
    else:
        where.append(PersonaWeek.gemeente_code.in_(sorted(set(gemeenten) - {UNKNOWN_CODE})))
    with store.session() as s:
        return int(s.scalar(select(func.count(func.distinct(PersonaWeek.persona))).where(and_(*where))) or 0)


def personas_known_and_unknown(store: Store, first_week: date, last_week: date) -> tuple[int, int]:
    """Distinct personas present in the weeks with a known place, and those only under ``onbekend``.

    From ``persona_week_counts``: a persona present in ``first_week .. last_week`` is counted once,
    in the first week of the range it is present in — the row whose previous week lies before the
    range. Every persona present is either seen somewhere known or only under ``onbekend``, so the
    second number is all personas minus the first.
    """
    c = PersonaWeekCount
    with store.session() as s:
        found = dict(
            s.execute(
                select(c.known, func.sum(c.personas))
                .where(c.week >= first_week, c.week <= last_week, c.prev_week < first_week)
                .group_by(c.known)
            ).all()
        )
    known, total = int(found.get(True) or 0), int(found.get(False) or 0)
    return known, total - known
