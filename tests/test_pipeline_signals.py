"""The signal stage end to end: regional price medians feed LOW_PRICE, results are versioned, and exactly
what a change affects is scored again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import zicht.extract.facts as facts_module
import zicht.signals.catalogue as catalogue_module
from zicht.pipeline import MIN_PRICES_FOR_MEDIAN, price_context_changed, process
from zicht.signals.catalogue import default_catalogue_path, load_catalogue
from zicht.sources.types import ParsedAd
from zicht.store.models import Ad, IndicatorHit, Score
from zicht.store.store import IngestItem, Store

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def _ad(i: int, price: int, place: str = "Heerlen") -> ParsedAd:
    return ParsedAd(
        site="kinky",
        source_id=str(i),
        url=f"http://example.test/{i}",
        title=f"Advertentie {i}",
        text="Hoi, welkom bij mij thuis.",
        fields={"location": place},
        rates=[f"1 uur {price} euro"],
    )


def _low_price_hits(store: Store, source_id: str) -> list[IndicatorHit]:
    with store.session() as s:
        vid = s.scalar(select(Ad.current_version_id).where(Ad.source_id == source_id))
        return list(
            s.scalars(
                select(IndicatorHit).where(
                    IndicatorHit.ad_version_id == vid, IndicatorHit.code == "LOW_PRICE"
                )
            )
        )


def test_low_price_is_relative_to_the_regional_median(store: Store) -> None:
    ads = [_ad(i, 150) for i in range(MIN_PRICES_FOR_MEDIAN)] + [_ad(999, 60)]
    store.ingest([IngestItem(a, T0, "test") for a in ads])
    process(store, photos=False)
    (cheap,) = _low_price_hits(store, "999")
    assert cheap.detail["evaluated"] is True and not cheap.negated and cheap.weight > 0
    assert _low_price_hits(store, "0") == []
    with store.session() as s:
        vid = s.scalar(select(Ad.current_version_id).where(Ad.source_id == "999"))
        context = s.get(Score, vid).explanation["context"]
    assert context == {"median_price_per_hour": 150, "region": "Limburg"}


def test_without_enough_prices_low_price_is_not_evaluated(store: Store) -> None:
    store.ingest([IngestItem(_ad(1, 150), T0, "test"), IngestItem(_ad(2, 40), T0, "test")])
    process(store, photos=False)
    (hit,) = _low_price_hits(store, "2")
    assert hit.detail["evaluated"] is False and hit.weight == 0


def test_progress_counts_towards_the_versions_to_score(store: Store) -> None:
    store.ingest([IngestItem(_ad(i, 150), T0, "test") for i in range(5)])
    events: list[tuple[str, int, int]] = []
    process(store, photos=False, on_progress=lambda *e: events.append(e))
    assert [e for e in events if e[0] == "signals"] == [("signals", 5, 5)]
    store.ingest([IngestItem(_ad(9, 120), T0, "test")])
    events.clear()
    process(store, photos=False, on_progress=lambda *e: events.append(e))
    assert [e for e in events if e[0] in ("extraction", "signals")] == [
        ("extraction", 1, 1),
        ("signals", 1, 1),
    ]


# ------------------------------------------------------------------------------- what gets scored again


def _scores(store: Store) -> dict[str, tuple[str, float, object]]:
    """source_id -> (what made the score, value, when) of each ad's current version."""
    with store.session() as s:
        rows = s.execute(
            select(Ad.source_id, Score.catalogue_version, Score.value, Score.created_at).join(
                Score, Score.ad_version_id == Ad.current_version_id
            )
        ).all()
    return {sid: (made_by, value, when) for sid, made_by, value, when in rows}


