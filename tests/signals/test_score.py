"""The score: documented noisy-OR, monotone, each indicator once, and explained in plain words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signal_builders import make_hit

from zicht.extract.types import Facts
from zicht.signals.catalogue import load_catalogue
from zicht.signals.engine import evaluate
from zicht.signals.score import combine, score

CATALOGUE = load_catalogue()
COUNTING = sorted(i.code for i in CATALOGUE.indicators if i.counts_toward_score)
NOT_PREDICTIVE = sorted(i.code for i in CATALOGUE.indicators if i.evidence_level == "not_predictive")

hit_sets = st.lists(
    st.tuples(st.sampled_from(sorted(i.code for i in CATALOGUE.indicators)), st.booleans(), st.booleans()),
    max_size=12,
)


def _hits(spec):
    return [
        make_hit(CATALOGUE, code, negated=neg, evaluated=ev, at=i) for i, (code, neg, ev) in enumerate(spec)
    ]


def test_no_hits_scores_zero_and_still_says_it_is_advice():
    s = score([], CATALOGUE)
    assert (s.value, s.contributions, s.catalogue_version) == (0.0, [], CATALOGUE.version)
    assert "geen signalen" in s.explanation_nl and "niet dat er niets aan de hand is" in s.explanation_nl
    assert "een mens beslist" in s.explanation_nl and "a person decides" in s.explanation_en


def test_noisy_or_arithmetic():
    assert combine([]) == 0.0
    assert combine([0.3]) == 30.0
    assert combine([0.3, 0.3]) == 51.0
    assert combine([0.3, 0.2, 0.1]) == pytest.approx(100 * (1 - 0.7 * 0.8 * 0.9), abs=0.05)


def test_one_indicator_counts_once_however_often_it_matched():
    one = score([make_hit(CATALOGUE, "AVAILABLE_247")], CATALOGUE)
    many = score([make_hit(CATALOGUE, "AVAILABLE_247", at=i) for i in range(10)], CATALOGUE)
    assert one.value == many.value == round(100 * CATALOGUE.get("AVAILABLE_247").weight, 1)
    assert many.contributions == [("AVAILABLE_247", CATALOGUE.get("AVAILABLE_247").weight)]


@settings(max_examples=200, deadline=None)
@given(hit_sets, st.sampled_from(COUNTING))
def test_adding_a_counting_hit_never_lowers_the_score(spec, code):
    before = score(_hits(spec), CATALOGUE).value
    after = score([*_hits(spec), make_hit(CATALOGUE, code, at=99)], CATALOGUE).value
    assert after >= before
    if code not in {c for c, neg, ev in spec if not neg and ev}:
        assert after > before


@settings(max_examples=200, deadline=None)
@given(hit_sets, st.sampled_from(NOT_PREDICTIVE), st.booleans())
def test_not_predictive_negated_or_unevaluated_hits_never_change_the_score(spec, code, negated):
    base = score(_hits(spec), CATALOGUE)
    counting_code = COUNTING[len(spec) % len(COUNTING)]
    extra = [
        make_hit(CATALOGUE, code, at=98),
        make_hit(CATALOGUE, counting_code, negated=True, at=97)
        if negated
        else make_hit(CATALOGUE, counting_code, evaluated=False, at=97),
    ]
    assert score([*_hits(spec), *extra], CATALOGUE).value == base.value


@settings(max_examples=100, deadline=None)
@given(hit_sets)
def test_score_is_bounded_and_order_independent(spec):
    hits = _hits(spec)
    s = score(hits, CATALOGUE)
    assert 0.0 <= s.value < 100.0
    assert score(list(reversed(hits)), CATALOGUE) == s


def test_explanation_lists_what_counts_what_does_not_and_why():
    text = "Jonge meid, zij is nieuw in Breda. Geen AV. Pijpen zonder condoom."
    hits = evaluate("", text, Facts(age=20, rates=[{"minutes": 60, "price_eur": 60}]), CATALOGUE)
    s = score(hits, CATALOGUE)
    expected = 100 * (1 - (1 - 0.30) * (1 - 0.30) * (1 - 0.25))
    assert s.value == pytest.approx(expected, abs=0.05)
    assert [c for c, _ in s.contributions] == ["UNPROTECTED_SERVICES", "YOUTH_EMPHASIS", "THIRD_PERSON"]
    nl, en = s.explanation_nl, s.explanation_en
    assert nl.startswith(
        f"Score {s.value:.0f} van 100 (catalogus {CATALOGUE.version}): 3 signalen tellen mee"
    )
    assert (
        "Onbeschermde of risicovolle diensten: 'Pijpen zonder condoom' (praktijkkennis, gewicht 0,30)" in nl
    )
    assert "Nadruk op jong zijn (taal): 'Jonge' (bevestigd door onderzoek" in nl
    assert "geen voorspeller, telt niet mee: Nieuw in de stad / kort aanwezig: 'nieuw in Breda'" in nl
    assert "Opgegeven leeftijd onder 23" in nl
    assert "Niet beoordeeld: Prijs ver onder het regionale midden" in nl
    assert "advies aan een medewerker" in nl
    assert (
        "Unprotected or high-risk services: 'Pijpen zonder condoom' (practitioner knowledge, weight 0.30)"
        in en
    )
    assert "not predictive according to research" in en and "Not evaluated: Price far below" in en
    assert "advice to a person" in en
    # AV was negated but the indicator counts through another hit: not reported as negated
    assert "ontkend" not in nl


def test_negated_only_indicator_is_reported_as_negated():
    s = score(evaluate("", "Geen AV", None, CATALOGUE), CATALOGUE)
    assert s.value == 0.0
    assert (
        "Gevonden maar ontkend, telt niet mee: Onbeschermde of risicovolle diensten: 'AV', ontkend door 'geen'"
        in (s.explanation_nl)
    )
    assert "'AV', negated by 'geen'" in s.explanation_en


def test_special_category_indicator_carries_a_warning():
    s = score(evaluate("", "Mooie Latina", None, CATALOGUE), CATALOGUE)
    assert s.contributions == [("STATED_ORIGIN", CATALOGUE.get("STATED_ORIGIN").weight)]
    assert "bijzonder persoonsgegeven" in s.explanation_nl and "special-category" in s.explanation_en


def test_hits_from_another_catalogue_are_refused():
    hit = make_hit(CATALOGUE, "AVAILABLE_247")
    bogus = type(hit)(**{**hit.__dict__, "code": "NOT_IN_CATALOGUE"})
    with pytest.raises(ValueError, match="NOT_IN_CATALOGUE"):
        score([hit, bogus], CATALOGUE)


def test_network_hits_count_when_a_later_stage_adds_them():
    s = score([make_hit(CATALOGUE, "SHARED_CONTACT")], CATALOGUE)
    assert s.contributions == [("SHARED_CONTACT", CATALOGUE.get("SHARED_CONTACT").weight)]
