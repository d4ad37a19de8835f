"""Properties: every number written in every supported format class is read back; look-alike figures
never are; extraction is deterministic and idempotent."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberType

from zicht.extract.phone_formats import PHONE_FORMAT_CLASSES, render_phone
from zicht.extract.phones import find_phones

REACHABLE = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.VOIP,
}
SOURCES = [
    ("NL", PhoneNumberType.MOBILE),
    ("NL", PhoneNumberType.FIXED_LINE),
    ("NL", PhoneNumberType.VOIP),
    *[
        (region, kind)
        for region in (
            "RO",
            "ES",
            "CO",
            "VE",
            "BG",
            "PL",
            "UA",
            "BE",
            "DE",
            "FR",
            "HU",
            "CZ",
            "BR",
            "GB",
            "TH",
            "NG",
        )
        for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE)
    ],
]

# Words that may stand right next to a number in an ad; none is a digit word or a letter for a digit.
NEIGHBOURS = [
    "bel",
    "me",
    "op",
    "nummer",
    "groetjes",
    "kusjes",
    "xx",
    "app",
    "alleen",
    "whatsapp",
    "Tel:",
    "📞",
]
FILLER = [
    "Hoi",
    "schatjes,",
    "ik",
    "ben",
    "Anna,",
    "23",
    "jaar.",
    "Nieuw",
    "in",
    "Tilburg!",
    "Prijs",
    "€150",
    "per",
    "uur,",
    "open",
    "10.00",
    "-",
    "22.00",
    "uur.",
    "maat",
    "36,",
    "cup",
    "75C.",
    "een",
    "lieve",
    "meid",
    "discreet",
    "😘",
    "💋",
    "\n",
    "24/7",
    "echte",
    "foto's",
]


@st.composite
def phone_numbers(draw, sources=tuple(SOURCES)) -> str:
    """E.164 numbers that phonenumbers calls valid: example numbers with new subscriber digits."""
    region, kind = draw(st.sampled_from(sources))
    example = phonenumbers.example_number_for_type(region, kind)
    nsn = phonenumbers.national_significant_number(example)
    keep = len(nsn) - draw(st.integers(min_value=1, max_value=min(6, len(nsn) - 3)))
    tail = draw(st.text(alphabet="0123456789", min_size=len(nsn) - keep, max_size=len(nsn) - keep))
    number = phonenumbers.parse(f"+{example.country_code}{nsn[:keep]}{tail}", None)
    assume(phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in REACHABLE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def ad_text(draw, middle: str) -> str:
    before = draw(st.lists(st.sampled_from(FILLER), max_size=12))
    after = draw(st.lists(st.sampled_from(FILLER), max_size=12))
    left = draw(st.sampled_from(NEIGHBOURS))
    right = draw(st.sampled_from(NEIGHBOURS))
    return " ".join([*before, left]) + " " + middle + " " + " ".join([right, *after])


@pytest.mark.parametrize("format_class", PHONE_FORMAT_CLASSES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data(), e164=phone_numbers(), seed=st.integers(0, 2**32 - 1))
def test_every_format_class_is_read_back(format_class, data, e164, seed):
    written = render_phone(e164, format_class, random.Random(seed))
    text = ad_text(data.draw, written)
    found = find_phones(text)
    assert [c.value for c in found] == [e164], (written, text)
    [contact] = found
    assert contact.country == phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    assert text[contact.span.start : contact.span.end] == contact.span.text
    assert contact.span.text.strip()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    numbers=st.lists(phone_numbers(), min_size=2, max_size=4, unique=True),
    classes=st.lists(st.sampled_from(PHONE_FORMAT_CLASSES), min_size=4, max_size=4),
    seed=st.integers(0, 2**32 - 1),
    joiner=st.sampled_from([" of ", "\nof\n", " / bel ", ", en ", " en "]),
)
def test_several_numbers_in_one_ad(numbers, classes, seed, joiner):
    rng = random.Random(seed)
    written = [render_phone(e164, cls, rng) for e164, cls in zip(numbers, classes, strict=False)]
    text = "Bel " + joiner.join(written) + " groetjes"
    assert [c.value for c in find_phones(text)] == numbers, text


@settings(max_examples=50, deadline=None)
@given(numbers=st.lists(phone_numbers(sources=tuple(SOURCES[:3])), min_size=2, max_size=3, unique=True))
def test_national_numbers_separated_by_a_single_space(numbers):
    """phonenumbers' own matcher misses these; "0612345678 0687654321" must give two numbers."""
    text = "Bel " + " ".join("0" + n[3:] for n in numbers) + " nu"
    assert [c.value for c in find_phones(text)] == numbers


