"""The pure parts of the before/after comparison: windows, thresholds, classes and caveats."""

from __future__ import annotations

from datetime import date

import pytest

from zicht.analysis.counts import CountRow, CountTable
from zicht.analysis.displacement import (
    MIN_PERSONAS,
    MIN_WEEKLY_ADS,
    Caveat,
    GroupChange,
    Movement,
    WeekCount,
    caveats,
    classify,
    group_change,
    group_weeks,
    movement,
    pct_change,
    rest_of_units,
    too_few_ads,
    windows,
)
from zicht.web.displacement_text import caveat_texts

SCHIEDAM, VLAARDINGEN, ROTTERDAM = "GM0606", "GM0622", "GM0599"


def test_windows_are_whole_iso_weeks_around_the_intervention_week() -> None:
    # Friday 1 January 2027 lies in ISO week 53 of 2026; the windows cross the year boundary.
    w = windows(date(2027, 1, 1), 2)
    assert w.intervention_week == date(2026, 12, 28)
    assert w.before == (date(2026, 12, 14), date(2026, 12, 21))
    assert w.after == (date(2027, 1, 4), date(2027, 1, 11))
    assert w.before_days == (date(2026, 12, 14), date(2026, 12, 27))
    assert w.after_days == (date(2027, 1, 4), date(2027, 1, 17))
    # The DST change (Sunday 25 October 2026) is just a day of its week.
    assert windows(date(2026, 10, 25), 1).intervention_week == date(2026, 10, 19)
    for bad in (0, 27):
        with pytest.raises(ValueError, match="1 to 26"):
            windows(date(2026, 10, 14), bad)


def test_too_few_and_percentages() -> None:
    assert too_few_ads(MIN_WEEKLY_ADS - 0.1, 0) and not too_few_ads(0, MIN_WEEKLY_ADS)
    assert pct_change(0, 5) is None and pct_change(10, 5) == -50.0 and pct_change(4, 5) == 25.0


def test_a_persona_is_classified_by_the_first_class_that_applies() -> None:
    t, n = {SCHIEDAM}, {VLAARDINGEN}
    assert classify({SCHIEDAM, VLAARDINGEN}, t, n) == "same"
    assert classify({VLAARDINGEN, "GM0363"}, t, n) == "neighbour"
    assert classify({"GM0363", "onbekend"}, t, n) == "elsewhere"
    assert classify({"onbekend"}, t, n) == "unknown_place"
    assert classify(set(), t, n) == "not_seen"


def test_movement_follows_only_personas_seen_in_the_targets_before() -> None:
    before = {1: {SCHIEDAM}, 2: {SCHIEDAM, VLAARDINGEN}, 3: {VLAARDINGEN}}
    after = {1: {VLAARDINGEN}, 2: {SCHIEDAM}, 3: {ROTTERDAM}}
    m = movement(before, after, [SCHIEDAM], [VLAARDINGEN])
    assert m.tracked == 2 and m.moves["neighbour"] == 1 and m.moves["same"] == 1
    assert m.too_few and m.share("same") is None  # 2 < MIN_PERSONAS
    many = movement({p: {SCHIEDAM} for p in range(MIN_PERSONAS)}, {0: {VLAARDINGEN}}, [SCHIEDAM], [])
    assert not many.too_few and many.share("elsewhere") == pytest.approx(100 / MIN_PERSONAS)


def _row(code: str, start: date, active: int, new: int = 0) -> CountRow:
    return CountRow(code, code, "", start, active, new, 0, None, 0, 0, 0, None)


