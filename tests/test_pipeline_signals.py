"""The signal stage end to end: regional price medians feed LOW_PRICE, results are versioned."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from zicht.pipeline import MIN_PRICES_FOR_MEDIAN, process
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
