"""The ad engine: every catalogue example, spans, facts, determinism, and hostile input."""

from __future__ import annotations

import json
import random
import re

import pytest
from signal_builders import catalogue_data, facts_from, minimal_entry
from time_budget import bounded, within

from zicht.extract.types import Contact, Facts, Span
from zicht.signals.catalogue import FACT_CONDITIONS, load_catalogue, parse_catalogue
from zicht.signals.engine import (
    MAX_MATCHES_PER_INDICATOR,
    SEPARATOR,
    TEXT_LIMIT,
    _scan,
    combined_text,
    evaluate,
    hit_from_dict,
    hit_to_dict,
    hourly_price,
    locate,
    services_text,
    was_truncated,
)
from zicht.signals.score import score

CATALOGUE = load_catalogue()


def _text_cases():
    for ind in CATALOGUE.ad_indicators:
        for kind in ("positive", "negated", "negative"):
            for lang, texts in ind.examples.get(kind, {}).items():
                for i, text in enumerate(texts):
                    yield pytest.param(ind.code, kind, text, id=f"{ind.code}-{kind}-{lang}-{i}")


def _fact_cases():
    for ind in CATALOGUE.ad_indicators:
        for kind in ("facts_positive", "facts_negative"):
            for i, example in enumerate(ind.examples.get(kind, [])):
                yield pytest.param(ind.code, kind, example, id=f"{ind.code}-{kind}-{i}")


def _for(code, hits):
    return [h for h in hits if h.code == code]


@pytest.mark.parametrize(("code", "kind", "text"), list(_text_cases()))
def test_catalogue_text_example(code, kind, text):
    hits = _for(code, evaluate("", text, None, CATALOGUE))
    counted = [h for h in hits if not h.negated]
    if kind == "positive":
        assert counted, f"expected {code} in {text!r}"
        assert all(h.weight == CATALOGUE.get(code).weight for h in counted)
    elif kind == "negated":
        assert hits and not counted, f"expected only negated {code} hits in {text!r}, got {hits}"
        assert all(h.weight == 0 and h.negation_cue and "not counted" in h.reason for h in hits)
    else:
        assert not counted, f"unexpected {code} in {text!r}: {counted}"


@pytest.mark.parametrize(("code", "kind", "example"), list(_fact_cases()))
def test_catalogue_fact_example(code, kind, example):
    hits = _for(code, evaluate("", "", facts_from(example["facts"]), CATALOGUE, example.get("context")))
    found = [h for h in hits if h.evaluated and not h.negated]
    if kind == "facts_positive":
        assert found and all(h.span is None and h.reason.startswith("fact: ") for h in found)
    else:
        assert not found


# ------------------------------------------------------------------------------------------------ spans


def test_spans_point_at_the_matched_text_in_title_and_text():
    title = "Nieuw: jonge Latina"
    text = "Hoi! Ik ben 24/7 beschikbaar. Pijpen zonder condoom kan."
    combined = combined_text(title, text)
    hits = [h for h in evaluate(title, text, None, CATALOGUE) if h.span]
    by_code = {h.code: h for h in hits}
    assert set(by_code) >= {"YOUTH_EMPHASIS", "STATED_ORIGIN", "AVAILABLE_247", "UNPROTECTED_SERVICES"}
    for h in hits:
        assert combined[h.span.start : h.span.end] == h.span.text == h.matched_text
    youth = locate(by_code["YOUTH_EMPHASIS"].span, title)
    assert (youth.field, title[youth.start : youth.end]) == ("title", "jonge")
    unprotected = locate(by_code["UNPROTECTED_SERVICES"].span, title)
    assert (unprotected.field, text[unprotected.start : unprotected.end]) == ("text", "Pijpen zonder condoom")
    always = locate(by_code["AVAILABLE_247"].span, title)
    assert text[always.start : always.end] == "24/7"


