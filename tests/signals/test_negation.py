"""Negation: what cancels a match and, as important, what does not."""

from __future__ import annotations

import re

import pytest

from zicht.signals.catalogue import load_catalogue
from zicht.signals.engine import evaluate
from zicht.signals.negation import (
    LOOK_BACK_CHARS,
    Covered,
    clause_start,
    negation_after,
    negation_before,
    only_list_glue,
)

CATALOGUE = load_catalogue()
CUES = re.compile(r"(?<!\w)(?:geen|niet|no)(?!\w)")
AFTER = re.compile(r"[ \t:=\-–—>(?]{0,4}(?:nee|no)(?!\w)")


def _states(text: str, code: str = "UNPROTECTED_SERVICES") -> list[tuple[str, bool]]:
    return [
        (h.matched_text, h.negated) for h in evaluate("", text, None, CATALOGUE) if h.code == code and h.span
    ]


# ------------------------------------------------------------------------------------------ unit level


def test_clause_start_stops_at_breaks_and_the_look_back_limit():
    text = "Eerste zin. Tweede: derde"
    assert clause_start(text, text.index("derde")) == text.index(":") + 1
    assert clause_start(text, text.index("Tweede")) == text.index(".") + 1
    assert clause_start(text, 3) == 0
    long = "x" * 200
    assert clause_start(long, 200) == 200 - LOOK_BACK_CHARS


def test_covered_contains():
    cov = Covered([(0, 10), (5, 8), (20, 30)])
    assert cov.contains(0, 10) and cov.contains(6, 8) and cov.contains(21, 29)
    assert not cov.contains(9, 12) and not cov.contains(10, 20) and not cov.contains(31, 32)
    assert not Covered([]).contains(0, 1)


def test_cue_within_the_window_negates():
    text = "ik doe geen echt AV"
    start = text.index("AV")
    neg = negation_before(text, start, CUES, 2, Covered([(start, start + 2)]))
    assert neg is not None and (neg.cue, neg.where) == ("geen", "before")


def test_cue_too_far_away_does_not_negate():
    text = "geen zin in lange verhalen maar wel AV"
    start = text.index("AV")
    assert negation_before(text, start, CUES, 2, Covered([(start, start + 2)])) is None


def test_comma_ends_a_cue_unless_only_matched_phrases_stand_between():
    text = "geen haast, AV"
    start = text.index("AV")
    assert negation_before(text, start, CUES, 2, Covered([(start, start + 2)])) is None
    text = "geen bbbj, AV"
    start = text.index("AV")
    covered = Covered([(5, 9), (start, start + 2)])
    assert negation_before(text, start, CUES, 2, covered) is not None


def test_cue_inside_a_matched_phrase_is_content_not_negation():
    text = "geen taboes, alles kan"
    start = text.index("alles")
    assert negation_before(text, start, CUES, 2, Covered([(0, 11), (start, len(text))])) is None


def test_negation_after():
    assert negation_after("AV: nee", 2, AFTER).cue == "nee"
    assert negation_after("AV nee", 2, AFTER).where == "after"
    assert negation_after("AV mogelijk, nee", 2, AFTER) is None


def test_list_glue():
    cov = Covered([(0, 2), (4, 12)])
    assert only_list_glue("AV, bareback of BBBJ", 12, 16, cov)
    assert not only_list_glue("AV. bareback", 2, 4, cov)
    assert not only_list_glue("AV met plezier bareback", 2, 15, cov)


# ------------------------------------------------------------------------------------------ in the engine


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Geen AV, bareback of BBBJ.", [("AV", True), ("bareback", True), ("BBBJ", True)]),
        ("Geen AV. Bareback wel.", [("AV", True), ("Bareback", False)]),
        ("Geen haast, pijpen zonder condoom", [("pijpen zonder condoom", False)]),
        ("Nooit zonder condoom", [("zonder condoom", True)]),
        ("Niet zonder condoom!", [("zonder condoom", True)]),
        ("Altijd met condoom, behalve AV", [("AV", False)]),
        ("AV: nee, BBBJ: ja", [("AV", True), ("BBBJ", False)]),
        ("AV ❌ BBBJ ✅", [("AV", True), ("BBBJ", False)]),
        ("AV (altijd met condoom)", [("AV", True)]),
        ("Bareback no problem", [("Bareback", False)]),
        ("Bareback? Never!", [("Bareback", True)]),
        ("no condom needed", [("no condom", False)]),
        ("No condom? No way, no bareback", [("No condom", True), ("bareback", True)]),
        ("no BBBJ bareback", [("BBBJ", True), ("bareback", True)]),
        ("not available 24/7 bareback possible", [("bareback", False)]),
    ],
)
def test_unprotected_services_negation(text, expected):
    assert _states(text) == expected


def test_negation_reaches_across_indicators_in_one_list():
    hits = [
        (h.code, h.matched_text, h.negated)
        for h in evaluate("", "Geen AV, gangbang of kaviaar.", None, CATALOGUE)
    ]
    assert hits == [
        ("UNPROTECTED_SERVICES", "AV", True),
        ("EXTREME_SERVICES", "gangbang", True),
        ("EXTREME_SERVICES", "kaviaar", True),
    ]


def test_a_cue_belongs_to_the_nearer_phrase_of_another_indicator():
    assert _states("no BBBJ Echte foto's", "TRUST_LANGUAGE") == [("Echte foto's", False)]
    assert _states("Geen AV hotel", "HOTEL_OR_TEMP_LOCATION") == [("hotel", False)]


