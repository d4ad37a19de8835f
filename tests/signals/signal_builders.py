"""Small builders shared by the signal tests (not fixtures: plain functions keep the tests readable)."""

from __future__ import annotations

import copy
from typing import Any

from zicht.extract.types import Contact, Facts, Span
from zicht.signals.catalogue import Catalogue
from zicht.signals.engine import Hit


def facts_from(example: dict[str, Any]) -> Facts:
    """Facts from an example's ``facts`` mapping as written in catalogue.yaml."""
    data = dict(example)
    contacts = [Contact(**c) for c in data.pop("contacts", [])]
    return Facts(contacts=contacts, **data)


def minimal_entry(code: str = "TEST_SIGNAL", **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "code": code,
        "name": {"nl": "Test", "en": "Test"},
        "explanation": {"nl": "Uitleg.", "en": "Explanation."},
        "evidence_level": "practitioner",
        "weight": 0.2,
        "sources": [{"title": "Bron", "url": "https://example.org/bron"}],
        "patterns": {"nl": ["proefwoord"], "en": ["testword"]},
        "negations": {"nl": ["geen"], "en": ["no"]},
    }
    entry.update(copy.deepcopy(overrides))
    return entry


def catalogue_data(*entries: dict[str, Any], version: str = "2026.11.1") -> dict[str, Any]:
    return {"version": version, "indicators": list(entries) or [minimal_entry()]}


def make_hit(
    catalogue: Catalogue, code: str, *, negated: bool = False, evaluated: bool = True, at: int = 0
) -> Hit:
    """A hit as the engine would make it, for score tests that need exact control over the hit set."""
    ind = catalogue.get(code)
    weight = ind.weight if evaluated and not negated else 0.0
    return Hit(
        code=code,
        span=Span(at, at + 4, "test"),
        matched_text="test",
        weight=weight,
        evidence_level=ind.evidence_level,
        source_note=ind.source_note,
        negated=negated,
        reason="text: 'test'",
        reason_nl="tekst: 'test'",
        evaluated=evaluated,
        negation_cue="geen" if negated else "",
    )
