"""Recording decisions: validation, what is stored, and the history read back (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from zicht.sources.types import ParsedAd
from zicht.store import reviews
from zicht.store import views as queries
from zicht.store.models import Review as ReviewRow
from zicht.store.reviews import ReviewError, check_review, record_review
from zicht.store.store import IngestItem, Store

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def one_ad(store: Store, source_id: str = "a1") -> int:
    parsed = ParsedAd("kinky", source_id, f"https://kinky.example/{source_id}", "Titel", "Tekst")
    return store.ingest([IngestItem(parsed, T0, "kinky@test")]).ad_ids[0]


def stored(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count(ReviewRow.id))) or 0


def test_a_decision_is_stored_with_name_reason_and_time(store: Store) -> None:
    ad_id = one_ad(store)
    at = T0 + timedelta(days=1)
    review = record_review(
        store, ad_id, "  Toezicht   Heerlen ", "selected", " Jonge leeftijd \r\n AVIM erbij ", at=at
    )
    assert (review.ad_id, review.user, review.decision) == (ad_id, "Toezicht Heerlen", "selected")
    assert review.reason == "Jonge leeftijd \n AVIM erbij"
    assert review.created_at == at and review.created_at.tzinfo is not None
    with store.session() as s:
        row = s.get(ReviewRow, review.id)
        assert row is not None
        assert (row.user, row.decision, row.reason) == (review.user, "selected", review.reason)
        assert row.created_at == at


def test_every_decision_needs_a_reason(store: Store) -> None:
    ad_id = one_ad(store)
    assert record_review(store, ad_id, "Anna", "reviewed", "gezien, niets bijzonders").reason
    for decision in ("reviewed", "selected", "dismissed"):
        with pytest.raises(ReviewError) as err:
            record_review(store, ad_id, "Anna", decision, " \n\t ")  # only whitespace is no reason
        assert err.value.problems == (reviews.PROBLEM_REASON,)
    assert stored(store) == 1


@pytest.mark.parametrize(
    ("decision", "user", "reason", "problems"),
    [
        ("approved", "Anna", "x", (reviews.PROBLEM_DECISION,)),
        ("", "Anna", "", (reviews.PROBLEM_DECISION,)),
        ("reviewed", "", "x", (reviews.PROBLEM_USER,)),
        ("reviewed", "\u200b\x00 ", "x", (reviews.PROBLEM_USER,)),  # invisible and control characters only
        ("reviewed", "Anna", "", (reviews.PROBLEM_REASON,)),
        ("dismissed", " ", "", (reviews.PROBLEM_USER, reviews.PROBLEM_REASON)),
        ("reviewed", "x" * (reviews.MAX_USER + 1), "x", (reviews.PROBLEM_USER_LONG,)),
        ("selected", "Anna", "x" * (reviews.MAX_REASON + 1), (reviews.PROBLEM_REASON_LONG,)),
    ],
)
def test_every_problem_is_named_and_nothing_is_stored(
    store: Store, decision: str, user: str, reason: str, problems: tuple[str, ...]
) -> None:
    ad_id = one_ad(store)
    assert tuple(check_review(decision, user, reason)) == problems
    with pytest.raises(ReviewError) as err:
        record_review(store, ad_id, user, decision, reason)
    assert err.value.problems == problems
    assert stored(store) == 0


def test_an_ad_that_does_not_exist_is_refused(store: Store) -> None:
    one_ad(store)
    for missing in (999_999, 0, -1, 2**40):
        with pytest.raises(ReviewError) as err:
            record_review(store, missing, "Anna", "reviewed", "gezien")
        assert err.value.problems[0] == reviews.PROBLEM_AD
    assert stored(store) == 0


def test_history_is_newest_first_and_per_ad(store: Store) -> None:
    first, other = one_ad(store, "a1"), one_ad(store, "a2")
    record_review(store, first, "Anna", "reviewed", "gezien", at=T0)
    record_review(store, other, "Bram", "dismissed", "scam-profiel", at=T0)
    record_review(store, first, "Bram", "selected", "controle plannen", at=T0 + timedelta(hours=1))
    history = queries.ad_reviews(store, first)
    assert [(r.user, r.decision) for r in history] == [("Bram", "selected"), ("Anna", "reviewed")]
    assert all(r.created_at.tzinfo is not None for r in history)
    assert [r.decision for r in queries.ad_reviews(store, other)] == ["dismissed"]
    assert queries.ad_reviews(store, 2**40) == []


def test_control_characters_never_reach_the_store(store: Store) -> None:
    ad_id = one_ad(store)
    review = record_review(store, ad_id, "An\x1bna\u202e", "dismissed", "Oplichting\x00 (zelfde tekst\u200b)")
    assert review.user == "An na"
    assert "\x00" not in review.reason and "\u200b" not in review.reason
    assert review.reason.startswith("Oplichting")


def test_a_naive_time_is_refused(store: Store) -> None:
    ad_id = one_ad(store)
    with pytest.raises(ValueError, match="naive"):
        record_review(store, ad_id, "Anna", "reviewed", "gezien", at=datetime(2026, 11, 2, 9, 0))
    assert stored(store) == 0
