"""Indicator metrics on hand-made versions: cues, negated decoys, photo cues, lost cues, unscored versions."""

from __future__ import annotations

from eval_builders import matched, record, stored, truth_version

from zicht.demo.model import Cue
from zicht.evaluation import Counts
from zicht.evaluation.indicators import indicator_metrics

CATALOGUE = ("UNPROTECTED_SERVICES", "NEW_IN_TOWN", "TRUST_LANGUAGE", "LOW_PRICE")
TRUTH = ("UNPROTECTED_SERVICES", "NEW_IN_TOWN", "TRUST_LANGUAGE", "STATED_ORIGIN")


def _v(source_id: str, cues: list[Cue], hits: list[tuple[str, bool]], *, text: str = "", **kw):  # type: ignore[no-untyped-def]
    sv = stored(source_id, facts={}, text=text, hits=hits, **kw)
    return matched(sv, record(source_id, [truth_version(cues=cues)]))


def test_decoys_count_as_negatives_and_decoy_hits_as_false_positives() -> None:
    geen_av = Cue("UNPROTECTED_SERVICES", "geen AV", "text", negated=True)
    cases = [
        # only "geen AV": a non-negated hit is wrong, a negated one is right
        _v("1", [geen_av], [("UNPROTECTED_SERVICES", False)], text="Massage, geen AV."),
        _v("2", [geen_av], [("UNPROTECTED_SERVICES", True)], text="Massage, geen AV."),
        # a real cue found, a real cue missed
        _v("3", [Cue("UNPROTECTED_SERVICES", "zonder condoom", "text")], [("UNPROTECTED_SERVICES", False)],
           text="Alles zonder condoom."),
        _v("4", [Cue("UNPROTECTED_SERVICES", "AV", "services")], [], services=("AV", "massage")),
        # a cue and a decoy of the same code in one version: the cue decides
        _v("5", [Cue("UNPROTECTED_SERVICES", "pijpen zonder", "text"), geen_av], [("UNPROTECTED_SERVICES", False)],
           text="pijpen zonder, geen AV"),
        # nothing at all: a true negative
        _v("6", [], []),
    ]  # fmt: skip
    ind = indicator_metrics(cases, CATALOGUE, truth_codes=TRUTH)
    row = ind.rows["UNPROTECTED_SERVICES"]
    assert row.counts == Counts(tp=2, fp=1, fn=1)
    assert row.counts.precision == 2 / 3 and row.counts.recall == 2 / 3
    assert (row.negatives, row.decoy_versions, row.decoy_hits) == (3, 2, 1)
    assert row.wrong == [{"ad": "kinky:1 day 0", "matched": ["unprotected_services"], "decoys": ["geen AV"]}]
    assert row.missed == [{"ad": "kinky:4 day 0", "cues": ["services: AV"]}]
    assert ind.rows["NEW_IN_TOWN"].counts == Counts()  # no cue, no hit anywhere


def test_photo_cues_count_only_when_photos_were_read_and_lost_cues_not_at_all() -> None:
    on_photo = Cue("NEW_IN_TOWN", "nieuw!", "photo")
    cases = [
        _v("1", [on_photo], [("NEW_IN_TOWN", False)]),  # photos not read: left out although hit
        _v("2", [on_photo], [], photos_read=True),  # read and missed
        _v("3", [on_photo], [("NEW_IN_TOWN", False)], photos_read=True),  # read and found
        _v(
            "4", [Cue("NEW_IN_TOWN", "nieuw in Breda", "title")], [], title="Lisa"
        ),  # title lost before extraction
        _v("5", [Cue("TRUST_LANGUAGE", "100% echt", "text")], [("TRUST_LANGUAGE", False)], text="100%  echt"),
    ]
    ind = indicator_metrics(cases, CATALOGUE, truth_codes=TRUTH)
    row = ind.rows["NEW_IN_TOWN"]
    assert row.counts == Counts(tp=1, fp=0, fn=1)
    assert (row.photo_only_skipped, row.lost, row.negatives) == (1, 1, 1)
    assert ind.rows["TRUST_LANGUAGE"].counts == Counts(tp=1)  # whitespace differences do not lose a cue


def test_only_codes_in_truth_and_catalogue_are_scored_and_unscored_versions_are_counted() -> None:
    scored = _v(
        "1",
        [Cue("STATED_ORIGIN", "Roemeens", "field")],
        [("LOW_PRICE", False)],
        fields={"origin": "Roemeens"},
    )
    unscored = matched(stored("2", facts={}, scored=False), record("2", [truth_version()]))
    not_extracted = matched(stored("3", facts=None), record("3", [truth_version()]))
    extra = _v("4", [Cue("MADE_UP_CODE", "x", "text")], [], text="x")
    ind = indicator_metrics([scored, unscored, not_extracted, extra], CATALOGUE, truth_codes=TRUTH)
    assert sorted(ind.rows) == ["NEW_IN_TOWN", "TRUST_LANGUAGE", "UNPROTECTED_SERVICES"]
    assert ind.not_in_ground_truth == ["LOW_PRICE"]
    assert ind.not_in_catalogue == ["MADE_UP_CODE", "STATED_ORIGIN"]
    assert (ind.versions, ind.not_scored) == (2, 2)
    as_json = ind.as_json()
    assert [r["code"] for r in as_json["indicators"]] == [
        "NEW_IN_TOWN",
        "TRUST_LANGUAGE",
        "UNPROTECTED_SERVICES",
    ]
