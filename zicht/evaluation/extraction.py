"""How well extraction read contact points, ages and places, version by version, against the truth.

Phones are counted twice. Per version (the figure a user feels): a truth number found among the
version's stored phones is a true positive, a stored phone the version does not contain is a false
positive. Per occurrence (the figure an extractor owner needs): each way a number was written (where:
field, text, title, photo; and its format class) is found only when a phone read from that same place
has that value; a wrong number read from a place counts against the format class written there.

A number on a photo is counted only when the version's photos were read (OCR); and only when the same
number is not also in the field or text, because the pipeline keeps one source per number.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import phonenumbers

from zicht.demo.model import WHERE_FIELD, WHERE_PHOTO, WHERE_TEXT, WHERE_TITLE, PhoneTruth
from zicht.evaluation import Counts, MatchedVersion, in_stored_page, phone_in_stored_page, ratio

# Stored contact sources that can have read a number written in each place of the ad.
WHERE_SOURCES: dict[str, frozenset[str]] = {
    WHERE_FIELD: frozenset({"field"}),
    WHERE_TEXT: frozenset({"text", "link"}),
    WHERE_TITLE: frozenset({"title", "link"}),
    WHERE_PHOTO: frozenset({"photo"}),
}
# The place a stored source stands for, to charge a wrong number to what was written there.
SOURCE_WHERE = {
    "field": WHERE_FIELD,
    "text": WHERE_TEXT,
    "link": WHERE_TEXT,
    "title": WHERE_TITLE,
    "photo": WHERE_PHOTO,
}
NOTHING_WRITTEN = "(nothing written)"  # format class of a wrong number read where the ad has none


def _phones(m: MatchedVersion) -> list[tuple[str, str]]:
    return [(c.value, c.source) for c in m.stored.contacts if c.kind == "phone"]


def _extracted(versions: Iterable[MatchedVersion]) -> list[MatchedVersion]:
    return [m for m in versions if m.stored.facts is not None]


# ---------------------------------------------------------------------------------------- phones


@dataclass(frozen=True)
class PhoneExample:
    """One miss, wrong or lost number, with what was written and what was read from that place."""

    label: str
    where: str
    format_class: str
    kind: str  # missed (extraction) | wrong (extraction) | lost (never reached the database)
    expected: str | None  # the truth number (None for a wrong number read where none was written)
    rendered: str | None  # how the ad wrote it
    read: tuple[str, ...]  # the numbers stored from that place

    def as_json(self) -> dict:
        return {
            "ad": self.label,
            "where": self.where,
            "format_class": self.format_class,
            "kind": self.kind,
            "expected": self.expected,
            "rendered": self.rendered,
            "read": list(self.read),
        }


def end_to_end_recall(counts: Counts, lost: int) -> float | None:
    """Recall when numbers lost before extraction count as misses too."""
    return ratio(counts.tp, counts.support + lost)


@dataclass
class PhoneMetrics:
    """Extraction counts (over numbers that reached the database) and, apart, the numbers lost before."""

    versions: int = 0  # versions evaluated (extracted)
    overall: Counts = field(default_factory=Counts)
    overall_lost: int = 0
    by_where: dict[str, Counts] = field(default_factory=dict)
    lost_by_where: dict[str, int] = field(default_factory=dict)
    by_class: dict[tuple[str, str], Counts] = field(default_factory=dict)
    lost_by_class: dict[tuple[str, str], int] = field(default_factory=dict)
    photo_not_read: int = 0  # numbers on photos of versions whose photos were not read: not counted
    photo_also_elsewhere: int = 0  # numbers on photos that the field or text also gives: not counted
    examples: dict[tuple[str, str], list[PhoneExample]] = field(default_factory=dict)
    lost_examples: list[PhoneExample] = field(default_factory=list)
    # Per country of the number (ISO region; a wrong number counts against the country it was read as).
    by_country: dict[str, Counts] = field(default_factory=dict)
    lost_by_country: dict[str, int] = field(default_factory=dict)
    # Versions whose text holds look-alike digit groups (dates, postcodes, measurements, house numbers,
    # HHMM-HHMM hours): per-version counts over them alone, and the wrong numbers read there.
    lookalike_versions: int = 0
    with_lookalikes: Counts = field(default_factory=Counts)
    lookalike_examples: list[dict] = field(default_factory=list)
    several_numbers: Counts = field(default_factory=Counts)  # versions with two or more distinct numbers
    several_numbers_versions: int = 0

    def as_json(self) -> dict:
        def row(c: Counts, lost: int) -> dict:
            return {**c.as_json(), "lost": lost, "end_to_end_recall": end_to_end_recall(c, lost)}

        return {
            "versions": self.versions,
            "overall": row(self.overall, self.overall_lost),
            "by_where": {w: row(c, self.lost_by_where.get(w, 0)) for w, c in sorted(self.by_where.items())},
            "by_class": [
                {"where": w, "format_class": cls, **row(c, self.lost_by_class.get((w, cls), 0))}
                for (w, cls), c in sorted(self.by_class.items())
            ],
            "by_country": {
                cc: row(c, self.lost_by_country.get(cc, 0)) for cc, c in sorted(self.by_country.items())
            },
            "lookalikes": {
                "versions": self.lookalike_versions,
                **self.with_lookalikes.as_json(),
                "examples": self.lookalike_examples,
            },
            "several_numbers": {"versions": self.several_numbers_versions, **self.several_numbers.as_json()},
            "photo_not_read": self.photo_not_read,
            "photo_also_elsewhere": self.photo_also_elsewhere,
            "examples": [e.as_json() for _, ex in sorted(self.examples.items()) for e in ex],
            "lost_examples": [e.as_json() for e in self.lost_examples],
        }


def phone_metrics(versions: Iterable[MatchedVersion], *, examples: int = 5) -> PhoneMetrics:
    out = PhoneMetrics()
    by_where: dict[str, Counter[str]] = defaultdict(Counter)
    by_class: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    by_country: dict[str, Counter[str]] = defaultdict(Counter)
    lookalike: Counter[str] = Counter()
    several: Counter[str] = Counter()

    def example(row: tuple[str, str], ex: PhoneExample) -> None:
        kept = out.examples.setdefault(row, [])
        if len(kept) < examples:
            kept.append(ex)

    for m in _extracted(versions):
        out.versions += 1
        stored_version = m.stored
        truth = _distinct(m.truth.phones)
        collected = [p for p in truth if phone_in_stored_page(stored_version, p)]
        counted = {p.e164 for p in truth if p.where != WHERE_PHOTO or stored_version.photos_read}
        present = {p.e164 for p in collected}
        all_numbers = {p.e164 for p in truth}
        stored = _phones(m)
        values = {v for v, _ in stored}
        overall["tp"] += len(present & values)
        overall["fn"] += len(present - values)
        overall["fp"] += len(values - all_numbers)
        overall["lost"] += len(counted - present)
        if m.truth.lookalikes:
            out.lookalike_versions += 1
            lookalike["tp"] += len(present & values)
            lookalike["fn"] += len(present - values)
            lookalike["fp"] += len(values - all_numbers)
            if values - all_numbers and len(out.lookalike_examples) < examples:
                out.lookalike_examples.append(
                    {
                        "ad": m.label,
                        "lookalikes": list(m.truth.lookalikes),
                        "read": sorted(values - all_numbers),
                    }
                )
        if len(all_numbers) > 1:
            out.several_numbers_versions += 1
            several["tp"] += len(present & values)
            several["fn"] += len(present - values)
            several["fp"] += len(values - all_numbers)
        for value in values - all_numbers:
            by_country[country_of(value)]["fp"] += 1

        elsewhere = {p.e164 for p in truth if p.where != WHERE_PHOTO}
        for p in truth:
            if p.where == WHERE_PHOTO and not stored_version.photos_read:
                out.photo_not_read += 1
                continue
            if p.where == WHERE_PHOTO and p.e164 in elsewhere:
                out.photo_also_elsewhere += 1
                continue
            sources = WHERE_SOURCES.get(p.where, frozenset())
            read_here = tuple(sorted({v for v, s in stored if s in sources}))
            row = (p.where, p.format_class)
            country = country_of(p.e164)
            if p not in collected:
                by_country[country]["lost"] += 1
                by_class[row]["lost"] += 1
                by_where[p.where]["lost"] += 1
                if len(out.lost_examples) < examples:
                    out.lost_examples.append(
                        PhoneExample(m.label, p.where, p.format_class, "lost", p.e164, p.rendered, read_here)
                    )
                continue
            by_country[country]["tp" if p.e164 in read_here else "fn"] += 1
            if p.e164 in read_here:
                by_class[row]["tp"] += 1
                by_where[p.where]["tp"] += 1
            else:
                by_class[row]["fn"] += 1
                by_where[p.where]["fn"] += 1
                example(
                    row,
                    PhoneExample(m.label, p.where, p.format_class, "missed", p.e164, p.rendered, read_here),
                )

        wrong = sorted({(v, SOURCE_WHERE.get(s, s)) for v, s in stored if v not in all_numbers})
        for _value, where in wrong:
            written = [p for p in truth if p.where == where]
            read_here = tuple(sorted({v for v, s in stored if SOURCE_WHERE.get(s, s) == where}))
            by_where[where]["fp"] += 1
            for p in written or [None]:
                cls = p.format_class if p else NOTHING_WRITTEN
                by_class[(where, cls)]["fp"] += 1
                example(
                    (where, cls),
                    PhoneExample(
                        m.label,
                        where,
                        cls,
                        "wrong",
                        p.e164 if p else None,
                        p.rendered if p else None,
                        read_here,
                    ),
                )
    out.overall = Counts(overall["tp"], overall["fp"], overall["fn"])
    out.overall_lost = overall["lost"]
    out.by_where = {w: Counts(c["tp"], c["fp"], c["fn"]) for w, c in by_where.items()}
    out.lost_by_where = {w: c["lost"] for w, c in by_where.items() if c["lost"]}
    out.by_class = {k: Counts(c["tp"], c["fp"], c["fn"]) for k, c in by_class.items()}
    out.lost_by_class = {k: c["lost"] for k, c in by_class.items() if c["lost"]}
    out.by_country = {k: Counts(c["tp"], c["fp"], c["fn"]) for k, c in by_country.items()}
    out.lost_by_country = {k: c["lost"] for k, c in by_country.items() if c["lost"]}
    out.with_lookalikes = Counts(lookalike["tp"], lookalike["fp"], lookalike["fn"])
    out.several_numbers = Counts(several["tp"], several["fp"], several["fn"])
    return out


@cache
def country_of(e164: str) -> str:
    """ISO region of a number ("NL", "RO"); "??" when it parses to none."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or "??"
    except phonenumbers.NumberParseException:
        return "??"