def test_every_format_class_renders_something_different_from_plain():
    rng = random.Random(1)
    plain = render_phone("+31612345678", "plain", rng)
    assert plain == "0612345678"
    outputs = {cls: render_phone("+31612345678", cls, random.Random(3)) for cls in PHONE_FORMAT_CLASSES}
    assert all(outputs.values())
    assert sum(out != plain for out in outputs.values()) >= len(PHONE_FORMAT_CLASSES) - 2
    assert render_phone("+31612345678", "international", random.Random(0)).startswith("+31")
    assert render_phone("+31612345678", "intl_00", random.Random(0)).startswith("0031")
    assert render_phone("+40712345678", "dashed", random.Random(0)).startswith("+40")


def test_render_is_deterministic_for_a_seed():
    for cls in PHONE_FORMAT_CLASSES:
        assert render_phone("+31612345678", cls, random.Random(42)) == render_phone(
            "+31612345678", cls, random.Random(42)
        )


def test_unknown_format_class_is_an_error():
    with pytest.raises(ValueError, match="unknown phone format class"):
        render_phone("+31612345678", "carrier-pigeon", random.Random(0))


# --- look-alikes -----------------------------------------------------------------------------------

prices = st.one_of(
    st.integers(20, 999).map(lambda p: f"€{p}"),
    st.integers(20, 999).map(lambda p: f"€ {p}"),
    st.integers(20, 999).map(lambda p: f"{p},-"),
    st.integers(20, 999).map(lambda p: f"{p} euro"),
    st.tuples(st.integers(1, 9), st.integers(0, 999)).map(lambda t: f"€ {t[0]}.{t[1]:03d}"),
    st.tuples(st.integers(1, 4), st.integers(50, 999)).map(lambda t: f"{t[0]} uur {t[1]}"),
    st.tuples(st.sampled_from([15, 30, 45, 60, 90]), st.integers(20, 999)).map(
        lambda t: f"{t[0]} min {t[1]}"
    ),
    st.integers(20, 999).map(lambda p: f"€ {p},00"),
)
hours = st.integers(0, 23)
minutes = st.sampled_from(["00", "15", "30", "45"])
times = st.one_of(
    st.tuples(hours, minutes, hours, minutes).map(lambda t: f"{t[0]:02d}:{t[1]}-{t[2]:02d}:{t[3]}"),
    st.tuples(hours, minutes, hours, minutes).map(lambda t: f"{t[0]:02d}.{t[1]} - {t[2]:02d}.{t[3]} uur"),
    st.tuples(hours, minutes, hours, minutes).map(lambda t: f"{t[0]}.{t[1]}-{t[2]}.{t[3]}"),
    st.tuples(hours, minutes, hours, minutes).map(lambda t: f"{t[0]:02d}:{t[1]} tot {t[2]:02d}:{t[3]}"),
    st.tuples(hours, hours).map(lambda t: f"van {t[0]} tot {t[1]}"),
    st.tuples(hours, minutes).map(lambda t: f"{t[0]:02d}.{t[1]} uur"),
    # opening hours without a mark between hours and minutes: "0900-1700", "0630 tot 2200"
    st.tuples(hours, minutes, hours, minutes, st.sampled_from(["-", " - ", "\u2013", " tot "])).map(
        lambda t: f"{t[0]:02d}{t[1]}{t[4]}{t[2]:02d}{t[3]}"
    ),
    st.tuples(hours, minutes).map(lambda t: f"tot {t[0]:02d}:{t[1]}"),
    st.tuples(hours, minutes).map(lambda t: f"{t[0]:02d}:{t[1]}"),
)
days, months, years = st.integers(1, 28), st.integers(1, 12), st.integers(1950, 2035)
dates = st.one_of(
    st.tuples(days, months, years).map(lambda t: f"{t[0]:02d}-{t[1]:02d}-{t[2]}"),
    st.tuples(days, months, years).map(lambda t: f"{t[0]:02d}/{t[1]:02d}/{t[2]}"),
    st.tuples(days, months, years).map(lambda t: f"{t[2]}-{t[1]:02d}-{t[0]:02d}"),
    st.tuples(days, months, years).map(lambda t: f"{t[0]}.{t[1]}.{t[2]}"),
    st.tuples(days, months).map(lambda t: f"{t[0]:02d}-{t[1]:02d}"),
)
postcodes = st.tuples(st.integers(1000, 9999), st.sampled_from(["AB", "XY", "KL", "GH"]), st.booleans()).map(
    lambda t: f"{t[0]} {t[1]}" if t[2] else f"{t[0]}{t[1]}"
)
measurements = st.one_of(
    st.tuples(st.integers(70, 120), st.integers(50, 90), st.integers(70, 120)).map(
        lambda t: "-".join(map(str, t))
    ),
    st.tuples(st.integers(65, 100), st.sampled_from("ABCDEFG")).map(lambda t: f"cup {t[0]}{t[1]}"),
    st.integers(140, 210).map(lambda h: f"{h // 100}.{h % 100:02d}m"),
    st.integers(140, 210).map(lambda h: f"{h} cm"),
    st.integers(40, 130).map(lambda w: f"{w} kg"),
    st.integers(30, 50).map(lambda m: f"maat {m}"),
    st.integers(18, 70).map(lambda a: f"{a} jaar"),
    st.just("net 18"),
    st.tuples(st.integers(1, 300), st.sampled_from(["", "a", "b", "-2"])).map(
        lambda t: f"Straat {t[0]}{t[1]}"
    ),
    st.just("24/7"),
    st.integers(1950, 2035).map(str),
    # ad ids: a leading "0" or "31" would make them indistinguishable from numbers, so none here
    st.tuples(st.sampled_from("12456789"), st.integers(10**4, 10**11)).map(lambda t: f"{t[0]}{t[1]}"),
)
look_alike = st.one_of(prices, times, dates, postcodes, measurements)
separators = st.sampled_from([" ", ", ", " / ", "\n", " - ", "  ", " | ", ". ", "; ", " — ", "\n\n", " . "])


