"""Evaluate one ad version against the catalogue: explained hits with spans, negations and facts.

Pure and deterministic: the same title, text, facts, catalogue and context always give the same hits.

Offsets: every text hit's ``span`` points into the *combined* text ``title + "\\n\\n" + text`` (plus
``"\\n\\n"`` and the service items one per line when a service checklist is passed; see
``combined_text``); ``locate(span, title, text, services)`` turns it back into a field ("title",
"text" or "services") and offsets local to that field.

Bounded work, by design rather than by timing: only the first ``TEXT_LIMIT`` characters of the combined
text are evaluated (``was_truncated`` tells the caller); each indicator keeps at most
``MAX_MATCHES_PER_INDICATOR`` matches; negation looks back a fixed distance; the catalogue loader
rejects regexes with nested or broad unbounded repetition. Invisible characters (zero-width spaces, soft
hyphens, bidi controls, variation selectors) are skipped and styled letters (fullwidth, mathematical
bold) read as plain ones, so "zon\\u200bder condoom" is still found; spans still point at the original.

``context`` (optional) carries what one ad cannot know: ``{"median_price_per_hour": 150.0,
"region": "Limburg"}``. Without a median, LOW_PRICE is returned as not evaluated (``evaluated=False``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zicht.extract.profile import parse_hours
from zicht.extract.types import Facts, Span
from zicht.signals.catalogue import Catalogue, FactCondition, Indicator
from zicht.signals.labels import origin_name, service_name
from zicht.signals.negation import (
    Covered,
    Negation,
    affirmed_after,
    negation_after,
    negation_before,
    only_list_glue,
)

# Bump when a change here or in negation.py changes which hits an ad gets; part of ``scoring_version``.
ENGINE_VERSION = "engine-4"
SEPARATOR = "\n\n"
TEXT_LIMIT = 30_000
MAX_MATCHES_PER_INDICATOR = 20
_NO_SPAN = 1 << 40

_WORD = re.compile(r"\w+")
_SUSPICIOUS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufe00-\ufe0f\ufeff\uff01-\uff5e"
    "\U0001d400-\U0001d7ff\U000e0000-\U000e007f]"
)
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufe00-\ufe0f\ufeff\U000e0000-\U000e007f]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Hit:
    """One reason found in an ad, with enough context to explain it to an analyst.

    ``weight`` is what the hit may add: the indicator's weight, or 0 when negated, not evaluated or not
    predictive. ``reason`` is in English, ``reason_nl`` in Dutch.
    """

    code: str
    span: Span | None
    matched_text: str
    weight: float
    evidence_level: str
    source_note: str
    negated: bool
    reason: str
    reason_nl: str = ""
    evaluated: bool = True
    negation_cue: str = ""  # the cue that cancelled a text match ("geen"), for "found 'geen AV', not counted"

    @property
    def counts(self) -> bool:
        """True when this hit may raise the score."""
        return self.evaluated and not self.negated and self.weight > 0


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    """A JSON-ready dict of a hit, for storage; ``hit_from_dict`` reverses it exactly."""
    d = dict(hit.__dict__)
    d["span"] = (
        None if hit.span is None else {"start": hit.span.start, "end": hit.span.end, "text": hit.span.text}
    )
    return d


def hit_from_dict(d: dict[str, Any]) -> Hit:
    span = d.get("span")
    return Hit(**{**d, "span": None if span is None else Span(span["start"], span["end"], span["text"])})


@dataclass(frozen=True)
class FieldSpan:
    field: str  # "title" | "text" | "services"
    start: int  # offsets local to the field (for services: into services_text(services))
    end: int
    item: int | None = None  # for services: which item of the list


def services_text(services: Sequence[str] | None) -> str:
    """The site's service checklist as evaluated: one item per line, so each item is its own clause."""
    return "\n".join(str(s) for s in services or ())