def test_positive_phrases_that_start_with_a_cue_word_stay_positive():
    assert _states("Geen taboes, alles kan", "EXTREME_SERVICES") == [
        ("Geen taboes", False),
        ("alles kan", False),
    ]
    assert _states("Geen nep, 100% echt", "TRUST_LANGUAGE") == [("Geen nep", False), ("100% echt", False)]
    assert _states("Geen anonieme nummers", "RESTRICTED_CONTACT") == [("Geen anonieme nummers", False)]


def test_a_spoken_language_cancels_an_origin_word():
    assert _states("Ik spreek Roemeens", "STATED_ORIGIN") == [("Roemeens", True)]
    assert _states("Roemeense dame, ik spreek Engels", "STATED_ORIGIN") == [("Roemeense", False)]


def test_negated_hits_say_which_cue_cancelled_them():
    (hit,) = [h for h in evaluate("", "Geen AV", None, CATALOGUE) if h.code == "UNPROTECTED_SERVICES"]
    assert hit.negation_cue == "geen"
    assert "negated by 'geen'" in hit.reason and "ontkend door 'geen'" in hit.reason_nl


# ------------------------------------------------------------------------------------------ line breaks


def test_clause_start_stops_at_a_line_break_right_before_the_position():
    text = "zoenen niet\nav wel"
    assert clause_start(text, text.index("av")) == text.index("\n") + 1
    assert clause_start("geen\n", 5) == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kissing: no\nBBBJ possible", [("BBBJ", False)]),
        ("Zoenen: niet\nAV mogelijk", [("AV", False)]),
        ("Geen haast\nBareback mogelijk", [("Bareback", False)]),
        ("Geen haast\r\nBareback mogelijk", [("Bareback", False)]),
        ("Geen AV\nbareback", [("AV", True), ("bareback", False)]),
        ("Zoenen\nGeen AV", [("AV", True)]),
    ],
)
def test_a_line_break_ends_the_reach_of_a_cue(text, expected):
    assert _states(text) == expected


def test_a_service_checklist_item_does_not_negate_the_next_item():
    hits = evaluate("", "", None, CATALOGUE, services=["Geen haast", "Bareback"])
    assert [(h.matched_text, h.negated) for h in hits if h.span] == [("Bareback", False)]
    hits = evaluate("", "", None, CATALOGUE, services=["Geen AV", "Zoenen"])
    assert [(h.matched_text, h.negated) for h in hits if h.span] == [("AV", True)]


# ------------------------------------------------------------------------------------------ commas


@pytest.mark.parametrize(
    ("text", "code", "expected"),
    [
        ("Kussen niet, BBBJ wel", "UNPROTECTED_SERVICES", [("BBBJ", False)]),
        ("Roken niet, bareback wel", "UNPROTECTED_SERVICES", [("bareback", False)]),
        ("Drugs nooit, AV wel mogelijk", "UNPROTECTED_SERVICES", [("AV", False)]),
        ("Kussen niet, AV mogelijk", "UNPROTECTED_SERVICES", [("AV", False)]),
        ("Bellen niet, alleen WhatsApp", "RESTRICTED_CONTACT", [("alleen WhatsApp", False)]),
        (
            "Geen AV, bareback of BBBJ",
            "UNPROTECTED_SERVICES",
            [("AV", True), ("bareback", True), ("BBBJ", True)],
        ),
        ("Geen AV, BBBJ wel", "UNPROTECTED_SERVICES", [("AV", True), ("BBBJ", False)]),
        # "wel" that starts the next item does not take back the negation of the one before it
        ("Geen AV wel BBBJ", "UNPROTECTED_SERVICES", [("AV", True), ("BBBJ", False)]),
        ("Geen bareback ja echt niet", "UNPROTECTED_SERVICES", [("bareback", True)]),
    ],
)
def test_a_cue_before_a_comma_belongs_to_what_came_before(text, code, expected):
    assert _states(text, code) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kussen niet BBBJ wel", [("BBBJ", False)]),
        ("geen AV: ja", [("AV", False)]),
        ("no bareback: yes", [("bareback", False)]),
        ("Geen AV mogelijk", [("AV", True)]),  # "mogelijk" after "geen AV" does not affirm
        ("Geen AV graag", [("AV", True)]),  # "no AV, please"
        ("AV: nee", [("AV", True)]),
    ],
)
def test_an_affirmation_right_after_a_match_cancels_a_cue_before_it(text, expected):
    assert _states(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "negated"),
    [
        ("Ik werk nooit met twee dames tegelijk", "MULTIPLE_WORKERS", True),
        ("I never work with two girls", "MULTIPLE_WORKERS", True),
        ("Nooit 2 meiden tegelijk", "MULTIPLE_WORKERS", True),
        ("Geen probleem: 2 meiden tegelijk", "MULTIPLE_WORKERS", False),
        ("never real pics", "TRUST_LANGUAGE", True),
        ("AV: niet", "UNPROTECTED_SERVICES", True),
        ("Kaviaar: niet", "EXTREME_SERVICES", True),
        ("Nooit tieners", "YOUTH_EMPHASIS", True),
        ("Nooit nieuw in Breda", "NEW_IN_TOWN", True),
    ],
)
def test_nooit_and_never_negate(text, code, negated):
    states = _states(text, code)
    assert states and all(n is negated for _, n in states), states
