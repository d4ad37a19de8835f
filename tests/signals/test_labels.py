"""Explanations name services and origins in words, not in the extractors' codes."""

from __future__ import annotations

from zicht.extract.services import SERVICES
from zicht.extract.types import Facts
from zicht.signals.catalogue import load_catalogue
from zicht.signals.engine import evaluate
from zicht.signals.labels import SERVICE_NAMES, origin_name, service_name

CATALOGUE = load_catalogue()


def _fact(code: str, facts: Facts):  # type: ignore[no-untyped-def]
    (hit,) = [h for h in evaluate("", "", facts, CATALOGUE) if h.code == code]
    return hit


def test_every_service_code_has_a_name_in_both_languages() -> None:
    assert set(SERVICE_NAMES) == set(SERVICES)
    for code, (nl, en) in SERVICE_NAMES.items():
        assert nl.strip() and en.strip() and "_" not in nl + en, code


def test_listed_services_are_named_in_words() -> None:
    hit = _fact("UNPROTECTED_SERVICES", Facts(services=["av", "zonder_condoom"]))
    assert hit.reason_nl == "feit: dienst(en) genoemd: anale seks, zonder condoom"
    assert hit.reason == "fact: service(s) listed: anal sex, without a condom"
    assert "zonder_condoom" not in hit.reason_nl + hit.reason


def test_stated_origin_is_named_as_a_country_or_region() -> None:
    hit = _fact("STATED_ORIGIN", Facts(origin="CO"))
    assert "'Colombia'" in hit.reason_nl and "'Colombia'" in hit.reason and "'CO'" not in hit.reason_nl
    region = _fact("STATED_ORIGIN", Facts(origin="eastern_europe"))
    assert "'Oost-Europa'" in region.reason_nl and "'Eastern Europe'" in region.reason


def test_unknown_codes_are_shown_readably() -> None:
    assert service_name("nieuw_ding", "nl") == "nieuw ding"
    assert origin_name("XX", "en") == "XX"
    assert origin_name("DE", "nl") == "Duitsland"
