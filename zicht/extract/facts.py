"""One call that reads every fact of an ad version: the extract stage of the pipeline.

``extract_facts`` is pure and deterministic and never raises: input comes from ad sites and is hostile
or broken as often as not, and one unreadable field must not cost the rest of the ad. A field that
cannot be read becomes a ``FieldError`` in ``facts.errors``, so the analyst sees why it is empty.

``EXTRACTOR_VERSION`` names the version of every extractor and of the reference tables, so that a
change in any of them makes the pipeline extract again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from zicht import reference
from zicht.extract import ages, places, profile
from zicht.extract import rates as rates_module
from zicht.extract import services as services_module
from zicht.extract.types import Contact, Facts, FieldError, Span

_T = TypeVar("_T")


def _contacts_version() -> str:
    try:
        from zicht.extract import contacts
    except Exception:  # the contact extractor is another module; a broken import must not stop the rest
        return "contacts-unavailable"
    return str(getattr(contacts, "CONTACTS_VERSION", "contacts-unversioned"))


EXTRACTOR_VERSION = "facts-2;" + ";".join(
    (
        _contacts_version(),
        ages.AGES_VERSION,
        places.PLACES_VERSION,
        services_module.SERVICES_VERSION,
        rates_module.RATES_VERSION,
        profile.PROFILE_VERSION,
        reference.REFERENCE_VERSION,
    )
)

# Far beyond any real ad; kept so that a page of junk costs bounded time.
MAX_TEXT_CHARS = 100_000
MAX_TITLE_CHARS = 2_000
MAX_FIELD_CHARS = 2_000
MAX_LIST_ITEMS = 200

# C0/C1 control characters except tab and newline; they carry no meaning in an ad.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(value: Any, limit: int) -> tuple[str, bool]:
    """Text as a string without control characters, cut at ``limit``; and whether it was cut."""
    if value is None:
        return "", False
    if not isinstance(value, str):
        value = str(value)
    cut = len(value) > limit
    return _CONTROL.sub(" ", value[:limit]), cut


def _clean_list(values: Any) -> list[str]:
    """A declared list as strings; one string is taken as a list of one."""
    if isinstance(values, str):
        values = [values]
    if not values or isinstance(values, bytes | Mapping) or not hasattr(values, "__iter__"):
        return []
    return [_clean(item, MAX_FIELD_CHARS)[0] for item in list(values)[:MAX_LIST_ITEMS] if item is not None]


def _guard(errors: list[FieldError], field: str, fn: Callable[[], _T], default: _T) -> _T:
    try:
        return fn()
    except Exception as exc:  # never raise on bad input: record it and go on
        errors.append(FieldError(field, f"extractor failed: {type(exc).__name__}"))
        return default


def extract_facts(
    title: str,
    text: str,
    fields: Mapping[str, str],
    services: list[str],
    rates: list[str],
    phone: str | None,
    url: str,
    default_region: str = "NL",
) -> Facts:
    """Every fact of one ad version. Declared fields win over the text where both say something,
    except that a declared age the text contradicts (by more than a year) is flagged."""
    facts = Facts()
    errors = facts.errors
    title_s, _ = _clean(title, MAX_TITLE_CHARS)
    text_s, text_cut = _clean(text, MAX_TEXT_CHARS)
    if text_cut:
        errors.append(FieldError("text", f"longer than {MAX_TEXT_CHARS} characters; read up to there"))
    fields_s = _clean_fields(fields, errors)
    url_s, _ = _clean(url, MAX_FIELD_CHARS)
    region = default_region.upper() if isinstance(default_region, str) and len(default_region) == 2 else "NL"
    both = f"{title_s}\n{text_s}" if title_s else text_s

    facts.contacts = _guard(errors, "contacts", lambda: _contacts(title_s, text_s, phone, region, errors), [])
    _guard(errors, "age", lambda: _ages(facts, fields_s.get("age"), both), None)
    _guard(errors, "location", lambda: _place(facts, fields_s.get("location"), title_s, text_s), None)
    facts.services = _guard(
        errors, "services", lambda: services_module.find_services(both, _clean_list(services)), []
    )
    facts.rates = _guard(errors, "rates", lambda: _rates(_clean_list(rates), text_s, errors), [])
    declared_hours = fields_s.get("hours")
    if declared_hours and declared_hours.strip() and not profile.hours_readable(declared_hours):
        errors.append(FieldError("hours", f"no hours, days or times recognised: {_shown(declared_hours)}"))
        declared_hours = None
    hours = _guard(errors, "hours", lambda: profile.parse_hours(declared_hours, both), None)
    if hours is not None:
        facts.hours, facts.available_247 = hours.hours, hours.available_247
    declared_languages = fields_s.get("languages")
    if (
        declared_languages
        and declared_languages.strip()
        and not profile.find_languages(None, declared_languages)
    ):
        errors.append(FieldError("languages", f"no language recognised: {_shown(declared_languages)}"))
    facts.languages = _guard(
        errors,
        "languages",
        lambda: profile.find_languages(both, declared_languages or fields_s.get("features")),
        [],
    )
    origin = _guard(errors, "origin", lambda: profile.parse_origin(fields_s.get("origin"), both), None)
    if origin is not None:
        facts.origin = origin.code
        if origin.unread:
            errors.append(FieldError("origin", f"not in the vocabulary: {origin.unread!r}"))
    declared_reception = fields_s.get("reception")
    if (
        declared_reception
        and declared_reception.strip()
        and not profile.parse_reception(None, declared_reception, None)
    ):
        errors.append(FieldError("reception", f"not a known kind of reception: {_shown(declared_reception)}"))
    facts.reception = _guard(
        errors, "reception", lambda: profile.parse_reception(url_s, declared_reception, both), None
    )
    return facts


def _shown(value: str) -> str:
    """A declared value as quoted in an error: short and on one line."""
    return repr(" ".join(value.split())[:60])


def _rates(declared: list[str], text: str, errors: list[FieldError]) -> list[dict]:
    """Rates from the site's list and the text; each declared item that holds no rate is an error."""
    for item in declared:
        if item.strip() and not rates_module.parse_rates([item], None):
            errors.append(FieldError("rates", f"no price recognised: {_shown(item)}"))
    return rates_module.parse_rates(declared, text)


