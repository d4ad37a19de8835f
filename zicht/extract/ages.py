"""Stated ages: "23 jaar", "ik ben 23", "net 18", "23 y/o", "leeftijd: 23".

Only an age said as an age counts: a bare number is a price, a time, a size or a phone digit far more
often than an age, so every pattern needs a marker (jaar/jr/years/yo before or after, "ik ben", "net",
"age:"). Ages outside 18–79 are dropped: below 18 would not be an adult's ad and is for a person to see
in the text, not for a number to assert; above 79 is a typo or something else. Patterns are linear
(no nested quantifiers), so hostile input cannot make them backtrack.
"""

from __future__ import annotations

import itertools
import re

from zicht.extract.types import Span

AGES_VERSION = "ages-1"

MIN_AGE = 18
MAX_AGE = 79

_UNITS_NL = ["een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"]
_TENS_NL = {20: "twintig", 30: "dertig", 40: "veertig", 50: "vijftig", 60: "zestig", 70: "zeventig"}
_UNITS_EN = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TENS_EN = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy"}


def _number_words() -> dict[str, int]:
    """Ages written as words, 18–79, Dutch and English ("tweeëntwintig", "twenty-two")."""
    words = {"achttien": 18, "negentien": 19, "eighteen": 18, "nineteen": 19}
    for tens, tens_word in _TENS_NL.items():
        words[tens_word] = tens
        for unit, unit_word in enumerate(_UNITS_NL, start=1):
            joiner = "ën" if unit_word.endswith("e") else "en"
            words[f"{unit_word}{joiner}{tens_word}"] = tens + unit
            words[f"{unit_word}en{tens_word}"] = tens + unit  # written without the diaeresis
    for tens, tens_word in _TENS_EN.items():
        words[tens_word] = tens
        for unit, unit_word in enumerate(_UNITS_EN, start=1):
            words[f"{tens_word}-{unit_word}"] = tens + unit
            words[f"{tens_word} {unit_word}"] = tens + unit
    return words


_WORDS = _number_words()
# One generic word, validated against _WORDS afterwards: far faster than an alternation of 250 words.
_WORD = r"(?<![^\W\d_])[a-zë]{4,24}(?:-[a-z]{3,5}|\s(?:one|two|three|four|five|six|seven|eight|nine))?"
_WORD_HINTS = (
    "twintig",
    "dertig",
    "veertig",
    "vijftig",
    "zestig",
    "zeventig",
    "achttien",
    "negentien",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighteen",
    "nineteen",
)  # plain substring tests: a case-insensitive regex alternation here costs ten times more

# What after a number makes it something other than an age: a letter glued on ("36DD"), a decimal or
# time ("23:00", "24/7"), a unit ("30 min", "25 km", "50 euro").
_NOT_AGE_AFTER = re.compile(
    r"[^\W\d_]|\s{0,3}(?:/|[.,:]\d|%|\+|-?\s?(?:cm|mm|km|m\b|meter|kg|kilo|gr|gram|min|minuten|minutes|"
    r"uur|u\b|h\b|hours?|euro|eur|€|cup|dagen|days|weken|weeks|maanden|months|keer|times|x\b))",
    re.IGNORECASE,
)
# "20 jaar ervaring", "al 10 jaar", "since 5 years": a duration, not an age.
_DURATION_AFTER = re.compile(
    r"\s{0,3}(?:ervaring|experience|in\s{1,3}het\s{1,3}vak|in\s{1,3}nederland|geleden|ago|lang\b|getrouwd|married|"
    r"werkzaam|actief|bezig|samen|in\s{1,3}the\s{1,3}business)",
    re.IGNORECASE,
)
_DURATION_BEFORE = re.compile(
    r"(?:\b(?:al|sinds|since|for|over|na|after|binnen|within|ruim)\s{1,3})$", re.IGNORECASE
)


