"""Stated ages: "23 jaar", "ik ben 23", "net 18", "23 y/o", "leeftijd: 23", "Anna (22)".

Only an age said as an age counts: a bare number is a price, a time, a size or a phone digit far more
often than an age, so every pattern needs a marker (jaar/jr/years/yo before or after, "ik ben", "net",
"age:", a name or "meisje" before a number in brackets). Ages 12–79 are read. An age below 18 is kept,
never dropped: a stated young age is what control teams look for first, so ``is_below_adult`` lets the
facts flag it. Below 18 the weak markers alone ("net 17 …", "only 16 …") are not enough: the number must
end the phrase or carry "jaar"/"years". Above 79 is a typo or something else.

An age about the clients ("heren vanaf 40 jaar", "men over 40", "clients 30+", "van 30 tot 60 jaar")
is not the advertiser's: ``find_ages`` leaves it out so it cannot contradict a declared age.
Patterns are linear (no nested quantifiers), so hostile input cannot make them backtrack.
"""

from __future__ import annotations

import itertools
import re

from zicht.extract.types import Span

AGES_VERSION = "ages-2"

MIN_AGE = 12  # youngest stated age read at all
ADULT_AGE = 18  # below this an age is flagged (Facts.age_below_18), never dropped
MAX_AGE = 79

_UNITS_NL = ["een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"]
_TENS_NL = {20: "twintig", 30: "dertig", 40: "veertig", 50: "vijftig", 60: "zestig", 70: "zeventig"}
_UNITS_EN = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS_NL = ("twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien")
_TEENS_EN = ("twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS_EN = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy"}


def _number_words() -> dict[str, int]:
    """Ages written as words, 12–79, Dutch and English ("tweeëntwintig", "twenty-two", "zeventien")."""
    words = dict(zip(_TEENS_NL, range(12, 20), strict=True)) | dict(
        zip(_TEENS_EN, range(12, 20), strict=True)
    )
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
    *_TEENS_NL,
    *_TEENS_EN,
    "twintig",
    "dertig",
    "veertig",
    "vijftig",
    "zestig",
    "zeventig",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
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
    r"|(?P<me>\bik\s{1,3}ben|\bben(?:\s{1,3}(?:nu|pas|net))?|\bi\s{0,3}'?\s{0,3}m|\bi\s{1,3}am)\s{1,3}"
    r"|(?P<weak>\b(?:net|pas|just|barely|only)(?:\s{1,3}(?:turned|geworden))?)\s{1,3})$",
    re.IGNORECASE,
)
# Below 18 a weak marker ("net", "just") counts only when the number ends the phrase: "net 17!" is an
# age, "only 16 left" is not.
_ENDS_PHRASE = re.compile(r"\s{0,3}(?:$|[.!?,;)\n]|geworden\b|turned\b)", re.IGNORECASE)
# "Anna (22)", "meisje (19)": a name or a word for the advertiser, then the number alone in brackets.
_PAREN_BEFORE = re.compile(
    r"(?:\b(?P<name>[A-Z][a-zà-ÿ]{1,15})|\b(?i:meisje|meid|girl|dame|lady|studente?|vrouw|woman|babe))\s?\(\s?$"
)
_PAREN_AFTER = re.compile(r"\s?\)")
# Capitalised words before a count in brackets: "Reviews (23)" is no age.
_NOT_A_NAME = frozenset(
    [
        "review",
        "foto",
        "photo",
        "pic",
        "video",
        "bericht",
        "berichten",
        "reactie",
        "reacties",
        "like",
        "view",
        "favoriet",
        "favorieten",
        "advertentie",
        "advertenties",
        "ad",
        "beoordeling",
        "beoordelingen",
        "comment",
        "prijzen",
        "price",
        "uur",
        "min",
    ]
)
# An age about the clients: a limit word or a range right before it ("heren vanaf 40 jaar",
# "tot 60 jaar", "boven de 40", "min. 25 jaar", "30-60 jaar", "tussen 30 en 60") ...
_CLIENT_BEFORE = re.compile(
    r"(?:\b(?:vanaf|v\.a\.|tot(?:\s{1,3}en\s{1,3}met)?|t/m|boven|onder|over|under|above|below|tussen|between"
    r"|(?:ouder|jonger|older|younger)(?:\s{1,3}zijn)?\s{1,3}(?:dan|than)"
    r"|min(?:imaal|imum)?\.?|max(?:imaal|imum)?\.?)(?:\s{1,3}(?:de|the))?"
    r"|\b(?:heren|mannen|klant(?:en)?|clients?|customers?|gentlemen|guys|jongens|men)(?:\s{1,3}(?:van|met|aged|of))?"
    r"|(?<![\d.,])\d{2}\s{0,3}(?:-|–|en|and|tot|to)\s{0,3}"
    r")\s{0,3}$",
    re.IGNORECASE,
)
# ... or after it ("30 tot 60 jaar", "40 jaar en ouder", "40 jaar +").
_CLIENT_AFTER = re.compile(
    r"\s{0,3}(?:\+|(?:-|–|tot|t/m|to)\s{0,3}\d{2}(?!\d)|(?:en|and|of|or)\s{1,3}(?:ouder|older|jonger|younger|up)\b)",
    re.IGNORECASE,
)
# "mijn dochter van 15 jaar", "kids of 12 years": someone else's age, said in the same clause.
_OTHER_PERSON = re.compile(
    r"\b(?:zoon|zoontje|dochter|dochtertje|kind|kinderen|kindje|kids?|child|children|son|daughter|baby)\b",
    re.IGNORECASE,
)
_NO_UNIT_BEFORE = "€$£.,:/"
_MAX_TEXT = 1_000_000
_MAX_CANDIDATES = 5_000  # two-digit numbers looked at; an ad with more is not an ad


