"""Phone figures per country, beside look-alike digits and with several numbers in one ad, and the
"too few to judge" rule: each fed a wrong prediction to show that the figure drops."""

from __future__ import annotations

from eval_builders import ground_truth, matched, phone, record, stored, truth_version

from zicht.evaluation import Counts
from zicht.evaluation.extraction import phone_metrics
from zicht.evaluation.report import MIN_SUPPORT, build_report, targets

RO = "+40722345678"
NL = "+31612345678"
SECOND = "+31681234567"


def _case(i: int, read: list[str], *, lookalikes: list[str] | None = None, second: bool = False):  # type: ignore[no-untyped-def]
    phones = [phone(RO, "text", "international", "+40 722 345 678")]
    text = "Bel +40 722 345 678"
    if second:
        phones += [
            phone(NL, "text", "space_pair", "0612345678"),
            phone(SECOND, "text", "space_pair", "0681234567"),
        ]
        text += " of 0612345678 0681234567"
    if lookalikes:
        text += " " + " ".join(lookalikes)
    truth = record(str(i), [truth_version(phones=phones, lookalikes=lookalikes)])
    got = stored(str(i), facts={}, text=text, contacts=[("phone", v, "text") for v in read])
    return matched(got, truth)


def test_country_rows_count_each_number_by_its_country_and_wrong_ones_by_theirs() -> None:
    ph = phone_metrics([_case(1, [RO]), _case(2, []), _case(3, [RO, "+31687654321"])])
    assert ph.by_country["RO"] == Counts(tp=2, fn=1)
    assert ph.by_country["NL"] == Counts(fp=1)  # the wrong number read in case 3 is Dutch


def test_lookalike_versions_measure_precision_against_dates_and_postcodes() -> None:
    good = [_case(i, [RO], lookalikes=["Vrij op 12/11/2026", "postcode 3011 AB"]) for i in range(3)]
    ph = phone_metrics([*good, _case(9, [RO])])
    assert ph.lookalike_versions == 3 and ph.with_lookalikes == Counts(tp=3)
    # a date read as a number: precision beside look-alikes drops, and the example names the look-alikes
    bad = _case(4, [RO, "+31612112026"], lookalikes=["Vrij op 12/11/2026"])
    ph = phone_metrics([*good, bad])
    assert ph.with_lookalikes == Counts(tp=4, fp=1)
    assert ph.with_lookalikes.precision == 0.8
    assert ph.lookalike_examples[0]["read"] == ["+31612112026"]


def test_several_numbers_in_one_ad_each_count() -> None:
    ph = phone_metrics([_case(1, [RO, NL, SECOND], second=True), _case(2, [RO])])
    assert ph.several_numbers_versions == 1 and ph.several_numbers == Counts(tp=3)
    # two numbers one space apart read as one long wrong number: both missed, one wrong
    glued = _case(3, [RO, "+31612345678068"], second=True)
    ph = phone_metrics([glued])
    assert ph.several_numbers == Counts(tp=1, fp=1, fn=2)
    # a wrong number counts against every way a number was written in that place
    assert ph.by_class[("text", "space_pair")] == Counts(fp=2, fn=2)
    assert ph.by_class[("text", "international")] == Counts(tp=1, fp=1)


def test_too_few_to_judge_below_min_support_and_judged_from_it() -> None:
    few = [_case(i, []) for i in range(MIN_SUPPORT - 1)]
    checks = {
        t.name: t
        for t in targets(build_report(ground_truth(*(m.record for m in few)), [m.stored for m in few], []))
    }
    recall = checks["phones country RO: recall"]
    assert recall.value == 0.0 and recall.too_few and recall.met is None
    enough = [_case(i, []) for i in range(MIN_SUPPORT)]
    checks = {
        t.name: t
        for t in targets(
            build_report(ground_truth(*(m.record for m in enough)), [m.stored for m in enough], [])
        )
    }
    assert checks["phones country RO: recall"].met is False
    assert checks["phones text/international: recall"].met is False
    right = [_case(i, [RO]) for i in range(MIN_SUPPORT)]
    checks = {
        t.name: t
        for t in targets(
            build_report(ground_truth(*(m.record for m in right)), [m.stored for m in right], [])
        )
    }
    assert checks["phones country RO: recall"].met is True