def _clean_fields(fields: Any, errors: list[FieldError]) -> dict[str, str]:
    if fields is None:
        return {}
    if not isinstance(fields, Mapping):
        errors.append(FieldError("fields", f"not a mapping: {type(fields).__name__}"))
        return {}
    out: dict[str, str] = {}
    for key, value in list(fields.items())[:MAX_LIST_ITEMS]:
        if isinstance(key, str) and value is not None:
            out[key] = _clean(value, MAX_FIELD_CHARS)[0]
    return out


def _contacts(title: str, text: str, phone: Any, region: str, errors: list[FieldError]) -> list[Contact]:
    """The declared phone first (source "field"), then what the title and the text give."""
    from zicht.extract.contacts import find_contacts  # another engineer's module: imported when used
    from zicht.extract.phones import find_phones, normalise_declared_phone

    out: list[Contact] = []
    if phone is not None and str(phone).strip():
        raw, _ = _clean(phone, 200)
        # Every number in the field ("+31 6 12345678 / 06 87654321"), the whole field read as one first.
        numbers = [normalise_declared_phone(raw, region), *(p.value for p in find_phones(raw, region))]
        for e164 in dict.fromkeys(n for n in numbers if n):
            out.append(Contact("phone", e164, "field", _country_of(e164)))
        if not out:
            errors.append(FieldError("phone", f"not a phone number: {raw.strip()[:40]!r}"))
    seen = {(c.kind, c.value, c.source) for c in out}
    for part, source in ((title, "title"), (text, "text")):
        for contact in find_contacts(part, region, source=source) if part else ():
            key = (contact.kind, contact.value, contact.source)
            if key not in seen:
                seen.add(key)
                out.append(contact)
    return out