def _distinct(phones: Iterable[PhoneTruth]) -> list[PhoneTruth]:
    """One occurrence per (number, place): the generator writes a number once per place."""
    seen: dict[tuple[str, str], PhoneTruth] = {}
    for p in phones:
        seen.setdefault((p.e164, p.where), p)
    return list(seen.values())


# ---------------------------------------------------------------------------------------- e-mail


@dataclass
class EmailMetrics:
    versions: int = 0
    counts: Counts = field(default_factory=Counts)
    lost: int = 0  # addresses neither in the collected e-mail field nor in the collected text
    examples: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "versions": self.versions,
            **self.counts.as_json(),
            "lost": self.lost,
            "examples": self.examples,
        }


def email_metrics(versions: Iterable[MatchedVersion], *, examples: int = 5) -> EmailMetrics:
    """E-mail addresses per version: the truth gives the ad's address (field, and sometimes the text)."""
    out = EmailMetrics()
    tp = fp = fn = 0
    for m in _extracted(versions):
        out.versions += 1
        truth = {e.lower() for e in m.record.truth.emails}
        collected_text = f"{m.stored.email or ''}\n{m.stored.title}\n{m.stored.text}".lower()
        present = {e for e in truth if e in collected_text}
        stored = {c.value.lower() for c in m.stored.contacts if c.kind == "email"}
        out.lost += len(truth - present)
        tp += len(present & stored)
        fn += len(present - stored)
        fp += len(stored - truth)
        if (present - stored or stored - truth) and len(out.examples) < examples:
            out.examples.append({"ad": m.label, "expected": sorted(present), "read": sorted(stored)})
    out.counts = Counts(tp, fp, fn)
    return out