def _use_catalogue(monkeypatch, tmp_path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    """Make the pipeline load an edited copy of the packaged catalogue."""
    text = edit(default_catalogue_path().read_text(encoding="utf-8"))
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(catalogue_module, "default_catalogue_path", lambda: path)


def _ads_247(n: int) -> list[IngestItem]:
    return [
        IngestItem(
            ParsedAd(
                site="kinky",
                source_id=str(i),
                url=f"http://example.test/{i}",
                title=f"Advertentie {i}",
                text="Ik ben 24/7 beschikbaar.",
                fields={"location": "Heerlen"},
            ),
            T0,
            "test",
        )
        for i in range(n)
    ]


def test_a_catalogue_edit_without_a_version_bump_rescores_everything(store, monkeypatch, tmp_path):
    store.ingest(_ads_247(3))
    process(store, photos=False)
    before = _scores(store)
    assert {v[1] for v in before.values()} == {15.0}
    _use_catalogue(monkeypatch, tmp_path, lambda t: t.replace("weight: 0.15", "weight: 0.35", 1))
    report = process(store, photos=False)
    after = _scores(store)
    assert report.scored == 3 and {v[1] for v in after.values()} == {35.0}
    (made_by,) = {v[0] for v in after.values()}
    assert made_by.startswith(load_catalogue().version + "+sha:") and made_by != before["0"][0]
    assert process(store, photos=False).scored == 0


def test_a_catalogue_version_bump_rescores_everything(store, monkeypatch, tmp_path):
    store.ingest(_ads_247(3))
    process(store, photos=False)
    version = load_catalogue().version
    _use_catalogue(monkeypatch, tmp_path, lambda t: t.replace(f'version: "{version}"', 'version: "2099.1.1"'))
    report = process(store, photos=False)
    assert report.scored == 3
    assert {v[0].split("+")[0] for v in _scores(store).values()} == {"2099.1.1"}


def test_a_new_extractor_version_reextracts_and_rescores_everything(store, monkeypatch):
    store.ingest(_ads_247(3))
    process(store, photos=False)
    before = _scores(store)
    monkeypatch.setattr(facts_module, "EXTRACTOR_VERSION", facts_module.EXTRACTOR_VERSION + ";test-2")
    report = process(store, photos=False)
    assert (report.extracted, report.scored) == (3, 3)
    after = _scores(store)
    assert all(after[sid][2] > before[sid][2] for sid in before)


def test_a_changed_ad_alone_is_processed_again(store):
    store.ingest(_ads_247(3))
    process(store, photos=False)
    before = _scores(store)
    changed = _ads_247(2)[1]
    changed.parsed.text = "Ik ben 24/7 beschikbaar, ook bareback."
    store.ingest([IngestItem(changed.parsed, T0 + timedelta(days=1), "test")])
    report = process(store, photos=False)
    assert (report.extracted, report.scored) == (1, 1)
    after = _scores(store)
    assert after["0"] == before["0"] and after["2"] == before["2"]
    assert after["1"][1] > before["1"][1]


# ------------------------------------------------------------------------------- LOW_PRICE re-checked


def test_low_price_is_judged_again_when_a_median_appears(store):
    store.ingest([IngestItem(_ad(999, 60), T0, "test")])
    process(store, photos=False)
    (hit,) = _low_price_hits(store, "999")
    assert hit.detail["evaluated"] is False
    store.ingest([IngestItem(_ad(i, 150), T0, "test") for i in range(MIN_PRICES_FOR_MEDIAN + 5)])
    report = process(store, photos=False)
    assert report.scored == MIN_PRICES_FOR_MEDIAN + 5 + 1  # the new ads and the cheap one again
    (hit,) = _low_price_hits(store, "999")
    assert hit.detail["evaluated"] is True and hit.weight > 0
    assert _scores(store)["999"][1] > 0
    # one more ad at the same price moves no median: only the new ad is scored
    store.ingest([IngestItem(_ad(500, 150), T0, "test")])
    assert process(store, photos=False).scored == 1


def test_a_median_that_moves_far_rescores_the_priced_ads(store):
    store.ingest([IngestItem(_ad(i, 150), T0, "test") for i in range(MIN_PRICES_FOR_MEDIAN)])
    store.ingest([IngestItem(_ad(999, 100), T0, "test")])
    process(store, photos=False)
    assert _low_price_hits(store, "999") == []  # 100 is not under 60% of 150
    store.ingest([IngestItem(_ad(100 + i, 300), T0, "test") for i in range(MIN_PRICES_FOR_MEDIAN + 2)])
    process(store, photos=False)
    (hit,) = _low_price_hits(store, "999")  # the median is now 300: 100 is far under it
    assert hit.detail["evaluated"] is True and not hit.negated
    with store.session() as s:
        vid = s.scalar(select(Ad.current_version_id).where(Ad.source_id == "0"))
        assert s.get(Score, vid).explanation["context"]["median_price_per_hour"] == 300


@pytest.mark.parametrize(
    ("old", "new", "hourly", "changed"),
    [
        ({}, {}, 50, False),
        ({}, {"median_price_per_hour": 150, "region": "Limburg"}, 50, True),
        ({"median_price_per_hour": 150, "region": "Limburg"}, {}, 50, True),
        (
            {"median_price_per_hour": 150, "region": "Limburg"},
            {"median_price_per_hour": 152, "region": "Limburg"},
            140,
            False,
        ),
        (
            {"median_price_per_hour": 150, "region": "Limburg"},
            {"median_price_per_hour": 180, "region": "Limburg"},
            140,
            True,
        ),
        (
            {"median_price_per_hour": 150, "region": "Nederland"},
            {"median_price_per_hour": 150, "region": "Limburg"},
            140,
            True,
        ),
        (
            {"median_price_per_hour": 150, "region": "Limburg"},
            {"median_price_per_hour": 151, "region": "Limburg"},
            90.3,
            True,
        ),
    ],
)
def test_price_context_changed(old, new, hourly, changed):
    assert price_context_changed(old, new, hourly, 0.6) is changed