def _country_of(e164: str) -> str | None:
    import phonenumbers

    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or None
    except phonenumbers.NumberParseException:
        return None


def _ages(facts: Facts, declared: str | None, text: str) -> None:
    if declared is not None and declared.strip():
        facts.age_declared = ages.parse_declared_age(declared)
        if facts.age_declared is None:
            facts.errors.append(
                FieldError(
                    "age", f"not one age from {ages.MIN_AGE} to {ages.MAX_AGE}: {declared.strip()[:40]!r}"
                )
            )
    stated = [age for age, _ in ages.find_ages(text)]
    if stated:
        facts.age_text = stated[0]
    if facts.age_declared is not None:
        # Any age in the text that contradicts the field counts, also after one that agrees with it
        # ("Jolie 25 jaar" in the title, "Leeftijd: 21" in the text); that one is the text age shown.
        conflicting = [age for age in stated if abs(age - facts.age_declared) > 1]
        if conflicting:
            facts.age_conflict, facts.age_text = True, conflicting[0]
    facts.age = facts.age_declared if facts.age_declared is not None else facts.age_text
    # Under 18 anywhere (field or text) is flagged even when the other source says an adult age.
    facts.age_below_18 = any(ages.is_below_adult(a) for a in (facts.age_declared, *stated))


# Reasons where the text may still name the place: the field said nothing usable about a gemeente.
_TEXT_MAY_SAY = {
    places.REASON_EMPTY,
    places.REASON_UNKNOWN,
    places.REASON_COUNTRY_ONLY,
    places.REASON_REGION_ONLY,
}


def _place(facts: Facts, declared: str | None, title: str, text: str) -> None:
    both = f"{title}\n{text}" if title else text
    match: places.PlaceMatch | None = None
    if declared is not None and declared.strip():
        resolution = places.resolve_place_verbose(declared, hint=both)
        match = resolution.match
        if match is None:
            detail = f" ({', '.join(resolution.candidates)})" if resolution.candidates else ""
            facts.errors.append(
                FieldError("location", f"{resolution.reason}{detail}: {declared.strip()[:60]!r}")
            )
            if resolution.reason == places.REASON_AMBIGUOUS:
                _alternatives(facts, resolution.candidates, None)
            elif resolution.reason == places.REASON_PROVINCE_ONLY:
                match = _in_text_within_province(both, declared)
            elif resolution.reason in _TEXT_MAY_SAY:
                match = _first_in_text(facts, both)
    else:
        match = _first_in_text(facts, both)
    if match is not None:
        facts.place = match.place
        facts.gemeente_code = match.gemeente_code
        facts.gemeente_name = match.gemeente_name
        facts.province = match.province
        facts.police_unit = match.police_unit
        _alternatives(facts, match.other_gemeenten, match.chosen_by)


def _alternatives(facts: Facts, codes: tuple[str, ...], chosen_by: str | None) -> None:
    """Keep the other gemeenten of an ambiguous place name, so the ad page can show "ook mogelijk"."""
    if not codes:
        return
    gemeenten = reference.gemeenten()
    facts.place_ambiguous = True
    facts.place_chosen_by = chosen_by
    facts.place_alternatives = [
        {"gemeente_code": c, "gemeente_name": gemeenten[c].name if c in gemeenten else c} for c in codes
    ]


def _first_in_text(facts: Facts, text: str) -> places.PlaceMatch | None:
    found, ambiguous = places.find_places_in_text_verbose(text)
    if found:
        return found[0]
    if ambiguous:  # "Nieuw in Nes!": say why no gemeente was taken, and which it may be
        first = ambiguous[0]
        codes = ", ".join(first.candidates)
        facts.errors.append(
            FieldError("location", f"{places.REASON_AMBIGUOUS} ({codes}): {first.written[:60]!r} in the text")
        )
        _alternatives(facts, first.candidates, None)
    return None


