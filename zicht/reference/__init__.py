"""Shipped reference tables: gemeenten, woonplaatsen, place aliases and police units (CBS, 1 January 2026).

The CSV files next to this module are facts with a source (see ATTRIBUTION.md); this loader reads each
once per process and hands out frozen, typed rows so that extractors and views share one truth about
which gemeente a place belongs to.

Gemeente codes are CBS codes written ``GM`` plus four digits ("GM0935"). The shipped tables hold the
2026 state only: they carry no code history, so codes of gemeenten that ceased to exist in a municipal
reorganisation are recognised as unknown (``current_gemeente_code`` returns None) rather than guessed.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
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
    """The gemeente for a code in any common spelling ("GM0935", "gm935", "0935", "935"), else None."""
    normalised = current_gemeente_code(code)
    return gemeenten().get(normalised) if normalised else None


@cache
def woonplaatsen_by_gemeente() -> dict[str, tuple[str, ...]]:
    """Gemeente code to the names of its woonplaatsen, in source order."""
    out: dict[str, list[str]] = {}
    for w in woonplaatsen():
        out.setdefault(w.gm_code, []).append(w.name)
    return {code: tuple(names) for code, names in out.items()}


def gemeenten_in_police_unit(unit_code: str) -> tuple[Gemeente, ...]:
    """The gemeenten a regionale eenheid consists of (units are made of whole gemeenten)."""
    return tuple(g for g in gemeenten().values() if g.police_unit_code == unit_code)


_CODE_RE = re.compile(r"^\s*(?:gm)?\s*0*(\d{1,4})\s*$", re.IGNORECASE)


def current_gemeente_code(code: str | int | None) -> str | None:
    """The 2026 code for a gemeente code written in any common way, or None.

    Returns None for codes that are not gemeenten on 1 January 2026, including codes of gemeenten merged
    away in earlier reorganisations: the shipped CBS tables carry no code history, and a wrong gemeente
    is worse than an explicit unknown. Add a change table here once one with a source is shipped.
    """
    if code is None or isinstance(code, bool):
        return None
    m = _CODE_RE.match(str(code))
    if not m:
        return None
    normalised = f"GM{int(m.group(1)):04d}"
    return normalised if normalised in gemeenten() else None
