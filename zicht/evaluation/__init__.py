"""Measure what the pipeline stored against the ground truth of the synthetic demo market.

The demo generator knows what it wrote into each ad (numbers and how they were written, the place, the
ages, the indicator phrases and their negated decoys). ``zicht evaluate`` joins every stored ad version
to that truth and counts hits and misses, so that an extractor or catalogue change shows its effect as
figures instead of impressions. The metrics are pure (truth records and stored rows in, counts out);
only ``load_ground_truth`` reads a file, and the store layer (``zicht.store.evaluation``) the database.

A stored version is joined to the truth version that was online on the day it was first seen (market
day = Amsterdam date of ``first_seen`` minus the market's start date): that is the content the site
served when the crawler stored it.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

from zicht.demo.model import (
    TZ,
    WHERE_FIELD,
    WHERE_PHOTO,
    WHERE_SERVICES,
    WHERE_TEXT,
    WHERE_TITLE,
    PhoneTruth,
    VersionTruth,
)
from zicht.demo.truth import TruthRecord, record_from_line

if TYPE_CHECKING:
    from zicht.demo.model import Market
    from zicht.store.evaluation import StoredVersion


class GroundTruthError(ValueError):
    """A truth file that cannot be used, explained for the person at the keyboard."""


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives, with the usual ratios (None when undefined)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def support(self) -> int:
        """How many truth positives there were."""
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_json(self) -> dict:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "support": self.support,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class GroundTruth:
    """The truth of one market by (site, source_id), and the date of market day 0 (None if unknown)."""

    records: dict[tuple[str, str], TruthRecord]
    start: date | None
    path: Path | None = None


def load_ground_truth(path: str | Path) -> GroundTruth:
    """Read a truth file written by ``zicht.demo.truth.write_truth`` (``.jsonl`` or ``.jsonl.gz``).

    The market's start date comes from the lines' ``first_date``; every line must agree on it.
    """
    path = Path(path)
    records: dict[tuple[str, str], TruthRecord] = {}
    starts: set[date] = set()
    try:
        with _open(path) as lines:
            for n, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                    record = record_from_line(obj)
                except (ValueError, KeyError, TypeError) as exc:
                    raise GroundTruthError(f"{path}:{n}: not a ground-truth line ({exc})") from exc
                records[record.key] = record
                if obj.get("first_date"):
                    starts.add(date.fromisoformat(obj["first_date"]) - timedelta(days=record.first_day))
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise GroundTruthError(f"cannot read the ground truth at {path}: {exc}") from exc
    if not records:
        raise GroundTruthError(f"the ground truth at {path} holds no ads")
    if len(starts) > 1:
        raise GroundTruthError(f"the ground truth at {path} mixes markets with different start dates")
    return GroundTruth(records, next(iter(starts), None), path)


def ground_truth_of(market: Market) -> GroundTruth:
    """The truth of a market held in memory (tests, benchmarks): the same records the file would hold."""
    records = {
        ad.key: TruthRecord(ad.site, ad.source_id, ad.first_day, ad.last_day, ad.truth) for ad in market.ads
    }
    return GroundTruth(records, market.start)


@dataclass(frozen=True)
class MatchedVersion:
    """A stored version beside the truth of the version the site showed on the day it was first seen."""

    stored: StoredVersion
    record: TruthRecord
    truth: VersionTruth
    day: int

    @property
    def label(self) -> str:
        """``site:source_id day N``: enough to find the ad in the demo and in the database."""
        return f"{self.record.site}:{self.record.source_id} day {self.day}"


@dataclass
class Matching:
    """Which stored versions found their truth, and what could not be joined."""

    versions: list[MatchedVersion] = field(default_factory=list)
    truth_ads: int = 0
    stored_ads: int = 0
    matched_ads: int = 0
    stored_versions: int = 0
    unmatched_ads: list[tuple[str, str]] = field(default_factory=list)  # stored, not in the truth
    outside_lifetime: int = 0  # first seen on a day the truth says the ad was not online
    consistent: int = 0  # joined versions whose stored page names the place the truth says it names

    @property
    def consistency(self) -> float | None:
        """Near 1 when the truth describes this database. The demo numbers ads the same way in every
        market, so a truth file of another run joins by (site, source_id) too, but its places do not fit."""
        return ratio(self.consistent, len(self.versions))

    @property
    def not_collected(self) -> int:
        """Ads of the market that the database does not hold (never crawled, or a broken page)."""
        return self.truth_ads - self.matched_ads


def market_day(truth: GroundTruth, stored: StoredVersion) -> int:
    if truth.start is None:
        raise GroundTruthError(
            "the ground truth has no dates (written without a start date), so stored versions cannot be "
            "joined to the day they were seen"
        )
    return (stored.first_seen.astimezone(TZ).date() - truth.start).days


def truth_version_on(record: TruthRecord, day: int) -> VersionTruth:
    """The truth version online on ``day``; the nearest one for a day outside the ad's lifetime."""
    versions = record.truth.versions
    found = versions[0]
    for v in versions:
        if v.from_day > day:
            break
        found = v
    return found