def test_service_checklist_items_are_read_as_their_own_clauses():
    title, text = "Lisa", "Hoi, ik ben Lisa."
    services = [
        "Zoenen",
        "Extreem",
        "Geen grenzen",
        "Geen AV",
        "Pijpen zonder",
        "Extreem lekker",
        "BBBJ",
        "No limits",
    ]
    hits = evaluate(title, text, None, CATALOGUE, services=services)
    listed = services_text(services)
    got = []
    for h in hits:
        where = locate(h.span, title, text, services)
        assert where.field == "services" and listed[where.start : where.end] == h.matched_text
        got.append((h.code, h.matched_text, h.negated, where.item))
    assert got == [
        ("EXTREME_SERVICES", "Extreem", False, 1),
        ("EXTREME_SERVICES", "Geen grenzen", False, 2),
        ("UNPROTECTED_SERVICES", "AV", True, 3),
        ("UNPROTECTED_SERVICES", "Pijpen zonder", False, 4),
        ("UNPROTECTED_SERVICES", "BBBJ", False, 6),
        ("EXTREME_SERVICES", "No limits", False, 7),
    ]
    assert was_truncated(title, text, ["x" * TEXT_LIMIT]) and not was_truncated(title, text, services)


def test_locate_refuses_a_span_across_the_separator():
    with pytest.raises(ValueError, match="crosses"):
        locate(Span(2, 7, "x"), "title")
    assert combined_text(None, None) == SEPARATOR


def test_spans_keep_original_offsets_when_invisible_or_styled_characters_are_skipped():
    text = "Bij mij: zon\u200bder cond\u00adoom en 𝐛𝐚𝐫𝐞𝐛𝐚𝐜𝐤, \u202egeen\u202c AV"
    hits = evaluate("", text, None, CATALOGUE)
    combined = combined_text("", text)
    shown = [
        (combined[h.span.start : h.span.end], h.negated) for h in hits if h.code == "UNPROTECTED_SERVICES"
    ]
    assert shown == [("zon\u200bder cond\u00adoom", False), ("𝐛𝐚𝐫𝐞𝐛𝐚𝐜𝐤", False), ("AV", True)]


def test_lowercasing_that_changes_length_keeps_spans_aligned():
    text = "İİİ Pijpen zonder condoom"
    (hit,) = _for("UNPROTECTED_SERVICES", evaluate("", text, None, CATALOGUE))
    assert hit.span.text == "Pijpen zonder condoom"


# ----------------------------------------------------------------------------------------- behaviour


def test_hits_round_trip_through_json():
    facts = Facts(age=19, rates=[{"minutes": 60, "price_eur": 50}])
    hits = evaluate("Jonge meid", "Geen AV. Bareback wel!", facts, CATALOGUE)
    assert {h.span is None for h in hits} == {True, False}
    restored = [hit_from_dict(json.loads(json.dumps(hit_to_dict(h)))) for h in hits]
    assert restored == hits


def test_facts_with_missing_lists_do_not_break_the_engine():
    facts = Facts(contacts=None, services=None, rates=None, age="19")  # e.g. a sloppy JSON round trip
    assert evaluate("", "24/7", facts, CATALOGUE)


def test_results_are_deterministic_and_sorted():
    text = "Onze meiden: jonge Roemeense dames. 24/7! Geen AV. Nieuw in Breda. Alleen WhatsApp. Hotel."
    facts = Facts(age=20, available_247=True, contacts=[Contact("phone", "+31612345678", "photo")])
    first = evaluate("Titel", text, facts, CATALOGUE, {"median_price_per_hour": 150})
    again = evaluate("Titel", text, facts, CATALOGUE, {"median_price_per_hour": 150})
    assert first == again
    keys = [(h.span.start if h.span else 1 << 40, h.code) for h in first]
    assert keys == sorted(keys)


def test_zonder_condoom_is_the_positive_not_a_negation():
    hits = _for("UNPROTECTED_SERVICES", evaluate("", "Zonder condoom mogelijk", None, CATALOGUE))
    assert [(h.matched_text, h.negated) for h in hits] == [("Zonder condoom", False)]