def test_groups_sum_gemeente_rows_and_compare_means() -> None:
    w = windows(date(2026, 10, 14), 2)
    starts = (*w.before, w.intervention_week, *w.after)
    rows = [_row(SCHIEDAM, s, a, 1) for s, a in zip(starts, (20, 10, 5, 4, 6), strict=True)]
    rows += [_row(VLAARDINGEN, s, 3) for s in starts]
    table = CountTable("gemeente", "week", starts[0], starts[-1], False, rows)
    both = group_weeks(table, [SCHIEDAM, VLAARDINGEN], starts)
    assert [x.active_ads for x in both] == [23, 13, 8, 7, 9] and both[0].personas is None
    g = group_change("target", (SCHIEDAM,), group_weeks(table, [SCHIEDAM], starts), w)
    assert (g.active_before, g.active_after, g.new_before, g.new_after) == (15.0, 5.0, 2, 2)
    assert g.active_change_pct == pytest.approx(-100 * 10 / 15) and not g.too_few
    # The data end in the first week after (the last crawl): the week beyond it is unknown, not zero,
    # so the after-mean is that one week's count, not half of it.
    cut = group_change(
        "target", (SCHIEDAM,), group_weeks(table, [SCHIEDAM], starts), w, (starts[0], starts[3])
    )
    assert (cut.active_before, cut.active_after) == (15.0, 4.0)
    # The data start in the second week before: the first is left out of the before-mean.
    late = group_change(
        "target", (SCHIEDAM,), group_weeks(table, [SCHIEDAM], starts), w, (starts[1], starts[4])
    )
    assert (late.active_before, late.active_after) == (10.0, 5.0)
    # No data at all after the intervention week: nothing after to compare with, not a fall to zero.
    none = group_change(
        "target", (SCHIEDAM,), group_weeks(table, [SCHIEDAM], starts), w, (starts[0], starts[2])
    )
    assert none.active_after == 0.0 and none.active_before == 15.0
    assert none.too_few and none.active_change_pct is None
    assert SCHIEDAM not in rest_of_units([SCHIEDAM], [VLAARDINGEN])
    assert ROTTERDAM in rest_of_units([SCHIEDAM], [VLAARDINGEN])


def _group(before: float, after: float, few: bool = False) -> GroupChange:
    return GroupChange(
        "x", (), (WeekCount("", date(2026, 1, 5), 0, 0, None),), before, after, 0, 0, None, few
    )


def test_caveats_say_what_applies_then_what_always_holds() -> None:
    w = windows(date(2026, 10, 14), 2)
    enough = Movement(12, {}, (), too_few=False)
    full = (date(2026, 1, 1), date(2026, 12, 31))
    plain = caveats(
        w,
        _group(20, 10),
        _group(100, 125),
        enough,
        personas_linked=True,
        neighbours_chosen=True,
        data_range=full,
    )
    assert [c.code for c in plain] == [
        "no_control_group",
        "seasonality",
        "ads_not_people",
        "unlinked_reappearance",
    ]
    assert plain[1] == Caveat("seasonality", {"pct": 25})

    worst = caveats(
        w,
        _group(2, 1, few=True),
        _group(0, 3),
        Movement(3, {}, (), too_few=True),
        personas_linked=False,
        neighbours_chosen=False,
        data_range=(date(2026, 10, 1), date(2026, 10, 20)),
        overlapping=[7, 9],
    )
    assert [c.code for c in worst][:7] == [
        "too_few_ads",
        "too_few_personas",
        "after_incomplete",
        "before_incomplete",
        "other_interventions",
        "personas_not_linked",
        "neighbours_approximate",
    ]
    values = {c.code: c.values for c in worst}
    assert values["after_incomplete"] == {"day": "2026-10-20", "of": 2}
    assert values["other_interventions"] == {"ids": "#7, #9"}
    assert values["seasonality"] == {"pct": None}
    # An empty store: both windows are incomplete.
    empty = caveats(
        w,
        _group(0, 0, True),
        _group(0, 0),
        enough,
        personas_linked=False,
        neighbours_chosen=True,
        data_range=None,
    )
    assert {"after_incomplete", "before_incomplete"} <= {c.code for c in empty}

    en = caveat_texts(worst, "en")
    assert en[0].startswith("Too few to say") and "#7, #9" in en[4]
    assert "no ads nationally before" in en[-3]
    nl = caveat_texts(plain, "nl")
    assert "+25%" in nl[1] and nl[0].startswith("Er is geen controlegroep")
