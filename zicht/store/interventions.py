"""Interventions (a control action, a visit, a closure) and the before/after comparison around them.

Recording checks every value and says all that is wrong at once (``InterventionError.problems``);
the comparison reads the ad spans of ``zicht.store.counts`` once and counts them with
``zicht.analysis.counts.count`` (the engine behind ``area_counts``: the numbers of the dashboard and
the export), and leaves the reasoning to ``zicht.analysis.displacement``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, select

from zicht import reference
from zicht.analysis.counts import count, previous_period
from zicht.analysis.displacement import DEFAULT_WEEKS, MAX_WEEKS, Comparison, compare, neighbours, windows
from zicht.store.counts import ad_spans, data_range, local_day_today, personas_linked
from zicht.store.linking import mark_moves_after_control
from zicht.store.models import Intervention as InterventionRow
from zicht.store.reviews import MAX_USER, clean_reason, clean_user
from zicht.store.store import Store

# The fixed kinds, with the Dutch label a team would use (the web translates its own English ids).
KINDS: dict[str, str] = {
    "control": "controle",
    "visit": "bezoek",
    "closure": "sluiting",
    "other": "anders",
}
MAX_DESCRIPTION = 2000
MAX_GEMEENTEN = 20
EARLIEST = date(2000, 1, 1)

# Problem codes of InterventionError; the web and the CLI turn them into sentences.
PROBLEM_GEMEENTE_MISSING = "gemeente_required"
PROBLEM_GEMEENTE_UNKNOWN = "gemeente_unknown"
PROBLEM_GEMEENTE_MANY = "gemeente_too_many"
PROBLEM_DAY = "day_invalid"
PROBLEM_DAY_FUTURE = "day_in_future"
PROBLEM_KIND = "kind_unknown"
PROBLEM_USER = "user_required"
PROBLEM_USER_LONG = "user_too_long"
PROBLEM_DESCRIPTION_LONG = "description_too_long"


class InterventionError(ValueError):
    """Nothing was stored; ``problems`` lists every reason, ``unknown`` the gemeenten not recognised."""

    def __init__(self, problems: list[str], unknown: Sequence[str] = ()) -> None:
        detail = f" ({', '.join(repr(u) for u in unknown)})" if unknown else ""
        super().__init__("intervention not stored: " + ", ".join(problems) + detail)
        self.problems = tuple(problems)
        self.unknown = tuple(unknown)


@dataclass(frozen=True)
class Intervention:
    id: int
    day: date
    kind: str
    gemeenten: tuple[str, ...]  # current CBS codes
    description: str
    created_by: str
    created_at: datetime

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def gemeente_names(self) -> tuple[str, ...]:
        return tuple(_name(c) for c in self.gemeenten)


def _name(code: str) -> str:
    g = reference.gemeente(code)
    return g.name if g else code


def _fold(text: str) -> str:
    return re.sub(r"[\s\-'’.()]+", " ", text.casefold()).strip()


def resolve_gemeente(value: str) -> str | None:
    """The current CBS code for a code in any common spelling or a gemeente name ("Schiedam", "beek (l.)")."""
    code = reference.current_gemeente_code(value)
    if code:
        return code
    wanted = _fold(value)
    if not wanted:
        return None
    for g in reference.gemeenten().values():
        if _fold(g.name) == wanted:
            return g.code
    return None


def split_gemeenten(values: Iterable[str]) -> list[str]:
    """Entries from repeated fields and/or comma- or semicolon-separated lists, blanks dropped."""
    return [part.strip() for v in values for part in re.split(r"[,;\n]", v or "") if part.strip()]


def resolve_kind(value: str | None) -> str | None:
    """A kind given as its code ("control") or its Dutch label ("controle")."""
    v = (value or "").strip().casefold()
    if v in KINDS:
        return v
    return next((code for code, label in KINDS.items() if label == v), None)


def _day(value: date | str | None) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _row(r: InterventionRow) -> Intervention:
    return Intervention(
        r.id,
        r.day,
        r.kind,
        tuple(r.gemeenten or ()),
        r.description,
        r.created_by,
        r.created_at.astimezone(UTC),
    )


def record_intervention(
    store: Store,
    gemeenten: Iterable[str],
    day: date | str | None,
    kind: str | None,
    user: str | None,
    description: str | None = "",
    *,
    today: date | None = None,
) -> Intervention:
    """Store one intervention; raises ``InterventionError`` (nothing stored) when a value is not valid.

    ``today`` (Europe/Amsterdam) is the latest day allowed; an intervention is recorded after it
    happened, and a planned one would make an "after" that does not exist yet.
    """
    problems: list[str] = []
    entries = split_gemeenten(gemeenten)
    codes: list[str] = []
    unknown: list[str] = []
    for entry in entries:
        code = resolve_gemeente(entry)
        if code is None:
            unknown.append(entry)
        elif code not in codes:
            codes.append(code)
    if not entries:
        problems.append(PROBLEM_GEMEENTE_MISSING)
    if unknown:
        problems.append(PROBLEM_GEMEENTE_UNKNOWN)
    if len(codes) > MAX_GEMEENTEN:
        problems.append(PROBLEM_GEMEENTE_MANY)
    when = _day(day)
    latest = today or local_day_today()
    if when is None or when < EARLIEST:
        problems.append(PROBLEM_DAY)
    elif when > latest:
        problems.append(PROBLEM_DAY_FUTURE)
    code_kind = resolve_kind(kind)
    if code_kind is None:
        problems.append(PROBLEM_KIND)
    name = clean_user(user)
    if not name:
        problems.append(PROBLEM_USER)
    elif len(name) > MAX_USER:
        problems.append(PROBLEM_USER_LONG)
    text = clean_reason(description)
    if len(text) > MAX_DESCRIPTION:
        problems.append(PROBLEM_DESCRIPTION_LONG)
    if problems:
        raise InterventionError(problems, unknown)
    with store.session() as s:
        row = InterventionRow(
            day=when,
            kind=code_kind,
            gemeenten=codes,
            description=text,
            created_by=name,
            created_at=datetime.now(UTC),
        )
        s.add(row)
        s.flush()
        item = _row(row)
    mark_moves_after_control(store, item.gemeenten, item.day)
    return item


def list_interventions(store: Store) -> list[Intervention]:
    """All interventions, the most recent day first."""
    with store.session() as s:
        rows = s.scalars(
            select(InterventionRow).order_by(InterventionRow.day.desc(), InterventionRow.id.desc())
        )
        return [_row(r) for r in rows]


def get_intervention(store: Store, intervention_id: int) -> Intervention | None:
    if not 0 < intervention_id <= 2**31 - 1:
        return None
    with store.session() as s:
        row = s.get(InterventionRow, intervention_id)
        return _row(row) if row is not None else None


def delete_intervention(store: Store, intervention_id: int) -> bool:
    """Remove a mistaken record; True when there was one."""
    if not 0 < intervention_id <= 2**31 - 1:
        return False
    with store.session() as s:
        row = s.get(InterventionRow, intervention_id)
        if row is None:
            return False
        gemeenten, day = list(row.gemeenten), row.day
        s.execute(delete(InterventionRow).where(InterventionRow.id == intervention_id))
    mark_moves_after_control(store, gemeenten, day)
    return True


def overlapping(store: Store, item: Intervention, area: Iterable[str], first: date, last: date) -> list[int]:
    """Other interventions between ``first`` and ``last`` in any of the ``area`` gemeenten."""
    wanted = set(area)
    return [
        other.id
        for other in list_interventions(store)
        if other.id != item.id and first <= other.day <= last and wanted & set(other.gemeenten)
    ]


@dataclass(frozen=True)
class Report:
    intervention: Intervention
    neighbours: tuple[str, ...]
    comparison: Comparison


def displacement_report(
    store: Store,
    item: Intervention,
    weeks: int = DEFAULT_WEEKS,
    chosen_neighbours: Sequence[str] | None = None,
) -> Report:
    """Before and after ``item``: ``weeks`` ISO weeks on each side, around the intervention week.

    ``chosen_neighbours`` (names or codes) replaces the approximate neighbours; an unknown one raises
    ``InterventionError``.
    """
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"--weeks must be 1 to {MAX_WEEKS}, not {weeks}")
    if chosen_neighbours:
        entries = split_gemeenten(chosen_neighbours)
        resolved = [resolve_gemeente(e) for e in entries]
        unknown = [e for e, c in zip(entries, resolved, strict=True) if c is None]
        if unknown:
            raise InterventionError([PROBLEM_GEMEENTE_UNKNOWN], unknown)
        near = tuple(c for c in dict.fromkeys(resolved) if c and c not in item.gemeenten)
    else:
        near = neighbours(item.gemeenten)
    win = windows(item.day, weeks)
    first, last = win.first_day, win.last_day
    # One read of the ads for both tables and the personas: what ``area_counts`` does, done once.
    linked = personas_linked(store)
    spans = ad_spans(store, previous_period(first, "week"), last)
    gemeente_table = count(spans, "gemeente", "week", first, last, personas_linked=linked)
    national = count(spans, "all", "week", first, last, personas_linked=linked)
    others = overlapping(store, item, (*item.gemeenten, *near), first, last)
    comparison = compare(
        item.day,
        item.gemeenten,
        near,
        gemeente_table,
        national,
        spans,
        weeks=weeks,
        personas_linked=linked,
        neighbours_chosen=bool(chosen_neighbours),
        data_range=data_range(store),
        overlapping=others,
    )
    return Report(item, near, comparison)
