"""Rates: a price and, when said, for how long and where ("30 min €100", "escort 1 uur 200").

Each rate is ``{"minutes": int | None, "price_eur": int, "setting": "incall" | "outcall" | None,
"span": [start, end] | None}``, plus ``"period": "night"`` where the price is for a night (minutes
unknown). Prices are compared per region later (LOW_PRICE), so a wrong rate does more harm than a
missing one: free text needs a price with a currency, or a number right after a duration; a bare
number in the site's own rate list counts as a price. Spans are offsets in ``text``; declared items
have no span.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

RATES_VERSION = "rates-2"

MIN_PRICE = 10
MAX_PRICE = 20_000
MIN_BARE_PRICE = 20  # a number without a currency sign is a price only from 20 up ("24 uur 7 dagen")
MIN_MINUTES = 5
MAX_MINUTES = 24 * 60

INCALL = "incall"
OUTCALL = "outcall"

# Words that say where the meeting is. "hotel" is left out: a hotel can be either.
# Each pattern starts with a cheap guard (a word start, a possible first character) so that the
# alternation behind it is tried at few positions.
_SETTING_WORDS = re.compile(
    r"(?<![^\W\d_])(?=[pibtmeoahvyn])(?:(?P<in>priv[ée]\s{0,3}-?\s{0,3}ontvangst|priv[ée]|ontvangst|incall|in\s{0,3}call|bij\s{1,3}mij(?:\s{1,3}thuis)?|"
    r"thuisontvangst|my\s{1,3}place|in\s{1,3}de\s{1,3}salon|in\s{1,3}het\s{1,3}(?:privéhuis|privehuis|salon))"
    r"|(?P<out>escort|outcall|out\s{0,3}call|bij\s{1,3}(?:jou|u)(?:\s{1,3}thuis)?|aan\s{1,3}huis|huisbezoek|thuisbezoek|"
    r"visit|your\s{1,3}place|naar\s{1,3}(?:jou|u)\s{1,3}toe))"
)

_AMOUNT = r"\d{1,3}(?:\.\d{3}){1,2}|\d{1,5}"  # bounded: a long run of ".000" cannot make it backtrack
_CENTS = r"(?:[.,](?:\d{2}|-{1,2}))?"
_PRICE = re.compile(
    rf"(?=[€e\d])(?:(?:€|eur\b\.?|euro\b)\s{{0,3}}(?P<a>{_AMOUNT})(?P<ac>{_CENTS})"
    rf"|(?P<b>{_AMOUNT})(?P<bc>[.,]\d{{2}})?\s{{0,3}}(?:€|euro'?s?\b|eur\b|,-{{1,2}}|\.-))"
)
_BARE_NUMBER = re.compile(
    rf"(?=\d)(?<![\d.,:/+])(?P<n>{_AMOUNT})(?![\d]|[.,]\d|/\d|\s{{0,3}}(?:%|cm|kg|jaar|jr|min|uur|u\b|h\b|:|x\b|dagen|days))"
)

_NUMBER_WORDS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "one": 1, "two": 2, "three": 3}
# The patterns below run on lower-cased text, without re.IGNORECASE: a case-insensitive alternation is
# many times slower to scan with.
_DURATION = re.compile(
    r"(?<![^\W\d_])(?=[\dehknpowkatdvué½])(?:(?P<night>hele\s{1,3}nacht|(?:per\s{1,3})?nacht|overnachting|overnight|whole\s{1,3}night|night)"
    r"|(?P<half>(?:een\s{1,3}|1\s{0,3})?(?:half|halve|1/2|½)\s{0,3}(?:uur|uurtje|hour|hr))"
    r"|(?P<kwartier>(?:een\s{1,3}|1\s{0,3})?kwartier)"
    r"|(?P<oneandhalf>anderhalf\s{0,3}(?:uur|hour)|1[.,]5\s{0,3}(?:uur|u\b|hours?|hrs?|h\b))"
    r"|(?P<hn>\d{1,2}|een|één|twee|drie|vier|one|two|three)\s{0,3}(?P<hu>uur|uurtje|uren|u\b|hours?|hrs?|h\b)"
    r"|(?P<mn>\d{1,3})\s{0,3}(?P<mu>minuten|minuut|minutes|mins?|m\b|min\.)"
    r"|(?P<bare_hour>(?<![\w/])(?:(?:per\s{1,3}|p/)?(?:uur|hour)\b|p\s?/\s?u\b|p\.\s?u\b\.?|p/h\b)))"
)
_SEGMENT_BREAK = re.compile(r"[\n;|•·]+|(?<=[.!?])\s{1,3}")
_DIGIT = re.compile(r"\d")
_MAX_TEXT = 100_000
_MAX_RATES = 50
# Plain substring tests before any regex: a segment with digits but none of these (a phone number, an
# age) holds no rate.
_RATE_KEYWORDS = ("€", "eur", ",-", ".-", "min", "uur", "hour", "nacht", "night", "kwartier", "half", "p/u", "p.u", "p/h")  # fmt: skip
_SHORT_UNIT = re.compile(r"\d\s?(?:u|m|h|hrs?)\b")  # "1u 150", "30m 100"
_SETTING_KEYWORDS = ("priv", "ontvangst", "call", "bij mij", "thuis", "place", "salon", "escort", "bij jou",
                     "bij u", "huis", "bezoek", "visit", "naar jou", "naar u")  # fmt: skip
_MAX_ELEMENTS = 400  # per segment and kind; a rate list is short


def _price_value(amount: str, cents: str | None) -> int | None:
    whole = int(amount.replace(".", ""))
    value = round(whole + int(cents[1:]) / 100) if cents and cents[1:].isdigit() else whole
    return value if MIN_PRICE <= value <= MAX_PRICE else None


def _duration_value(m: re.Match[str]) -> tuple[int | None, str | None]:
    """(minutes, period); None minutes for a night or when the duration is "per uur" without a count."""
    if m.group("night"):
        return None, "night"
    if m.group("half"):
        return 30, None
    if m.group("kwartier"):
        return 15, None
    if m.group("oneandhalf"):
        return 90, None
    if m.group("hn"):
        raw = m.group("hn")
        count = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
        return (count * 60 if count else None), None
    if m.group("mn"):
        return int(m.group("mn")), None
    return 60, None  # "per uur", "p/uur"


def _elements(segment: str, offset: int) -> list[tuple[str, int, int, object]]:
    """Durations (D), prices with a currency (P), bare numbers (N) and setting words (S), in order."""
    items: list[tuple[str, int, int, object]] = []
    taken = bytearray(len(segment) + 1)  # characters already read as a duration or a price

    def free(m: re.Match[str]) -> bool:
        return not any(taken[m.start() : m.end()])

    def take(m: re.Match[str]) -> None:
        taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())

    for m in itertools.islice(_DURATION.finditer(segment), _MAX_ELEMENTS):
        minutes, period = _duration_value(m)
        if minutes is not None and not MIN_MINUTES <= minutes <= MAX_MINUTES:
            continue
        items.append(("D", m.start(), m.end(), (minutes, period)))
        take(m)
    for m in itertools.islice(_PRICE.finditer(segment), _MAX_ELEMENTS):
        if not free(m):
            continue
        amount, cents = (m.group("a"), m.group("ac")) if m.group("a") else (m.group("b"), m.group("bc"))
        value = _price_value(amount, cents)
        if value is not None:
            items.append(("P", m.start(), m.end(), value))
            take(m)
    for m in itertools.islice(_BARE_NUMBER.finditer(segment), _MAX_ELEMENTS):
        if not free(m):
            continue
        value = int(m.group("n").replace(".", ""))
        if MIN_BARE_PRICE <= value <= MAX_PRICE:
            items.append(("N", m.start(), m.end(), value))
    settings = _SETTING_WORDS.finditer(segment) if any(k in segment for k in _SETTING_KEYWORDS) else ()
    for m in itertools.islice(settings, _MAX_ELEMENTS):
        items.append(("S", m.start(), m.end(), INCALL if m.group("in") else OUTCALL))
    items.sort(key=lambda x: x[1])
    return [(kind, s + offset, e + offset, v) for kind, s, e, v in items]


def _rate(
    minutes: int | None, period: str | None, price: int, setting: str | None, span: list[int] | None
) -> dict:
    rate: dict = {"minutes": minutes, "price_eur": price, "setting": setting, "span": span}
    if period:
        rate["period"] = period
    return rate


_PER = re.compile(r"\b(?:per|voor|for|pp)\b|/")


def _per_duration(segment: str, end: int, duration: tuple[str, int, int, object]) -> bool:
    """A bare number tied to the duration right after it: "100 voor 30 min", "150 p/u"."""
    gap = duration[1] - end
    if gap <= 3 and segment.startswith("p", duration[1]):
        return True
    return gap <= 8 and _PER.search(segment, end, duration[1]) is not None


def _pair(
    segment: str,
    elements: list[tuple[str, int, int, object]],
    setting: str | None,
    declared: bool,
    with_span: bool,
) -> list[dict]:
    """Pair each duration with the price next to it: "1 uur 150", "€100 per half uur"."""
    rates: list[dict] = []
    i, n = 0, len(elements)
    while i < n:
        kind, start, end, value = elements[i]
        nxt = elements[i + 1] if i + 1 < n else None
        if kind == "S":
            setting = value  # type: ignore[assignment]
        elif kind == "D" and nxt and (nxt[0] == "P" or (nxt[0] == "N" and (declared or nxt[1] - end <= 8))):
            minutes, period = value  # type: ignore[misc]
            rates.append(_rate(minutes, period, nxt[3], setting, [start, nxt[2]] if with_span else None))  # type: ignore[arg-type]
            i += 2
            continue
        elif (
            kind in ("P", "N")
            and nxt
            and nxt[0] == "D"
            and (kind == "P" or declared or _per_duration(segment, end, nxt))
        ):  # "€100 per half uur", and a bare "100 voor 30 min", "150 p/u"
            linked = _PER.search(segment, end, nxt[2]) is not None
            next_is_price = i + 2 < n and elements[i + 2][0] in ("P", "N")
            if linked or not next_is_price:  # "€100 per half uur", "€ 1.250 nacht"
                minutes, period = nxt[3]  # type: ignore[misc]
                rates.append(_rate(minutes, period, value, setting, [start, nxt[2]] if with_span else None))  # type: ignore[arg-type]
                i += 2
                continue
        elif (kind == "P" and declared) or (
            kind == "N" and declared and not any(e[0] in ("P", "D") for e in elements)
        ):
            rates.append(_rate(None, None, value, setting, None))  # type: ignore[arg-type]
        i += 1
    _trailing_setting(rates, elements)
    return rates


def _trailing_setting(rates: list[dict], elements: list[tuple[str, int, int, object]]) -> None:
    """ "2 uur 250 (thuisontvangst)": a setting word after the last rate, with none before, is theirs."""
    kinds = [e[0] for e in elements]
    if "S" not in kinds or not rates:
        return
    first_s = kinds.index("S")
    if any(k in ("P", "N", "D") for k in kinds[first_s:]) or any(r["setting"] for r in rates):
        return
    setting = elements[first_s][3]
    for rate in rates:
        rate["setting"] = setting


def _segments(text: str) -> list[tuple[str, int]]:
    out, last = [], 0
    for m in _SEGMENT_BREAK.finditer(text):
        out.append((text[last : m.start()], last))
        last = m.end()
    out.append((text[last:], last))
    return [(seg, off) for seg, off in out if seg.strip()]


def _header_setting(segment: str) -> str | None:
    """A short line like "Escort:" or "Privé ontvangst" without a price sets the setting below it."""
    if len(segment.strip()) > 40:
        return None
    m = _SETTING_WORDS.search(segment)
    if m and len(segment.strip()) <= 40:
        return INCALL if m.group("in") else OUTCALL
    return None


def _lowered(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)  # keep offsets true


def parse_rates(declared: Iterable[str] | None, text: str | None) -> list[dict]:
    """Rates from the site's rate list (``declared``) and from the ad text; declared ones first."""
    rates: list[dict] = []
    for item in declared or ():
        if not isinstance(item, str) or not item.strip():
            continue
        lowered_item = _lowered(item[:300])
        rates.extend(_pair(lowered_item, _elements(lowered_item, 0), None, declared=True, with_span=False))
    if text and isinstance(text, str) and _DIGIT.search(text):
        lowered = _lowered(text[:_MAX_TEXT])
        header: str | None = None
        for segment, offset in _segments(lowered):
            if len(rates) >= _MAX_RATES:
                break
            if not _DIGIT.search(segment):
                header = _header_setting(segment) or header
                continue
            if not any(k in segment for k in _RATE_KEYWORDS) and not _SHORT_UNIT.search(segment):
                header = _header_setting(segment) or header
                continue
            elements = _elements(segment, offset)
            if not any(kind in ("P", "N") for kind, *_ in elements):
                header = _header_setting(segment) or header
                continue
            rates.extend(_pair(lowered, elements, header, declared=False, with_span=True))
    unique: list[dict] = []
    seen: set[tuple] = set()
    for rate in rates[:_MAX_RATES]:
        key = (rate["minutes"], rate["price_eur"], rate["setting"], rate.get("period"))
        if key not in seen:
            seen.add(key)
            unique.append(rate)
    return unique
