"""The shipped reference tables: complete, consistent with each other, and loaded once."""

from __future__ import annotations

from collections import Counter
from importlib import resources

import pytest

from zicht import reference


def test_counts_match_the_sources():
    assert len(reference.gemeenten()) == 342
    assert len(reference.woonplaatsen()) == 2502
    assert len(reference.police_units()) == 10
    assert len(reference.provinces()) == 12


def test_codes_have_the_cbs_form():
    for code, g in reference.gemeenten().items():
        assert code == g.code
        assert len(code) == 6 and code.startswith("GM") and code[2:].isdigit()
        assert g.province_code.startswith("PV")
        assert g.police_unit_code in reference.police_units()


def test_police_units_agree_with_gemeenten():
    per_unit = Counter(g.police_unit_code for g in reference.gemeenten().values())
    for code, unit in reference.police_units().items():
        assert per_unit[code] == unit.n_gemeenten
        names = {g.police_unit for g in reference.gemeenten_in_police_unit(code)}
        assert names == {unit.name}
    amsterdam = {g.name for g in reference.gemeenten_in_police_unit("RE05")}
    assert amsterdam == {"Aalsmeer", "Amstelveen", "Amsterdam", "Diemen", "Ouder-Amstel", "Uithoorn"}


def test_every_woonplaats_belongs_to_a_gemeente_and_every_gemeente_has_one():
    gemeenten = reference.gemeenten()
    assert all(w.gm_code in gemeenten for w in reference.woonplaatsen())
    assert set(reference.woonplaatsen_by_gemeente()) == set(gemeenten)


def test_seventy_names_are_shared_by_several_gemeenten():
    per_name: dict[str, set[str]] = {}
    for w in reference.woonplaatsen():
        per_name.setdefault(w.name, set()).add(w.gm_code)
    shared = {name for name, codes in per_name.items() if len(codes) > 1}
    assert len(shared) == 70
    assert {"Achterveld", "Hoenderloo", "Nes", "Ruinen", "Alphen", "Beek"} <= shared


@pytest.mark.parametrize(
    ("place", "code"),
    [
        ("Geleen", "GM1883"),
        ("Born", "GM1883"),
        ("Sittard", "GM1883"),
        ("Schiedam", "GM0606"),
        ("Capelle aan den IJssel", "GM0502"),
        ("Kerkrade", "GM0928"),
        ("Hoensbroek", "GM0917"),
        ("'s-Hertogenbosch", "GM0796"),
        ("Weesp", "GM0363"),
    ],
)
def test_verified_facts_from_the_sources(place, code):
    assert place in reference.woonplaatsen_by_gemeente()[code]


def test_aliases_point_at_real_places():
    by_gemeente = reference.woonplaatsen_by_gemeente()
    official = {w.name.casefold() for w in reference.woonplaatsen()}
    kinds = Counter()
    for a in reference.place_aliases():
        kinds[a.kind] += 1
        assert a.gm_code in reference.gemeenten(), a
        assert a.note, a
        if a.kind == "district":
            continue
        if a.kind == "common_name" and a.place == reference.gemeenten()[a.gm_code].name:
            continue
        assert a.place in by_gemeente[a.gm_code], a
        if a.kind in ("dutch_name", "frisian_name", "district"):
            assert a.alias.casefold() not in official, f"{a.alias} is itself an official woonplaats"
    assert kinds["common_name"] >= 2 and kinds["suffix_stripped"] == 32
    assert kinds["district"] > 50 and kinds["dutch_name"] > 20


def test_curated_aliases_never_shadow_an_official_name():
    official = {w.name.casefold() for w in reference.woonplaatsen()}
    gemeente_names = {g.name.casefold() for g in reference.gemeenten().values()}
    curated = resources.files("zicht.reference").joinpath("place_aliases_curated.csv").read_text("utf-8")
    aliases = [line.split(",")[0].casefold() for line in curated.splitlines()[1:]]
    assert len(aliases) == len(set(aliases)), "an alias listed twice"
    assert not (set(aliases) & (official | gemeente_names))


@pytest.mark.parametrize(
    ("written", "expected"),
    [("GM0935", "GM0935"), ("gm935", "GM0935"), ("0935", "GM0935"), (935, "GM0935"), (" GM 0935 ", "GM0935")],
)
def test_gemeente_codes_in_any_common_spelling(written, expected):
    assert reference.current_gemeente_code(written) == expected
    assert reference.gemeente(written).name == "Maastricht"


@pytest.mark.parametrize("code", ["GM9999", "GM0788", "GM0365", "PV31", "", "abc", None, True, "GM12345"])
def test_codes_that_are_no_gemeente_in_2026_are_unknown(code):
    # GM0788 (Haaren) was split over four gemeenten in 2021 and GM0365 (Graft-De Rijp) ended in 2015,
    # before the change table starts: both are an explicit unknown (tests/extract/test_code_history.py).
    assert reference.current_gemeente_code(code) is None
    assert reference.gemeente(code) is None


def test_tables_are_read_once():
    assert reference.gemeenten() is reference.gemeenten()
    assert reference.woonplaatsen() is reference.woonplaatsen()
    assert reference.place_aliases() is reference.place_aliases()


def test_rows_are_immutable():
    g = reference.gemeenten()["GM0935"]
    with pytest.raises(AttributeError):
        g.name = "elsewhere"  # type: ignore[misc]


def test_attribution_ships_and_boundaries_do_not():
    folder = resources.files("zicht.reference")
    names = {p.name for p in folder.iterdir()}
    assert "ATTRIBUTION.md" in names
    assert not any(n.endswith(".geojson") for n in names)
    text = folder.joinpath("ATTRIBUTION.md").read_text("utf-8")
    assert "86312NED" in text and "CC BY" in text
