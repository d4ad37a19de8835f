"""Hours and 24/7, languages, stated origin, reception type."""

from __future__ import annotations

import pytest

from zicht.extract.profile import (
    LANGUAGES,
    ORIGINS,
    RECEPTION_TYPES,
    find_languages,
    hours_readable,
    parse_hours,
    parse_origin,
    parse_reception,
)

# --- hours ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Beschikbaar 24/7!", "24/7"),
        ("24 / 7 bereikbaar", "24 / 7"),
        ("dag en nacht bereikbaar", "dag en nacht"),
        ("Altijd beschikbaar voor jou", "Altijd beschikbaar"),
        ("24 uur per dag", "24 uur per dag"),
        ("available anytime", "available anytime"),
        ("Ik ben non-stop open", "non-stop"),
        ("Day and night for you", "Day and night"),
    ],
)
def test_around_the_clock(text, said):
    hours = parse_hours(None, text)
    assert hours.available_247 is True
    assert hours.span.text == said == text[hours.span.start : hours.span.end]


@pytest.mark.parametrize(
    "text", ["ma-vr 10:00 - 22:00", "2-3 meiden", "1-2 dagen", "24 jaar", "Bel me 's avonds", ""]
)
def test_not_around_the_clock(text):
    assert parse_hours(None, text).available_247 is False


def test_hours_from_the_field_or_the_text():
    assert parse_hours(" Ma t/m Vr  10:00-22:00 ", "").hours == "Ma t/m Vr 10:00-22:00"
    assert parse_hours(None, "Open van 10:00 - 22:00 en za 12:00-18:00").hours == "10:00 - 22:00; 12:00-18:00"
    assert parse_hours(None, "Van 10 tot 2 uur").hours == "10 tot 2 uur"
    assert parse_hours(None, "2-3 meiden").hours is None
    assert parse_hours("00:00 - 24:00", "").available_247 is True
    assert parse_hours("10:00 - 22:00", "").available_247 is False


# --- languages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Ik spreek Engels, Nederlands en een beetje Duits.", ["de", "en", "nl"]),
        ("Talen: NL/EN/DE", ["de", "en", "nl"]),
        ("I speak English and Spanish", ["en", "es"]),
        ("Spreek ook Roemeens. Ik ben lief.", ["ro"]),
        ("Frans en Grieks zijn mijn favoriet", []),  # service names, no cue
        ("Thais massage", []),
        ("Ik ben Mila", []),
        ("Ik spreek Nederlands en Duits.", ["de", "nl"]),  # "en" is "and" here, not English
        ("Ik spreek de taal: Roemeens", ["ro"]),  # "de" is "the", not German
    ],
)
def test_languages_in_text(text, codes):
    assert find_languages(text) == codes


def test_languages_from_a_declared_field():
    assert find_languages("", "Engels, Spaans") == ["en", "es"]
    assert find_languages(None, "Talen: NL, ENG") == ["en", "nl"]
    assert all(len(code) in (2, 3) for code in LANGUAGES)


# --- origin --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "said"),
    [
        ("Mooie Roemeense dame, nieuw in Breda", "RO", "Roemeense"),
        ("Sweet girl from Venezuela", "VE", "Venezuela"),
        ("Hete Latina", "latin_america", "Latina"),
        ("Ik ben een Oost-Europese schoonheid", "eastern_europe", "Oost-Europese"),
        ("Afkomst: Poolse", "PL", "Poolse"),
        ("Braziliaanse trans in Amsterdam", "BR", "Braziliaanse"),
        ("Nederlandse meid, 100% echt", "NL", "Nederlandse"),
    ],
)
def test_origin_in_text(text, code, said):
    origin = parse_origin(None, text)
    assert origin.code == code and origin.declared is False
    assert origin.span.text == said == text[origin.span.start : origin.span.end]


@pytest.mark.parametrize(
    "text",
    [
        "Thaise massage",  # a massage style
        "Spaans en Engels spreek ik",  # languages
        "Franse slag, Griekse salade",  # no person
        "Europese kwaliteit",
        "",
    ],
)
def test_no_origin(text):
    assert parse_origin(None, text).code is None


