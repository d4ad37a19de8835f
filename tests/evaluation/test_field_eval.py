"""Field figures (services, rates, reception, origin, languages, hours, handles) and the derived
indicators, on hand-made rows: right readings score 1, each wrong one lowers exactly its own figure."""

from __future__ import annotations

from dataclasses import replace

from eval_builders import matched, record, stored, truth_version

from zicht.demo.model import Cue
from zicht.evaluation import Counts
from zicht.evaluation.fields import field_metrics
from zicht.evaluation.indicators import indicator_metrics


def _truth(**kw):  # type: ignore[no-untyped-def]
    v = truth_version(cues=kw.pop("cues", None))
    base = dict(
        services=["zoenen", "massage"], rates=[(30, 65), (60, 100)], reception="escort", origin="RO",
        languages=["en", "nl"], hours="ma-vr 10:00-22:00", handles=["snapchat:anna123456"],
    )  # fmt: skip
    return replace(v, **(base | kw))


def _facts(**kw) -> dict:  # type: ignore[no-untyped-def]
    base = {
        "services": ["massage", "zoenen"],
        "rates": [{"minutes": 30, "price_eur": 65}, {"minutes": 60, "price_eur": 100}],
        "reception": "escort",
        "origin": "RO",
        "languages": ["nl", "en"],
        "hours": "ma-vr 10:00-22:00",
        "available_247": False,
    }
    return base | kw


def _case(i: int, truth=None, handles=("anna123456",), **facts):  # type: ignore[no-untyped-def]
    contacts = [("snapchat", h, "text") for h in handles]
    return matched(
        stored(str(i), facts=_facts(**facts), contacts=contacts), record(str(i), [truth or _truth()])
    )


def test_right_readings_score_one() -> None:
    fm = field_metrics([_case(1), _case(2)])
    assert fm.measured
    for name, c in fm.sets().items():
        assert c.fp == c.fn == 0, name
    assert fm.rates == Counts(tp=4) and fm.languages == Counts(tp=4) and fm.handles == Counts(tp=2)
    assert fm.reception.accuracy == fm.origin.accuracy == fm.hours_read.accuracy == 1.0


def test_each_wrong_reading_lowers_its_own_figure() -> None:
    fm = field_metrics(
        [
            _case(1, rates=[{"minutes": 30, "price_eur": 65}, {"minutes": 60, "price_eur": 1000}]),
            _case(2, languages=["nl"], reception="prive_ontvangst", handles=()),
            _case(3, services=["zoenen", "av"], origin=None, hours=None),
        ]
    )
    assert fm.rates == Counts(tp=5, fp=1, fn=1)
    assert fm.languages == Counts(tp=5, fn=1)
    assert fm.handles == Counts(tp=2, fn=1)
    assert fm.services == Counts(tp=5, fp=1, fn=1) and fm.services_clean == fm.services
    assert fm.reception.n == 3 and fm.reception.correct == 2
    assert fm.origin.correct == 2 and fm.origin.missing == 1
    assert fm.hours_read.accuracy == 2 / 3


def test_a_service_read_from_a_cue_sentence_is_left_out_of_precision() -> None:
    cue = Cue("UNPROTECTED_SERVICES", "Pijpen zonder condoom mogelijk", "text")
    fm = field_metrics([_case(1, truth=_truth(cues=[cue]), services=["zoenen", "massage", "pijpen_zonder"])])
    assert fm.services == Counts(tp=2, fp=1) and fm.services_clean == Counts()


def test_values_read_where_the_truth_has_none_are_spurious() -> None:
    fm = field_metrics([_case(1, truth=_truth(origin=None, languages=[], handles=[]), handles=("x12345",))])
    assert fm.origin.spurious == 1 and fm.origin.n == 0
    assert fm.languages == Counts(fp=2) and fm.handles == Counts(fp=1)
    # an origin stated in the text (a STATED_ORIGIN cue) makes a value read from it no error
    stated = _truth(origin=None, cues=[Cue("STATED_ORIGIN", "Roemeense dame", "text")])
    assert field_metrics([_case(2, truth=stated)]).origin.spurious == 0


def test_old_truth_without_fields_is_not_measured() -> None:
    old = truth_version()
    assert not field_metrics([_case(1, truth=old)]).measured


def test_derived_indicators_follow_the_declared_age_and_the_rates() -> None:
    young = matched(stored("1", facts={}, hits=[]), record("1", [_truth()], declared_age=19))
    older = matched(
        stored("2", facts={}, hits=[("YOUNG_STATED_AGE", False)]), record("2", [_truth()], declared_age=30)
    )
    right = matched(
        stored("3", facts={}, hits=[("YOUNG_STATED_AGE", False)]), record("3", [_truth()], declared_age=20)
    )
    row = indicator_metrics([young, older, right], ["YOUNG_STATED_AGE"]).rows["YOUNG_STATED_AGE"]
    assert row.counts == Counts(tp=1, fp=1, fn=1)
    # 25 ads at €100 an hour and one at €50 (30 min €25): only that one is under 0.6 of the median
    ads = [matched(stored(str(i), facts={}), record(str(i), [_truth(rates=[(60, 100)])])) for i in range(25)]
    cheap = matched(stored("c", facts={}), record("c", [_truth(rates=[(30, 25)])]))
    ind = indicator_metrics([*ads, cheap], ["LOW_PRICE"])
    assert ind.rows["LOW_PRICE"].counts == Counts(fn=1) and ind.derived == ["LOW_PRICE"]
    hit = replace(cheap, stored=stored("c", facts={}, hits=[("LOW_PRICE", False)]))
    assert indicator_metrics([*ads, hit], ["LOW_PRICE"]).rows["LOW_PRICE"].counts == Counts(tp=1)
    assert (
        indicator_metrics([*ads, hit], ["LOW_PRICE", "COPIED_TEXT"])
        .why_not("COPIED_TEXT")
        .startswith("set by the linking stage")
    )


def test_a_telegram_number_link_is_a_number_not_a_handle() -> None:
    case = matched(
        stored(
            "1",
            facts=_facts(),
            contacts=[("snapchat", "anna123456", "text"), ("telegram", "+31612345678", "link")],
        ),
        record("1", [_truth()]),
    )
    assert field_metrics([case]).handles == Counts(tp=1)
