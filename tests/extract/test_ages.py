"""Stated ages: found with their span, only when said as an age and about the advertiser, 12–79."""

from __future__ import annotations

import pytest

from zicht.extract.ages import find_ages, is_below_adult, parse_declared_age


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
        "ik ben 11 jaar",  # below 12: not read as an age
        "net 17 euro",  # below 18 a weak marker needs the number to end the phrase
        "only 16 left",
        "net 15 minuten",
        "17 jaar ervaring",
        "al 16 jaar in het vak",
        "mijn dochter van 15 jaar",  # a child's age, not the advertiser's
        "Reviews (23)",  # a count in brackets
        "Foto's (12)",
        "Anna (16)",  # brackets alone are too weak below 18
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
        ("17", 17),  # below 18 is read (and flagged by is_below_adult), never dropped
        ("12", 12),
        ("zeventien", 17),
        ("11", None),
        ("23 jaar oud", 23),
        ("23 years old", 23),
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
    assert all(12 <= a <= 79 for a, _ in first)


@pytest.mark.parametrize(
    ("text", "age", "said"),
    [
        ("Hoi, ik ben Anna, 17 jaar.", 17, "17 jaar"),
        ("net 17", 17, "net 17"),
        ("Net 16!", 16, "Net 16"),
        ("ik ben zestien jaar", 16, "zestien jaar"),
        ("I'm 15 and new", 15, "I'm 15"),
        ("leeftijd: 14", 14, "leeftijd: 14"),
        ("just turned 18", 18, "just turned 18"),
        ("Anna (22) nieuw in Breda", 22, "22"),
        ("Lief meisje (19)", 19, "19"),
        ("ik ben 23 jaar oud", 23, "23 jaar oud"),
        ("Hallo heren, ik ben 23 jaar", 23, "23 jaar"),  # a greeting to clients is no client age
        ("student van 20 jaar", 20, "20 jaar"),
    ],
)
def test_young_and_other_stated_ages(text, age, said):
    found = find_ages(text)
    assert [(a, s.text) for a, s in found] == [(age, said)]
    assert is_below_adult(age) == (age < 18)


@pytest.mark.parametrize(
    "text",
    [
        "Heren vanaf 40 jaar welkom",
        "Ik ontvang alleen heren tot 60 jaar",
        "klanten boven de 40 jaar",
        "min leeftijd klant 25 jaar",
        "min. leeftijd: 25",
        "van 30 tot 60 jaar",
        "heren tussen 30 en 60 jaar",
        "mannen van 50 jaar en ouder",
        "40 jaar of ouder",
        "men over 40 welcome",
        "clients 30+",
        "gentlemen aged 35 years and up",
        "v.a. 21 jaar",
        "heren ouder dan 30 jaar",
    ],
)
def test_client_ages_are_not_the_advertisers(text):
    assert find_ages(text) == []


def test_client_age_next_to_own_age_keeps_only_own():
    found = find_ages("Ik ben 23 jaar. Heren vanaf 40 jaar welkom, tot 60 jaar.")
    assert [a for a, _ in found] == [23]


def test_is_below_adult():
    assert [is_below_adult(a) for a in (None, 12, 17, 18, 40)] == [False, True, True, False, False]