# An age is a two-digit number (or a number word) with a marker after it ("23 jaar") or before it
# ("ik ben 23", "leeftijd: 23", "net 18"). Numbers are found first (a fast scan), then only the few
# characters around each are looked at: linear in the text, whatever it holds.
_NUMBER = re.compile(r"(?<!\d)\d{2}(?!\d)")
_NUMBER_WORD = re.compile(_WORD + r"(?![^\W\d_])")
_UNIT_AFTER = re.compile(
    r"\s?-?\s?(?:jaar(?:tjes|\s{1,3}oud|\s{1,3}jong)?|jr\.?|jarige|jarig|j\b|years?(?:\s{1,3}old|\s{1,3}young)?"
    r"|yrs?(?:\s{1,3}old)?|y\.?\s?o\.?|y/o)(?![a-z])",
    re.IGNORECASE,
)
_MARKER_BEFORE = re.compile(
    r"(?:\b(?:leeftijd|lft\.?|age|alter|edad|wiek|vârsta|varsta)\s{0,3}(?:is|:|=|-)?\s{0,3}"
    r"|(?:\bik\s{1,3}ben|\bben(?:\s{1,3}(?:nu|pas|net))?|\bi\s{0,3}'?\s{0,3}m|\bi\s{1,3}am)\s{1,3}"
    r"|\b(?:net|pas|just|barely|only)\s{1,3})$",
    re.IGNORECASE,
)
_NO_UNIT_BEFORE = "€$£.,:/"
_MAX_TEXT = 1_000_000
_MAX_CANDIDATES = 5_000  # two-digit numbers looked at; an ad with more is not an ad


def _value(raw: str) -> int | None:
    raw = raw.lower()
    value = int(raw) if raw.isdigit() else _WORDS.get(raw)
    if value is None or not MIN_AGE <= value <= MAX_AGE:
        return None
    return value


def _candidates(text: str):
    yield from _NUMBER.finditer(text)
    lowered = text.lower()
    if any(hint in lowered for hint in _WORD_HINTS):
        yield from _NUMBER_WORD.finditer(text)


def find_ages(text: str | None) -> list[tuple[int, Span]]:
    """Every stated age in the text, in order, with where it was said."""
    if not text or not isinstance(text, str):
        return []
    text = text[:_MAX_TEXT]
    found: dict[int, tuple[int, Span]] = {}
    for m in itertools.islice(_candidates(text), _MAX_CANDIDATES):
        value = _value(m.group())
        if value is None:
            continue
        start, end = m.span()
        unit = _UNIT_AFTER.match(text, end)
        if unit and not (start and text[start - 1] in _NO_UNIT_BEFORE):
            span_start, span_end = start, unit.end()
        else:
            marker = _MARKER_BEFORE.search(text, max(0, start - 24), start)
            if not marker or _NOT_AGE_AFTER.match(text, end):
                continue
            span_start, span_end = marker.start(), end
        if _DURATION_AFTER.match(text, span_end) or _DURATION_BEFORE.search(
            text, max(0, span_start - 12), span_start
        ):
            continue
        found.setdefault(span_start, (value, Span(span_start, span_end, text[span_start:span_end])))
    return [found[k] for k in sorted(found)]


_DECLARED_RE = re.compile(
    r"^\s{0,3}(?:(?:leeftijd|lft\.?|age)\s{0,3}[:=]?\s{0,3})?(?P<n>\d{1,3})\s{0,3}(?:\+|jaar|jr\.?|j|years?(?:\s{1,3}old)?|yrs?|yo|y/o)?\s{0,3}\.?\s{0,3}$",
    re.IGNORECASE,
)


def parse_declared_age(value: str | int | None) -> int | None:
    """A site's age field ("23", "23 jaar", "23+", "Leeftijd: 23") as a number; None when it is not one
    plausible age (empty, a range like "18-25", a birth year, out of 18–79)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if MIN_AGE <= value <= MAX_AGE else None
    if not isinstance(value, str) or len(value) > 40:
        return None
    m = _DECLARED_RE.match(value)
    if m:
        n = int(m.group("n"))
        return n if MIN_AGE <= n <= MAX_AGE else None
    words = value.strip().lower()
    for suffix in (" jaar", " years", " years old"):
        words = words.removesuffix(suffix)
    return _value(words) if words in _WORDS else None
