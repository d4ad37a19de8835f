"""Stated ages: found with their span, only when said as an age, only 18–79."""

from __future__ import annotations

import pytest

from zicht.extract.ages import find_ages, parse_declared_age


@pytest.mark.parametrize(
    ("text", "age", "said"),
    [
        ("Hoi, ik ben Mila, 23 jaar.", 23, "23 jaar"),
        ("Mila 23jr uit Breda", 23, "23jr"),
        ("Mila, 23 jr. nieuw", 23, "23 jr."),
        ("ik ben 23 en nieuw hier", 23, "ik ben 23"),
        ("Net 18 en heel lief", 18, "Net 18"),
        ("Sweet girl, 23 years old", 23, "23 years old"),
        ("age: 23", 23, "age: 23"),
        ("Leeftijd: 31", 31, "Leeftijd: 31"),
        ("lft 45, ervaren dame", 45, "lft 45"),
        ("Lisa 23yo", 23, "23yo"),
        ("Lisa 23 y/o", 23, "23 y/o"),
        ("Lisa (27 y.o.)", 27, "27 y.o."),
        ("Een 25-jarige studente", 25, "25-jarige"),
        ("I'm 29 and new in town", 29, "I'm 29"),
        ("ben pas 19", 19, "ben pas 19"),
        ("Ik ben tweeëntwintig jaar", 22, "tweeëntwintig jaar"),
        ("ik ben tweeentwintig jaar", 22, "tweeentwintig jaar"),
        ("I'm twenty-two years old", 22, "twenty-two years old"),
        ("Rijpe dame van 79 jaar", 79, "79 jaar"),
        ("Age 18. 3 girls available", 18, "Age 18"),  # a sentence ends after the age
    ],
)
def test_stated_ages(text, age, said):
    found = find_ages(text)
    assert [a for a, _ in found] == [age]
    span = found[0][1]
    assert span.text == said == text[span.start : span.end]


@pytest.mark.parametrize(
    "text",
    [
        "30 min €100, 1 uur 150",  # prices and durations
        "Beschikbaar 24/7, ben 24 uur bereikbaar",
        "ik ben 24/7 beschikbaar",
        "ik ben 24 / 7 beschikbaar",
        "bel 0612345678 of 06-23456789",  # phone digits
        "van 10:00 tot 23:00 uur",  # times
        "ik ben 170 cm en 55 kg",  # measurements
        "ik ben 36DD",  # cup size glued on
        "ik ben 25 km van Breda",
        "€25 jaar",  # a price
        "20 jaar ervaring",  # a duration, not an age
        "al 20 jaar in het vak",
        "sinds 25 jaar getrouwd",
        "ik ben 16 jaar",  # below 18: for a person to read in the text, not for a number to assert
        "net 17",
        "ben 85 jaar",  # above 79
        "ik ben 18+",  # an adults-only notice
        "postcode 1234 AB, huisnummer 23",
        "Tweeëntwintig euro",
        "",
    ],
)
def test_no_age(text):
    assert find_ages(text) == []


def test_several_ages_in_order_without_double_counting():
    text = "Ik ben 23 jaar. Mijn vriendin is 25 jaar. Leeftijd: 23"
    found = find_ages(text)
    assert [a for a, _ in found] == [23, 25, 23]
    starts = [s.start for _, s in found]
    assert starts == sorted(starts) and len(set(starts)) == 3


@pytest.mark.parametrize(
    ("value", "age"),
    [
        ("23", 23),
        (" 23 ", 23),
        ("23 jaar", 23),
        ("23 jr.", 23),
        ("23+", 23),
        ("Leeftijd: 23", 23),
        ("23 years", 23),
        (23, 23),
        ("tweeëntwintig", 22),
        ("18", 18),
        ("79", 79),
        ("17", None),
        ("80", None),
        ("18-25", None),
        ("1999", None),
        ("abc", None),
        ("", None),
        (None, None),
        (True, None),
        (23.5, None),
        ("2" * 1000, None),
    ],
)
def test_declared_age(value, age):
    assert parse_declared_age(value) == age


@pytest.mark.parametrize(
    "text",
    [
        "23 jaar " * 20_000,
        "1" * 300_000,
        "24/" * 100_000,
        "ik ben " * 50_000,
        " " * 300_000 + "23",
        "twintig " * 40_000,
        "\x00\x1f\u202e" * 50_000,
        "😀" * 100_000,
    ],
)
def test_hostile_text_is_bounded(text):
    first = find_ages(text)
    assert first == find_ages(text)
    assert all(18 <= a <= 79 for a, _ in first)
