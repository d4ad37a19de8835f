"""The held-out hand-written ads: a sound file, figures computed from the real extractors and catalogue,
and figures that move when a label or a reading is wrong."""

from __future__ import annotations

import json
from dataclasses import replace

import phonenumbers
import pytest
from typer.testing import CliRunner

from zicht.cli import app
from zicht.evaluation import Counts
from zicht.evaluation.heldout import HELDOUT_PATH, HeldoutError, evaluate_heldout, load_heldout
from zicht.reference import gemeente
from zicht.signals.catalogue import load_catalogue


@pytest.fixture(scope="module")
def ads():  # type: ignore[no-untyped-def]
    return load_heldout()


def test_the_file_is_sound(ads) -> None:  # type: ignore[no-untyped-def]
    catalogue_codes = {i.code for i in load_catalogue().indicators}
    assert len(ads) >= 60 and len({a.id for a in ads}) == len(ads)
    for a in ads:
        for number in a.phones:
            assert phonenumbers.is_valid_number(phonenumbers.parse(number)), (a.id, number)
        assert a.gemeente is None or gemeente(a.gemeente) is not None, a.id
        assert a.indicators <= catalogue_codes, a.id
    assert sum(len(a.phones) > 1 for a in ads) >= 3  # several numbers in one ad
    assert sum(not a.phones for a in ads) >= 2  # number only on a photo


def test_figures_come_from_the_real_pipeline_and_drop_with_a_wrong_label(ads) -> None:  # type: ignore[no-untyped-def]
    catalogue = load_catalogue()
    base = evaluate_heldout(ads, catalogue)
    assert base.phones.support == sum(len(a.phones) for a in ads)
    assert base.age_n == sum(a.age is not None for a in ads)
    assert set(base.indicators) >= {"UNPROTECTED_SERVICES", "MULTIPLE_WORKERS", "THIRD_PERSON"}
    assert "LOW_PRICE" in base.not_measured
    # A label that says another number: one more wrong reading and one more miss.
    first = next(a for a in ads if len(a.phones) == 1)
    wrong = replace(first, phones=frozenset({"+31600000001"}))
    moved = evaluate_heldout([wrong if a is first else a for a in ads], catalogue)
    assert moved.phones.fp == base.phones.fp + 1 and moved.phones.fn == base.phones.fn + 1
    # A label for an indicator the ad does not show: one more miss for that code.
    plain = next(a for a in ads if "EXTREME_SERVICES" not in a.indicators and a.id == "h04")
    claimed = replace(plain, indicators=plain.indicators | {"EXTREME_SERVICES"})
    moved = evaluate_heldout([claimed if a is plain else a for a in ads], catalogue)
    before = base.indicators["EXTREME_SERVICES"]
    assert moved.indicators["EXTREME_SERVICES"] == Counts(before.tp, before.fp, before.fn + 1)
    assert any(m["ad"] == "h04" and m["field"] == "EXTREME_SERVICES" for m in moved.misses)


def test_a_broken_file_names_the_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines = HELDOUT_PATH.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "heldout.jsonl"
    obj = json.loads(lines[1])
    del obj["truth"]
    broken.write_text(f"{lines[0]}\n{json.dumps(obj)}\n", encoding="utf-8")
    with pytest.raises(HeldoutError, match=r"heldout.jsonl:2: not a held-out ad"):
        load_heldout(broken)
    with pytest.raises(HeldoutError, match="cannot read"):
        load_heldout(tmp_path / "missing.jsonl")


def test_cli_heldout_prints_whole_codes_and_writes_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "heldout.json"
    r = CliRunner().invoke(app, ["evaluate", "--heldout", "--output", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "HOTEL_OR_TEMP_LOCATION" in r.output and "UNPROTECTED_SERVICES" in r.output and "…" not in r.output
    written = json.loads(out.read_text(encoding="utf-8"))["heldout"]
    assert written == evaluate_heldout(load_heldout(), load_catalogue()).as_json()


def test_cli_heldout_refuses_strict_it_has_no_targets() -> None:
    r = CliRunner().invoke(app, ["evaluate", "--heldout", "--strict"])
    assert r.exit_code == 1 and "--strict" in r.output and "too few" in r.output