def _in_text_within_province(text: str, declared: str) -> places.PlaceMatch | None:
    """ "Limburg" declared and "nieuw in Heerlen" in the text: the text names the gemeente."""
    provinces = {p for p in (places.province_named(declared),) if p}
    for match in places.find_place_in_text(text):
        if not provinces or match.province in provinces:
            return match
    return None


# --- storage form -------------------------------------------------------------------------------------


def facts_to_json(facts: Facts) -> dict:
    """A JSON-ready dict (only str, int, bool, None, lists and dicts) that ``facts_from_json`` reads back."""
    return {
        "contacts": [
            {
                "kind": c.kind,
                "value": c.value,
                "source": c.source,
                "country": c.country,
                "span": _span_to_json(c.span),
                "obscured": c.obscured,
            }
            for c in facts.contacts
        ],
        "age": facts.age,
        "age_declared": facts.age_declared,
        "age_text": facts.age_text,
        "age_conflict": facts.age_conflict,
        "age_below_18": facts.age_below_18,
        "place": facts.place,
        "gemeente_code": facts.gemeente_code,
        "gemeente_name": facts.gemeente_name,
        "province": facts.province,
        "police_unit": facts.police_unit,
        "place_ambiguous": facts.place_ambiguous,
        "place_alternatives": [dict(a) for a in facts.place_alternatives],
        "place_chosen_by": facts.place_chosen_by,
        "services": list(facts.services),
        "rates": [_rate_to_json(r) for r in facts.rates],
        "hours": facts.hours,
        "available_247": facts.available_247,
        "languages": list(facts.languages),
        "origin": facts.origin,
        "reception": facts.reception,
        "errors": [{"field": e.field, "reason": e.reason} for e in facts.errors],
    }


def facts_from_json(d: Mapping[str, Any]) -> Facts:
    """Facts from ``facts_to_json`` output; keys it does not know are ignored, missing ones take defaults,
    so facts stored by an older version still load."""
    d = d or {}
    return Facts(
        contacts=[
            Contact(
                kind=c["kind"],
                value=c["value"],
                source=c.get("source", "text"),
                country=c.get("country"),
                span=_span_from_json(c.get("span")),
                obscured=bool(c.get("obscured", False)),
            )
            for c in d.get("contacts") or []
        ],
        age=d.get("age"),
        age_declared=d.get("age_declared"),
        age_text=d.get("age_text"),
        age_conflict=bool(d.get("age_conflict", False)),
        age_below_18=bool(d.get("age_below_18", False)),
        place=d.get("place"),
        gemeente_code=d.get("gemeente_code"),
        gemeente_name=d.get("gemeente_name"),
        province=d.get("province"),
        police_unit=d.get("police_unit"),
        place_ambiguous=bool(d.get("place_ambiguous", False)),
        place_alternatives=[dict(a) for a in d.get("place_alternatives") or []],
        place_chosen_by=d.get("place_chosen_by"),
        services=list(d.get("services") or []),
        rates=[_rate_to_json(r) for r in d.get("rates") or []],
        hours=d.get("hours"),
        available_247=bool(d.get("available_247", False)),
        languages=list(d.get("languages") or []),
        origin=d.get("origin"),
        reception=d.get("reception"),
        errors=[FieldError(e["field"], e["reason"]) for e in d.get("errors") or []],
    )


def _span_to_json(span: Span | None) -> dict | None:
    return None if span is None else {"start": span.start, "end": span.end, "text": span.text}


def _span_from_json(d: Mapping[str, Any] | None) -> Span | None:
    return None if not d else Span(int(d["start"]), int(d["end"]), str(d.get("text", "")))


def _rate_to_json(rate: Mapping[str, Any]) -> dict:
    out = dict(rate)
    if out.get("span") is not None:
        out["span"] = [int(x) for x in out["span"]]
    return out
