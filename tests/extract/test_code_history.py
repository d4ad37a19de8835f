"""The gemeente code history (zicht/reference/gemeente_code_changes.csv): every row checked, real examples."""

from __future__ import annotations

import csv
from datetime import date
from importlib import resources

import pytest

from zicht import reference

COLUMNS = ["old_code", "old_name", "new_code", "new_name", "date_effective", "kind", "split_into", "source"]


def _raw_rows() -> list[dict[str, str]]:
    text = resources.files("zicht.reference").joinpath("gemeente_code_changes.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_the_table_has_its_columns_and_one_row_per_old_code():
    text = resources.files("zicht.reference").joinpath("gemeente_code_changes.csv").read_text("utf-8")
    assert text.splitlines()[0].split(",") == COLUMNS
    rows = _raw_rows()
    assert len(rows) == len({r["old_code"] for r in rows}) == len(reference.gemeente_code_changes())
    # 2016 (390 gemeenten + 5 ended that day) down to 342 in 2023, with 18 new codes in between: 71 ended.
    assert len(rows) == 71


def test_no_old_code_is_a_current_code_and_every_row_has_a_source():
    current = reference.gemeenten()
    for r in _raw_rows():
        assert r["old_code"] not in current, r
        assert r["old_name"].strip(), r
        assert r["source"].startswith(("http://", "https://")), r
        assert date(2016, 1, 1) <= date.fromisoformat(r["date_effective"]) <= date(2026, 1, 1), r


def test_every_successor_is_a_current_gemeente_or_chains_to_one():
    current = reference.gemeenten()
    changes = reference.gemeente_code_changes()
    for c in changes.values():
        if c.kind == "split":
            continue
        assert c.kind in ("merged", "renamed"), c
        assert c.new_code, c
        if c.new_code in current:
            assert current[c.new_code].name == c.new_name, c
        else:
            later = changes[c.new_code]  # a KeyError here is a successor nobody can find
            assert later.date_effective > c.date_effective, c


def test_splits_name_their_receiving_gemeenten_and_map_to_no_single_one():
    splits = {c.old_code: c for c in reference.gemeente_code_changes().values() if c.kind == "split"}
    # Littenseradiel (2018), Winsum (2019), Haaren (2021): the splits since 2016.
    assert set(splits) == {"GM0140", "GM0053", "GM0788"}
    for c in splits.values():
        assert c.new_code is None and c.new_name == ""
        assert len(c.split_into) >= 2
        assert all(code in reference.gemeenten() for code in c.split_into), c
        assert reference.current_gemeente_code(c.old_code) is None
    haaren = splits["GM0788"]
    assert {reference.gemeenten()[c].name for c in haaren.split_into} == {
        "Boxtel",
        "Oisterwijk",
        "Tilburg",
        "Vught",
    }


@pytest.mark.parametrize(
    ("old", "new", "day"),
    [
        ("GM0457", "GM0363", date(2022, 3, 24)),  # Weesp → Amsterdam, the one mid-year change
        ("GM0003", "GM1979", date(2021, 1, 1)),  # Appingedam → Eemsdelta
        ("GM0241", "GM1945", date(2016, 1, 1)),  # Groesbeek renamed Berg en Dal
        ("GM0370", "GM0439", date(2022, 1, 1)),  # Beemster → Purmerend
        ("GM0620", "GM1961", date(2019, 1, 1)),  # Vianen → Vijfheerenlanden
        ("GM0614", "GM1992", date(2023, 1, 1)),  # Westvoorne → Voorne aan Zee
        ("GM0844", "GM1948", date(2017, 1, 1)),  # Schijndel → Meierijstad
    ],
)
def test_real_reorganisations_map_old_codes_to_today(old, new, day):
    assert reference.current_gemeente_code(old) == new
    assert reference.current_gemeente_code(old.lower().replace("gm0", "")) == new  # "457" is Weesp too
    assert reference.gemeente(old).code == new  # type: ignore[union-attr]
    change = reference.code_change(old)
    assert change is not None and change.date_effective == day


def test_current_codes_pass_through_and_have_no_change():
    assert reference.current_gemeente_code("GM0363") == "GM0363"
    assert reference.code_change("GM0363") is None
    assert reference.code_change("abc") is None


def test_counts_put_an_ad_with_an_old_code_in_todays_gemeente():
    from datetime import UTC, datetime

    from zicht.analysis.counts import UNKNOWN_CODE, VersionSpan, area_of

    seen = datetime(2021, 6, 1, tzinfo=UTC)
    weesp = VersionSpan(seen, "GM0457", None, frozenset())
    assert area_of("gemeente", "kinky", weesp).code == "GM0363"
    assert area_of("police_unit", "kinky", weesp).code == reference.gemeenten()["GM0363"].police_unit_code
    haaren = VersionSpan(seen, "788", None, frozenset())
    assert area_of("gemeente", "kinky", haaren).code == UNKNOWN_CODE
