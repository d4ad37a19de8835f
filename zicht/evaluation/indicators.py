"""How well the indicator catalogue finds the phrases the generator put in, and leaves its decoys alone.

Per version and indicator code: the truth is positive when the version holds a non-negated cue for the
code; the prediction is positive when a stored hit for the code is not negated. A negated decoy ("geen
AV", "altijd met condoom") is a negative: a non-negated hit on a version whose only cue for the code is
a decoy is a false positive and is also counted apart as a decoy hit.

A cue written only on a photo is counted when the version's photos were read; otherwise the version is
left out for that code (it can be neither found nor missed); so is a version whose cue phrases are not in
the collected page (a broken page loses them before the catalogue runs). Only codes both in the truth and in the
catalogue are scored; the rest are listed, each with the reason it cannot be measured, so nobody mistakes a
missing row for a perfect one.

Two codes have no phrase to plant but follow from what the generator wrote, so their truth is derived
(``DERIVED``): YOUNG_STATED_AGE from the declared age (under 23, as the catalogue defines it) and LOW_PRICE
from the rates written (hourly price, as the catalogue reads it: a 60-minute rate, else the cheapest
15-180-minute rate scaled; under 0.6 of the median hourly price of the joined ads in the same police unit,
or nationally when a unit has fewer than 20). The pipeline's median comes from the stored ads' current
versions, so a price within a few euros of the threshold may fall on the other side there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from statistics import median

from zicht.demo.model import INDICATOR_CODES, WHERE_PHOTO
from zicht.evaluation import Counts, MatchedVersion, in_stored_page

YOUNG_AGE_BELOW = 23  # YOUNG_STATED_AGE: "stated age under 23" (catalogue)
LOW_PRICE_RATIO = 0.6  # LOW_PRICE: "under 60% of the regional median" (catalogue)
MIN_PRICES_FOR_MEDIAN = 20  # fewer hourly prices in a police unit: the national median (as the pipeline)

# Why a catalogue code cannot be measured against the demo truth.
NOT_MEASURABLE = {
    "SHARED_CONTACT": "set by the linking stage on a persona or network, not per ad version; shared numbers "
    "are measured by the linking evaluation",
    "FREQUENT_MOVES": "set by the linking stage from a persona's moves over weeks, not per ad version; moves "
    "are measured by the linking evaluation",
    "COPIED_TEXT": "set by the linking stage on a group of ads sharing a text, not per ad version; template "
    "networks are measured by the linking evaluation",
}


def _hourly(rates: Iterable[tuple[int, int]]) -> float | None:
    candidates = [(m != 60, p * 60.0 / m) for m, p in rates if 15 <= m <= 180 and p > 0]
    return min(candidates)[1] if candidates else None


def derived_truth(versions: list[MatchedVersion]) -> dict[str, Callable[[MatchedVersion], bool | None]]:
    """Truth functions of the derived codes (None: cannot say for this version)."""
    from zicht.reference import gemeente

    def unit(m: MatchedVersion) -> str | None:
        g = gemeente(m.truth.gemeente_code)
        return g.police_unit_code if g else None

    latest: dict[tuple[str, str], MatchedVersion] = {}
    for m in versions:
        if m.record.key not in latest or m.day >= latest[m.record.key].day:
            latest[m.record.key] = m
    prices: dict[str | None, list[float]] = {}
    for m in latest.values():
        hourly = _hourly(m.truth.rates)
        if hourly is not None:
            prices.setdefault(unit(m), []).append(hourly)
            prices.setdefault("", []).append(hourly)
    medians = {u: median(v) for u, v in prices.items() if len(v) >= MIN_PRICES_FOR_MEDIAN}

    def low_price(m: MatchedVersion) -> bool | None:
        hourly = _hourly(m.truth.rates)
        mid = medians.get(unit(m), medians.get(""))
        if hourly is None or mid is None:
            return None
        return hourly < LOW_PRICE_RATIO * mid

    def young(m: MatchedVersion) -> bool | None:
        age = m.record.truth.declared_age
        return None if age is None else age < YOUNG_AGE_BELOW

    out: dict[str, Callable[[MatchedVersion], bool | None]] = {"YOUNG_STATED_AGE": young}
    if any(m.truth.rates for m in versions):  # truth files written before rates were recorded: unknown
        out["LOW_PRICE"] = low_price
    return out


@dataclass
class IndicatorRow:
    code: str
    counts: Counts = field(default_factory=Counts)
    negatives: int = 0  # versions without a cue for the code
    decoy_versions: int = 0  # versions whose only cue for the code is a negated decoy
    decoy_hits: int = 0  # ... of which the catalogue still gave a non-negated hit
    photo_only_skipped: int = 0
    lost: int = 0  # cues did not reach the database (broken page); derived codes: truth cannot say (no rate)
    missed: list[dict] = field(default_factory=list)
    wrong: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            **self.counts.as_json(),
            "negatives": self.negatives,
            "decoy_versions": self.decoy_versions,
            "decoy_hits": self.decoy_hits,
            "photo_only_skipped": self.photo_only_skipped,
            "lost": self.lost,
            "missed": self.missed,
            "wrong": self.wrong,
        }


@dataclass
class IndicatorMetrics:
    versions: int = 0  # scored versions evaluated
    not_scored: int = 0
    rows: dict[str, IndicatorRow] = field(default_factory=dict)
    not_in_ground_truth: list[str] = field(default_factory=list)  # catalogue codes the truth never marks
    not_in_catalogue: list[str] = field(default_factory=list)  # truth codes the catalogue does not know
    derived: list[str] = field(default_factory=list)  # codes whose truth is derived (``derived_truth``)

    def why_not(self, code: str) -> str:
        return NOT_MEASURABLE.get(code, "the demo generator writes nothing for it")

    def as_json(self) -> dict:
        return {
            "versions": self.versions,
            "not_scored": self.not_scored,
            "indicators": [r.as_json() for _, r in sorted(self.rows.items())],
            "not_in_ground_truth": self.not_in_ground_truth,
            "not_in_ground_truth_why": {c: self.why_not(c) for c in self.not_in_ground_truth},
            "derived": self.derived,
            "not_in_catalogue": self.not_in_catalogue,
        }


def indicator_metrics(
    versions: Iterable[MatchedVersion],
    catalogue_codes: Iterable[str],
    *,
    truth_codes: Iterable[str] = INDICATOR_CODES,
    examples: int = 5,
) -> IndicatorMetrics:
    """Precision, recall and decoy hits per code; ``truth_codes`` are the codes the generator writes."""
    versions = list(versions)
    catalogue = set(catalogue_codes)
    derived = {c: f for c, f in derived_truth(versions).items() if c in catalogue}
    in_truth = set(truth_codes) | {c.code for m in versions for c in m.truth.cues} | set(derived)
    codes = sorted(in_truth & catalogue)
    out = IndicatorMetrics(
        not_in_ground_truth=sorted(catalogue - in_truth),
        not_in_catalogue=sorted(in_truth - catalogue - set(DERIVED_CODES)),
        derived=sorted(derived),
    )
    rows = {code: IndicatorRow(code) for code in codes}
    tallies = {code: [0, 0, 0] for code in codes}  # tp, fp, fn
    for m in versions:
        if m.stored.facts is None or not m.stored.scored:
            out.not_scored += 1
            continue
        out.versions += 1
        hits: dict[str, list[str]] = {}
        for h in m.stored.hits:
            if not h.negated:
                hits.setdefault(h.code, []).append(h.matched_text or "")
        for code in codes:
            row, tally = rows[code], tallies[code]
            if code in derived:
                positive = derived[code](m)
                if positive is None:
                    row.lost += 1
                    continue
                predicted = code in hits
                if positive and predicted:
                    tally[0] += 1
                elif positive:
                    tally[2] += 1
                    if len(row.missed) < examples:
                        row.missed.append({"ad": m.label, "derived_from": _derived_from(code, m)})
                else:
                    row.negatives += 1
                    if predicted:
                        tally[1] += 1
                        if len(row.wrong) < examples:
                            row.wrong.append(
                                {"ad": m.label, "matched": hits[code], "derived_from": _derived_from(code, m)}
                            )
                continue
            cues = [c for c in m.truth.cues if c.code == code]
            positive_cues = [c for c in cues if not c.negated]
            readable = [c for c in positive_cues if c.where != WHERE_PHOTO or m.stored.photos_read]
            if positive_cues and not readable:
                row.photo_only_skipped += 1
                continue
            collected = [c for c in readable if in_stored_page(m.stored, c.where, c.phrase)]
            if readable and not collected:
                row.lost += 1
                continue
            predicted = code in hits
            decoys = [c.phrase for c in cues if c.negated and in_stored_page(m.stored, c.where, c.phrase)]
            if collected:
                if predicted:
                    tally[0] += 1
                else:
                    tally[2] += 1
                    if len(row.missed) < examples:
                        row.missed.append(
                            {"ad": m.label, "cues": [f"{c.where}: {c.phrase}" for c in collected]}
                        )
                continue
            row.negatives += 1
            if decoys:
                row.decoy_versions += 1
                row.decoy_hits += predicted
            if predicted:
                tally[1] += 1
                if len(row.wrong) < examples:
                    row.wrong.append({"ad": m.label, "matched": hits[code], "decoys": decoys})
    for code, (tp, fp, fn) in tallies.items():
        rows[code].counts = Counts(tp, fp, fn)
    out.rows = rows
    return out


DERIVED_CODES = ("YOUNG_STATED_AGE", "LOW_PRICE")


def _derived_from(code: str, m: MatchedVersion) -> str:
    if code == "YOUNG_STATED_AGE":
        return f"declared age {m.record.truth.declared_age}"
    return f"rates {m.truth.rates}"