def combined_text(title: str | None, text: str | None, services: Sequence[str] | None = None) -> str:
    """The single string all text spans refer to: title, text and (if given) the service items."""
    combined = f"{title or ''}{SEPARATOR}{text or ''}"
    if services:
        combined += SEPARATOR + services_text(services)
    return combined


def locate(
    span: Span, title: str | None, text: str | None = None, services: Sequence[str] | None = None
) -> FieldSpan:
    """Map a span in the combined text back to its field and offsets local to that field.

    ``text`` is needed only to tell text from services when a service list was evaluated.
    """
    t = len(title or "")
    if span.end <= t:
        return FieldSpan("title", span.start, span.end)
    text_start = t + len(SEPARATOR)
    text_end = text_start + len(text) if text is not None else None
    if span.start >= text_start and (text_end is None or span.end <= text_end):
        return FieldSpan("text", span.start - text_start, span.end - text_start)
    if text_end is not None and services and span.start >= text_end + len(SEPARATOR):
        start, end = span.start - text_end - len(SEPARATOR), span.end - text_end - len(SEPARATOR)
        item = services_text(services).count("\n", 0, start)
        return FieldSpan("services", start, end, item)
    raise ValueError(f"span {span.start}-{span.end} crosses a field separator")


def was_truncated(title: str | None, text: str | None, services: Sequence[str] | None = None) -> bool:
    """True when part of the ad lies beyond ``TEXT_LIMIT`` and was not evaluated."""
    return len(combined_text(title, text, services)) > TEXT_LIMIT


def evaluate(
    title: str,
    text: str,
    facts: Facts | None,
    catalogue: Catalogue,
    context: dict[str, Any] | None = None,
    services: Sequence[str] | None = None,
) -> list[Hit]:
    """All hits of the catalogue's ad-scope indicators in one ad version, sorted by position then code.

    ``services``: the site's service checklist as written ("Pijpen zonder", "Geen grenzen"), if any;
    its items are read like text, one clause per item, so phrases that are no service code still count.
    """
    combined = combined_text(title, text, services)[:TEXT_LIMIT]
    norm, offsets = _prepare(combined)
    low = _lower(norm)

    raw: dict[str, list[tuple[int, int]]] = {}
    by_code = catalogue.by_code()
    for code, starts in _candidate_starts(low, catalogue).items():
        found = _match_at(by_code[code].matcher, low, starts, MAX_MATCHES_PER_INDICATOR)
        if found:
            raw[code] = found
    for code in catalogue.anchor_index.always:
        found = _scan(by_code[code].matcher, low, MAX_MATCHES_PER_INDICATOR)
        if found:
            raw[code] = found
    covered = Covered([span for spans in raw.values() for span in spans])

    hits: list[Hit] = []
    for ind in catalogue.ad_indicators:
        text_hits = _text_hits(ind, raw.get(ind.code, []), low, combined, offsets, covered)
        hits.extend(text_hits)
        if ind.facts and facts is not None:
            hits.extend(_fact_hits(ind, facts, context, text_hits, _Where(title or "", text or "", combined)))
    hits.sort(key=lambda h: (h.span.start if h.span else _NO_SPAN, h.code, h.span.end if h.span else 0))
    return hits


# ------------------------------------------------------------------------------------------ text prep


def _prepare(s: str) -> tuple[str, list[int] | None]:
    """Skip invisible characters and read styled letters as plain; keep a map to original offsets."""
    if not _SUSPICIOUS.search(s):
        return s, None
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(s):
        if _INVISIBLE.match(ch):
            continue
        if _CONTROL.match(ch):
            ch = " "
        elif _SUSPICIOUS.match(ch):  # fullwidth forms, mathematical alphanumerics
            ch = unicodedata.normalize("NFKC", ch) or " "
        for c in ch:
            out.append(c)
            offsets.append(i)
    return "".join(out), offsets