def test_first_person_ads_are_not_third_person():
    text = "Ik ben Sanne, ik ontvang je graag. Zij die van verwennen houden zijn welkom. Ik weet wat ze wil."
    assert not _for("THIRD_PERSON", evaluate("", text, None, CATALOGUE))


def test_av_only_as_the_service_abbreviation():
    assert not _for("UNPROTECTED_SERVICES", evaluate("", "Nieuwe AV-installatie en avond", None, CATALOGUE))
    assert _for("UNPROTECTED_SERVICES", evaluate("", "GV en AV mogelijk", None, CATALOGUE))


def test_matches_start_on_a_word_boundary():
    text = "Een wandeling langs de steen, een glas muscat en Palatina-thee."
    assert not evaluate("", text, None, CATALOGUE)


def test_unanchored_patterns_are_scanned_with_the_same_boundaries():
    cat = parse_catalogue(
        catalogue_data(minimal_entry(patterns={"nl": ["€\\s?\\d+"]}, negations={"nl": ["geen"]}))
    )
    assert cat.anchor_index.always == ("TEST_SIGNAL",)
    hits = evaluate("", "prijs €50, x€60, geen €70", None, cat)
    assert [(h.matched_text, h.negated) for h in hits] == [("€50", False), ("€70", True)]
    assert _scan(re.compile(r"bar(?!\w)"), "rebar bar", 10) == [(6, 9)]


def test_dates_are_not_24_7():
    assert not _for("AVAILABLE_247", evaluate("", "Vrij op 24-7-2026 en 24/7/2026", None, CATALOGUE))


def test_not_predictive_text_hits_are_shown_with_zero_weight():
    (hit,) = _for("NEW_IN_TOWN", evaluate("", "Nieuw in Venlo!", None, CATALOGUE))
    assert (hit.negated, hit.weight, hit.counts) == (False, 0.0, False)
    assert "not predictive" in hit.reason and "geen voorspeller" in hit.reason_nl


def test_network_indicators_are_never_evaluated_per_ad():
    text = "Zelfde nummer, gekopieerde tekst, vaak verhuisd"
    codes = {h.code for h in evaluate("", text, Facts(), CATALOGUE)}
    assert not codes & {"SHARED_CONTACT", "FREQUENT_MOVES", "COPIED_TEXT"}


def test_without_facts_no_fact_hits():
    assert all(h.span is not None for h in evaluate("", "24/7 hotel", None, CATALOGUE))


def test_fact_hit_explains_itself():
    facts = Facts(
        contacts=[Contact("phone", "+31612345678", "text", span=Span(5, 20, "nul zes 1234"), obscured=True)]
    )
    (hit,) = _for("OBSCURED_CONTACT", evaluate("", "", facts, CATALOGUE))
    assert hit.matched_text == "nul zes 1234"
    assert "written to avoid search" in hit.reason and "verhuld" in hit.reason_nl
    assert hit.counts and hit.weight == CATALOGUE.get("OBSCURED_CONTACT").weight


def test_text_derived_fact_is_not_counted_when_the_text_negates_it():
    facts = Facts(services=["gv", "av"])
    negated = _for("UNPROTECTED_SERVICES", evaluate("", "Geen AV.", facts, CATALOGUE))
    assert negated and all(h.negated and h.weight == 0 for h in negated)
    fact_hit = next(h for h in negated if h.span is None)
    assert "check by hand" in fact_hit.reason and "'geen' + 'AV'" in fact_hit.reason
    confirmed = _for("UNPROTECTED_SERVICES", evaluate("", "AV mogelijk.", facts, CATALOGUE))
    assert confirmed and all(h.counts for h in confirmed)
    silent = _for("UNPROTECTED_SERVICES", evaluate("", "", facts, CATALOGUE))
    assert [h.counts for h in silent] == [True]


def test_obscured_fact_is_independent_of_a_negated_photo_phrase():
    facts = Facts(contacts=[Contact("phone", "+31612345678", "text", obscured=True)])
    hits = _for("OBSCURED_CONTACT", evaluate("", "Geen nummer op de foto.", facts, CATALOGUE))
    assert [h.negated for h in hits] == [True, False]


