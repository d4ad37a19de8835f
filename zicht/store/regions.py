"""User-defined regions: a named set of gemeenten, such as a regional project ("RIEC Limburg-Zuid pilot").

A region is stored as current CBS codes, so the counts, the export and the dashboard can treat it as
one more area level. People name gemeenten the way they write them ("Den Haag", "beek (l.)", "917",
"GM0917"); ``resolve_gemeenten`` turns every spelling into a code, or says exactly which value it could
not place and why (unknown, ambiguous, or a gemeente split over several others), and nothing is stored
until every value is clear. "All gemeenten of police unit X / province Y" is a convenience on top.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from zicht import reference
from zicht.store.models import Region, RegionGemeente
from zicht.store.reviews import MAX_USER, clean_reason, clean_user
from zicht.store.store import Store

MAX_NAME = 128  # the column's length
MAX_DESCRIPTION = 2000

# Problem codes of RegionError; the web and the CLI turn them into sentences.
PROBLEM_NAME = "name_required"
PROBLEM_NAME_LONG = "name_too_long"
PROBLEM_NAME_TAKEN = "name_taken"
PROBLEM_USER = "user_required"
PROBLEM_USER_LONG = "user_too_long"
PROBLEM_DESCRIPTION_LONG = "description_too_long"
PROBLEM_GEMEENTEN = "gemeenten_required"
PROBLEM_VALUES = "values_unclear"  # see RegionError.values
PROBLEM_NOT_FOUND = "region_not_found"

# Why one value could not be placed (ValueProblem.reason).
UNKNOWN = "unknown"
AMBIGUOUS = "ambiguous"
SPLIT = "split"
POLICE_UNIT_UNKNOWN = "police_unit_unknown"
PROVINCE_UNKNOWN = "province_unknown"


@dataclass(frozen=True)
class ValueProblem:
    """One typed value that is no (single) gemeente; ``candidates`` are current codes that could be meant."""

    value: str
    reason: str  # unknown | ambiguous | split | police_unit_unknown | province_unknown
    candidates: tuple[str, ...] = ()

    def message(self) -> str:
        """An English sentence for the command line (the web translates its own)."""
        names = ", ".join(gemeente_label(c) for c in self.candidates)
        if self.reason == AMBIGUOUS:
            return f"{self.value!r} is more than one gemeente: write one of {names}"
        if self.reason == SPLIT:
            return f"{self.value!r} was split over several gemeenten; name the ones you mean: {names}"
        if self.reason == POLICE_UNIT_UNKNOWN:
            units = ", ".join(f"{u.code} ({u.name})" for u in reference.police_units().values())
            return f"unknown police unit {self.value!r}: use one of {units}"
        if self.reason == PROVINCE_UNKNOWN:
            provinces = ", ".join(f"{code} ({name})" for code, name in reference.provinces().items())
            return f"unknown province {self.value!r}: use one of {provinces}"
        return f"unknown gemeente {self.value!r}: use a current (2026) gemeente name or CBS code"


class RegionError(ValueError):
    """Nothing was stored; ``problems`` lists every reason (codes above), ``values`` each unclear value."""

    def __init__(self, problems: Sequence[str], values: Sequence[ValueProblem] = ()) -> None:
        detail = "; ".join(v.message() for v in values)
        super().__init__("region not stored: " + ", ".join(problems) + (f" ({detail})" if detail else ""))
        self.problems = tuple(problems)
        self.values = tuple(values)


@dataclass(frozen=True)
class RegionRow:
    id: int
    name: str
    description: str
    gemeenten: list[str] = field(default_factory=list)  # current CBS codes, sorted
    created_by: str = ""
    created_at: datetime | None = None

    @property
    def gemeente_names(self) -> list[str]:
        """The gemeenten's names in alphabetical order, for people (``gemeenten`` stays in code order)."""
        return sorted((gemeente_label(c) for c in self.gemeenten), key=str.casefold)


@dataclass(frozen=True)
class Resolved:
    """The codes for what was typed, and notes on old names or codes that were mapped to today's gemeente."""

    codes: list[str]
    notes: list[str]


# ---------------------------------------------------------------- resolving names and codes


def gemeente_label(code: str) -> str:
    g = reference.gemeenten().get(code)
    return g.name if g else code


def _fold(text: str) -> str:
    """Case, accents, apostrophes, dots, brackets and hyphens do not matter ("Fryslân" = "fryslan")."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[\s\-'’`.,()]+", " ", plain).strip()


_SUFFIX = re.compile(r"\s*\([^)]*\)\s*$")


@cache
def _names() -> dict[str, tuple[str, ...]]:
    """Folded spellings of today's gemeenten → their codes (more than one code: ambiguous)."""
    out: dict[str, set[str]] = {}
    for g in reference.gemeenten().values():
        out.setdefault(_fold(g.name), set()).add(g.code)
        # "Beek (L.)" may be written "Beek"; "Bergen" then stays ambiguous between L. and NH.
        bare = _SUFFIX.sub("", g.name)
        if bare != g.name:
            out.setdefault(_fold(bare), set()).add(g.code)
    gemeente_names = {_fold(g.name) for g in reference.gemeenten().values()}
    for a in reference.place_aliases():
        # Common names of a whole gemeente only ("Den Haag", "Den Bosch"), never of a place within one.
        if a.kind == "common_name" and _fold(a.place) in gemeente_names:
            out.setdefault(_fold(a.alias), set()).add(a.gm_code)
    return {k: tuple(sorted(v)) for k, v in out.items()}


