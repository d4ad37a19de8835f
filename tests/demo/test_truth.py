"""The ground-truth file: one JSON line per ad, read back to exactly the truth the market holds."""

from __future__ import annotations

import gzip
import json

import pytest

from zicht.demo.market import generate_market, iter_ads
from zicht.demo.model import Market
from zicht.demo.truth import iter_truth, read_truth, write_truth


@pytest.fixture(scope="module")
def market() -> Market:
    return generate_market(seed=5, n_ads=400, weeks=3)


def test_round_trip_gives_back_every_ads_truth(market, tmp_path):
    path = tmp_path / "truth.jsonl"
    assert write_truth(market, path) == 400
    records = read_truth(path)
    assert len(records) == 400
    for ad in market.ads:
        record = records[ad.key]
        assert record.truth == ad.truth
        assert (record.first_day, record.last_day) == (ad.first_day, ad.last_day)


def test_one_line_per_ad_with_the_documented_fields(market, tmp_path):
    path = tmp_path / "truth.jsonl"
    write_truth(market, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(market.ads)
    first = json.loads(lines[0])
    ad = market.ads[0]
    assert (first["site"], first["source_id"]) == ad.key
    assert first["first_date"] == market.date_of(ad.first_day).isoformat()
    assert first["indicators"] == sorted(ad.truth.indicators)
    assert first["negated_decoys"] == sorted(ad.truth.negated_decoys)
    assert first["versions"][0]["gemeente_code"] == ad.truth.versions[0].gemeente_code
    assert {p["e164"] for p in first["phones"]} == set(ad.truth.phone_numbers)
    expected = {
        "site", "source_id", "first_day", "last_day", "first_date", "last_date", "posted_at", "persona_id",
        "network_id", "role", "scam_operator_id", "copied_from_persona", "template_id", "repost_of",
        "declared_age", "text_age", "age_conflict", "emails", "photo_ids", "hubs", "indicators",
        "negated_decoys", "phones", "versions",
    }  # fmt: skip
    assert set(first) == expected


def test_gzip_and_streams(tmp_path):
    path = tmp_path / "truth.jsonl.gz"
    assert write_truth(iter_ads(seed=9, n_ads=250, weeks=2), path) == 250
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    assert len(lines) == 250
    streamed = list(iter_truth(path))
    assert len(streamed) == 250 and streamed[0].truth.versions
    line = json.loads(lines[0])
    assert line["first_date"] is None  # a bare stream has no start date unless given one


def test_gemeente_on_follows_the_versions(market, tmp_path):
    path = tmp_path / "truth.jsonl"
    write_truth(market, path)
    records = read_truth(path)
    ad = next(a for a in market.ads if len({t.gemeente_code for t in a.truth.versions}) > 1)
    record = records[ad.key]
    for day in range(market.days):
        expected = ad.truth_on(day).gemeente_code if ad.active(day) else None
        assert record.gemeente_on(day) == expected