# ---------------------------------------------------------------------------------------- ages


@dataclass
class Accuracy:
    n: int = 0
    correct: int = 0
    lost: int = 0  # not in the collected page: not counted in n

    @property
    def accuracy(self) -> float | None:
        return ratio(self.correct, self.n)

    def as_json(self) -> dict:
        return {"n": self.n, "correct": self.correct, "accuracy": self.accuracy, "lost": self.lost}


@dataclass
class AgeMetrics:
    declared: Accuracy = field(default_factory=Accuracy)
    text: Accuracy = field(default_factory=Accuracy)
    text_spurious: int = 0  # a text age read where the truth states none, differing from the declared age
    conflict: Counts = field(default_factory=Counts)
    conflict_lost: int = 0  # conflicts whose text age did not reach the database
    examples: dict[str, list[dict]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "declared": self.declared.as_json(),
            "text": self.text.as_json(),
            "text_spurious": self.text_spurious,
            "conflict": {**self.conflict.as_json(), "lost": self.conflict_lost},
            "examples": self.examples,
        }


def _age_in(text: str, age: int) -> bool:
    return re.search(rf"(?<![0-9]){age}(?![0-9])", text) is not None


def age_metrics(versions: Iterable[MatchedVersion], *, examples: int = 5) -> AgeMetrics:
    """Declared age (the field), the age stated in the text, and the flag when the two disagree."""
    out = AgeMetrics()
    tp = fp = fn = 0

    def example(kind: str, item: dict) -> None:
        kept = out.examples.setdefault(kind, [])
        if len(kept) < examples:
            kept.append(item)

    for m in _extracted(versions):
        facts = m.stored.facts or {}
        declared = m.record.truth.declared_age
        written = str(m.stored.fields.get("age") or "").strip()
        got_declared, got_text = facts.get("age_declared"), facts.get("age_text")
        if declared is not None and not written:
            out.declared.lost += 1
        elif declared is not None:
            out.declared.n += 1
            if got_declared == declared:
                out.declared.correct += 1
            else:
                example(
                    "declared",
                    {"ad": m.label, "expected": declared, "read": got_declared, "written": written},
                )
        text_age = m.truth.text_age
        text_collected = text_age is not None and _age_in(f"{m.stored.title}\n{m.stored.text}", text_age)
        if text_age is not None and not text_collected:
            out.text.lost += 1
        elif text_age is not None:
            out.text.n += 1
            if got_text == text_age:
                out.text.correct += 1
            else:
                example("text", {"ad": m.label, "expected": text_age, "read": got_text})
        elif got_text is not None and got_text != declared:
            out.text_spurious += 1
            example(
                "text_spurious", {"ad": m.label, "expected": None, "read": got_text, "declared": declared}
            )
        flagged = bool(facts.get("age_conflict"))
        if m.truth.age_conflict and not (text_collected and written):
            out.conflict_lost += 1
        elif flagged and m.truth.age_conflict:
            tp += 1
        elif flagged:
            fp += 1
            example("conflict_wrong", {"ad": m.label, "declared": got_declared, "text": got_text})
        elif m.truth.age_conflict:
            fn += 1
            example(
                "conflict_missed",
                {"ad": m.label, "declared": declared, "text": text_age, "read_text": got_text},
            )
    out.conflict = Counts(tp, fp, fn)
    return out


