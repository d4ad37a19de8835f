"""Extraction metrics on small hand-made cases whose true/false positives and losses are known exactly."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from eval_builders import ground_truth, matched, phone, record, stored, truth_version

from zicht.demo.market import generate_market
from zicht.demo.truth import write_truth
from zicht.evaluation import Counts, GroundTruthError, load_ground_truth, match_versions
from zicht.evaluation.extraction import (
    NOTHING_WRITTEN,
    age_metrics,
    email_metrics,
    end_to_end_recall,
    phone_metrics,
    place_metrics,
)
from zicht.evaluation.report import build_report, targets


def test_counts_ratios() -> None:
    c = Counts(tp=3, fp=1, fn=2)
    assert c.precision == 0.75
    assert c.recall == 0.6
    assert c.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert c.support == 5
    assert Counts().precision is None and Counts().recall is None and Counts().f1 is None
    assert Counts(fp=2).precision == 0.0 and Counts(fp=2).recall is None
    assert Counts(1, 2, 3) + Counts(1, 1, 1) == Counts(2, 3, 4)
    assert end_to_end_recall(c, 5) == 0.3


def _phone_cases():  # type: ignore[no-untyped-def]
    words = "nul zes een twee drie vier vijf zes zeven acht"
    a = record("1", [truth_version(phones=[
        phone("+31612345678", "field", "plain", "0612345678"),
        phone("+31612345678", "text", "dutch_words", words),
    ])])  # fmt: skip
    sa = stored(
        "1",
        facts={},
        phone_field="0612345678",
        text=f"Bel {words}",
        contacts=[("phone", "+31612345678", "field"), ("phone", "+31687654321", "text")],
    )
    b = record("2", [truth_version(phones=[
        phone("+31611111111", "field", "plain"),
        phone("+31622222222", "text", "glued", "belme0622222222nu"),
        phone("+31633333333", "photo", "plain"),
    ])])  # fmt: skip
    sb = stored(
        "2",
        facts={},
        phone_field=None,  # the "toon nummer" call failed: the field number never reached the database
        text="Hoi! belme0622222222nu",
        contacts=[("phone", "+31622222222", "text")],
    )
    c = record("3", [truth_version(phones=[
        phone("+31655555555", "field", "plain"),
        phone("+31655555555", "photo", "plain"),
        phone("+31644444444", "photo", "plain", "06 4444 4444"),
    ])])  # fmt: skip
    sc = stored(
        "3",
        facts={},
        phone_field="+31655555555",
        photos_read=True,
        contacts=[("phone", "+31655555555", "field"), ("phone", "+31644444444", "photo")],
    )
    d = record("4", [truth_version(phones=[phone("+31666666666", "field", "plain")])])
    sd = stored(
        "4",
        facts={},
        phone_field="0666666666",
        text="Tarieven 0699999999",
        contacts=[("phone", "+31666666666", "field"), ("phone", "+31699999999", "text")],
    )
    not_extracted = stored("5", facts=None, contacts=[("phone", "+31600000000", "text")])
    e = record("5", [truth_version(phones=[phone("+31677777777")])])
    return [matched(sa, a), matched(sb, b), matched(sc, c), matched(sd, d), matched(not_extracted, e)]


def test_phone_metrics_exact() -> None:
    ph = phone_metrics(_phone_cases())
    assert ph.versions == 4  # the version without facts is not evaluated
    assert ph.overall == Counts(tp=5, fp=2, fn=0)
    assert ph.overall_lost == 1
    assert ph.overall.precision == 5 / 7 and ph.overall.recall == 1.0
    assert end_to_end_recall(ph.overall, ph.overall_lost) == 5 / 6
    assert ph.by_class == {
        ("field", "plain"): Counts(tp=3),
        ("text", "dutch_words"): Counts(fp=1, fn=1),
        ("text", "glued"): Counts(tp=1),
        ("photo", "plain"): Counts(tp=1),
        ("text", NOTHING_WRITTEN): Counts(fp=1),
    }
    assert ph.lost_by_class == {("field", "plain"): 1}
    assert ph.by_where == {"field": Counts(tp=3), "text": Counts(tp=1, fp=2, fn=1), "photo": Counts(tp=1)}
    assert ph.photo_not_read == 1 and ph.photo_also_elsewhere == 1
    missed, wrong = ph.examples[("text", "dutch_words")]
    assert (missed.kind, missed.expected, missed.read) == ("missed", "+31612345678", ("+31687654321",))
    assert (wrong.kind, wrong.label) == ("wrong", "kinky:1 day 0")
    assert [e.expected for e in ph.lost_examples] == ["+31611111111"]


def test_phone_targets_per_format_class() -> None:
    cases = _phone_cases()
    gt = ground_truth(*(m.record for m in cases))
    report = build_report(gt, [m.stored for m in cases], [])
    checks = {t.name: t for t in targets(report)}
    # One written number is too few to judge: the figure is kept, the target is n/a (not a pass).
    dutch = checks["phones text/dutch_words: precision"]
    assert dutch.value == 0.0 and dutch.too_few and dutch.met is None
    assert checks["phones text/dutch_words: recall"].value == 0.0
    assert (
        checks["phones field/plain: recall"].value == 1.0 and checks["phones field/plain: recall"].met is None
    )
    assert checks["phones overall: precision"].value == 5 / 7
    assert not any(NOTHING_WRITTEN in name for name in checks)
    # No written place reached these pages: nothing to measure, which is not a pass.
    assert checks["gemeente accuracy"].met is None and report.places.lost == 4


def test_email_metrics_exact() -> None:
    cases = [
        matched(stored("1", facts={}, email="a@x.nl", contacts=[("email", "a@x.nl", "field")]),
                record("1", [truth_version()], emails=["a@x.nl"])),
        matched(stored("2", facts={}), record("2", [truth_version()], emails=["b@x.nl"])),  # lost
        matched(stored("3", facts={}, contacts=[("email", "c@x.nl", "text")]), record("3", [truth_version()])),
        matched(stored("4", facts={}, text="Mail: D@x.nl"), record("4", [truth_version()], emails=["d@x.nl"])),
    ]  # fmt: skip
    em = email_metrics(cases)
    assert em.counts == Counts(tp=1, fp=1, fn=1)
    assert em.lost == 1
    assert em.versions == 4
    assert {"ad": "kinky:4 day 0", "expected": ["d@x.nl"], "read": []} in em.examples


def _age(
    source_id: str, tv, facts: dict, *, age_field: str | None = "25", text: str = "", declared: int = 25
):  # type: ignore[no-untyped-def]
    fields = {"age": age_field} if age_field is not None else {}
    return matched(
        stored(source_id, facts=facts, fields=fields, text=text),
        record(source_id, [tv], declared_age=declared),
    )


def test_age_metrics_exact() -> None:
    ok = {"age_declared": 25, "age_text": None, "age_conflict": False}
    cases = [
        _age("1", truth_version(), ok, age_field="25 jaar"),
        _age("2", truth_version(), {**ok, "age_declared": 31}, age_field="30", declared=30),
        _age("3", truth_version(), ok, age_field=None),  # the field did not reach the database
        _age("4", truth_version(text_age=22, age_conflict=True),
             {"age_declared": 25, "age_text": 22, "age_conflict": True}, text="Ik ben 22."),
        _age("5", truth_version(text_age=25), {**ok, "age_text": 25}, text="ik ben 25."),
        _age("6", truth_version(), {"age_declared": 25, "age_text": 19, "age_conflict": True}, text="19 euro"),
        _age("7", truth_version(text_age=21, age_conflict=True), ok, text="cut sh"),
        _age("8", truth_version(text_age=20, age_conflict=True), ok, text="Leeftijd: 20 jaar."),
    ]  # fmt: skip
    ages = age_metrics(cases)
    assert (ages.declared.n, ages.declared.correct, ages.declared.lost) == (7, 6, 1)
    assert ages.declared.accuracy == 6 / 7
    assert ages.examples["declared"] == [{"ad": "kinky:2 day 0", "expected": 30, "read": 31, "written": "30"}]
    assert (ages.text.n, ages.text.correct, ages.text.lost) == (3, 2, 1)
    assert ages.text_spurious == 1
    assert ages.conflict == Counts(tp=1, fp=1, fn=1)
    assert ages.conflict_lost == 1


def _place(source_id: str, written: str, truth_gm: str, got: str | None, *, errors=(), in_page: bool = True):  # type: ignore[no-untyped-def]
    facts = {"gemeente_code": got, "place": written if got else None, "errors": list(errors)}
    fields = {"location": written} if in_page else {"location": ""}
    return matched(
        stored(source_id, facts=facts, fields=fields),
        record(source_id, [truth_version(gemeente=truth_gm, place=written)]),
    )


def test_place_metrics_exact() -> None:
    ambiguous = {"field": "location", "reason": "ambiguous (GM1734, GM0340): 'Elst'"}
    cases = [
        _place("1", "Rotterdam", "GM0599", "GM0599"),
        _place("2", "rotterdam-zuid", "GM0599", "GM0599"),
        _place("3", "R'dam", "GM0599", "GM0599"),
        _place("4", "Elst", "GM1734", None, errors=[ambiguous]),
        _place("5", "Elst", "GM1734", None, errors=[ambiguous]),
        _place("6", "Den Bosch", "GM0796", "GM0599"),
        _place("7", "Nergens", "GM0363", None),
        _place("8", "Zwolle", "GM0193", None, in_page=False),
    ]
    pl = place_metrics(cases, top=2)
    assert (pl.n, pl.correct, pl.lost) == (7, 3, 1)
    assert pl.accuracy == 3 / 7
    assert pl.coverage == 4 / 7
    assert pl.unknown_share == 2 / 7
    assert (pl.wrong, pl.silent, pl.distinct_misses) == (1, 1, 3)
    assert [(m.written, m.expected, m.got, m.count) for m in pl.misses] == [
        ("Elst", "GM1734", None, 2),
        ("Den Bosch", "GM0796", "GM0599", 1),
    ]
    assert pl.misses[0].reason == ambiguous["reason"] and pl.misses[0].example == "kinky:4 day 0"
    assert pl.misses[1].as_json()["got_name"] == "Rotterdam"


def test_versions_join_to_the_version_online_on_the_amsterdam_day_first_seen() -> None:
    rec = record(
        "1", [truth_version(from_day=0, place="A"), truth_version(from_day=5, place="B")], last_day=9
    )
    other = record("2", [truth_version()])
    gt = ground_truth(rec, other)

    def at(vid: int, when: datetime, source_id: str = "1"):  # type: ignore[no-untyped-def]
        return stored(source_id, version_id=vid, first_seen=when, facts={}, fields={"location": "B"})

    rows = [
        at(1, datetime(2026, 10, 5, 6, 0, tzinfo=UTC)),  # day 0
        at(2, datetime(2026, 10, 9, 22, 30, tzinfo=UTC)),  # 00:30 on 10 October in Amsterdam: day 5
        at(3, datetime(2026, 10, 9, 21, 30, tzinfo=UTC)),  # 23:30 on 9 October in Amsterdam: day 4
        at(4, datetime(2026, 10, 17, 6, 0, tzinfo=UTC)),  # day 12: after the ad was removed
        at(5, datetime(2026, 10, 5, 6, 0, tzinfo=UTC), "not-in-truth"),
    ]
    mt = match_versions(gt, rows)
    assert [(m.stored.version_id, m.day, m.truth.place_written) for m in mt.versions] == [
        (1, 0, "A"),
        (2, 5, "B"),
        (3, 4, "A"),
        (4, 12, "B"),
    ]
    assert mt.outside_lifetime == 1
    assert mt.consistent == 2 and mt.consistency == 0.5  # the pages name "B": only versions 2 and 4 fit
    assert mt.unmatched_ads == [("kinky", "not-in-truth")]
    assert (mt.truth_ads, mt.stored_ads, mt.matched_ads, mt.not_collected) == (2, 2, 1, 1)


def test_load_ground_truth_round_trips_the_demo_truth_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    market = generate_market(seed=1, n_ads=20, weeks=1)
    for name in ("truth.jsonl", "truth.jsonl.gz"):
        path = tmp_path / name
        write_truth(market, path)
        gt = load_ground_truth(path)
        assert gt.start == market.start
        assert set(gt.records) == {ad.key for ad in market.ads}
        for ad in market.ads:
            got = gt.records[ad.key].truth
            assert [v.gemeente_code for v in got.versions] == ad.truth.gemeente_codes
            assert got.phones == ad.truth.phones


def test_load_ground_truth_explains_unusable_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(GroundTruthError, match="cannot read"):
        load_ground_truth(tmp_path / "missing.jsonl")
    market = generate_market(seed=1, n_ads=20, weeks=1)
    good = tmp_path / "good.jsonl"
    write_truth(market, good)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(good.read_text(encoding="utf-8").splitlines()[0] + "\n{not json\n", encoding="utf-8")
    with pytest.raises(GroundTruthError, match=r"broken\.jsonl:2"):
        load_ground_truth(broken)
    empty = tmp_path / "empty.jsonl.gz"
    with gzip.open(empty, "wt") as fh:
        fh.write("\n")
    with pytest.raises(GroundTruthError, match="holds no ads"):
        load_ground_truth(empty)
    undated = tmp_path / "undated.jsonl"
    write_truth(iter(market.ads), undated)  # a stream written without a start date
    gt = load_ground_truth(undated)
    assert gt.start is None
    with pytest.raises(GroundTruthError, match="no dates"):
        match_versions(gt, [stored(market.ads[0].source_id, site=market.ads[0].site, facts={})])
