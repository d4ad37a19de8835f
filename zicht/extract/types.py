"""Facts that extractors produce. Pure data: no storage, no web."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """Where in the source text a fact was found (character offsets, end exclusive)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Contact:
    """A contact point found in an ad.

    kind: phone | email | whatsapp | telegram | snapchat | instagram
    value: E.164 for phones (also for WhatsApp links with a number), lower-case handle otherwise.
    source: field (declared), text (free text), title, link (URL in text), photo (OCR of an image).
    """

    kind: str
    value: str
    source: str
    country: str | None = None
    span: Span | None = None
    obscured: bool = False  # written to evade search (words, letters for digits, emoji, separators)


@dataclass(frozen=True)
class FieldError:
    """A field that could not be read, kept per ad so the analyst sees why it is missing."""

    field: str
    reason: str


@dataclass
class Facts:
    """Everything extracted from one ad version; stored as JSON with the extractor version."""

    contacts: list[Contact] = field(default_factory=list)
    age: int | None = None
    age_declared: int | None = None
    age_text: int | None = None
    age_conflict: bool = False
    # The declared age or any age stated in the text is 12–17: kept as a fact, never dropped.
    age_below_18: bool = False
    place: str | None = None
    gemeente_code: str | None = None
    gemeente_name: str | None = None
    province: str | None = None
    police_unit: str | None = None
    # The place name exists in more than one gemeente: the others ({"gemeente_code", "gemeente_name"}),
    # and how the one in gemeente_code was picked ("hint", "namesake" = the gemeente of that very name as
    # a default, "spelling"; None when none was picked and gemeente_code is empty).
    place_ambiguous: bool = False
    place_alternatives: list[dict] = field(default_factory=list)
    place_chosen_by: str | None = None
    services: list[str] = field(default_factory=list)
    rates: list[dict] = field(default_factory=list)
    hours: str | None = None
    available_247: bool = False
    languages: list[str] = field(default_factory=list)
    origin: str | None = None
    reception: str | None = None
    errors: list[FieldError] = field(default_factory=list)