@cache
def _old_names() -> dict[str, tuple[reference.CodeChange, ...]]:
    out: dict[str, list[reference.CodeChange]] = {}
    for c in reference.gemeente_code_changes().values():
        out.setdefault(_fold(c.old_name), []).append(c)
    return {k: tuple(v) for k, v in out.items()}


def _resolve_one(value: str) -> tuple[str | None, ValueProblem | None, str | None]:
    """(code, problem, note) for one typed gemeente."""
    change = reference.code_change(value)
    if change is not None and change.kind == "split":
        return None, ValueProblem(value, SPLIT, change.split_into), None
    code = reference.current_gemeente_code(value)
    if code:
        note = None
        if change is not None:
            note = (
                f"{value} ({change.old_name}) is part of {gemeente_label(code)} since {change.date_effective}"
            )
        return code, None, note
    folded = _fold(value)
    codes = _names().get(folded, ())
    if len(codes) == 1:
        return codes[0], None, None
    if len(codes) > 1:
        return None, ValueProblem(value, AMBIGUOUS, codes), None
    old = _old_names().get(folded, ())
    if len(old) == 1:
        c = old[0]
        if c.kind == "split":
            return None, ValueProblem(value, SPLIT, c.split_into), None
        code = reference.current_gemeente_code(c.old_code)
        if code:
            return code, None, f"{value} is part of {gemeente_label(code)} since {c.date_effective}"
    return None, ValueProblem(value, UNKNOWN), None


def _police_unit(value: str) -> str | None:
    wanted = _fold(value)
    for u in reference.police_units().values():
        if wanted in (_fold(u.code), _fold(u.name), _fold(u.cbs_name)):
            return u.code
    return None


def _province(value: str) -> str | None:
    wanted = _fold(value)
    if wanted == "friesland":  # the Dutch name of Fryslân
        wanted = "fryslan"
    for code, name in reference.provinces().items():
        if wanted in (_fold(code), _fold(name)):
            return code
    return None


def split_values(values: Iterable[str]) -> list[str]:
    """Entries from repeated fields, lines or semicolons; a comma separates only when the whole is no
    gemeente ("Heerlen, Kerkrade" is two; "Nuenen, Gerwen en Nederwetten" is one)."""
    out: list[str] = []
    for value in values:
        for part in re.split(r"[;\n\r]", value or ""):
            part = part.strip()
            if not part:
                continue
            if "," in part and _resolve_one(part)[0] is None:
                out.extend(p.strip() for p in part.split(",") if p.strip())
            else:
                out.append(part)
    return out


def resolve_gemeenten(
    values: Iterable[str],
    *,
    police_units: Iterable[str] = (),
    provinces: Iterable[str] = (),
) -> Resolved:
    """Current codes for gemeenten written in any common way, plus all gemeenten of the police units and
    provinces given; raises ``RegionError`` naming every value that is no single current gemeente."""
    codes: set[str] = set()
    problems: list[ValueProblem] = []
    notes: list[str] = []
    for value in split_values(values):
        code, problem, note = _resolve_one(value)
        if code:
            codes.add(code)
        if problem:
            problems.append(problem)
        if note:
            notes.append(note)
    for value in (v.strip() for v in police_units if v and v.strip()):
        unit = _police_unit(value)
        if unit is None:
            problems.append(ValueProblem(value, POLICE_UNIT_UNKNOWN))
        else:
            codes.update(g.code for g in reference.gemeenten_in_police_unit(unit))
    for value in (v.strip() for v in provinces if v and v.strip()):
        province = _province(value)
        if province is None:
            problems.append(ValueProblem(value, PROVINCE_UNKNOWN))
        else:
            codes.update(g.code for g in reference.gemeenten().values() if g.province_code == province)
    if problems:
        raise RegionError([PROBLEM_VALUES], problems)
    return Resolved(sorted(codes), notes)


# ---------------------------------------------------------------- storing


def clean_name(name: str | None) -> str:
    return clean_user(name)


def _check(name: str, user: str | None, description: str, *, creating: bool) -> list[str]:
    problems: list[str] = []
    if not name:
        problems.append(PROBLEM_NAME)
    elif len(name) > MAX_NAME:
        problems.append(PROBLEM_NAME_LONG)
    if creating:
        who = clean_user(user)
        if not who:
            problems.append(PROBLEM_USER)
        elif len(who) > MAX_USER:
            problems.append(PROBLEM_USER_LONG)
    if len(description) > MAX_DESCRIPTION:
        problems.append(PROBLEM_DESCRIPTION_LONG)
    return problems


