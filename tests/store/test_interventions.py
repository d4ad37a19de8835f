"""Interventions and displacement on a real store (SQLite and PostgreSQL) where the answer is known
(see ``displacement_seed``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from displacement_seed import AMSTERDAM, DAY, SCHIEDAM, TODAY, VLAARDINGEN, seed
from typer.testing import CliRunner

from zicht.analysis.displacement import neighbours
from zicht.cli import app
from zicht.store.counts import area_counts
from zicht.store.interventions import (
    PROBLEM_DAY_FUTURE,
    PROBLEM_GEMEENTE_MISSING,
    PROBLEM_GEMEENTE_UNKNOWN,
    PROBLEM_KIND,
    PROBLEM_USER,
    InterventionError,
    delete_intervention,
    displacement_report,
    get_intervention,
    list_interventions,
    record_intervention,
)
from zicht.store.store import Store


def test_record_list_delete_and_validation(store: Store) -> None:
    item = record_intervention(
        store, ["Schiedam", "gm622"], DAY, "controle", "  Ans  de Vries ", "Controle hotels", today=TODAY
    )
    assert item.gemeenten == (SCHIEDAM, VLAARDINGEN) and item.kind == "control"
    assert item.created_by == "Ans de Vries" and item.gemeente_names == ("Schiedam", "Vlaardingen")
    second = record_intervention(store, ["Beek (L.)"], "2026-09-01", "visit", "Bo", today=TODAY)
    assert [i.id for i in list_interventions(store)] == [item.id, second.id]  # most recent day first
    assert get_intervention(store, item.id) == item

    with pytest.raises(InterventionError) as exc:
        record_intervention(store, ["Schiedam", "Atlantis"], "2026-12-01", "raid", "", today=TODAY)
    assert exc.value.problems == (PROBLEM_GEMEENTE_UNKNOWN, PROBLEM_DAY_FUTURE, PROBLEM_KIND, PROBLEM_USER)
    assert exc.value.unknown == ("Atlantis",)
    with pytest.raises(InterventionError) as exc:
        record_intervention(store, [" , "], "14-10-2026", "control", "Bo", today=TODAY)
    assert PROBLEM_GEMEENTE_MISSING in exc.value.problems and "day_invalid" in exc.value.problems
    assert len(list_interventions(store)) == 2  # nothing stored by the failures

    assert delete_intervention(store, second.id) and not delete_intervention(store, second.id)
    assert get_intervention(store, second.id) is None and len(list_interventions(store)) == 1


def test_neighbours_are_the_nearby_gemeenten() -> None:
    assert neighbours([SCHIEDAM])[:3] == (VLAARDINGEN, "GM0599", "GM1842")  # Rotterdam, Midden-Delfland
    heerlen = {"GM0882", "GM0899", "GM0928", "GM0965", "GM0986", "GM1954"}  # its six bordering gemeenten
    assert set(neighbours(["GM0917"])) == heerlen
    assert SCHIEDAM not in neighbours([SCHIEDAM, VLAARDINGEN])
    assert len(neighbours(["GM0448"])) >= 2  # Texel, an island, still has its nearest to compare with


def test_the_waterbed_is_measured(store: Store) -> None:
    seed(store)
    item = record_intervention(store, ["Schiedam"], DAY, "control", "Ans", today=TODAY)
    rep = displacement_report(store, item, weeks=2)
    c = rep.comparison
    assert [d.isoformat() for d in c.windows.before] == ["2026-09-28", "2026-10-05"]
    assert [d.isoformat() for d in c.windows.after] == ["2026-10-19", "2026-10-26"]
    assert rep.neighbours[0] == VLAARDINGEN

    t = c.groups["target"]
    assert [w.active_ads for w in t.weeks] == [12, 12, 0, 1, 0]  # weeks 40..44
    assert (t.active_before, t.active_after, t.new_before, t.new_after) == (12.0, 0.5, 12, 1)
    assert t.active_change_pct == pytest.approx(100 * (0.5 - 12) / 12) and not t.too_few
    # The same numbers as the dashboard and the export.
    table = area_counts(store, "gemeente", "week", c.windows.first_day, c.windows.last_day)
    assert [w.active_ads for w in t.weeks] == [r.active_ads for r in table.for_area(SCHIEDAM)]

    n = c.groups["neighbours"]
    assert [w.active_ads for w in n.weeks] == [2, 2, 2, 7, 2]
    assert (n.active_before, n.active_after, n.new_after) == (2.0, 4.5, 5)
    assert n.too_few and n.active_change_pct is None  # fewer than 10 a week: too few to say
    assert [w.active_ads for w in c.groups["national"].weeks] == [14, 14, 2, 9, 3]
    assert [w.active_ads for w in c.groups["rest"].weeks] == [0] * 5  # no ads elsewhere in the unit

    m = c.movement
    assert m.tracked == 12
    assert m.moves == {"same": 1, "neighbour": 5, "elsewhere": 1, "unknown_place": 1, "not_seen": 4}
    assert m.share("neighbour") == pytest.approx(100 * 5 / 12)
    assert [(d.name, d.relation, d.personas) for d in m.destinations] == [
        ("Vlaardingen", "neighbour", 5),
        ("Amsterdam", "elsewhere", 1),
        ("Schiedam", "target", 1),
        ("onbekend", "unknown_place", 1),
    ]
    codes = [x.code for x in c.caveats]
    assert "too_few_ads" not in codes and "too_few_personas" not in codes
    assert "personas_not_linked" not in codes and "neighbours_approximate" in codes
    assert {"no_control_group", "seasonality", "ads_not_people", "unlinked_reappearance"} <= set(codes)

    # Chosen neighbours replace the estimate; a longer window runs past the data.
    chosen = displacement_report(store, item, weeks=4, chosen_neighbours=["Amsterdam"])
    assert chosen.neighbours == (AMSTERDAM,)
    assert chosen.comparison.movement.moves["neighbour"] == 1
    assert chosen.comparison.movement.moves["elsewhere"] == 5
    notes = {x.code: x.values for x in chosen.comparison.caveats}
    assert "neighbours_approximate" not in notes
    assert notes["after_incomplete"] == {"day": "2026-10-27", "of": 4}
    assert notes["before_incomplete"] == {"day": "2026-09-29", "of": 4}
    with pytest.raises(InterventionError):
        displacement_report(store, item, chosen_neighbours=["Atlantis"])

    # A second intervention nearby in the same weeks is named as a confounder.
    other = record_intervention(store, ["Vlaardingen"], date(2026, 10, 1), "visit", "Bo", today=TODAY)
    again = {x.code: x.values for x in displacement_report(store, item, weeks=2).comparison.caveats}
    assert again["other_interventions"] == {"ids": f"#{other.id}"}


def test_without_linking_ads_are_their_own_personas(store: Store) -> None:
    seed(store, link=False)
    item = record_intervention(store, ["Schiedam"], DAY, "control", "Ans", today=TODAY)
    c = displacement_report(store, item, weeks=2).comparison
    # New ads elsewhere are new personas: nobody is followed, everyone is "not seen again".
    assert c.movement.tracked == 12 and c.movement.moves["not_seen"] == 12
    assert "personas_not_linked" in [x.code for x in c.caveats]


def test_cli_add_list_report(store: Store, db_url: str) -> None:
    seed(store)
    runner = CliRunner()
    base = ["--db", db_url, "intervention"]
    add = runner.invoke(
        app,
        [
            *base,
            "add",
            "--gemeente",
            "Schiedam",
            "--date",
            DAY.isoformat(),
            "--kind",
            "control",
            "--user",
            "Ans",
        ],
    )
    assert add.exit_code == 0, add.output
    [item] = list_interventions(store)
    assert f"Recorded intervention {item.id}" in add.output
    listed = runner.invoke(app, [*base, "list"])
    assert listed.exit_code == 0 and "Schiedam" in listed.output and "Ans" in listed.output
    rep = runner.invoke(app, [*base, "report", str(item.id), "--weeks", "2"])
    assert rep.exit_code == 0, rep.output
    assert "Vlaardingen" in rep.output and "too few to say" in rep.output
    assert "Of the 12 personas active there in the 2 weeks before, 1 were seen there again" in rep.output
    assert "no control group" in rep.output

    bad = runner.invoke(
        app,
        [
            *base,
            "add",
            "-g",
            "Atlantis",
            "-g",
            "Schiedam",
            "--date",
            "2999-01-01",
            "--kind",
            "raid",
            "--user",
            "Bo",
        ],
    )
    assert bad.exit_code == 1
    assert "'Atlantis'" in bad.output and "future" in bad.output and "control (controle)" in bad.output
    missing = runner.invoke(app, [*base, "report", "999"])
    assert missing.exit_code == 1 and "no intervention with id 999" in missing.output
    weeks = runner.invoke(app, [*base, "report", str(item.id), "--weeks", "0"])
    assert weeks.exit_code == 1 and "--weeks" in weeks.output
    gone = runner.invoke(app, [*base, "delete", str(item.id)])
    assert gone.exit_code == 0 and list_interventions(store) == []


def test_a_day_is_not_in_the_future_by_the_dutch_clock(store: Store) -> None:
    with pytest.raises(InterventionError):
        record_intervention(store, ["Schiedam"], TODAY + timedelta(days=1), "control", "Ans", today=TODAY)
    assert record_intervention(store, ["Schiedam"], TODAY, "control", "Ans", today=TODAY).day == TODAY
