"""How advertisers write phone numbers, as renderers: the demo market writes numbers with these and the
extractor's tests read them back, so ground truth and extraction agree on one list of format classes.

Kept light on purpose (phonenumbers is imported only when rendering). `NON_PHONE_PATTERN` lives here too:
the extractor masks what it matches, and the renderers never produce it, so the two stay consistent.
"""

from __future__ import annotations

import random
import re

PHONE_FORMAT_CLASSES: tuple[str, ...] = (
    "plain",  # 0612345678
    "spaced",  # 06 12 34 56 78, 06 1234 5678
    "digit_spaced",  # 0 6 1 2 3 4 5 6 7 8
    "dotted",  # 06.123.456.78
    "dashed",  # 06-12345678, 06-12-34-56-78
    "slashed",  # 06/12345678
    "bracketed",  # (06) 1234 5678, (+40) 712 345 678
    "tilde",  # 06~1234~5678
    "asterisk",  # 06*12*34*56*78
    "underscore",  # 06_1234_5678
    "mixed_separators",  # 06 - 12.34/56 78
    "glued",  # belme0612345678nu
    "letter_ol",  # O6-l2345678, o6 12 34 56 78
    "dutch_words",  # nul zes een twee ..., nul zes twaalf vierendertig ...
    "english_words",  # zero six one two ..., double six, thirty-four
    "keycap_emoji",  # 0️⃣6️⃣1️⃣...
    "fullwidth",  # ０６１２３４５６７８
    "unicode_digits",  # 𝟎𝟔..., ٠٦..., ⓪⑥...
    "split_lines",  # 06-1234\n5678
    "international",  # +31 6 12345678, +31 (0)6 1234 5678
    "intl_00",  # 0031 6 12345678
)

# Dates (dd-mm-yyyy, yyyy-mm-dd with - / .), opening-hour ranges (10.00 - 22.00, 09:00 tot 17:00, and
# without a mark between hours and minutes: 0900-1700, 0630 tot 2200, on the quarter hour or five minutes)
# and clock times with a colon (22:00, 14:30) that no digit follows. Digit groups like these are never
# read as (part of) a phone number. A colon is no phone separator, so masking "22:00" costs no number.
_HOUR = r"(?:[01]?[0-9]|2[0-4])"
_HHMM = r"(?:[01][0-9]|2[0-4])[0-5][05]"  # "0930", "1745": minutes in steps of five, as hours are written
_RANGE = r"[ \t]{0,2}(?:-|\u2013|\u2014|tot|t/m)[ \t]{0,2}"
NON_PHONE_PATTERN = re.compile(
    r"(?=[0-9])(?<![0-9])(?:"  # the lookahead first lets the regex engine skip to digits quickly
    r"(?:0?[1-9]|[12][0-9]|3[01])([-/.])(?:0?[1-9]|1[0-2])\1(?:19|20)[0-9]{2}"
    r"|(?:19|20)[0-9]{2}([-/.])(?:0?[1-9]|1[0-2])\2(?:0?[1-9]|[12][0-9]|3[01])"
    rf"|{_HOUR}[.:][0-5][0-9]{_RANGE}{_HOUR}[.:][0-5][0-9]"
    rf"|{_HHMM}{_RANGE}{_HHMM}(?![-.][0-9])"
    rf"|{_HOUR}:[0-5][0-9]"
    r")(?![0-9])"
)

_SEPARATORS = {
    "spaced": " ",
    "dotted": ".",
    "dashed": "-",
    "slashed": "/",
    "tilde": "~",
    "asterisk": "*",
    "underscore": "_",
}
_MIXED_SEPARATORS = (" ", "-", " - ", "/", "~", "*", "_", ".", " / ")
_TIGHT_SEPARATORS = (" ", "-", "/", "~", "*", "_", ".")  # mixed within the subscriber number
_GLUE_LEFT = ("bel", "belme", "tel", "tel.", "app", "whatsapp", "sms", "bellen", "call", "mob", "nummer")
_GLUE_RIGHT = ("bel", "nu", "app", "bellen", "xx", "!!", "x", "snel", "dan")

