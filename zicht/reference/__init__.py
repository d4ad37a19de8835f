"""Shipped reference tables: gemeenten, woonplaatsen, place aliases, police units (CBS, 1 January 2026)
and the gemeente code changes since 2016.

The CSV files next to this module are facts with a source (see ATTRIBUTION.md); this loader reads each
once per process and hands out frozen, typed rows so that extractors and views share one truth about
which gemeente a place belongs to.

Gemeente codes are CBS codes written ``GM`` plus four digits ("GM0935"). The tables hold the 2026 state;
``gemeente_code_changes.csv`` adds the codes that ceased to exist in the municipal reorganisations since
2016, each with its successor and a source, so that ``current_gemeente_code`` maps an old code
("GM0457", Weesp) to the gemeente it is part of now ("GM0363", Amsterdam). A gemeente that was split
over several others (Haaren, 2021) has no single successor: its code stays unknown rather than guessed.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

REFERENCE_VERSION = "cbs-2026-01-01+curated-1"


@dataclass(frozen=True)
class Gemeente:
    code: str  # "GM0935"
    name: str  # CBS spelling, with disambiguators: "Beek (L.)", "'s-Gravenhage"
    province: str
    province_code: str  # "PV31"
    police_unit: str  # Nationale Politie spelling: "Limburg"
    police_unit_code: str  # "RE10"
    lat: float
    lon: float
    area_km2: float


@dataclass(frozen=True)
class Woonplaats:
    name: str  # CBS/BAG spelling, with disambiguating suffixes: "Hengelo (Gld)"
    gm_code: str


@dataclass(frozen=True)
class PlaceAlias:
    """Another name of a place: a common name, a suffix-free name, a district, a Dutch name of a Frisian
    place. ``place`` is the official woonplaats or district it stands for."""

    alias: str
    place: str
    gm_code: str
    kind: str  # common_name | suffix_stripped | district | dutch_name
    note: str


@dataclass(frozen=True)
class PoliceUnit:
    code: str  # "RE10"
    name: str  # Nationale Politie spelling
    cbs_name: str
    lat: float
    lon: float
    n_gemeenten: int
    area_km2: float


@dataclass(frozen=True)
class CodeChange:
    """A gemeente code that ceased to exist: merged into, or renamed to, ``new_code``; or split."""

    old_code: str  # "GM0457"
    old_name: str  # CBS spelling at the time: "Weesp"
    new_code: str | None  # the successor's code; None when split over several gemeenten
    new_name: str
    date_effective: date  # the first day under the new code
    kind: str  # merged | renamed | split
    split_into: tuple[str, ...]  # split only: the current codes that received a part
    source: str  # where the change is documented (see ATTRIBUTION.md)


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files(__name__).joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def gemeenten() -> dict[str, Gemeente]:
    """All 342 gemeenten of 2026, by code."""
    return {
        r["gm_code"]: Gemeente(
            code=r["gm_code"],
            name=r["name"],
            province=r["province"],
            province_code=r["province_code"],
            police_unit=r["police_unit"],
            police_unit_code=r["police_unit_code"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            area_km2=float(r["area_km2"]),
        )
        for r in _rows("gemeenten_2026.csv")
    }


@cache
def woonplaatsen() -> tuple[Woonplaats, ...]:
    """Every official woonplaats; a name can occur in several gemeenten (70 names do)."""
    return tuple(Woonplaats(name=r["place"], gm_code=r["gm_code"]) for r in _rows("woonplaatsen.csv"))


@cache
def place_aliases() -> tuple[PlaceAlias, ...]:
    """Derived aliases (place_aliases.csv) followed by the curated ones (place_aliases_curated.csv)."""
    rows = _rows("place_aliases.csv") + _rows("place_aliases_curated.csv")
    return tuple(
        PlaceAlias(alias=r["alias"], place=r["place"], gm_code=r["gm_code"], kind=r["kind"], note=r["note"])
        for r in rows
    )


@cache
def police_units() -> dict[str, PoliceUnit]:
    """The 10 regionale eenheden, by code."""
    return {
        r["code"]: PoliceUnit(
            code=r["code"],
            name=r["name"],
            cbs_name=r["cbs_name"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            n_gemeenten=int(r["n_gemeenten"]),
            area_km2=float(r["area_km2"]),
        )
        for r in _rows("police_units.csv")
    }


@cache
def provinces() -> dict[str, str]:
    """Province code ("PV31") to CBS name ("Limburg")."""
    return {g.province_code: g.province for g in sorted(gemeenten().values(), key=lambda g: g.province_code)}


def gemeente(code: str) -> Gemeente | None:
    """The gemeente for a code in any common spelling ("GM0935", "gm935", "0935", "935"), else None.

    An old code maps to today's gemeente (see ``current_gemeente_code``)."""
    normalised = current_gemeente_code(code)
    return gemeenten().get(normalised) if normalised else None


@cache
def woonplaatsen_by_gemeente() -> dict[str, tuple[str, ...]]:
    """Gemeente code to the names of its woonplaatsen, in source order."""
    out: dict[str, list[str]] = {}
    for w in woonplaatsen():
        out.setdefault(w.gm_code, []).append(w.name)
    return {code: tuple(names) for code, names in out.items()}


@cache
def gemeente_code_changes() -> dict[str, CodeChange]:
    """The codes given up in reorganisations since 1 January 2016, by old code (gemeente_code_changes.csv)."""
    return {
        r["old_code"]: CodeChange(
            old_code=r["old_code"],
            old_name=r["old_name"],
            new_code=r["new_code"] or None,
            new_name=r["new_name"],
            date_effective=date.fromisoformat(r["date_effective"]),
            kind=r["kind"],
            split_into=tuple(r["split_into"].split()),
            source=r["source"],
        )
        for r in _rows("gemeente_code_changes.csv")
    }


def code_change(code: str | int | None) -> CodeChange | None:
    """The reorganisation that ended a gemeente code written in any common way, or None."""
    normalised = _normalise_code(code)
    return gemeente_code_changes().get(normalised) if normalised else None


def gemeenten_in_police_unit(unit_code: str) -> tuple[Gemeente, ...]:
    """The gemeenten a regionale eenheid consists of (units are made of whole gemeenten)."""
    return tuple(g for g in gemeenten().values() if g.police_unit_code == unit_code)


_CODE_RE = re.compile(r"^\s*(?:gm)?\s*0*(\d{1,4})\s*$", re.IGNORECASE)


def _normalise_code(code: str | int | None) -> str | None:
    if code is None or isinstance(code, bool):
        return None
    m = _CODE_RE.match(str(code))
    return f"GM{int(m.group(1)):04d}" if m else None


def current_gemeente_code(code: str | int | None) -> str | None:
    """The 2026 code for a gemeente code written in any common way, or None.

    A code given up in a reorganisation since 2016 maps to the gemeente it became part of (following
    later changes too: a code merged twice ends at today's gemeente). None for codes that are no
    gemeente, for codes of gemeenten split over several others (a wrong gemeente is worse than an
    explicit unknown) and for codes ended before 2016, which the change table does not cover.
    """
    normalised = _normalise_code(code)
    changes = gemeente_code_changes()
    for _ in range(len(changes) + 1):  # a chain can be no longer than the table; no loop can trap us
        if normalised is None or normalised in gemeenten():
            return normalised
        change = changes.get(normalised)
        normalised = change.new_code if change else None
    return None