def match_versions(truth: GroundTruth, stored: Iterable[StoredVersion]) -> Matching:
    """Join stored versions to truth versions by (site, source_id) and the day they were first seen."""
    out = Matching(truth_ads=len(truth.records))
    stored_keys: set[tuple[str, str]] = set()
    matched_keys: set[tuple[str, str]] = set()
    unmatched: dict[tuple[str, str], None] = {}
    for sv in stored:
        out.stored_versions += 1
        stored_keys.add(sv.key)
        record = truth.records.get(sv.key)
        if record is None:
            unmatched.setdefault(sv.key)
            continue
        matched_keys.add(sv.key)
        day = market_day(truth, sv)
        if not record.active(day):
            out.outside_lifetime += 1
        version = truth_version_on(record, day)
        if any(in_stored_page(sv, where, version.place_written) for where in (WHERE_FIELD, WHERE_TEXT)):
            out.consistent += 1
        out.versions.append(MatchedVersion(sv, record, version, day))
    out.stored_ads = len(stored_keys)
    out.matched_ads = len(matched_keys)
    out.unmatched_ads = list(unmatched)
    return out


def _squash(text: str) -> str:
    """Whitespace runs as one space: HTML rendering and parsing may move spaces around line breaks."""
    return " ".join(text.split())


def in_stored_page(stored: StoredVersion, where: str, phrase: str) -> bool:
    """Whether what the generator wrote at ``where`` reached the database, so extraction could read it.

    A broken page (cut short, wrong charset) or a failed "toon nummer" call loses content before any
    extractor runs; such losses are collection problems and are counted apart from extraction misses.
    A photo counts as collected when its text was read (``photos_read``).
    """
    if where == WHERE_PHOTO:
        return stored.photos_read
    if where == WHERE_FIELD:
        return bool(phrase) and any(_squash(phrase) in _squash(str(v)) for v in stored.fields.values())
    if where == WHERE_SERVICES:
        return phrase in stored.services
    if where == WHERE_TITLE:
        return _squash(phrase) in _squash(stored.title)
    return _squash(phrase) in _squash(stored.text) or _squash(phrase) in _squash(stored.title)


def phone_in_stored_page(stored: StoredVersion, phone: PhoneTruth) -> bool:
    """A number in the field is collected when the "toon nummer" answer was stored (the site may re-encode
    it); elsewhere when it is written in the stored page as the generator wrote it."""
    if phone.where == WHERE_FIELD:
        return bool(stored.phone and stored.phone.strip())
    return in_stored_page(stored, phone.where, phone.rendered)


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")  # type: ignore[return-value]
    return path.open("r", encoding="utf-8")