def is_below_adult(age: int | None) -> bool:
    """A stated or declared age under 18: the fact control teams select on first."""
    return age is not None and age < ADULT_AGE


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


def _said_as_age(text: str, m: re.Match, value: int) -> tuple[int, int, bool] | None:
    """Where the age is said (span) and whether it speaks of the advertiser in the first person; None
    when the number is not said as an age."""
    start, end = m.span()
    unit = _UNIT_AFTER.match(text, end)
    if unit and not (start and text[start - 1] in _NO_UNIT_BEFORE):
        return start, unit.end(), False
    paren = _PAREN_BEFORE.search(text, max(0, start - 20), start)
    if paren and value >= ADULT_AGE and _PAREN_AFTER.match(text, end):
        name = (paren.group("name") or "").lower()
        if not {name, name.removesuffix("s"), name.removesuffix("'s")} & _NOT_A_NAME:
            return start, end, False
    marker = _MARKER_BEFORE.search(text, max(0, start - 32), start)
    if not marker or _NOT_AGE_AFTER.match(text, end):
        return None
    if value < ADULT_AGE and marker.group("weak") and not _ENDS_PHRASE.match(text, end):
        return None
    return marker.start(), end, bool(marker.group("me"))


def _about_someone_else(text: str, start: int, end: int, first_person: bool) -> bool:
    """A client's age limit or a child's age, not the advertiser's own."""
    if not first_person and _CLIENT_BEFORE.search(text, max(0, start - 40), start):
        return True
    if _CLIENT_AFTER.match(text, end):
        return True
    window = text[max(0, start - 30) : start]
    clause = window[max(window.rfind(c) for c in ".!?;\n") + 1 :]
    return bool(_OTHER_PERSON.search(clause))


def find_ages(text: str | None) -> list[tuple[int, Span]]:
    """Every stated age of the advertiser in the text (12–79), in order, with where it was said. Ages
    of clients ("heren vanaf 40 jaar") and of children ("dochter van 15") are left out."""
    if not text or not isinstance(text, str):
        return []
    text = text[:_MAX_TEXT]
    found: dict[int, tuple[int, Span]] = {}
    for m in itertools.islice(_candidates(text), _MAX_CANDIDATES):
        value = _value(m.group())
        if value is None:
            continue
        said = _said_as_age(text, m, value)
        if said is None:
            continue
        span_start, span_end, first_person = said
        if _DURATION_AFTER.match(text, span_end) or _DURATION_BEFORE.search(
            text, max(0, span_start - 12), span_start
        ):
            continue
        if _about_someone_else(text, span_start, span_end, first_person):
            continue
        found.setdefault(span_start, (value, Span(span_start, span_end, text[span_start:span_end])))
    return [found[k] for k in sorted(found)]


_DECLARED_RE = re.compile(
    r"^\s{0,3}(?:(?:leeftijd|lft\.?|age)\s{0,3}[:=]?\s{0,3})?(?P<n>\d{1,3})\s{0,3}(?:\+|jaar(?:\s{1,3}oud)?|jr\.?|j|years?(?:\s{1,3}old)?|yrs?|yo|y/o)?\s{0,3}\.?\s{0,3}$",
    re.IGNORECASE,
)


def parse_declared_age(value: str | int | None) -> int | None:
    """A site's age field ("23", "23 jaar", "23+", "Leeftijd: 23") as a number; None when it is not one
    plausible age (empty, a range like "18-25", a birth year, out of 12–79). An age under 18 is returned
    like any other: ``is_below_adult`` flags it."""
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
    for suffix in (" jaar oud", " jaar", " years old", " years"):
        words = words.removesuffix(suffix)
    return _value(words) if words in _WORDS else None
