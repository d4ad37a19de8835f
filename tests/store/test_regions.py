"""User-defined regions (zicht.store.regions) on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from zicht import reference
from zicht.store.models import RegionGemeente
from zicht.store.regions import (
    AMBIGUOUS,
    PROBLEM_GEMEENTEN,
    PROBLEM_NAME,
    PROBLEM_NAME_TAKEN,
    PROBLEM_NOT_FOUND,
    PROBLEM_USER,
    PROBLEM_VALUES,
    PROVINCE_UNKNOWN,
    SPLIT,
    UNKNOWN,
    RegionError,
    RegionRow,
    delete_region,
    get_region,
    get_region_by_id,
    list_regions,
    resolve_gemeenten,
    save_region,
    split_values,
)
from zicht.store.store import Store

HEERLEN, KERKRADE, SCHIEDAM, VLAARDINGEN, DEN_HAAG = "GM0917", "GM0928", "GM0606", "GM0622", "GM0518"


def test_create_list_get_and_delete(store: Store) -> None:
    row, notes = save_region(
        store,
        "  Parkstad  pilot ",
        ["Heerlen", "gm928", "917"],
        user="Anna (RIEC)",
        description="Pilot\r\nLimburg-Zuid",
    )
    assert notes == []
    assert isinstance(row, RegionRow)
    assert (row.name, row.description, row.gemeenten) == (
        "Parkstad pilot",
        "Pilot\nLimburg-Zuid",
        [HEERLEN, KERKRADE],
    )
    assert (
        row.created_by == "Anna (RIEC)" and row.created_at is not None and row.created_at.tzinfo is not None
    )
    save_region(store, "Waterweg", ["Schiedam", "Vlaardingen"], user="Bram")

    regions = list_regions(store)
    assert [(r.name, r.gemeenten) for r in regions] == [
        ("Parkstad pilot", [HEERLEN, KERKRADE]),
        ("Waterweg", [SCHIEDAM, VLAARDINGEN]),
    ]
    assert regions[0].gemeente_names == ["Heerlen", "Kerkrade"]
    assert get_region(store, "WATERWEG").gemeenten == [SCHIEDAM, VLAARDINGEN]  # type: ignore[union-attr]
    assert get_region(store, "nowhere") is None
    assert get_region_by_id(store, row.id).name == "Parkstad pilot"  # type: ignore[union-attr]
    assert get_region_by_id(store, 2**40) is None

    assert delete_region(store, "waterweg") is True
    assert delete_region(store, "waterweg") is False
    assert [r.name for r in list_regions(store)] == ["Parkstad pilot"]
    assert delete_region(store, region_id=row.id) is True
    assert list_regions(store) == []
    with store.session() as s:  # the links went with their regions
        assert s.scalars(select(RegionGemeente)).all() == []


def test_update_by_id_and_by_replace(store: Store) -> None:
    row, _ = save_region(store, "Project", ["Heerlen"], user="Anna")
    changed, _ = save_region(
        store, "Project Zuid", ["Kerkrade", "Heerlen"], description="ruimer", region_id=row.id
    )
    assert (changed.id, changed.name, changed.gemeenten, changed.description) == (
        row.id,
        "Project Zuid",
        [HEERLEN, KERKRADE],
        "ruimer",
    )
    assert changed.created_by == "Anna"  # an edit keeps the author
    replaced, _ = save_region(store, "project zuid", ["Schiedam"], replace=True)
    assert (replaced.id, replaced.name, replaced.gemeenten) == (row.id, "project zuid", [SCHIEDAM])
    assert len(list_regions(store)) == 1


def test_police_unit_and_province_add_all_their_gemeenten(store: Store) -> None:
    row, _ = save_region(store, "Limburg", [], user="A", police_units=["Limburg"])
    expected = sorted(g.code for g in reference.gemeenten_in_police_unit("RE10"))
    assert row.gemeenten == expected and len(expected) == 31
    row, _ = save_region(store, "Friesland + Schiedam", ["Schiedam"], user="A", provinces=["Friesland"])
    fryslan = {g.code for g in reference.gemeenten().values() if g.province_code == "PV21"}
    assert set(row.gemeenten) == fryslan | {SCHIEDAM}
    row, _ = save_region(store, "By code", ["GM0917"], user="A", police_units=["re05"], provinces=["pv31"])
    assert "GM0363" in row.gemeenten and "GM0935" in row.gemeenten


def test_old_names_and_codes_map_to_todays_gemeente_with_a_note(store: Store) -> None:
    row, notes = save_region(store, "Amstel", ["Weesp", "GM0003"], user="A")
    assert row.gemeenten == ["GM0363", "GM1979"]  # Amsterdam, Eemsdelta
    assert notes == [
        "Weesp is part of Amsterdam since 2022-03-24",
        "GM0003 (Appingedam) is part of Eemsdelta since 2021-01-01",
    ]


def test_every_problem_is_reported_and_nothing_is_stored(store: Store) -> None:
    with pytest.raises(RegionError) as info:
        save_region(store, " ", ["Atlantis", "Bergen", "Haaren", "Heerlen"], user="", provinces=["Wadden"])
    exc = info.value
    assert set(exc.problems) == {PROBLEM_NAME, PROBLEM_USER, PROBLEM_VALUES}
    assert [(v.value, v.reason) for v in exc.values] == [
        ("Atlantis", UNKNOWN),
        ("Bergen", AMBIGUOUS),
        ("Haaren", SPLIT),
        ("Wadden", PROVINCE_UNKNOWN),
    ]
    assert set(exc.values[1].candidates) == {"GM0373", "GM0893"}
    assert {reference.gemeenten()[c].name for c in exc.values[2].candidates} == {
        "Boxtel",
        "Oisterwijk",
        "Tilburg",
        "Vught",
    }
    assert "'Atlantis'" in str(exc) and "Bergen (L.)" in str(exc)
    with pytest.raises(RegionError) as info:
        save_region(store, "Leeg", [], user="A")
    assert info.value.problems == (PROBLEM_GEMEENTEN,)
    assert list_regions(store) == []


def test_names_are_unique_regardless_of_case(store: Store) -> None:
    first, _ = save_region(store, "Parkstad", ["Heerlen"], user="A")
    with pytest.raises(RegionError) as info:
        save_region(store, "PARKSTAD", ["Kerkrade"], user="B")
    assert info.value.problems == (PROBLEM_NAME_TAKEN,)
    other, _ = save_region(store, "Other", ["Kerkrade"], user="B")
    with pytest.raises(RegionError) as info:
        save_region(store, "parkstad", ["Kerkrade"], region_id=other.id)
    assert PROBLEM_NAME_TAKEN in info.value.problems
    with pytest.raises(RegionError) as info:
        save_region(store, "Ghost", ["Kerkrade"], region_id=first.id + other.id + 100)
    assert PROBLEM_NOT_FOUND in info.value.problems
    assert get_region(store, "parkstad").gemeenten == [HEERLEN]  # type: ignore[union-attr]


def test_values_in_any_common_spelling() -> None:
    assert resolve_gemeenten(
        ["Den Haag", "'s-gravenhage", "den bosch", "beek (l.)", "Beek", "SÚDWEST FRYSLAN"]
    ).codes == [
        DEN_HAAG,
        "GM0796",
        "GM0888",
        "GM1900",
    ]
    # a comma separates only when the whole is no gemeente
    assert split_values(["Heerlen, Kerkrade", "Nuenen, Gerwen en Nederwetten; Schiedam\nVlaardingen"]) == [
        "Heerlen",
        "Kerkrade",
        "Nuenen, Gerwen en Nederwetten",
        "Schiedam",
        "Vlaardingen",
    ]
    # a place inside a gemeente is no gemeente: a region never widens silently
    with pytest.raises(RegionError) as info:
        resolve_gemeenten(["Hoensbroek"])
    assert info.value.values[0].reason == UNKNOWN
