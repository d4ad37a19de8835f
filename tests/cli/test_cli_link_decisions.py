"""``zicht link confirm|split``: an analyst's decision through the real CLI, on both backends.

The decision must be stored with who and why, take effect at the next linking run (or right away with
``--link``), survive a full rebuild, and an ad that does not exist must be a clear error.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zicht.cli import app
from zicht.store import linking
from zicht.store.store import Store

runner = CliRunner()
LEGAL = ["--purpose", "toezicht prostitutie (test)", "--legal-basis", "APV (test)"]
ROWS = [
    # id, title, text, location, age, phone
    ("1", "Lisa in Heerlen", "Hoi, ik ben Lisa. Bel 06-12345678 voor een afspraak.", "Heerlen", "23", ""),
    ("2", "Mila nieuw", "Mila hier, rustig en lief. Whatsapp 0611122233.", "Utrecht", "31", ""),
    ("3", "Sanne", "Ik ben Sanne, discreet in Venlo. Bel 06 2345 6789.", "Venlo", "27", "0623456789"),
    ("4", "Sanne", "Ik ben Sanne, discreet in Venlo. Bel 06 2345 6789.", "Venlo", "27", "0623456789"),
]


def _zicht(db_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)


@pytest.fixture
def linked_db(db_url: str, tmp_path: Path) -> str:
    path = tmp_path / "ads.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "url", "posted_at", "title", "text", "location", "age", "phone"])
        for ad_id, title, text, place, age, phone in ROWS:
            w.writerow([ad_id, f"https://example.test/{ad_id}", "2026-10-05", title, text, place, age, phone])
    r = _zicht(db_url, "import", str(path), "--format", "csv", "--site", "partner", *LEGAL)
    assert r.exit_code == 0, r.output
    r = _zicht(db_url, "process", "--no-photos")
    assert r.exit_code == 0, r.output
    return db_url


def _ids(db_url: str) -> dict[str, int]:
    with Store.open(db_url) as store:
        return {source_id: store.find_ad("partner", source_id).id for source_id, *_ in ROWS}


def _personas(db_url: str) -> dict[str, int | None]:
    ids = _ids(db_url)
    with Store.open(db_url) as store:
        found = linking.assignment_of(store, list(ids.values()))
    return {source_id: found[ad_id][0] for source_id, ad_id in ids.items()}


def test_confirm_links_two_unrelated_ads_and_keeps_who_and_why(linked_db: str) -> None:
    before = _personas(linked_db)
    assert before["1"] != before["2"], "nothing links these two ads by itself"
    r = _zicht(
        linked_db, "link", "confirm", "partner:1", "partner:2", "--user", "anna", "--reason", "same photos"
    )
    assert r.exit_code == 0, r.output
    assert "takes effect at the next linking run" in r.output
    assert _personas(linked_db) == before, "without --link nothing is re-clustered yet"
    ids = _ids(linked_db)
    with Store.open(linked_db) as store:
        (row,) = linking.decisions_for(store, ids["1"])
    assert (row.ad_a, row.ad_b) == tuple(sorted((ids["1"], ids["2"])))
    assert (row.decision, row.level, row.user, row.reason) == ("confirm", "persona", "anna", "same photos")

    r = _zicht(linked_db, "link")  # the next run applies it
    assert r.exit_code == 0, r.output
    after = _personas(linked_db)
    assert after["1"] == after["2"]
    r = _zicht(linked_db, "link", "--full")  # and a rebuild keeps it
    assert r.exit_code == 0, r.output
    rebuilt = _personas(linked_db)
    assert rebuilt["1"] == rebuilt["2"] and rebuilt["1"] != rebuilt["3"]


def test_split_with_link_separates_a_persona_right_away(linked_db: str) -> None:
    before = _personas(linked_db)
    assert before["3"] == before["4"], "the same number, name and text: one persona"
    ids = _ids(linked_db)
    r = _zicht(linked_db, "link", "split", str(ids["3"]), "partner:4", "--user", "bo", "--link")
    assert r.exit_code == 0, r.output
    assert "Decision" in r.output and "After linking:" in r.output
    assert f"ad {ids['3']}: persona {before['3']}" in r.output  # the state before is shown
    after = _personas(linked_db)
    assert after["3"] != after["4"]


def test_network_level_decision_is_stored_at_that_level(linked_db: str) -> None:
    ids = _ids(linked_db)
    r = _zicht(linked_db, "link", "split", "partner:3", "partner:4", "--user", "bo", "--level", "network")
    assert r.exit_code == 0, r.output
    with Store.open(linked_db) as store:
        (row,) = linking.decisions_for(store, ids["4"])
    assert (row.decision, row.level) == ("split", "network")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["partner:1", "partner:999"], "AD_B 'partner:999': site partner has no ad with source id '999'"),
        (["elsewhere:1", "partner:2"], "AD_A 'elsewhere:1': no site 'elsewhere' in this database"),
        (["987654", "partner:2"], "AD_A '987654': no ad with id 987654"),
        (["partner", "partner:2"], "AD_A 'partner': give an ad id (a number) or site:source_id"),
        (["partner:1", "partner:1"], "AD_A and AD_B are the same ad"),
        (["partner:1", "partner:2", "--level", "group"], "--level must be one of persona, network"),
        (["partner:1", "partner:2", "--user", " "], "--user must name who decides"),
    ],
)
def test_unknown_ads_and_bad_arguments_are_clear_errors(
    linked_db: str, args: list[str], message: str
) -> None:
    if "--user" not in args:
        args = [*args, "--user", "anna"]
    r = _zicht(linked_db, "link", "confirm", *args)
    assert r.exit_code == 1
    assert message in " ".join(r.output.split())
    with Store.open(linked_db) as store:
        assert all(linking.decisions_for(store, ad_id) == [] for ad_id in _ids(linked_db).values())


def test_full_does_not_go_with_a_decision(linked_db: str) -> None:
    r = _zicht(linked_db, "link", "--full", "confirm", "partner:1", "partner:2", "--user", "anna")
    assert r.exit_code == 1 and "--full belongs to `zicht link` itself" in r.output


def test_a_conflicting_decision_says_which_one_it_replaces(linked_db: str) -> None:
    r = _zicht(linked_db, "link", "split", "partner:1", "partner:2", "--user", "anna")
    assert r.exit_code == 0 and "replaces" not in r.output
    first = int(r.output.split("Decision ")[1].split()[0])
    r = _zicht(linked_db, "link", "confirm", "partner:2", "partner:1", "--user", "bo")
    assert r.exit_code == 0, r.output
    assert f"It replaces decision {first} (split by anna," in " ".join(r.output.split())
    # The same decision again replaces nothing; another level is another question.
    again = _zicht(linked_db, "link", "confirm", "partner:1", "partner:2", "--user", "cy")
    assert again.exit_code == 0 and "replaces" not in again.output
    r = _zicht(linked_db, "link", "split", "partner:1", "partner:2", "--user", "cy", "--level", "network")
    assert r.exit_code == 0 and "replaces" not in r.output
    r = _zicht(linked_db, "link")  # the latest persona decision (confirm), not the earlier split, applies
    assert r.exit_code == 0, r.output
    after = _personas(linked_db)
    assert after["1"] == after["2"]
