"""``zicht import --region`` against a site's stored default region, through the real CLI on both backends."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from zicht.cli import app

runner = CliRunner()
LEGAL = ["--purpose", "toezicht prostitutie (test)", "--legal-basis", "APV (test)"]


def _zicht(db_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)


def _csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title", "text"])
        w.writerows((ad_id, "Nieuw", text) for ad_id, text in rows)
    return path


def _phones(db_url: str, tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "out.csv"
    assert _zicht(db_url, "export", "ads", "--output", str(out)).exit_code == 0
    return {row["source_id"]: row["phones"] for row in csv.DictReader(out.open(encoding="utf-8"))}


def _import(db_url: str, path: Path, site: str, *extra: str):  # type: ignore[no-untyped-def]
    return _zicht(db_url, "import", str(path), "--format", "csv", "--site", site, *LEGAL, *extra)


def test_another_region_for_an_existing_site_is_refused_naming_both(db_url: str, tmp_path: Path) -> None:
    be = _csv(tmp_path / "be.csv", [("b1", "Bel 0470 12 34 56")])
    de = _csv(tmp_path / "de.csv", [("d1", "Ruf an 0151 23456789")])
    assert _import(db_url, be, "besite", "--region", "BE").exit_code == 0
    r = _import(db_url, de, "besite", "--region", "DE")
    assert r.exit_code != 0
    assert "--region DE" in r.output and "as BE" in r.output and "--set-site-region" in r.output
    assert _zicht(db_url, "process", "--no-photos").exit_code == 0
    assert _phones(db_url, tmp_path) == {"b1": "+32470123456"}  # nothing of de.csv was stored


def test_a_separate_site_reads_its_own_region(db_url: str, tmp_path: Path) -> None:
    be = _csv(tmp_path / "be.csv", [("b1", "Bel 0470 12 34 56")])
    de = _csv(tmp_path / "de.csv", [("d1", "Ruf an 0151 23456789")])
    assert _import(db_url, be, "besite", "--region", "BE").exit_code == 0
    assert _import(db_url, de, "desite", "--region", "DE").exit_code == 0
    assert _zicht(db_url, "process", "--no-photos").exit_code == 0
    assert _phones(db_url, tmp_path) == {"b1": "+32470123456", "d1": "+4915123456789"}


def test_without_region_an_existing_site_keeps_its_own(db_url: str, tmp_path: Path) -> None:
    first = _csv(tmp_path / "be1.csv", [("b1", "Bel 0470 12 34 56")])
    second = _csv(tmp_path / "be2.csv", [("b2", "Bel 0471 65 43 21")])
    assert _import(db_url, first, "besite", "--region", "be").exit_code == 0
    assert _import(db_url, second, "besite").exit_code == 0
    assert _zicht(db_url, "process", "--no-photos").exit_code == 0
    assert _phones(db_url, tmp_path) == {"b1": "+32470123456", "b2": "+32471654321"}


def test_set_site_region_changes_the_default_and_says_so(db_url: str, tmp_path: Path) -> None:
    be = _csv(tmp_path / "be.csv", [("b1", "Bel 0470 12 34 56")])
    de = _csv(tmp_path / "de.csv", [("d1", "Ruf an 0151 23456789")])
    assert _import(db_url, be, "besite", "--region", "BE").exit_code == 0
    assert _zicht(db_url, "process", "--no-photos").exit_code == 0  # b1 read as BE before the change
    r = _import(db_url, de, "besite", "--region", "DE", "--set-site-region")
    assert r.exit_code == 0, r.output
    assert "default region changed from BE to DE" in r.output
    assert _zicht(db_url, "process", "--no-photos").exit_code == 0
    assert _phones(db_url, tmp_path) == {"b1": "+32470123456", "d1": "+4915123456789"}


def test_a_region_that_is_no_country_code_is_refused(db_url: str, tmp_path: Path) -> None:
    path = _csv(tmp_path / "x.csv", [("x1", "Bel 0612345678")])
    r = _import(db_url, path, "x", "--region", "NLD")
    assert r.exit_code != 0 and "two-letter country code" in r.output


def test_an_empty_import_does_not_change_the_site_region(db_url: str, tmp_path: Path) -> None:
    be = _csv(tmp_path / "be.csv", [("b1", "Bel 0470 12 34 56")])
    assert _import(db_url, be, "besite", "--region", "BE").exit_code == 0
    empty = tmp_path / "empty.csv"
    empty.write_text("id,title,text\n", encoding="utf-8")
    r = _import(db_url, empty, "besite", "--region", "DE", "--set-site-region")
    assert r.exit_code != 0 and "default region changed" not in r.output
    other = _csv(tmp_path / "be2.csv", [("b2", "Bel 0471 65 43 21")])
    r = _import(db_url, other, "besite")  # the site still reads as BE
    assert r.exit_code == 0, r.output
    assert _zicht(db_url, "process", "--no-photos").exit_code == 0
    assert _phones(db_url, tmp_path) == {"b1": "+32470123456", "b2": "+32471654321"}
