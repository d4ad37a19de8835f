"""Phone extraction: every supported way of writing a number, and every look-alike that is not one."""

from __future__ import annotations

import random
from pathlib import Path

import phonenumbers
import pytest
import yaml
from time_budget import bounded, within

from zicht.extract.phones import PHONES_VERSION, find_phones, normalise_declared_phone

HARD_CASES = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "phones_hard_cases.yaml").read_text("utf-8")
)


def values(text: str, region: str = "NL") -> list[str]:
    return [c.value for c in find_phones(text, region)]


@pytest.mark.parametrize("case", HARD_CASES, ids=[c["id"] for c in HARD_CASES])
def test_hard_cases(case):
    found = find_phones(case["text"])
    assert [c.value for c in found] == case["expected"]
    if "obscured" in case:
        assert [c.obscured for c in found] == [case["obscured"]] * len(found)
    for contact in found:
        assert case["text"][contact.span.start : contact.span.end] == contact.span.text


def test_hard_cases_are_enough_and_distinct():
    assert len(HARD_CASES) >= 40
    assert len({c["id"] for c in HARD_CASES}) == len(HARD_CASES)
    assert sum(1 for c in HARD_CASES if not c["expected"]) >= 5


@pytest.mark.parametrize(
    "written",
    [
        "0612345678",
        "06-12345678",
        "06-12 34 56 78",
        "06 12 34 56 78",
        "06.123.456.78",
        "06.12.34.56.78",
        "(06) 1234 5678",
        "(0)6 1234 5678",
        "0 6 1 2 3 4 5 6 7 8",
        "06*12*34*56*78",
        "06~1234~5678",
        "06_1234_5678",
        "06/12345678",
        "06 - 1234 5678",
        "06 - 12.34.56.78",
        "+31612345678",
        "+31 6 12345678",
        "+31 (0)6 1234 5678",
        "+31(0)612345678",
        "+316-12345678",
        "0031612345678",
        "0031 6 1234 5678",
        "00 31 6 12 34 56 78",
        "31612345678",
        "31 6 12345678",
    ],
)
def test_nl_mobile_written_every_way(written):
    assert values(f"Hoi! Bel me op {written} voor een afspraak.") == ["+31612345678"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("010-1234567", "+31101234567"),
        ("010 123 4567", "+31101234567"),
        ("020-7654321", "+31207654321"),
        ("043 123 4567", "+31431234567"),
        ("0431-234567", "+31431234567"),
        ("(030) 123 45 67", "+31301234567"),
        ("0591-123456", "+31591123456"),
        ("085 123 4567", "+31851234567"),
        ("088-1234567", "+31881234567"),
        ("097012345678", "+3197012345678"),
        ("0900-1234567", "+319001234567"),
        ("+31 20 123 4567", "+31201234567"),
    ],
)
def test_nl_landlines_and_service_numbers(written, expected):
    assert values(f"Vaste lijn: {written}, bel gerust") == [expected]


@pytest.mark.parametrize(
    ("written", "expected", "country"),
    [
        ("+40 712 345 678", "+40712345678", "RO"),
        ("0040 712 345 678", "+40712345678", "RO"),
        ("+40-712-345-678", "+40712345678", "RO"),
        ("+34 612 34 56 78", "+34612345678", "ES"),
        ("+57 310 123 4567", "+573101234567", "CO"),
        ("+58 412-1234567", "+584121234567", "VE"),
        ("+359 88 123 4567", "+359881234567", "BG"),
        ("00359881234567", "+359881234567", "BG"),
        ("+48 512 345 678", "+48512345678", "PL"),
        ("+380 50 123 4567", "+380501234567", "UA"),
        ("+32 470 12 34 56", "+32470123456", "BE"),
        ("+32 (0)470 12 34 56", "+32470123456", "BE"),
        ("+49 151 23456789", "+4915123456789", "DE"),
        ("+49 (0)151 23456789", "+4915123456789", "DE"),
        ("+33 6 12 34 56 78", "+33612345678", "FR"),
        ("+36 20 123 4567", "+36201234567", "HU"),
        ("+420 601 123 456", "+420601123456", "CZ"),
        ("+55 11 91234 5678", "+5511912345678", "BR"),
        ("+55*11*91234*5678", "+5511912345678", "BR"),
        ("+44 7400 123456", "+447400123456", "GB"),
        ("+1 201 555 0123", "+12015550123", "US"),
    ],
)
def test_foreign_numbers(written, expected, country):
    found = find_phones(f"New girl, call {written} anytime")
    assert [(c.value, c.country) for c in found] == [(expected, country)]


def test_foreign_number_without_country_code_uses_default_region():
    assert values("Bel 0470 12 34 56", "BE") == ["+32470123456"]
    assert values("Bel 0612345678", "BE") == []


