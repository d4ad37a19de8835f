"""Fact-based hits point at the words they were read from, and quote those words, never a field that
did not say it."""

from __future__ import annotations

from zicht.extract.facts import extract_facts
from zicht.extract.types import Contact, Facts, Span
from zicht.signals.catalogue import load_catalogue
from zicht.signals.engine import combined_text, evaluate

CATALOGUE = load_catalogue()
TITLE = "Nieuw in Utrecht"
TEXT = (
    "Altijd beschikbaar, dag en nacht. Bel nul zes een twee drie vier vijf zes zeven acht. "
    "Half uur 40 euro, 1 uur 50 euro."
)


def _fact_hits(code, title, text, facts, context=None):
    return [
        h
        for h in evaluate(title, text, facts, CATALOGUE, context)
        if h.code == code and h.reason.startswith("fact")
    ]


def _facts(hours=None, title=TITLE, text=TEXT):
    fields = {"hours": hours} if hours else {}
    return extract_facts(title, text, fields, [], [], None, "https://example.test/ad/1")


def test_247_from_the_text_quotes_the_text_not_unrelated_declared_hours():
    facts = _facts(hours="weekend 10-18")
    assert facts.available_247 and facts.hours == "weekend 10-18"
    (hit,) = _fact_hits("AVAILABLE_247", TITLE, TEXT, facts)
    assert "weekend 10-18" not in hit.reason + hit.reason_nl
    assert "'Altijd beschikbaar'" in hit.reason_nl and "'Altijd beschikbaar'" in hit.reason
    combined = combined_text(TITLE, TEXT)
    assert hit.span is not None and combined[hit.span.start : hit.span.end] == "Altijd beschikbaar"
    assert hit.matched_text == "Altijd beschikbaar"


def test_247_from_declared_hours_that_say_so_quotes_them_without_a_span():
    text = "Welkom bij mij thuis."
    facts = _facts(hours="24/7", text=text)
    (hit,) = _fact_hits("AVAILABLE_247", TITLE, text, facts)
    assert hit.span is None
    assert "werktijden" in hit.reason_nl and "'24/7'" in hit.reason_nl


def test_247_in_both_text_and_declared_hours_names_both():
    facts = _facts(hours="00:00-24:00")
    (hit,) = _fact_hits("AVAILABLE_247", TITLE, TEXT, facts)
    assert hit.span is not None and "'Altijd beschikbaar'" in hit.reason_nl and "00:00-24:00" in hit.reason_nl


def test_obscured_contact_in_the_text_carries_its_span():
    facts = _facts()
    (hit,) = _fact_hits("OBSCURED_CONTACT", TITLE, TEXT, facts)
    combined = combined_text(TITLE, TEXT)
    assert hit.span is not None
    assert combined[hit.span.start : hit.span.end] == "nul zes een twee drie vier vijf zes zeven acht"
    assert hit.matched_text == hit.span.text


def test_obscured_contact_in_the_title_carries_a_title_span():
    title = "Bel nul zes een twee drie vier vijf zes zeven acht"
    facts = _facts(title=title, text="Lieve dame.")
    (hit,) = _fact_hits("OBSCURED_CONTACT", title, "Lieve dame.", facts)
    assert hit.span is not None and title[hit.span.start : hit.span.end] == hit.span.text
    assert hit.span.end <= len(title)


def test_obscured_contact_from_a_photo_has_no_span():
    facts = Facts(
        contacts=[Contact("phone", "+31612345678", "photo", span=Span(0, 4, "nul "), obscured=True)]
    )
    hits = _fact_hits("OBSCURED_CONTACT", "nul zes", "", facts)
    assert hits and all(h.span is None for h in hits)


def test_a_span_that_does_not_fit_the_text_is_dropped():
    facts = _facts()
    (hit,) = _fact_hits("OBSCURED_CONTACT", TITLE, "Iets anders dan waar de feiten uit komen.", facts)
    assert hit.span is None


def test_low_price_from_the_text_carries_the_rate_span():
    facts = _facts()
    (hit,) = _fact_hits("LOW_PRICE", TITLE, TEXT, facts, {"median_price_per_hour": 150.0})
    assert hit.counts and hit.span is not None
    assert combined_text(TITLE, TEXT)[hit.span.start : hit.span.end] == "1 uur 50 euro"


def test_low_price_from_the_declared_rate_list_has_no_span():
    text = "Welkom."
    facts = extract_facts(TITLE, text, {}, [], ["1 uur 50"], None, "https://example.test/ad/1")
    (hit,) = _fact_hits("LOW_PRICE", TITLE, text, facts, {"median_price_per_hour": 150.0})
    assert hit.counts and hit.span is None
