"""What the extractors read from one ad version, put in the words a control team uses.

Every fact keeps where it came from (declared by the site, read in the text, read in a photo), and a
fact that is missing says why, so a person never mistakes "Zicht could not read it" for "it is not
there". Labels are message ids; the templates translate them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel import Locale

from zicht.signals.labels import service_name
from zicht.store.views import ContactView, VersionView
from zicht.web.i18n import N_

SOURCE_LABELS: dict[str, str] = {
    "field": N_("declared"),
    "text": N_("in the text"),
    "title": N_("in the title"),
    "link": N_("in a link"),
    "photo": N_("in a photo (OCR)"),
}
KIND_LABELS: dict[str, str] = {
    "phone": N_("Phone"),
    "email": N_("Email"),
    "whatsapp": N_("WhatsApp"),
    "telegram": N_("Telegram"),
    "snapchat": N_("Snapchat"),
    "instagram": N_("Instagram"),
}
RECEPTION_LABELS: dict[str, str] = {
    "prive_ontvangst": N_("private reception"),
    "thuisontvangst": N_("reception at home"),
    "escort": N_("escort (visits the client)"),
    "hotel": N_("hotel"),
    "erotische_massage": N_("erotic massage"),
    "massage": N_("massage"),
    "club": N_("club"),
    "raam": N_("window"),
    "webcam": N_("webcam"),
}
# Origins that name a region rather than a country (countries are named by Babel).
REGION_LABELS: dict[str, str] = {
    "eastern_europe": N_("Eastern Europe"),
    "western_europe": N_("Western Europe"),
    "europe": N_("Europe"),
    "latin_america": N_("Latin America"),
    "asia": N_("Asia"),
    "africa": N_("Africa"),
    "caribbean": N_("Caribbean"),
    "middle_east": N_("Middle East"),
    "scandinavia": N_("Scandinavia"),
    "mixed": N_("mixed"),
}
FIELD_LABELS: dict[str, str] = {
    "contacts": N_("contact details"),
    "phone": N_("phone"),
    "age": N_("age"),
    "location": N_("place"),
    "services": N_("services"),
    "rates": N_("rates"),
    "hours": N_("working hours"),
    "languages": N_("languages"),
    "origin": N_("origin"),
    "reception": N_("reception"),
    "text": N_("text"),
    "fields": N_("declared details"),
}
# Why a declared place gave no gemeente (zicht.extract.places REASON_*).
PLACE_REASONS: dict[str, str] = {
    "empty": N_("the place field is empty"),
    "unknown": N_("the place is not in the CBS list of places"),
    "ambiguous": N_("several gemeenten have a place of this name"),
    "province_only": N_("only a province is named"),
    "region_only": N_("only a region is named"),
    "country_only": N_("only a country is named"),
}
NO_PLACE = N_("the ad names no place that Zicht recognises")
SETTING_LABELS: dict[str, str] = {"incall": N_("receives clients"), "outcall": N_("visits the client")}


@dataclass(frozen=True)
class Found:
    source: str  # field | text | title | link | photo
    obscured: bool
    written: str  # as written in the ad, when known ("nul zes een twee ...")


@dataclass(frozen=True)
class ContactFact:
    kind: str
    value: str
    found: tuple[Found, ...]

    @property
    def obscured(self) -> bool:
        return any(f.obscured for f in self.found)


@dataclass(frozen=True)
class PlaceFact:
    place: str | None
    gemeente_code: str | None
    gemeente_name: str | None
    province: str | None
    police_unit: str | None
    from_text: bool  # the gemeente comes from the text, not from the declared place
    unknown_reason: str | None  # message id, when there is no gemeente
    detail: str | None  # the extractor's own note ("unknown: 'Atlantis'")
    # Other gemeenten with a place of this name, (code, name): "ook mogelijk: …".
    alternatives: tuple[tuple[str, str], ...] = ()
    default_choice: bool = False  # the gemeente of that very name was taken as a default


@dataclass(frozen=True)
class RateFact:
    price_eur: float | None
    minutes: float | None
    night: bool
    setting: str | None  # message id


@dataclass(frozen=True)
class FactsShown:
    contacts: list[ContactFact]
    age: int | None
    age_declared: int | None
    age_text: int | None
    age_conflict: bool
    place: PlaceFact
    services: list[str]
    rates: list[RateFact]
    hours: str | None
    available_247: bool
    languages: list[str]
    reception: str | None  # message id, or the code when it has no label
    origin: str | None  # a name in the reader's language
    origin_code: str | None
    errors: list[tuple[str, str]]  # (field label message id or field name, reason)


def _written(contact: Mapping[str, Any]) -> str:
    span = contact.get("span")
    return str(span.get("text", "")) if isinstance(span, Mapping) else ""


def contact_facts(contacts: Sequence[ContactView], facts: Mapping[str, Any]) -> list[ContactFact]:
    """Each contact point once, with every place it was found; phones first."""
    written = {
        (c.get("kind"), c.get("value"), c.get("source")): _written(c)
        for c in facts.get("contacts") or []
        if isinstance(c, Mapping)
    }
    grouped: dict[tuple[str, str], list[Found]] = {}
    for c in contacts:
        grouped.setdefault((c.kind, c.value), []).append(
            Found(c.source, c.obscured, written.get((c.kind, c.value, c.source), ""))
        )
    order = list(SOURCE_LABELS)
    rank = {kind: i for i, kind in enumerate(KIND_LABELS)}
    return [
        ContactFact(
            kind,
            value,
            tuple(sorted(found, key=lambda f: order.index(f.source) if f.source in order else 99)),
        )
        for (kind, value), found in sorted(grouped.items(), key=lambda kv: (rank.get(kv[0][0], 99), kv[0][1]))
    ]


def _place(facts: Mapping[str, Any], errors: list[Mapping[str, Any]], declared: str | None) -> PlaceFact:
    location_error = next((str(e.get("reason", "")) for e in errors if e.get("field") == "location"), None)
    code = facts.get("gemeente_code")
    reason = None
    if not code:
        if location_error:
            key = location_error.split(":", 1)[0].split(" (", 1)[0].strip()
            reason = PLACE_REASONS.get(key, NO_PLACE)
        else:
            reason = NO_PLACE if not (declared or "").strip() else PLACE_REASONS["unknown"]
    return PlaceFact(
        place=facts.get("place"),
        gemeente_code=code,
        gemeente_name=facts.get("gemeente_name"),
        province=facts.get("province"),
        police_unit=facts.get("police_unit"),
        from_text=bool(code) and (location_error is not None or not (declared or "").strip()),
        unknown_reason=reason,
        detail=location_error,
        alternatives=tuple(
            (str(a.get("gemeente_code", "")), str(a.get("gemeente_name", "")))
            for a in facts.get("place_alternatives") or []
            if isinstance(a, Mapping)
        ),
        default_choice=facts.get("place_chosen_by") == "namesake",
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _rate(rate: Mapping[str, Any]) -> RateFact:
    setting = rate.get("setting")
    return RateFact(
        price_eur=_number(rate.get("price_eur")),
        minutes=_number(rate.get("minutes")),
        night=rate.get("period") == "night",
        setting=SETTING_LABELS.get(setting, str(setting)) if setting else None,
    )


def _origin_name(code: str, lang: str) -> str:
    if code in REGION_LABELS:
        return REGION_LABELS[code]
    return Locale.parse(lang).territories.get(code.upper(), code)


def _language_name(code: str, lang: str) -> str:
    return Locale.parse(lang).languages.get(code, code)


def facts_shown(
    facts: Mapping[str, Any], contacts: Sequence[ContactView], version: VersionView, lang: str
) -> FactsShown:
    """The facts of one version as the ad page shows them; ``facts`` is the stored JSON."""
    errors = [e for e in facts.get("errors") or [] if isinstance(e, Mapping)]
    reception = facts.get("reception")
    origin = facts.get("origin")
    return FactsShown(
        contacts=contact_facts(contacts, facts),
        age=facts.get("age"),
        age_declared=facts.get("age_declared"),
        age_text=facts.get("age_text"),
        age_conflict=bool(facts.get("age_conflict")),
        place=_place(facts, errors, version.fields.get("location")),
        services=[service_name(str(s), lang) for s in facts.get("services") or []],
        rates=[_rate(r) for r in facts.get("rates") or [] if isinstance(r, Mapping)],
        hours=facts.get("hours"),
        available_247=bool(facts.get("available_247")),
        languages=[_language_name(str(code), lang) for code in facts.get("languages") or []],
        reception=RECEPTION_LABELS.get(reception, reception) if reception else None,
        origin=_origin_name(str(origin), lang) if origin else None,
        origin_code=str(origin) if origin else None,
        errors=[
            (FIELD_LABELS.get(str(e.get("field")), str(e.get("field"))), str(e.get("reason", "")))
            for e in errors
        ],
    )