@pytest.mark.parametrize(
    "text",
    [
        "€150",
        "150,-",
        "100 euro",
        "1 uur 150 2 uur 250",
        "€ 1.250",
        "€ 1.250,00 per nacht",
        "30 min 80, 60 min 150, 90 min 220",
        "10:00-22:00",
        "10.00 - 02.00 uur",
        "van 10 tot 22",
        "09.00-12.00 13.00-17.00",
        "08.00-12.00 13.00-17.00",
        "05.00-12.00 13.00-17.00",
        "0900-1700",
        "12-03-2026",
        "12/03/2026",
        "2026-03-12",
        "05-03-2026 10.00",
        "6211 AB",
        "6211AB",
        "90-60-90",
        "cup 75C",
        "1.70m",
        "170 cm",
        "58 kg",
        "maat 36",
        "23 jaar",
        "net 18",
        "Straat 12a",
        "24/7",
        "sinds 2019",
        "advertentie 123456789012",
        "ID 0612345678012",
        "12345678901234567890",
        "0123456789",
        "16-07 08-09 9718 GH",
        "03-06 / 19-07 / 83,-",
        "04-12\n96-73-81",
        "van 13 tot 0 - 599614654 - 5657AB",
        "14020",
        "bel 14 020",
        "0800-1234",
    ],
)
def test_look_alikes_are_not_phones(text):
    assert values(f"Info: {text} groetjes") == []


def test_span_points_into_original_text():
    text = "Bel 📞 0️⃣6️⃣ １２３４ 5678 of O6-l2345678!"
    found = find_phones(text, unique=False)
    assert [c.value for c in found] == ["+31612345678", "+31612345678"]
    first, second = found
    assert first.span.text == "0️⃣6️⃣ １２３４ 5678"
    assert text[first.span.start : first.span.end] == first.span.text
    assert second.span.text == "O6-l2345678"


def test_bracket_is_part_of_the_span():
    [contact] = find_phones("bel (06) 1234 5678 nu")
    assert contact.span.text == "(06) 1234 5678"


def test_obscured_only_when_written_to_evade_search():
    plain = ["06-12345678", "06 12 34 56 78", "(06) 1234 5678", "+31 6 1234 5678", "06.123.456.78"]
    evasive = [
        "06*12*34*56*78",
        "06~1234~5678",
        "0 6 1 2 3 4 5 6 7 8",
        "O6-l2345678",
        "nul zes een twee drie vier vijf zes zeven acht",
        "0️⃣6️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣",
        "０６１２３４５６７８",
        "06-1234\n5678",
    ]
    for written in plain:
        assert [c.obscured for c in find_phones(f"bel {written} nu")] == [False], written
    for written in evasive:
        assert [c.obscured for c in find_phones(f"bel {written} nu")] == [True], written


def test_unique_keeps_first_occurrence_and_all_occurrences_on_request():
    text = "06-12345678 en 0687654321 en nogmaals 06 12 34 56 78"
    assert values(text) == ["+31612345678", "+31687654321"]
    every = find_phones(text, unique=False)
    assert [c.value for c in every] == ["+31612345678", "+31687654321", "+31612345678"]
    assert every[2].span.text == "06 12 34 56 78"


def test_source_is_passed_through():
    [contact] = find_phones("0612345678", source="title")
    assert contact.source == "title"
    assert contact.kind == "phone"


def test_english_tens_are_combined_with_a_following_unit():
    assert values("zero six twelve thirty-four fifty six seventy eight") == ["+31612345678"]
    assert values("zero six one two thirty four five six seven eight") == ["+31612345678"]


def test_number_word_spelling_agrees_with_text2num():
    """Our own word table (text2num leaves "nul", "een", "twee" as words, and we need spans per word)
    spells 3..99 exactly as text2num reads them, in Dutch and in English."""
    from text_to_num import alpha2digit

    from zicht.extract.phone_formats import dutch_number_word, english_number_word

    for value in range(3, 100):
        assert alpha2digit(dutch_number_word(value), "nl") == str(value)
        assert alpha2digit(english_number_word(value), "en") == str(value)


def test_every_dutch_number_word_is_read():
    from zicht.extract.phone_formats import dutch_number_word

    for value in range(10, 100):
        text = f"nul zes een {dutch_number_word(value)} 45678"
        assert values(text) == [f"+3161{value}45678"], text


def test_words_that_are_also_numbers_do_not_leak_into_numbers():
    assert values("Ik ben een 06 12345678 type meid") == ["+31612345678"]
    assert values("een lieve meid van 23, vier uur beschikbaar") == []


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("06-12345678", "+31612345678"),
        ("+31 6 1234 5678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("(06) 12345678", "+31612345678"),
        ("+40 712 345 678", "+40712345678"),
        ("06-12345678 (whatsapp)", "+31612345678"),
        ("0900-1234", "+319001234"),
        ("nul zes een twee drie vier vijf zes zeven acht", "+31612345678"),
        ("", None),
        ("geen", None),
        ("12345", None),
        ("06-BELMIJ", None),
    ],
)
def test_normalise_declared_phone(declared, expected):
    assert normalise_declared_phone(declared) == expected


def test_normalise_declared_phone_uses_region():
    assert normalise_declared_phone("0470 12 34 56", "BE") == "+32470123456"