@pytest.mark.parametrize(
    ("declared", "code"),
    [
        ("Latijns-Amerikaans", "latin_america"),
        ("Oost-Europees", "eastern_europe"),
        ("Nederlands", "NL"),
        ("Roemeense", "RO"),
        ("Aziatisch", "asia"),
        ("  Spaans ", "ES"),
    ],
)
def test_declared_origin(declared, code):
    origin = parse_origin(declared, "Mooie Poolse dame")
    assert (origin.code, origin.declared, origin.unread) == (code, True, None)


def test_declared_origin_not_in_the_vocabulary_is_kept_for_the_analyst():
    origin = parse_origin("Marsmannetje", "")
    assert (origin.code, origin.unread) == (None, "Marsmannetje")
    assert parse_origin("Anders", "").unread is None


def test_origin_codes_are_country_codes_or_regions():
    for code in ORIGINS:
        is_country = len(code) == 2 and code.isupper()
        is_region = code.islower() and code.replace("_", "").isalpha()
        assert is_country or is_region, code


# --- reception -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "declared", "text", "expected"),
    [
        ("https://www.kinky.nl/prive-ontvangst/123", None, "", "prive_ontvangst"),
        ("https://sexjobs.nl/escort/abc", None, "", "escort"),
        ("https://x.nl/erotische-massage/1", None, "", "erotische_massage"),
        ("https://x.nl/ad/1", "Privé ontvangst", "escort", "prive_ontvangst"),
        ("https://x.nl/ad/1", "Thuisontvangst", "", "thuisontvangst"),
        ("https://x.nl/ad/1", "erotische-massage", "", "erotische_massage"),
        ("https://x.nl/ad/1", None, "Ik ontvang je bij mij thuis", "thuisontvangst"),
        ("", None, "Escort naar hotel of bij jou thuis", "escort"),
        ("", None, "Ik kom naar je hotel", "hotel"),
        ("", None, "Lekkere massage", "massage"),
        ("", None, "Hallo heren", None),
        (None, None, None, None),
        ("http://[::1", None, "", None),  # a broken URL
    ],
)
def test_reception(url, declared, text, expected):
    result = parse_reception(url, declared, text)
    assert result == expected
    assert result is None or result in RECEPTION_TYPES


@pytest.mark.parametrize(
    "text",
    [
        "24/" * 100_000,
        "van 10" + " " * 200_000 + "x",
        "oost" + " " * 200_000 + "europese dame",
        "ik spreek " * 30_000,
    ],
)
def test_hostile_text_is_bounded(text):
    assert parse_hours(None, text) == parse_hours(None, text)
    assert find_languages(text) == find_languages(text)
    assert parse_origin(None, text) == parse_origin(None, text)
    assert parse_reception(text, text[:100], text) == parse_reception(text, text[:100], text)


@pytest.mark.parametrize(
    ("value", "readable"),
    [
        ("10:00 - 22:00", True),
        ("ma t/m vr", True),
        ("24/7", True),
        ("op afspraak", True),
        ("Werktijden: zaterdag en zondag", True),
        ("zzz", False),
        ("2-3", False),
        ("", False),
        (None, False),
    ],
)
def test_declared_hours_readable(value, readable):
    assert hours_readable(value) is readable


@pytest.mark.parametrize(
    ("text", "code", "said"),
    [
        ("Afkomst: Bulgaars", "BG", "Bulgaars"),
        ("Nationaliteit: Roemeens.", "RO", "Roemeens"),
        ("Oost-Europese", "eastern_europe", "Oost-Europese"),
        ("Nieuw!\nRoemeense, 23 jaar", "RO", "Roemeense"),
    ],
)
def test_origin_after_a_label_or_standing_alone(text, code, said):
    origin = parse_origin(None, text)
    assert origin.code == code and origin.span is not None and origin.span.text == said


@pytest.mark.parametrize(
    "text",
    ["Afkomst: onbekend", "Ik hou van Spaanse", "De Spaanse, Franse en Thaise keuken", "Thaise massage"],
)
def test_no_origin_from_a_label_without_value_or_a_dish(text):
    assert parse_origin(None, text).code is None