def test_low_price_is_not_evaluated_without_a_regional_median():
    facts = Facts(rates=[{"minutes": 60, "price_eur": 50, "setting": None, "span": None}])
    (hit,) = _for("LOW_PRICE", evaluate("", "", facts, CATALOGUE))
    assert (hit.evaluated, hit.weight, hit.counts) == (False, 0.0, False)
    assert "not evaluated" in hit.reason and "niet beoordeeld" in hit.reason_nl
    (bad,) = _for("LOW_PRICE", evaluate("", "", facts, CATALOGUE, {"median_price_per_hour": "150"}))
    assert not bad.evaluated


def test_low_price_against_the_regional_median():
    facts = Facts(rates=[{"minutes": 30, "price_eur": 40}, {"minutes": 60, "price_eur": 80}])
    context = {"median_price_per_hour": 150, "region": "Limburg"}
    (hit,) = _for("LOW_PRICE", evaluate("", "", facts, CATALOGUE, context))
    assert hit.counts and hit.matched_text == "€80 / 60 min"
    assert "53% of the regional median of €150 in Limburg" in hit.reason
    assert not _for("LOW_PRICE", evaluate("", "", facts, CATALOGUE, {"median_price_per_hour": 130}))
    assert not _for("LOW_PRICE", evaluate("", "", Facts(), CATALOGUE, context))


def test_hourly_price_prefers_an_hour_and_skips_unusable_rates():
    assert hourly_price([{"minutes": 30, "price_eur": 60}, {"minutes": 60, "price_eur": 150}])[0] == 150
    assert hourly_price([{"minutes": 30, "price_eur": 60}, {"minutes": 120, "price_eur": 200}])[0] == 100
    junk = [{"minutes": None, "price_eur": 50}, {"minutes": 600, "price_eur": 500}, "x", {"minutes": 60}]
    assert hourly_price(junk) is None


def test_every_fact_condition_kind_has_an_evaluator():
    values = {"bool": True, "list": ["x"], "number": 1}
    entries = [
        minimal_entry(f"K_{i}", patterns=None, negations=None, facts=[{kind: values[spec[0]]}])
        for i, (kind, spec) in enumerate(FACT_CONDITIONS.items())
    ]
    for entry in entries:
        del entry["patterns"], entry["negations"]
    cat = parse_catalogue(catalogue_data(*entries))
    facts = Facts(
        contacts=[Contact("x", "v", "x", obscured=True)],
        age=0,
        origin="x",
        reception="x",
        services=["x"],
        available_247=True,
        rates=[{"minutes": 60, "price_eur": 1}],
    )
    hits = evaluate("", "", facts, cat, {"median_price_per_hour": 100})
    assert {h.code for h in hits} == {e["code"] for e in entries}


# ----------------------------------------------------------------------------------------- hostile input


def _assert_sane(title, text, hits):
    combined = combined_text(title, text)
    per_code: dict[str, int] = {}
    for h in hits:
        per_code[h.code] = per_code.get(h.code, 0) + (h.span is not None)
        if h.span:
            assert 0 <= h.span.start < h.span.end <= min(len(combined), TEXT_LIMIT)
            assert combined[h.span.start : h.span.end] == h.span.text
    assert all(n <= MAX_MATCHES_PER_INDICATOR for n in per_code.values())


