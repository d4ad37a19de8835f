"""``zicht evaluate`` on linking, end to end on both backends: a demo market stored and processed for
real, evaluated before linking (said plainly, no zeros), after ``zicht link`` (figures equal to those
computed independently from the stored assignment), and after damaging the stored networks so that two
scam operators share one (listed, and ``--strict`` fails)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_builders import ingest_market
from sqlalchemy import update
from typer.testing import CliRunner

from zicht.cli import app
from zicht.demo.market import generate_market
from zicht.demo.model import Market
from zicht.demo.truth import write_truth
from zicht.linking.evaluate import adjusted_rand_index, pairwise
from zicht.pipeline import process
from zicht.store import linking
from zicht.store.evaluation import link_assignments
from zicht.store.models import LinkAd
from zicht.store.store import Store

runner = CliRunner()


def _zicht(db_url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def market() -> Market:
    return generate_market(seed=9, n_ads=200, weeks=2)  # two scam operators


@pytest.fixture
def demo_db(db_url: str, tmp_path: Path, market: Market) -> tuple[str, Path]:
    with Store.open(db_url, data_dir=tmp_path / "data") as store:
        ingest_market(store, market)
        process(store, photos=False)
    truth = tmp_path / "truth.jsonl"
    write_truth(market, truth)
    return db_url, truth


def _evaluate(db_url: str, truth: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    r = _zicht(db_url, "evaluate", "--truth", str(truth), "--output", str(out), *extra)
    return r, json.loads(out.read_text(encoding="utf-8")) if out.exists() else None


def test_linking_is_measured_after_zicht_link_and_said_to_be_missing_before(
    demo_db: tuple[str, Path], tmp_path: Path, market: Market
) -> None:
    db_url, truth = demo_db
    with Store.open(db_url) as store:
        before = link_assignments(store)
    assert len(before) == len(market.ads) and all(a.persona_id is None for a in before)
    r, report = _evaluate(db_url, truth, tmp_path / "before.json")
    assert r.exit_code == 0, r.output
    assert "Linking: not measured — linking has not run on this database" in " ".join(r.output.split())
    assert report["linking"] == {
        "linked": False,
        "truth_ads": len(market.ads),
        "note": "linking has not run (zicht link)",
    }
    assert not any(t["name"].startswith(("personas", "networks", "scam")) for t in report["targets"])

    assert _zicht(db_url, "link").exit_code == 0
    r, report = _evaluate(db_url, truth, tmp_path / "after.json")
    assert r.exit_code == 0, r.output
    assert (
        "Linking against the ground truth" in r.output and "Scam operators: 2 in the linked ads" in r.output
    )

    # The same figures, computed here from the store's own read query and the market in memory.
    with Store.open(db_url) as store:
        ids = {ad.key: store.find_ad(*ad.key).id for ad in market.ads}
        found = linking.assignment_of(store, list(ids.values()))
    persona = {key: found[i][0] for key, i in ids.items()}
    network = {key: found[i][1] for key, i in ids.items()}
    true_persona = {ad.key: ad.truth.persona_id for ad in market.ads}
    true_network = {ad.key: ad.truth.network_id for ad in market.ads}
    lk = report["linking"]
    assert lk["linked"] is True and lk["not_linked"] == 0
    assert lk["personas"]["f1"] == round(pairwise(persona, true_persona).f1, 4)
    assert lk["personas"]["adjusted_rand_index"] == round(adjusted_rand_index(persona, true_persona), 4)
    assert lk["networks_raw"]["tp"] == pairwise(network, true_network).tp
    assert lk["networks_raw"]["truth"] == "generator network_id (raw)"
    assert lk["networks_observable"]["truth"].startswith("observable")
    names = {t["name"]: t for t in report["targets"]}
    assert names["personas: pairwise F1"]["value"] == pytest.approx(pairwise(persona, true_persona).f1)
    assert names["scam operators: false merges"]["comparison"] == "<="


def test_two_scam_operators_in_one_network_are_listed_and_fail_strict(
    demo_db: tuple[str, Path], tmp_path: Path, market: Market
) -> None:
    db_url, truth = demo_db
    assert _zicht(db_url, "link").exit_code == 0
    ops: dict[str, list[tuple[str, str]]] = {}
    for ad in market.ads:
        if ad.truth.scam_operator_id:
            ops.setdefault(ad.truth.scam_operator_id, []).append(ad.key)
    (op_a, ads_a), (op_b, ads_b) = sorted(ops.items())
    with Store.open(db_url) as store:
        ids = [store.find_ad(*key).id for key in ads_a + ads_b]
        with store.session() as s:
            s.execute(update(LinkAd).where(LinkAd.ad_id.in_(ids)).values(network_id=-1))
    r, report = _evaluate(db_url, truth, tmp_path / "damaged.json", "--strict")
    assert r.exit_code == 3, r.output
    merges = [m for m in report["linking"]["scam_operator_false_merges"] if m["level"] == "network"]
    assert merges == [
        {
            "level": "network",
            "cluster_id": -1,
            "ads": len(ids),
            "operators": {op_a: len(ads_a), op_b: len(ads_b)},
            "examples": [":".join(min(ads_a)), ":".join(min(ads_b))],  # one ad per operator
        }
    ]
    text = " ".join(r.output.split())
    assert "✗ scam operators: false merges:" in text
    assert f"network -1 ({len(ids)} ads) holds {op_a} ({len(ads_a)} ads), {op_b} ({len(ads_b)} ads)" in text