# ---------------------------------------------------------------------------------------- places


@dataclass(frozen=True)
class PlaceMiss:
    """A written place that did not end at its gemeente, with how often it happened."""

    written: str
    expected: str
    got: str | None
    count: int
    read_place: str | None
    reason: str | None
    example: str

    def as_json(self) -> dict:
        from zicht.reference import gemeenten

        names = gemeenten()
        return {
            "written": self.written,
            "expected": self.expected,
            "expected_name": names[self.expected].name if self.expected in names else None,
            "got": self.got,
            "got_name": names[self.got].name if self.got in names else None,
            "count": self.count,
            "read_place": self.read_place,
            "reason": self.reason,
            "example": self.example,
        }


@dataclass
class PlaceMetrics:
    n: int = 0  # versions whose written place reached the database
    correct: int = 0
    with_gemeente: int = 0
    unknown: int = 0  # no gemeente, and extraction said why (a location field error)
    wrong: int = 0  # a gemeente, but another one
    lost: int = 0  # the written place is not in the collected page: not counted in n
    misses: list[PlaceMiss] = field(default_factory=list)  # the most frequent, most frequent first
    distinct_misses: int = 0

    @property
    def accuracy(self) -> float | None:
        return ratio(self.correct, self.n)

    @property
    def coverage(self) -> float | None:
        return ratio(self.with_gemeente, self.n)

    @property
    def unknown_share(self) -> float | None:
        return ratio(self.unknown, self.n)

    @property
    def silent(self) -> int:
        """No gemeente and no reason given."""
        return self.n - self.with_gemeente - self.unknown

    def as_json(self) -> dict:
        return {
            "n": self.n,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "with_gemeente": self.with_gemeente,
            "coverage": self.coverage,
            "unknown": self.unknown,
            "unknown_share": self.unknown_share,
            "wrong": self.wrong,
            "silent": self.silent,
            "lost": self.lost,
            "distinct_misses": self.distinct_misses,
            "misses": [x.as_json() for x in self.misses],
        }