@settings(max_examples=400, deadline=None)
@given(items=st.lists(look_alike, min_size=1, max_size=10), separator=separators)
def test_look_alike_figures_are_never_phones(items, separator):
    text = separator.join(items)
    assert find_phones(text) == [], text


@settings(max_examples=400, deadline=None)
@given(
    items=st.lists(look_alike, min_size=2, max_size=8),
    separators_between=st.lists(separators, min_size=7, max_size=7),
)
def test_look_alikes_with_mixed_separators_are_never_phones(items, separators_between):
    """Mixed separators are read in phone numbers; joining look-alikes with them must not make one."""
    text = items[0] + "".join(sep + item for sep, item in zip(separators_between, items[1:], strict=False))
    assert find_phones(text) == [], text


# --- determinism and idempotence -------------------------------------------------------------------


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    numbers=st.lists(phone_numbers(), min_size=1, max_size=3),
    classes=st.lists(st.sampled_from(PHONE_FORMAT_CLASSES), min_size=3, max_size=3),
    noise=st.lists(st.one_of(look_alike, st.sampled_from(FILLER)), max_size=8),
    seed=st.integers(0, 2**32 - 1),
)
def test_deterministic_and_idempotent(numbers, classes, noise, seed):
    rng = random.Random(seed)
    parts = [*noise]
    for e164, cls in zip(numbers, classes, strict=False):
        parts.insert(rng.randrange(len(parts) + 1), f"bel {render_phone(e164, cls, rng)} nu")
    text = " ".join(parts)
    first = find_phones(text)
    assert find_phones(text) == first
    values = [c.value for c in first]
    assert set(values) == set(numbers), text
    assert [c.value for c in find_phones(" ".join(values))] == values
    assert [c.value for c in find_phones("\n".join(values))] == values


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text_never_crashes_and_spans_are_exact(text):
    for contact in find_phones(text, unique=False):
        assert text[contact.span.start : contact.span.end] == contact.span.text
        assert phonenumbers.is_valid_number(phonenumbers.parse(contact.value, None))