_NL_UNITS = ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen")
_NL_TEENS = (
    "tien",
    "elf",
    "twaalf",
    "dertien",
    "veertien",
    "vijftien",
    "zestien",
    "zeventien",
    "achttien",
    "negentien",
)
_NL_TENS = ("", "", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig")
_EN_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_TEENS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

# Unicode digit blocks whose code points run 0..9 consecutively.
_DIGIT_BLOCKS = (0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50)
_KEYCAP = "\ufe0f\u20e3"


def dutch_number_word(value: int) -> str:
    """Dutch word for 0..99 as advertisers spell it ("vierendertig", "tweeëntwintig")."""
    if value < 10:
        return _NL_UNITS[value]
    if value < 20:
        return _NL_TEENS[value - 10]
    tens, unit = divmod(value, 10)
    if unit == 0:
        return _NL_TENS[tens]
    unit_word = _NL_UNITS[unit]
    return unit_word + ("ën" if unit_word.endswith("e") else "en") + _NL_TENS[tens]


def english_number_word(value: int, joiner: str = "-") -> str:
    """English words for 0..99 ("thirty-four"; joiner " " gives "thirty four")."""
    if value < 10:
        return _EN_UNITS[value]
    if value < 20:
        return _EN_TEENS[value - 10]
    tens, unit = divmod(value, 10)
    return _EN_TENS[tens] if unit == 0 else _EN_TENS[tens] + joiner + _EN_UNITS[unit]


def render_phone(e164: str, format_class: str, rng: random.Random, *, default_region: str = "NL") -> str:
    """Write `e164` the way an advertiser might, in one of `PHONE_FORMAT_CLASSES`.

    Numbers of `default_region` are written nationally (trunk prefix, "06...") except in the
    "international"/"intl_00" classes; other numbers always carry their country code ("+40 ...").
    The result, dropped into ad text between words, is what `find_phones` must read back as `e164`.
    """
    if format_class not in PHONE_FORMAT_CLASSES:
        raise ValueError(
            f"unknown phone format class {format_class!r}; expected one of {PHONE_FORMAT_CLASSES}"
        )
    prefix, subscriber, national = _split(e164, format_class, default_region, rng)
    if format_class in _STRENGTH_AWARE:
        return _STRENGTH_AWARE[format_class](prefix, subscriber, national, rng, _is_strong(e164, national))
    renderer = _RENDERERS.get(format_class)
    if renderer is not None:
        return renderer(prefix, subscriber, national, rng)
    return _render_separated(prefix, subscriber, _SEPARATORS[format_class], rng)


def _is_strong(e164: str, national: bool) -> bool:
    """Written with its country code, or a mobile number: the extractor reads these with mixed separators
    and with a line break after a "dd-mm"-like first line (see phones._RunScanner._consistent)."""
    import phonenumbers

    if not national:
        return True
    kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _split(e164: str, format_class: str, default_region: str, rng: random.Random) -> tuple[str, str, bool]:
    """(prefix, subscriber digits, written nationally) — prefix is "06", "010", "+31", "0031", "+40"."""
    import phonenumbers  # deferred: keeps this module cheap to import

    number = phonenumbers.parse(e164, None)
    nsn = phonenumbers.national_significant_number(number)
    region = phonenumbers.region_code_for_number(number)
    cc = str(number.country_code)
    if region == default_region and format_class not in ("international", "intl_00"):
        trunk = phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix or ""
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        first_group = re.split(r"[^0-9]+", national.strip())[0]
        if not (trunk + nsn).startswith(first_group) or len(first_group) >= len(trunk + nsn):
            first_group = (trunk + nsn)[: len(trunk) + 1]
        return first_group, (trunk + nsn)[len(first_group) :], True
    idd = "00" if format_class == "intl_00" else "+"
    if format_class not in ("international", "intl_00", "mixed_separators") and rng.random() < 0.3:
        # Sometimes the country code and the first subscriber digits form one group: "+316 12345678".
        take = rng.randint(1, min(3, len(nsn) - 6))
        return idd + cc + nsn[:take], nsn[take:], False
    return idd + cc, nsn, False


def _chunks(digits: str, rng: random.Random, low: int = 2, high: int = 4) -> list[str]:
    if rng.random() < 0.25 or len(digits) <= low:
        return [digits]
    groups: list[str] = []
    rest = digits
    while rest:
        size = rng.randint(low, high)
        if len(rest) - size < low:
            size = len(rest)
        groups.append(rest[:size])
        rest = rest[size:]
    return groups


def _grouped(prefix: str, subscriber: str, rng: random.Random) -> list[str]:
    """Digit groups whose separated rendering never looks like a date or an opening-hours range."""
    for _ in range(20):
        groups = [prefix, *_chunks(subscriber, rng)]
        if not any(NON_PHONE_PATTERN.search(sep.join(groups)) for sep in ("-", ".", "/", " - ")):
            return groups
    return [prefix, subscriber]


def _render_separated(prefix: str, subscriber: str, separator: str, rng: random.Random) -> str:
    return separator.join(_grouped(prefix, subscriber, rng))


def _render_plain(prefix: str, subscriber: str, national: bool, rng: random.Random) -> str:
    return prefix + subscriber


def _render_digit_spaced(prefix: str, subscriber: str, national: bool, rng: random.Random) -> str:
    head = prefix[0] + " " + " ".join(prefix[1:]) if prefix.startswith("+") else " ".join(prefix)
    return (head + " " + " ".join(subscriber)).replace("+ ", "+" if rng.random() < 0.5 else "+ ")


def _render_mixed(prefix: str, subscriber: str, national: bool, rng: random.Random, strong: bool) -> str:
    """Separators mixed the way people type them: "06 - 12.34/56 78", "06-12 34-56-78".

    A mobile or internationally written number mixes up to three styles between its groups (plain spaces
    and marks without spaces; " - " only after the prefix, as lists of figures are written with it);
    other numbers use one separator after the prefix and another between the rest ("010 - 123.45.67")."""
    groups = _grouped(prefix, subscriber, rng)
    if len(groups) == 1:
        groups = [prefix, subscriber]
    for _ in range(20):
        first = rng.choice(_MIXED_SEPARATORS)
        if strong and len(groups) >= 4:
            palette = rng.sample(_TIGHT_SEPARATORS, rng.randint(2, 3))
            gaps = [rng.choice(palette) for _ in groups[2:]]
            if len(set(gaps)) == 1:
                gaps[rng.randrange(len(gaps))] = next(p for p in palette if p != gaps[0])
        else:
            gaps = [rng.choice(_MIXED_SEPARATORS)] * (len(groups) - 2)
        out = groups[0] + first + "".join(g + group for g, group in zip(["", *gaps], groups[1:], strict=True))
        if not NON_PHONE_PATTERN.search(out):
            return out
    return " ".join(groups)


def _render_bracketed(prefix: str, subscriber: str, national: bool, rng: random.Random) -> str:
    rest = " ".join(_grouped(prefix, subscriber, rng)[1:])
    if national and rng.random() < 0.3 and len(prefix) > 1:
        return f"(0){prefix[1:]} {rest}" if prefix.startswith("0") else f"({prefix}) {rest}"
    return f"({prefix}) {rest}"


def _render_glued(prefix: str, subscriber: str, national: bool, rng: random.Random) -> str:
    number = prefix + subscriber
    left = rng.choice(_GLUE_LEFT)
    right = rng.choice(_GLUE_RIGHT)
    side = rng.randrange(3)
    if side == 0:
        return left + number
    if side == 1:
        return number + right
    return left + number + right


def _render_letter_ol(prefix: str, subscriber: str, national: bool, rng: random.Random) -> str:
    sep = rng.choice(("", " ", "-", " "))
    groups = _grouped(prefix, subscriber, rng) if sep else [prefix + subscriber]
    digits = "".join(groups)
    swappable = [i for i, ch in enumerate(digits) if ch in "01"]
    real = sum(ch.isdigit() for ch in digits)
    budget = max(1, real // 3)
    rng.shuffle(swappable)
    chosen = set(swappable[:budget])
    chars = list(digits)
    for i in sorted(chosen):
        # Never three letters in a row, and never a group without a real digit.
        if i >= 2 and chars[i - 1] in "OoIl" and chars[i - 2] in "OoIl":
            continue
        chars[i] = rng.choice("Oo") if chars[i] == "0" else rng.choice("lI")
    out: list[str] = []
    pos = 0
    for group in groups:
        piece = chars[pos : pos + len(group)]
        if not any(ch.isdigit() for ch in piece):
            piece[0] = group[0]
        out.append("".join(piece))
        pos += len(group)
    return sep.join(out)


def _word_digits(digits: str, rng: random.Random, words: tuple[str, ...], double: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(digits):
        ch = digits[i]
        if ch == "+":
            out.append("plus")
        elif i + 1 < len(digits) and digits[i + 1] == ch and rng.random() < 0.25:
            out.append(f"{double} {words[int(ch)]}")
            i += 1
        else:
            out.append(words[int(ch)])
        i += 1
    return out


def _render_words(prefix: str, subscriber: str, rng: random.Random, language: str) -> str:
    units = _NL_UNITS if language == "nl" else _EN_UNITS
    double = "dubbel" if language == "nl" else "double"
    mode = rng.randrange(3)  # 0: digit by digit, 1: pairs as numbers, 2: words mixed with digits
    words = _word_digits(prefix, rng, units, double)
    if mode == 0:
        words += _word_digits(subscriber, rng, units, double)
    elif mode == 1:
        rest = subscriber
        if len(rest) % 2:
            words.append(units[int(rest[0])])
            rest = rest[1:]
        for i in range(0, len(rest), 2):
            pair = rest[i : i + 2]
            if pair[0] == "0":
                words += [units[0], units[int(pair[1])]]
            elif language == "nl":
                words.append(dutch_number_word(int(pair)))
            else:
                words.append(english_number_word(int(pair), rng.choice(("-", " "))))
    else:
        for i, ch in enumerate(subscriber):
            if rng.random() < 0.5:
                words.append(units[int(ch)])
            elif words and words[-1].isdigit() and i % 3:
                words[-1] += ch
            else:
                words.append(ch)
    if language == "nl" and rng.random() < 0.2:
        words = ["één" if w == "een" else w for w in words]
    joiner = rng.choice((" ", " ", " ", "-", " - ") if mode == 2 else (" ", " ", " ", "-", ", ", " - "))
    return joiner.join(words)


def _render_dutch(prefix: str, subscriber: str, national: bool, rng: random.Random) -> str:
    return _render_words(prefix, subscriber, rng, "nl")


def _render_english(prefix: str, subscriber: str, national: bool, rng: random.Random) -> str:
    return _render_words(prefix, subscriber, rng, "en")


def _map_digits(text: str, mapping) -> str:
    return "".join(mapping(ch) if ch.isdigit() else ch for ch in text)


def _render_keycap(prefix: str, subscriber: str, national: bool, rng: random.Random) -> str:
    sep = rng.choice(("", "", " "))
    text = sep.join(_grouped(prefix, subscriber, rng)) if sep else prefix + subscriber
    if rng.random() < 0.3:
        text = text.replace("+", "\u2795")
    return _map_digits(text, lambda ch: ch + _KEYCAP)


def _render_fullwidth(prefix: str, subscriber: str, national: bool, rng: random.Random) -> str:
    sep = rng.choice(("", " ", "\u3000", "\uff0d"))
    text = sep.join(_grouped(prefix, subscriber, rng)) if sep else prefix + subscriber
    return _map_digits(text.replace("+", "\uff0b"), lambda ch: chr(0xFF10 + int(ch)))


def _render_unicode_digits(prefix: str, subscriber: str, national: bool, rng: random.Random) -> str:
    sep = rng.choice(("", " ", "-"))
    text = sep.join(_grouped(prefix, subscriber, rng)) if sep else prefix + subscriber
    if rng.random() < 0.15:  # circled digits: ⓪ ① ... ⑨
        return _map_digits(text, lambda ch: "\u24ea" if ch == "0" else chr(0x2460 + int(ch) - 1))
    base = rng.choice(_DIGIT_BLOCKS)
    return _map_digits(text, lambda ch: chr(base + int(ch)))


def _render_split_lines(
    prefix: str, subscriber: str, national: bool, rng: random.Random, strong: bool
) -> str:
    """A number broken over two lines, or around a blank line ("06 12\n34 56 78", "06 1234\n\n5678")."""
    groups = _grouped(prefix, subscriber, rng)
    if len(groups) < 3:
        cut = rng.randint(1, max(1, len(subscriber) - 1))
        groups = [prefix, subscriber[:cut], subscriber[cut:]]
    sep = rng.choice((" ", "-", ".", ""))
    line_break = rng.choice(("\n", "\n", "\r\n", sep + "\n", "\n\n"))
    where = rng.randint(1, len(groups) - 1)
    if not strong and where == 2 and len(groups[0]) <= 2 and len(groups[1]) <= 2:
        where = 1  # "010-12\n..." on its own line reads like a date; only a strong number is read there
    return sep.join(groups[:where]) + line_break + sep.join(groups[where:])


def _render_international(prefix: str, subscriber: str, national: bool, rng: random.Random) -> str:
    style = rng.randrange(4)
    if style == 0:
        return prefix + subscriber
    groups = _grouped(prefix, subscriber, rng)
    if style == 1 and prefix in ("+31", "0031", "+32", "+49", "0032", "0049"):
        return f"{prefix} (0){' '.join(groups[1:])}"
    sep = rng.choice((" ", "-", ".", " "))
    return sep.join(groups)


_RENDERERS = {
    "plain": _render_plain,
    "digit_spaced": _render_digit_spaced,
    "bracketed": _render_bracketed,
    "glued": _render_glued,
    "letter_ol": _render_letter_ol,
    "dutch_words": _render_dutch,
    "english_words": _render_english,
    "keycap_emoji": _render_keycap,
    "fullwidth": _render_fullwidth,
    "unicode_digits": _render_unicode_digits,
    "international": _render_international,
    "intl_00": _render_international,
}
_STRENGTH_AWARE = {"mixed_separators": _render_mixed, "split_lines": _render_split_lines}