def place_metrics(versions: Iterable[MatchedVersion], *, top: int = 10) -> PlaceMetrics:
    """Stored gemeente against the truth gemeente of the version; the top misses by written place."""
    out = PlaceMetrics()
    misses: Counter[tuple[str, str, str | None]] = Counter()
    detail: dict[tuple[str, str, str | None], tuple[str | None, str | None, str]] = {}
    for m in _extracted(versions):
        written = m.truth.place_written
        if not any(
            in_stored_page(m.stored, where, written) for where in (WHERE_FIELD, WHERE_TITLE, WHERE_TEXT)
        ):
            out.lost += 1
            continue
        facts = m.stored.facts or {}
        out.n += 1
        got = facts.get("gemeente_code")
        reason = next(
            (e.get("reason") for e in facts.get("errors") or [] if e.get("field") == "location"), None
        )
        if got is not None:
            out.with_gemeente += 1
        elif reason is not None:
            out.unknown += 1
        if got == m.truth.gemeente_code:
            out.correct += 1
            continue
        if got is not None:
            out.wrong += 1
        key = (written, m.truth.gemeente_code, got)
        misses[key] += 1
        detail.setdefault(key, (facts.get("place"), reason, m.label))
    out.distinct_misses = len(misses)
    for key, count in sorted(misses.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1], kv[0][2] or ""))[
        :top
    ]:
        read_place, reason, label = detail[key]
        out.misses.append(PlaceMiss(key[0], key[1], key[2], count, read_place, reason, label))
    return out
