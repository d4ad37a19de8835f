"""``zicht watch`` and ``zicht alerts`` through the real typer app, on both backends."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from zicht.cli import app

runner = CliRunner()
LEGAL = ["--purpose", "toezicht prostitutie (test)", "--legal-basis", "APV (test)"]


def _zicht(db_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False, env={"COLUMNS": "250"})


def _csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "url", "title", "text", "location", "age"])
        for source_id, text, place in rows:
            w.writerow([source_id, f"https://example.test/{source_id}", "Nieuw!", text, place, "23"])
    return path


def test_watch_process_alerts_mark_seen(db_url: str, tmp_path: Path) -> None:
    r = _zicht(db_url, "watch", "add", "contact", "06 - 1234 5678", "--user", "Anna", "--label", "melding 12")
    assert r.exit_code == 0, r.output
    assert "Watch 1 stored (contact: melding 12)" in r.output
    r = _zicht(db_url, "watch", "add", "gemeente", "Heerlen", "--threshold", "2", "--user", "Anna")
    assert r.exit_code == 0, r.output
    assert "Heerlen ≥ 2/week" in r.output
    unlabelled = _zicht(db_url, "watch", "add", "contact", "lisa@example.test", "--user", "Anna")
    assert unlabelled.exit_code == 0 and "Watch 3 stored (contact)." in unlabelled.output

    ads = _csv(
        tmp_path / "ads.csv",
        [
            ("1", "Hoi, ik ben Lisa. Bel 06-12345678.", "Heerlen"),
            ("2", "Nina hier, app 0687654321.", "Heerlen"),
            ("3", "Eva in Venlo, bel 0611112222.", "Venlo"),
        ],
    )
    assert _zicht(db_url, "import", str(ads), "--format", "csv", "--site", "partner", *LEGAL).exit_code == 0
    r = _zicht(db_url, "process", "--no-photos")
    assert r.exit_code == 0, r.output
    assert "Watches: 3 checked, 2 new alerts" in r.output

    r = _zicht(db_url, "alerts")
    assert r.exit_code == 0, r.output
    assert "2 unseen alerts" in r.output
    assert "/advertenties/1" in r.output and "melding 12" in r.output and "Heerlen" in r.output
    assert "active ads in week" in r.output
    assert "612345678" not in r.output  # the number itself is never printed

    r = _zicht(db_url, "process", "--no-photos")
    assert "Watches: 3 checked, 0 new alerts." in r.output

    r = _zicht(db_url, "alerts", "--mark-seen")
    assert r.exit_code == 1 and "--mark-seen needs --user" in r.output
    r = _zicht(db_url, "alerts", "--mark-seen", "--user", "Bert")
    assert r.exit_code == 0 and "2 alerts marked seen by Bert." in r.output
    assert "0 unseen alerts" in _zicht(db_url, "alerts").output
    r = _zicht(db_url, "alerts", "--all")
    assert "0 unseen alerts, 2 seen" in r.output and "Bert" in r.output

    r = _zicht(db_url, "watch", "list")
    assert "3 watches" in r.output and "melding 12" in r.output and "contact #3" in r.output
    assert "lisa@example.test" not in r.output
    assert _zicht(db_url, "watch", "remove", "1").exit_code == 0
    assert "2 watches" in _zicht(db_url, "watch", "list").output
    assert "3 watches" in _zicht(db_url, "watch", "list", "--all").output
    r = _zicht(db_url, "watch", "remove", "3", "--delete")
    assert r.exit_code == 0 and "deleted with its alerts" in r.output
    r = _zicht(db_url, "watch", "remove", "3")
    assert r.exit_code == 1 and "there is no watch 3" in r.output


def test_watch_add_errors_are_clear(db_url: str) -> None:
    r = _zicht(db_url, "watch", "add", "contact", "bel me maar", "--user", "Anna")
    assert r.exit_code == 1 and "“bel me maar” is not a phone number" in r.output
    r = _zicht(db_url, "watch", "add", "gemeente", "Heerlen", "--user", "Anna")
    assert r.exit_code == 1 and "needs a threshold" in r.output
    r = _zicht(db_url, "watch", "add", "template", "12", "--user", "Anna")
    assert r.exit_code == 1 and "there is no ad 12" in r.output
    r = _zicht(db_url, "watch", "add", "photo", "3", "--user", "Anna")
    assert r.exit_code == 1 and "no hashed photo with id 3" in r.output
    # A negative LIMIT means "no limit" to SQLite and is an error to PostgreSQL: refused up front.
    r = _zicht(db_url, "alerts", "--limit", "-1")
    assert r.exit_code == 2 and "--limit" in r.output
    # Typed names and labels are shown as typed, never read as rich markup.
    r = _zicht(db_url, "watch", "add", "contact", "0611112222", "--user", "[/]", "--label", "[red]L")
    assert r.exit_code == 0 and "(contact: [red]L)" in r.output
    r = _zicht(db_url, "watch", "list")
    assert r.exit_code == 0 and "[red]L" in r.output and "[/]" in r.output
