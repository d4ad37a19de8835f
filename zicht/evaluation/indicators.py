"""How well the indicator catalogue finds the phrases the generator put in, and leaves its decoys alone.

Per version and indicator code: the truth is positive when the version holds a non-negated cue for the
code; the prediction is positive when a stored hit for the code is not negated. A negated decoy ("geen
AV", "altijd met condoom") is a negative: a non-negated hit on a version whose only cue for the code is
a decoy is a false positive and is also counted apart as a decoy hit.

A cue written only on a photo is counted when the version's photos were read; otherwise the version is
left out for that code (it can be neither found nor missed); so is a version whose cue phrases are not in
the collected page (a broken page loses them before the catalogue runs). Only codes both in the truth and in the
catalogue are scored; the rest are listed so nobody mistakes a missing row for a perfect one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from zicht.demo.model import INDICATOR_CODES, WHERE_PHOTO
from zicht.evaluation import Counts, MatchedVersion, in_stored_page


@dataclass
class IndicatorRow:
    code: str
    counts: Counts = field(default_factory=Counts)
    negatives: int = 0  # versions without a cue for the code
    decoy_versions: int = 0  # versions whose only cue for the code is a negated decoy
    decoy_hits: int = 0  # ... of which the catalogue still gave a non-negated hit
    photo_only_skipped: int = 0
    lost: int = 0  # versions whose cues for the code did not reach the database (broken page)
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

    def as_json(self) -> dict:
        return {
            "versions": self.versions,
            "not_scored": self.not_scored,
            "indicators": [r.as_json() for _, r in sorted(self.rows.items())],
            "not_in_ground_truth": self.not_in_ground_truth,
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
    in_truth = set(truth_codes) | {c.code for m in versions for c in m.truth.cues}
    codes = sorted(in_truth & catalogue)
    out = IndicatorMetrics(
        not_in_ground_truth=sorted(catalogue - in_truth), not_in_catalogue=sorted(in_truth - catalogue)
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