def _row(r: Region) -> RegionRow:
    return RegionRow(
        id=r.id,
        name=r.name,
        description=r.description,
        gemeenten=sorted(g.gemeente_code for g in r.gemeenten),
        created_by=r.created_by,
        created_at=r.created_at.astimezone(UTC) if r.created_at else None,
    )


def _by_name(s, name: str) -> Region | None:  # type: ignore[no-untyped-def]
    """Names are unique regardless of case: "Limburg-Zuid" and "limburg-zuid" are one region."""
    wanted = clean_name(name).casefold()
    return next((r for r in s.scalars(select(Region)) if r.name.casefold() == wanted), None)


def save_region(
    store: Store,
    name: str,
    gemeenten: Iterable[str] = (),
    *,
    user: str | None = None,
    description: str = "",
    police_units: Iterable[str] = (),
    provinces: Iterable[str] = (),
    region_id: int | None = None,
    replace: bool = False,
) -> tuple[RegionRow, list[str]]:
    """Create a region, or change one (``region_id``, or ``replace`` an existing one of the same name).

    Returns the stored region and the notes on old names that were mapped; raises ``RegionError`` with
    every problem at once, and then stores nothing. ``user`` is required to create: it is kept as
    ``created_by`` (an edit keeps the original author; the table has no column for editors).
    """
    clean = clean_name(name)
    text = clean_reason(description)
    values: tuple[ValueProblem, ...] = ()
    resolved = Resolved([], [])
    value_problems: list[str] = []
    try:
        resolved = resolve_gemeenten(gemeenten, police_units=police_units, provinces=provinces)
    except RegionError as exc:
        value_problems.extend(exc.problems)
        values = exc.values
    if not values and not resolved.codes:
        value_problems.append(PROBLEM_GEMEENTEN)
    try:
        return _store_region(store, clean, text, user, resolved, values, value_problems, region_id, replace)
    except IntegrityError:
        # Another writer stored the same name (any case) meanwhile: the unique index of migration
        # 0007 (lower(name)) refuses it, with the message a name found taken gives.
        raise RegionError([PROBLEM_NAME_TAKEN], values) from None


def _store_region(
    store: Store,
    clean: str,
    text: str,
    user: str | None,
    resolved: Resolved,
    values: tuple[ValueProblem, ...],
    value_problems: list[str],
    region_id: int | None,
    replace: bool,
) -> tuple[RegionRow, list[str]]:
    with store.session() as s:
        problems: list[str] = []
        same_name = _by_name(s, clean) if clean else None
        row: Region | None = None
        if region_id is not None:
            row = s.get(Region, region_id) if 0 < region_id <= 2**31 - 1 else None
            if row is None:
                problems.append(PROBLEM_NOT_FOUND)
            elif same_name is not None and same_name.id != region_id:
                problems.append(PROBLEM_NAME_TAKEN)
        elif same_name is not None:
            if replace:
                row = same_name
            else:
                problems.append(PROBLEM_NAME_TAKEN)
        creating = row is None and PROBLEM_NOT_FOUND not in problems
        problems = _check(clean, user, text, creating=creating) + problems + value_problems
        if problems:
            raise RegionError(problems, values)
        if row is None:
            row = Region(
                name=clean, description=text, created_by=clean_user(user), created_at=datetime.now(UTC)
            )
            s.add(row)
        else:
            row.name = clean
            row.description = text
            row.gemeenten.clear()
            s.flush()  # the old links go before the new ones arrive (same primary keys)
        row.gemeenten.extend(RegionGemeente(gemeente_code=c) for c in resolved.codes)
        s.flush()
        return _row(row), resolved.notes


def list_regions(store: Store) -> list[RegionRow]:
    """Every region with its gemeenten (current CBS codes, sorted), by name."""
    with store.session() as s:
        rows = [_row(r) for r in s.scalars(select(Region))]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.id))


def get_region(store: Store, name: str) -> RegionRow | None:
    """The region of that name (any case), or None."""
    with store.session() as s:
        row = _by_name(s, name)
        return _row(row) if row else None


def get_region_by_id(store: Store, region_id: int) -> RegionRow | None:
    if not 0 < region_id <= 2**31 - 1:
        return None
    with store.session() as s:
        row = s.get(Region, region_id)
        return _row(row) if row else None


def delete_region(store: Store, name: str | None = None, *, region_id: int | None = None) -> bool:
    """Remove a region by name (any case) or id; False when there is none. Counts are not affected."""
    with store.session() as s:
        if region_id is not None:
            row = s.get(Region, region_id) if 0 < region_id <= 2**31 - 1 else None
        else:
            row = _by_name(s, name or "")
        if row is None:
            return False
        s.delete(row)
        return True