def _lower(s: str) -> str:
    low = s.lower()
    if len(low) == len(s):
        return low
    # a few characters (e.g. U+0130) lower-case to two; keep them so offsets stay aligned
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in s)


def _candidate_starts(low: str, catalogue: Catalogue) -> dict[str, list[int]]:
    """For each anchored indicator, the token starts where one of its patterns could match.

    Every match starts at a word boundary with a word character, i.e. at a token start, and its first
    characters are one of the indicator's anchors; trying ``match`` only there replaces a scan of the
    whole text per indicator (the regex engine's own first-character skip fails on most alternations).
    """
    codes_for = catalogue.anchor_index.codes_for
    starts: dict[str, list[int]] = {}
    for m in _WORD.finditer(low):
        codes = codes_for(m.group()[:3])
        if codes:
            pos = m.start()
            for code in codes:
                starts.setdefault(code, []).append(pos)
    return starts


def _match_at(rx: re.Pattern[str] | None, low: str, starts: list[int], limit: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    if rx is None:
        return out
    last_end = -1
    for pos in starts:  # increasing, one per token
        if pos < last_end:
            continue
        m = rx.match(low, pos)
        if m is not None:
            out.append(m.span())
            last_end = m.end()
            if len(out) >= limit:
                break
    return out


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _scan(rx: re.Pattern[str], low: str, limit: int) -> list[tuple[int, int]]:
    """Non-overlapping matches that start on a word boundary, leftmost first."""
    out: list[tuple[int, int]] = []
    pos, n = 0, len(low)
    while pos <= n and len(out) < limit:
        m = rx.search(low, pos)
        if m is None:
            break
        s, e = m.span()
        if s > 0 and _is_word_char(low[s - 1]):
            pos = s + 1
            continue
        out.append((s, e))
        pos = e if e > s else s + 1
    return out


def _original_span(combined: str, offsets: list[int] | None, s: int, e: int) -> Span:
    if offsets is not None:
        s, e = offsets[s], offsets[e - 1] + 1
    return Span(start=s, end=e, text=combined[s:e])


# ------------------------------------------------------------------------------------------ text hits


def _text_hits(
    ind: Indicator,
    matches: list[tuple[int, int]],
    low: str,
    combined: str,
    offsets: list[int] | None,
    covered: Covered,
) -> list[Hit]:
    hits: list[Hit] = []
    prev_end: int | None = None
    prev_negation: Negation | None = None
    for s, e in matches:
        negation = None
        if ind.negation_after is not None:
            negation = negation_after(low, e, ind.negation_after)
        if negation is None and ind.negation_before is not None:
            negation = negation_before(low, s, ind.negation_before, ind.negation_window, covered)
        if (
            negation is None
            and prev_negation is not None
            and prev_negation.where != "after"
            and prev_end is not None
            and only_list_glue(low, prev_end, s, covered)
        ):
            negation = Negation(cue=prev_negation.cue, where="list")
        if negation is not None and negation.where != "after" and affirmed_after(low, e):
            negation = None  # "niet zoenen, BBBJ wel": the match itself says it is offered
        prev_end, prev_negation = e, negation

        span = _original_span(combined, offsets, s, e)
        hits.append(_text_hit(ind, span, negation))
    return hits


def _text_hit(ind: Indicator, span: Span, negation: Negation | None) -> Hit:
    quoted = span.text.strip()
    if negation is not None:
        where_en = {"before": "before it", "after": "after it", "list": "earlier in the same list"}[
            negation.where
        ]
        where_nl = {"before": "ervoor", "after": "erna", "list": "eerder in dezelfde opsomming"}[
            negation.where
        ]
        reason = f"text: '{quoted}' found, but negated by '{negation.cue}' {where_en}; not counted"
        reason_nl = (
            f"tekst: '{quoted}' gevonden, maar ontkend door '{negation.cue}' {where_nl}; telt niet mee"
        )
    elif not ind.counts_toward_score:
        reason = f"text: '{quoted}' found; research found this not predictive, so it does not count"
        reason_nl = f"tekst: '{quoted}' gevonden; volgens onderzoek geen voorspeller, telt niet mee"
    else:
        reason = f"text: '{quoted}'"
        reason_nl = f"tekst: '{quoted}'"
    return Hit(
        code=ind.code,
        span=span,
        matched_text=span.text,
        weight=0.0 if negation is not None else ind.weight,
        evidence_level=ind.evidence_level,
        source_note=ind.source_note,
        negated=negation is not None,
        reason=reason,
        reason_nl=reason_nl,
        negation_cue=negation.cue if negation is not None else "",
    )


# ------------------------------------------------------------------------------------------ fact hits


_SOURCE_NL = {
    "photo": "een foto",
    "field": "het contactveld",
    "text": "de tekst",
    "title": "de titel",
    "link": "een link",
}


@dataclass(frozen=True)
class _Found:
    """A fact condition that fired (or could not be evaluated), phrased for people.

    ``span`` (into the combined text) when the fact was read from the title or text, so the ad page
    can mark the words; None for a photo, a declared field or a link.
    """

    matched: str
    en: str
    nl: str
    evaluated: bool = True
    span: Span | None = None


@dataclass(frozen=True)
class _Where:
    """Turns spans local to the title or the text (as the extractors give them) into combined ones."""

    title: str
    text: str
    combined: str  # cut at TEXT_LIMIT

    def span(self, source: str, start: int, end: int, expected: str | None = None) -> Span | None:
        base = {"title": 0, "text": len(self.title) + len(SEPARATOR)}.get(source)
        if base is None or not 0 <= start < end:
            return None
        s, e = base + start, base + end
        if e > base + len(self.title if source == "title" else self.text) or e > len(self.combined):
            return None
        found = self.combined[s:e]
        if expected is not None and found != expected:
            return None  # the facts were read from other content: never point at the wrong words
        return Span(s, e, found)


def _fact_hits(
    ind: Indicator, facts: Facts, context: dict[str, Any] | None, text_hits: list[Hit], where: _Where
) -> list[Hit]:
    positive_text = any(not h.negated for h in text_hits)
    negated_text = next((h for h in text_hits if h.negated), None)
    out: list[Hit] = []
    for cond in ind.facts:
        found = _check_condition(cond, facts, context, where)
        if found is None:
            continue
        reason, reason_nl, negated = found.en, found.nl, False
        if found.evaluated and cond.text_derived and negated_text is not None and not positive_text:
            negated = True
            said = f"'{negated_text.negation_cue}' + '{negated_text.matched_text.strip()}'"
            reason += f"; but the ad text negates it ({said}), so it is not counted: check by hand"
            reason_nl += f"; maar de tekst ontkent het ({said}), dus telt het niet mee: controleer zelf"
        elif found.evaluated and not ind.counts_toward_score:
            reason += "; research found this not predictive, so it does not count"
            reason_nl += "; volgens onderzoek geen voorspeller, telt niet mee"
        out.append(
            Hit(
                code=ind.code,
                span=found.span,
                matched_text=found.span.text if found.span else found.matched,
                weight=ind.weight if found.evaluated and not negated else 0.0,
                evidence_level=ind.evidence_level,
                source_note=ind.source_note,
                negated=negated,
                reason=reason,
                reason_nl=reason_nl,
                evaluated=found.evaluated,
            )
        )
    return out


def _check_condition(
    cond: FactCondition, facts: Facts, context: dict[str, Any] | None, where: _Where
) -> _Found | None:
    kind, value = cond.kind, cond.value
    if kind == "available_247":
        if not (value and facts.available_247):
            return None
        return _around_the_clock(facts, where)
    if kind == "contact_obscured":
        contact = next((c for c in facts.contacts or () if c.obscured), None)
        if contact is None or not value:
            return None
        span = None
        if contact.span is not None:
            span = where.span(contact.source, contact.span.start, contact.span.end, contact.span.text)
        return _Found(
            contact.span.text if contact.span else contact.value,
            f"fact: contact {contact.value} is written to avoid search (words, letters or symbols for digits)",
            f"feit: contact {contact.value} is verhuld geschreven (woorden, letters of tekens voor cijfers)",
            span=span,
        )
    if kind == "contact_source_in":
        contact = next((c for c in facts.contacts or () if c.source in value), None)
        if contact is None:
            return None
        where_nl = _SOURCE_NL.get(contact.source, contact.source)
        return _Found(
            contact.value,
            f"fact: contact {contact.value} was found in a {contact.source}",
            f"feit: contact {contact.value} gevonden in {where_nl}",
        )
    if kind == "contact_kinds_only":
        # A number known only from a wa.me link is the WhatsApp contact, not a number to call.
        kinds = sorted(
            {c.kind for c in facts.contacts or () if not (c.kind == "phone" and c.source == "link")}
        )
        if not kinds or not set(kinds) <= set(value):
            return None
        shown = ", ".join(kinds)
        return _Found(
            shown, f"fact: the only contact options are {shown}", f"feit: alleen contact via {shown}"
        )
    if kind == "age_below":
        if not isinstance(facts.age, int | float) or not facts.age < value:
            return None
        return _Found(
            str(facts.age),
            f"fact: stated age {facts.age} (under {value:g})",
            f"feit: opgegeven leeftijd {facts.age} (onder {value:g})",
        )
    if kind == "stated_age_below":
        return _stated_age_below(value, facts)
    if kind == "origin_present":
        if not (value and facts.origin):
            return None
        return _Found(
            facts.origin,
            f"fact: origin given as '{origin_name(facts.origin, 'en')}'",
            f"feit: afkomst opgegeven als '{origin_name(facts.origin, 'nl')}'",
        )
    if kind == "reception_in":
        reception = (facts.reception or "").strip().lower()
        if not reception or reception not in {v.lower() for v in value}:
            return None
        return _Found(
            facts.reception or "",
            f"fact: reception type '{facts.reception}'",
            f"feit: soort ontvangst '{facts.reception}'",
        )
    if kind == "services_any":
        listed = [s for s in dict.fromkeys(facts.services or ()) if s in value]
        if not listed:
            return None
        en, nl = (", ".join(service_name(c, lang) for c in listed) for lang in ("en", "nl"))
        return _Found(", ".join(listed), f"fact: service(s) listed: {en}", f"feit: dienst(en) genoemd: {nl}")
    if kind == "services_count_at_least":
        n = len(set(facts.services or ()))
        if n < value:
            return None
        return _Found(
            str(n),
            f"fact: {n} services listed ({value:g} or more)",
            f"feit: {n} diensten genoemd ({value:g} of meer)",
        )
    if kind == "price_per_hour_below_median_ratio":
        return _low_price(value, facts, context, where)
    raise ValueError(f"fact condition {kind!r} has no evaluator")  # the loader only lets known kinds in


def _stated_age_below(limit: float, facts: Facts) -> _Found | None:
    """The lowest age the ad states anywhere (field or text), when it is under ``limit``.

    Looks at every stated age, not only the chosen ``age``: when field and text disagree, the lower one
    is the one a person must see.
    """
    said = [
        (age, where)
        for age, where in (
            (facts.age, ("stated", "opgegeven")),
            (facts.age_declared, ("in the age field", "in het leeftijdsveld")),
            (facts.age_text, ("in the text", "in de tekst")),
        )
        if isinstance(age, int | float) and not isinstance(age, bool) and age < limit
    ]
    if not said:
        return None
    age, (en, nl) = min(said, key=lambda a: a[0])
    return _Found(
        str(age),
        f"fact: age {age} {en} (under {limit:g}); check by hand: it may be a typing or reading error",
        f"feit: leeftijd {age} {nl} (onder {limit:g}); controleer zelf: het kan een tik- of leesfout zijn",
    )


def hourly_price(rates: list[dict[str, Any]]) -> tuple[float, dict[str, Any]] | None:
    """The ad's price per hour: a 60-minute rate if there is one, else the cheapest 15-180 minute rate
    scaled to an hour. Night and multi-hour rates say little about the hourly price and are skipped."""
    candidates: list[tuple[bool, float, dict[str, Any]]] = []
    for rate in rates or []:
        if not isinstance(rate, dict):
            continue
        minutes, price = rate.get("minutes"), rate.get("price_eur")
        if not isinstance(minutes, int | float) or not isinstance(price, int | float):
            continue
        if isinstance(minutes, bool) or isinstance(price, bool) or not 15 <= minutes <= 180 or price <= 0:
            continue
        candidates.append((minutes != 60, price * 60.0 / minutes, rate))
    if not candidates:
        return None
    _, hourly, rate = min(candidates, key=lambda c: (c[0], c[1]))
    return hourly, rate


def _low_price(ratio: float, facts: Facts, context: dict[str, Any] | None, where: _Where) -> _Found | None:
    found = hourly_price(facts.rates)
    if found is None:
        return None
    hourly, rate = found
    shown = f"€{rate['price_eur']:g} / {rate['minutes']:g} min"
    median = (context or {}).get("median_price_per_hour")
    if isinstance(median, bool) or not isinstance(median, int | float) or median <= 0:
        return _Found(
            shown,
            "not evaluated: no regional median price per hour was given",
            "niet beoordeeld: geen regionale mediaanprijs per uur bekend",
            evaluated=False,
        )
    if hourly >= ratio * median:
        return None
    at = rate.get("span")  # into the ad text; declared rates have none
    span = (
        where.span("text", int(at[0]), int(at[1])) if isinstance(at, list | tuple) and len(at) == 2 else None
    )
    region = (context or {}).get("region")
    in_region = f" in {region}" if region else ""
    pct = round(100 * hourly / median)
    return _Found(
        shown,
        f"fact: €{hourly:.0f} per hour is {pct}% of the regional median of €{median:.0f}{in_region}"
        f" (threshold {ratio:.0%})",
        f"feit: €{hourly:.0f} per uur is {pct}% van de regionale mediaan van €{median:.0f}{in_region}"
        f" (grens {ratio:.0%})",
        span=span,
    )


def _around_the_clock(facts: Facts, where: _Where) -> _Found:
    """Quote the words that claim availability around the clock: the title or text where they say it,
    the declared working hours only when those themselves say it ("weekend 10-18" never does)."""
    span = None
    for source, part in (
        ("title", where.title),
        ("text", where.text),
    ):
        said = parse_hours(None, part).span
        if said is not None:
            span = where.span(source, said.start, said.end, said.text)
            if span is not None:
                break
    declared = facts.hours if facts.hours and parse_hours(facts.hours, None).available_247 else None
    if span is not None:
        quoted = span.text.strip()
        en, nl = (
            f"text says available around the clock: '{quoted}'",
            f"tekst zegt dag en nacht beschikbaar: '{quoted}'",
        )
        if declared:
            en += f"; so do the working hours ('{declared}')"
            nl += f"; de werktijden ook ('{declared}')"
        return _Found(span.text, f"fact: {en}", f"feit: {nl}", span=span)
    if declared:
        return _Found(
            declared,
            f"fact: working hours say available around the clock ('{declared}')",
            f"feit: werktijden zeggen dag en nacht beschikbaar ('{declared}')",
        )
    return _Found(
        "24/7",
        "fact: the ad says it is available around the clock",
        "feit: de advertentie zegt dag en nacht beschikbaar",
    )