def test_results_are_valid_e164_with_country():
    text = "06-12345678, +40 712 345 678, 010-1234567, 0031 6 87654321"
    for contact in find_phones(text):
        number = phonenumbers.parse(contact.value, None)
        assert phonenumbers.is_valid_number(number)
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == contact.value
        assert contact.country == phonenumbers.region_code_for_number(number)


def test_version_is_a_non_empty_string():
    assert isinstance(PHONES_VERSION, str) and PHONES_VERSION


# --- hostile input: work is bounded by design; each call has a generous time budget ----------------
# (tests/time_budget.py): a catastrophic regex fails the test instead of hanging it.


def _zero_flood() -> str:
    return "0 " * 100_000


def _noise_with_a_number() -> str:
    rng = random.Random(7)
    noise = "".join(
        rng.choice("0123456789") + rng.choice(("", " ", "-", ".", "/", "~")) for _ in range(250_000)
    )
    return noise + " bel 06-12345678 nu " + noise


def _emoji_rtl_controls() -> str:
    return (
        "😘💋🔥" * 20_000
        + "\u202e"
        + "مرحبا " * 5_000
        + "".join(chr(c) for c in range(32)) * 2_000
        + "bel 0612345678 nu"
        + "\u200d\ufe0f\u20e3" * 20_000
    )


def test_adversarial_zero_flood():
    assert bounded(find_phones, _zero_flood()) == []


def test_adversarial_digits_and_separators_with_a_planted_number():
    text = _noise_with_a_number()
    found = bounded(find_phones, text, unique=False)
    assert "+31612345678" in [c.value for c in found]
    for contact in found:
        assert text[contact.span.start : contact.span.end] == contact.span.text
        assert phonenumbers.is_valid_number(phonenumbers.parse(contact.value, None))


def test_adversarial_single_megabyte_digit_run():
    assert bounded(find_phones, "7" * 1_000_000) == []


def test_adversarial_emoji_rtl_and_control_characters():
    assert [c.value for c in bounded(find_phones, _emoji_rtl_controls())] == ["+31612345678"]


def test_adversarial_plus_and_word_floods():
    assert bounded(find_phones, "+" * 100_000) == []
    assert [c.value for c in bounded(find_phones, "nul zes " * 20_000)] == []
    assert bounded(find_phones, "OlOlIo0 " * 30_000) == []
    assert bounded(find_phones, "zes een " * 30_000) == []
    assert bounded(find_phones, "0900-1700 " * 50_000) == []
    assert bounded(find_phones, "06 - 12.34/" * 50_000) == []
    assert bounded(find_phones, "06 12\n34\n\n" * 50_000) == []


def test_all_hostile_inputs_together_stay_within_a_budget():
    """The per-call budget catches a hang; this one a general slowdown: all hostile inputs above take
    some 4 s together on an idle machine; five times that means a regression (or a sleeping mutant)."""
    texts = [
        _zero_flood(),
        _noise_with_a_number(),
        "7" * 1_000_000,
        _emoji_rtl_controls(),
        "+" * 100_000,
        "nul zes " * 20_000,
        "OlOlIo0 " * 30_000,
    ]
    with within(20, "find_phones over all hostile inputs"):
        for text in texts:
            find_phones(text)


def test_minutes_of_a_clock_time_never_start_a_number():
    [contact] = find_phones("open tot 22:00 / 31 612 345 678")
    assert contact.span.text == "31 612 345 678"


def test_mixed_separators_are_read_for_strong_numbers_only():
    # A mobile or internationally written number may mix separators; a fixed line keeps one style.
    assert values("06 - 12.34/56 78") == ["+31612345678"]
    assert values("+40 712.345/678") == ["+40712345678"]
    assert values("010 - 12.34/56 7") == []
    assert values("010 - 123 45 67") == ["+31101234567"]


def test_a_lone_zes_is_not_a_number():
    assert values("zes een twee drie vier vijf zes zeven acht negen") == []
    assert values("zes 12345678") == []


@pytest.mark.parametrize(
    ("text", "obscured"),
    [
        ("bel0612345678", True),  # glued to a word
        ("app 0612345678nu", True),
        ("06 - 12.34/56 78", True),  # two separator marks
        ("06-12345678", False),
        ("06.12.34.56.78", False),
        ("+31 (0)6-12345678", False),
        ("Tel:0612345678", False),
        ("Bel 06 12 34 56 78!", False),
    ],
)
def test_glued_and_mixed_numbers_are_marked_obscured(text: str, obscured: bool) -> None:
    (phone,) = find_phones(text)
    assert phone.value == "+31612345678" and phone.obscured is obscured


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+31 (O)61 10 431 27", ["+31611043127"]),  # OCR reads the bracketed trunk zero as a letter
        ("+31 (o)6 1234 5678", ["+31612345678"]),
        ("Bel (O) nu, kamer (O) 12", []),  # a bracketed letter alone is no digit
    ],
)
def test_bracketed_trunk_zero_read_as_a_letter(text: str, expected: list[str]) -> None:
    assert [p.value for p in find_phones(text)] == expected
