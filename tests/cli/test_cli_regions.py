"""``zicht region add|list|show|remove`` through the real typer app, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from zicht import reference
from zicht.cli import app
from zicht.store.regions import get_region
from zicht.store.store import Store

runner = CliRunner()


def _zicht(db_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False, terminal_width=200)


def test_add_list_show_remove(db_url: str, tmp_path: Path) -> None:
    r = _zicht(
        db_url,
        "region",
        "add",
        "Parkstad pilot",
        "Heerlen",
        "GM0928",
        "--user",
        "Anna",
        "--description",
        "RIEC",
    )
    assert r.exit_code == 0, r.output
    assert "Stored region 'Parkstad pilot'" in r.output and "2 gemeenten" in r.output

    r = _zicht(
        db_url, "region", "add", "Limburg", "--police-unit", "RE10", "--province", "Zeeland", "-u", "Bram"
    )
    assert r.exit_code == 0, r.output
    n_limburg = len(reference.gemeenten_in_police_unit("RE10"))
    n_zeeland = sum(1 for g in reference.gemeenten().values() if g.province_code == "PV29")
    assert f"with {n_limburg + n_zeeland} gemeenten" in r.output

    r = _zicht(db_url, "region", "list")
    assert r.exit_code == 0, r.output
    assert "2 regions" in r.output and "Parkstad pilot" in r.output and "2: Heerlen, Kerkrade" in r.output

    r = _zicht(db_url, "region", "show", "parkstad PILOT")
    assert r.exit_code == 0, r.output
    assert (
        "GM0917" in r.output
        and "Heerlen" in r.output
        and "created by Anna" in r.output
        and "RIEC" in r.output
    )

    with Store.open(db_url, data_dir=tmp_path / "data") as store:
        assert get_region(store, "Parkstad pilot").gemeenten == ["GM0917", "GM0928"]  # type: ignore[union-attr]

    r = _zicht(db_url, "region", "remove", "Parkstad pilot")
    assert r.exit_code == 0, r.output
    r = _zicht(db_url, "region", "show", "Parkstad pilot")
    assert r.exit_code == 1 and "there is no region 'Parkstad pilot'" in r.output
    r = _zicht(db_url, "region", "remove", "Parkstad pilot")
    assert r.exit_code == 1


def test_unclear_values_are_named_and_nothing_is_stored(db_url: str) -> None:
    r = _zicht(db_url, "region", "add", "Zuid", "Heerlen", "Atlantis", "Bergen", "Haaren", "--user", "A")
    assert r.exit_code == 1
    out = " ".join(r.output.split())
    assert "unknown gemeente 'Atlantis'" in out
    assert "'Bergen' is more than one gemeente" in out and "Bergen (L.)" in out
    assert "'Haaren' was split" in out and "Vught" in out
    r = _zicht(db_url, "region", "add", "Zuid", "Heerlen")
    assert r.exit_code == 1 and "--user is required" in r.output
    r = _zicht(db_url, "region", "list")
    assert "No regions yet" in r.output


def test_old_names_are_mapped_with_a_note_and_replace_changes_a_region(db_url: str, tmp_path: Path) -> None:
    r = _zicht(db_url, "region", "add", "Amstel", "Weesp", "--user", "A")
    assert r.exit_code == 0, r.output
    assert "Note: Weesp is part of Amsterdam since 2022-03-24." in r.output
    r = _zicht(db_url, "region", "add", "amstel", "Diemen", "--user", "A")
    assert r.exit_code == 1 and "exists already" in r.output
    r = _zicht(db_url, "region", "add", "Amstel", "Diemen", "Amsterdam", "--replace")
    assert r.exit_code == 0, r.output
    with Store.open(db_url, data_dir=tmp_path / "data") as store:
        assert get_region(store, "Amstel").gemeenten == ["GM0363", "GM0384"]  # type: ignore[union-attr]


def test_typed_text_is_shown_as_typed_not_read_as_markup(db_url: str) -> None:
    # Rich reads "[...]" as markup: a name like this once made `region list` fail for everybody.
    r = _zicht(db_url, "region", "add", "[/]Zuid", "Heerlen", "-u", "[bold]An", "--description", "[/b] x")
    assert r.exit_code == 0, r.output
    assert "Stored region '[/]Zuid'" in r.output
    r = _zicht(db_url, "region", "list")
    assert r.exit_code == 0, r.output
    assert "[/]Zuid" in r.output and "[bold]An" in r.output and "[/b] x" in r.output
    r = _zicht(db_url, "region", "show", "[/]zuid")
    assert r.exit_code == 0 and "[/]Zuid" in r.output and "created by [bold]An" in r.output
    r = _zicht(db_url, "region", "show", "[red]")
    assert r.exit_code == 1 and "there is no region '[red]'" in r.output