HOSTILE_TEXTS = [
    pytest.param("24/7 " * 200_000, id="megabyte-of-hits"),
    pytest.param("geen " * 100_000 + "AV", id="cue-flood"),
    pytest.param("xav" * 300_000, id="non-boundary-flood"),
    pytest.param("nul " * 100_000, id="prefix-flood"),
    pytest.param("a" * 1_000_000, id="one-long-word"),
    pytest.param(" " * 500_000 + "bareback", id="whitespace-flood"),
    pytest.param("😈🔥💋" * 200_000, id="emoji-flood"),
    pytest.param("مرحبا بكم \u202bזה טקסט\u202c " * 20_000, id="right-to-left"),
    pytest.param("".join(chr(i % 32) for i in range(200_000)), id="control-characters"),
    pytest.param("\u200b" * 300_000 + "zonder condoom", id="zero-width-flood"),
    pytest.param("nummer in de " * 50_000, id="unfinished-phrase-flood"),
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_text_is_bounded_and_sane(text):
    hits = bounded(evaluate, "t", text, Facts(), CATALOGUE)
    _assert_sane("t", text, hits)
    assert was_truncated("t", text)


def test_all_hostile_texts_together_stay_within_a_budget():
    """Each call has its own budget against a hang; together they take well under a second on an idle
    machine, so 20 s means a regression (or a sleeping mutant) rather than a busy machine."""
    with within(20, "evaluate over all hostile texts"):
        for param in HOSTILE_TEXTS:
            evaluate("t", param.values[0], Facts(), CATALOGUE)


def test_text_beyond_the_limit_is_not_evaluated():
    text = "x " * TEXT_LIMIT + "bareback"
    assert not _for("UNPROTECTED_SERVICES", bounded(evaluate, "", text, None, CATALOGUE))
    assert not was_truncated("", "bareback")


def test_anchor_floods_are_bounded():
    """Texts made only of an indicator's pattern prefixes: every token is a place where it must try."""
    everything = sorted(a for ind in CATALOGUE.ad_indicators for a in ind.anchors or ())
    floods = [sorted(ind.anchors) for ind in CATALOGUE.ad_indicators if ind.anchors] + [everything]
    for anchors in floods:
        words = (anchors * (TEXT_LIMIT // len(anchors)))[: TEXT_LIMIT // 3]
        text = " ".join(words)
        _assert_sane("", text, bounded(evaluate, "", text, None, CATALOGUE))


def test_random_unicode_never_breaks_the_engine():
    rng = random.Random(20261123)
    pool = "abcdefghijklmnopqrstuvwxyz AV 24/7 geen zonder condoom .,:;!?\n€İß😈\u200b\u202e\u0000ア"
    for _ in range(200):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 400)))
        title = "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))
        _assert_sane(title, text, evaluate(title, text, None, CATALOGUE))
        assert evaluate(title, text, None, CATALOGUE) == evaluate(title, text, None, CATALOGUE)


@pytest.mark.parametrize(
    "facts",
    [Facts(age=16), Facts(age_text=15), Facts(age=21, age_declared=17, age_conflict=True)],
)
def test_a_stated_age_under_18_counts_prominently(facts):
    hits = [h for h in evaluate("", "", facts, CATALOGUE) if h.code == "MINOR_STATED_AGE"]
    assert len(hits) == 1 and hits[0].counts and hits[0].weight >= 0.5
    lowest = min(a for a in (facts.age, facts.age_declared, facts.age_text) if a is not None)
    assert hits[0].matched_text == str(lowest)
    result = score(hits, CATALOGUE)
    assert result.value >= 50 and "Opgegeven leeftijd onder 18" in result.explanation_nl


def test_an_adult_stated_age_is_no_minor_hit():
    for facts in (Facts(age=18), Facts(age=19, age_text=19, age_declared=19), Facts()):
        assert not [h for h in evaluate("", "", facts, CATALOGUE) if h.code == "MINOR_STATED_AGE"]


def test_restricted_contact_for_an_ad_reachable_only_through_a_whatsapp_link() -> None:
    from zicht.extract.facts import extract_facts

    catalogue = load_catalogue()

    def codes(text: str) -> set[str]:
        facts = extract_facts("Anna", text, {}, [], [], None, "http://example.test/1")
        return {h.code for h in evaluate("Anna", text, facts, catalogue) if not h.negated}

    assert "RESTRICTED_CONTACT" in codes("Stuur me een bericht: https://wa.me/31612345678")
    assert "RESTRICTED_CONTACT" not in codes("Bel 06-12345678 of app via https://wa.me/31612345678")
    assert "RESTRICTED_CONTACT" not in codes("App via https://wa.me/31612345678 of bel 06-12345678")
