"""The command-line contract (docs/cli.md), run through the real typer app on both backends."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zicht.cli import app
from zicht.exports import AD_COLUMNS
from zicht.store.store import Store

runner = CliRunner()
LEGAL = ["--purpose", "toezicht prostitutie (test)", "--legal-basis", "APV (test)"]


def _zicht(db_url: str, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["--db", db_url, *args], env=env, catch_exceptions=False)
    return result


@pytest.fixture
def ads_csv(tmp_path: Path) -> Path:
    path = tmp_path / "ads.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "url", "posted_at", "title", "text", "location", "age", "phone", "email", "images"])
        w.writerow(
            [
                "1",
                "https://example.test/1",
                "2026-10-05",
                "Nieuw in Heerlen!",
                "Hoi, ik ben Lisa. Bel 06-12345678. Altijd beschikbaar 24/7.",
                "Heerlen",
                "23",
                "",
                "",
                "",
            ]
        )
        w.writerow(
            [
                "2",
                "https://example.test/2",
                "2026-10-06",
                "Onze meiden",
                "Zij is jong en wij bieden alles zonder condoom. Alleen WhatsApp +40 721 234 567",
                "Den Bosch",
                "",
                "0687654321",
                "x@example.test",
                "",
            ]
        )
        w.writerow(["3", "", "", "", "", "", "", "", "", ""])
    return path


def test_import_process_export(db_url: str, tmp_path: Path, ads_csv: Path) -> None:
    r = _zicht(db_url, "import", str(ads_csv), "--format", "csv", "--site", "partner", *LEGAL)
    assert r.exit_code == 0, r.output
    assert "2 imported" in r.output and "1 skipped" in r.output
    assert re.search(r"ads\.csv:4: title and text are both empty", r.output)

    r = _zicht(db_url, "process", "--no-photos")
    assert r.exit_code == 0, r.output
    assert "Extraction: 2 ad versions" in r.output and "Signals: 2 ad versions scored" in r.output

    out = tmp_path / "ads-out.csv"
    r = _zicht(db_url, "export", "ads", "--output", str(out))
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert tuple(rows[0]) == AD_COLUMNS
    by_id = {row["source_id"]: row for row in rows}
    assert by_id["1"]["phones"] == "+31612345678"
    assert by_id["1"]["gemeente_code"] == "GM0917"  # Heerlen
    assert by_id["1"]["age"] == "23"
    assert set(by_id["2"]["phones"].split(";")) == {"+31687654321", "+40721234567"}
    assert by_id["2"]["emails"] == "x@example.test"
    assert by_id["2"]["gemeente_code"] == "GM0796"  # 's-Hertogenbosch
    assert "THIRD_PERSON" in by_id["2"]["indicators"].split(";")
    assert "UNPROTECTED_SERVICES" in by_id["2"]["indicators"].split(";")
    assert float(by_id["2"]["risk_score"]) > float(by_id["1"]["risk_score"] or 0)
    assert (
        by_id["1"]["persona_id"] and by_id["1"]["persona_id"] != by_id["2"]["persona_id"]
    )  # linked by process

    pseudo = tmp_path / "pseudo.csv"
    r = _zicht(db_url, "export", "ads", "--output", str(pseudo), "--pseudonymise")
    assert r.exit_code == 0, r.output
    prow = {row["source_id"]: row for row in csv.DictReader(pseudo.open(encoding="utf-8"))}
    assert "+31612345678" not in pseudo.read_text(encoding="utf-8")
    assert re.fullmatch(r"[0-9a-f]{32}", prow["1"]["phones"])
    # the same number gets the same pseudonym in a second export
    r = _zicht(db_url, "export", "ads", "--output", str(tmp_path / "p2.csv"), "--pseudonymise")
    again = {row["source_id"]: row for row in csv.DictReader((tmp_path / "p2.csv").open(encoding="utf-8"))}
    assert again["1"]["phones"] == prow["1"]["phones"]


def test_process_is_incremental(db_url: str, ads_csv: Path) -> None:
    _zicht(db_url, "import", str(ads_csv), "--format", "csv", "--site", "partner", *LEGAL)
    _zicht(db_url, "process", "--no-photos")
    r = _zicht(db_url, "process", "--no-photos")
    assert "Extraction: 0 ad versions" in r.output and "Signals: 0 ad versions scored" in r.output


def test_import_requires_purpose_and_legal_basis(db_url: str, ads_csv: Path) -> None:
    r = _zicht(db_url, "import", str(ads_csv), "--format", "csv", "--site", "p", env={"ZICHT_PURPOSE": ""})
    assert r.exit_code == 1
    assert "purpose is required" in r.output
    with Store.open(db_url) as store:
        assert store.counts()["ads"] == 0


def test_import_missing_columns_clear_error(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("nummer;tekst\n1;hallo\n", encoding="utf-8")
    r = _zicht(db_url, "import", str(bad), "--format", "csv", "--site", "p", *LEGAL)
    assert r.exit_code == 1
    assert "bad.csv: missing column(s)" in r.output
    r = _zicht(
        db_url,
        "import",
        str(bad),
        "--format",
        "csv",
        "--site",
        "p",
        "--map",
        "id=nummer",
        "--map",
        "text=tekst",
        *LEGAL,
    )
    assert r.exit_code == 0 and "1 imported" in r.output


def test_jsonl_import_and_status(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"id": "x1", "text": "Hallo uit Venlo", "location": "Venlo"}) + "\n", encoding="utf-8"
    )
    assert _zicht(db_url, "import", str(path), "-f", "jsonl", "--site", "s", *LEGAL).exit_code == 0
    r = _zicht(db_url, "status")
    assert r.exit_code == 0 and re.search(r"ads\s*│\s*1", r.output)


def test_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    r = runner.invoke(app, ["--db", "postgresql://nobody@127.0.0.1:1/none", "status"])
    assert r.exit_code == 1
    assert "Cannot connect to the database postgresql+psycopg://nobody@127.0.0.1:1/none" in r.output
    assert "refused" in r.output


def test_export_rejects_other_formats(db_url: str, tmp_path: Path) -> None:
    r = _zicht(db_url, "export", "ads", "--output", str(tmp_path / "x.xlsx"))
    assert r.exit_code == 1 and "only .csv" in r.output


def test_link_export_links_and_lookup(db_url: str, tmp_path: Path, ads_csv: Path) -> None:
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "id,title,text,location\n9,Lisa in Sittard,Hoi ik ben Lisa. Bel 06 1234 5678 voor een afspraak.,Sittard\n",
        encoding="utf-8",
    )
    _zicht(db_url, "import", str(ads_csv), "--format", "csv", "--site", "partner", *LEGAL)
    _zicht(db_url, "import", str(extra), "--format", "csv", "--site", "other", *LEGAL)
    r = _zicht(db_url, "process", "--no-photos")
    assert r.exit_code == 0, r.output
    assert re.search(r"Linking: \d+ ads profiled", r.output)

    out = tmp_path / "links.csv"
    r = _zicht(db_url, "export", "links", "--output", str(out))
    assert r.exit_code == 0, r.output
    links = list(csv.DictReader(out.open(encoding="utf-8")))
    pairs = {frozenset({(x["site_a"], x["source_id_a"]), (x["site_b"], x["source_id_b"])}): x for x in links}
    shared = pairs[frozenset({("partner", "1"), ("other", "9")})]
    assert shared["channel"] == "phone" and "+31612345678" in shared["evidence"]

    ads_out = tmp_path / "ads.csv"
    _zicht(db_url, "export", "ads", "--output", str(ads_out))
    rows = {(x["site"], x["source_id"]): x for x in csv.DictReader(ads_out.open(encoding="utf-8"))}
    assert (
        rows[("partner", "1")]["network_id"]
        and rows[("partner", "1")]["network_id"] == rows[("other", "9")]["network_id"]
    )

    numbers = tmp_path / "contacts.txt"
    numbers.write_text("06-12345678\n0600000000\n", encoding="utf-8")
    r = _zicht(db_url, "lookup", str(numbers))
    assert r.exit_code == 0, r.output
    assert "1 of 2 numbers found" in r.output and "+31612345678" in r.output


def test_export_indicators_are_the_codes_that_count_towards_the_score(store: Store, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from zicht.exports import export_ads
    from zicht.pipeline import process
    from zicht.sources.types import ParsedAd
    from zicht.store.models import Ad, Score
    from zicht.store.store import IngestItem

    def ad(i: int, text: str) -> IngestItem:
        parsed = ParsedAd(
            site="kinky",
            source_id=str(i),
            url=f"http://example.test/{i}",
            title="Lieve Lisa, 20 jaar",
            text=text,
            fields={"location": "Breda", "age": "20"},
            rates=["1 uur 100 euro"],  # one ad: no regional median, LOW_PRICE not evaluated
        )
        return IngestItem(parsed, datetime(2026, 10, 5, tzinfo=UTC), "test")

    store.ingest([ad(1, "Nieuw in Breda! Geen AV."), ad(2, "Nieuw in Breda, 24/7 beschikbaar. Geen AV.")])
    process(store, photos=False)
    out = tmp_path / "ads.csv"
    export_ads(store, out)
    rows = {r["source_id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    # shown but not counted: NEW_IN_TOWN and YOUNG_STATED_AGE (not predictive), LOW_PRICE (not
    # evaluated), UNPROTECTED_SERVICES (negated)
    assert (rows["1"]["indicators"], float(rows["1"]["risk_score"])) == ("", 0.0)
    assert rows["2"]["indicators"] == "AVAILABLE_247" and float(rows["2"]["risk_score"]) > 0
    with store.session() as s:
        for sid, row in rows.items():
            vid = s.scalar(select(Ad.current_version_id).where(Ad.source_id == sid))
            counted = {code for code, _ in s.get(Score, vid).explanation["contributions"]}
            assert set(filter(None, row["indicators"].split(";"))) == counted
