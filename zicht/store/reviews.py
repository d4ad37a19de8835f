"""The one place where a person's decision on an ad is written.

Zicht never acts on a score by itself; what happens to an ad is what a person records here, with
their name and the reason. The record is append-only: a changed
mind is a new review, so the history of who decided what, and why, stays complete.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from zicht.store.models import Ad
from zicht.store.models import Review as ReviewRow
from zicht.store.store import Store

DECISIONS = ("reviewed", "selected", "dismissed")
# Every decision needs a reason that a colleague (or a later audit) can read: a selection starts a
# control, a dismissal closes the ad for now, and "reviewed" says what the person saw and why that is
# enough for now.
REASON_REQUIRED = frozenset(DECISIONS)
MAX_USER = 128  # the column's length
MAX_REASON = 2000

# Problem codes of ReviewError: the web layer turns them into sentences in the person's language.
PROBLEM_AD = "ad_not_found"
PROBLEM_DECISION = "decision_unknown"
PROBLEM_USER = "user_required"
PROBLEM_USER_LONG = "user_too_long"
PROBLEM_REASON = "reason_required"
PROBLEM_REASON_LONG = "reason_too_long"

_SPACES = re.compile(r"\s+")


class ReviewError(ValueError):
    """The review was not stored; ``problems`` lists every reason (codes above), not just the first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("review not stored: " + ", ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Review:
    id: int
    ad_id: int
    user: str
    decision: str
    reason: str
    created_at: datetime


def _without_controls(text: str) -> str:
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") and ch != "\n" else ch for ch in text)


def clean_user(user: str | None) -> str:
    """A name as one line: control characters and runs of whitespace become one space."""
    return _SPACES.sub(" ", _without_controls(user or "")).strip()


def clean_reason(reason: str | None) -> str:
    """Free text kept with its line breaks (normalised to ``\\n``), without other control characters."""
    text = (reason or "").replace("\r\n", "\n").replace("\r", "\n")
    return _without_controls(text).strip()


def check_review(decision: str | None, user: str | None, reason: str | None) -> list[str]:
    """Every problem with these values, as codes; empty when they may be stored."""
    problems: list[str] = []
    if decision not in DECISIONS:
        problems.append(PROBLEM_DECISION)
    name = clean_user(user)
    if not name:
        problems.append(PROBLEM_USER)
    elif len(name) > MAX_USER:
        problems.append(PROBLEM_USER_LONG)
    why = clean_reason(reason)
    if decision in REASON_REQUIRED and not why:
        problems.append(PROBLEM_REASON)
    if len(why) > MAX_REASON:
        problems.append(PROBLEM_REASON_LONG)
    return problems


def record_review(
    store: Store,
    ad_id: int,
    user: str,
    decision: str,
    reason: str = "",
    *,
    at: datetime | None = None,
) -> Review:
    """Store one decision on an ad; raises ``ReviewError`` (nothing stored) when a value is not valid."""
    problems = check_review(decision, user, reason)
    if at is not None and at.tzinfo is None:
        raise ValueError("naive datetime given to record_review; use a timezone-aware datetime")
    with store.session() as s:
        if not (0 < ad_id <= 2**31 - 1) or s.scalar(select(Ad.id).where(Ad.id == ad_id)) is None:
            problems.insert(0, PROBLEM_AD)
        if problems:
            raise ReviewError(problems)
        row = ReviewRow(
            ad_id=ad_id,
            user=clean_user(user),
            decision=decision,
            reason=clean_reason(reason),
            created_at=at or datetime.now(UTC),
        )
        s.add(row)
        s.flush()
        return Review(row.id, row.ad_id, row.user, row.decision, row.reason, row.created_at.astimezone(UTC))
