"""``zicht evaluate``'s displacement section: the demo's simulated control action, as the displacement
report sees it, against who really stopped, moved, paused or stayed (``zicht.demo.intervention``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from zicht.analysis.displacement import DEFAULT_WEEKS, MOVES
from zicht.demo.intervention import DisplacementCheck, demo_intervention_in_store, displacement_check
from zicht.demo.model import REACTIONS
from zicht.demo.truth import read_intervention
from zicht.evaluation import GroundTruth
from zicht.store.interventions import Report, displacement_report
from zicht.store.store import Store

_SHORT = {"neighbour": "neighb.", "elsewhere": "elsewh.", "unknown_place": "no place", "not_seen": "not seen"}


@dataclass(frozen=True)
class DisplacementEvaluation:
    report: Report
    check: DisplacementCheck

    def as_json(self) -> dict:
        target = self.report.comparison.target
        return {
            "intervention_id": self.report.intervention.id,
            "day": self.report.intervention.day.isoformat(),
            "gemeenten": list(self.report.intervention.gemeenten),
            "weeks": self.report.comparison.windows.weeks,
            "target_active_before": target.active_before,
            "target_active_after": target.active_after,
            "target_change_pct": target.active_change_pct,
            **self.check.as_json(),
        }


def evaluate_displacement(
    store: Store, truth_path: Path, truth: GroundTruth, weeks: int = DEFAULT_WEEKS
) -> DisplacementEvaluation | None:
    """None when the market had no control action or the store does not hold the demo's record of it."""
    iv = read_intervention(truth_path)
    if iv is None or truth.start is None:
        return None
    item = demo_intervention_in_store(store, iv, truth.start)
    if item is None:
        return None
    report = displacement_report(store, item, weeks=weeks)
    ad_ids: dict[tuple[str, str], int] = {}
    for r in iv.reactions.values():
        for key in r.ads:
            site, source_id = key.split(":", 1)
            ad = store.find_ad(site, source_id)
            if ad is not None:
                ad_ids[(site, source_id)] = ad.id
    check = displacement_check(store, iv, report, truth.records.values(), truth.start, ad_ids)
    return DisplacementEvaluation(report, check)


def print_displacement(result: DisplacementEvaluation, console: Console) -> None:
    item, cmp, check = result.report.intervention, result.report.comparison, result.check
    t = cmp.target
    change = f"{t.active_change_pct:+.0f} %" if t.active_change_pct is not None else "too few to say"
    console.print(
        f"\n[bold]Displacement[/] (simulated control action #{item.id}, {', '.join(item.gemeente_names)}, "
        f"{item.day}; {cmp.windows.weeks} weeks each side): active ads a week {t.active_before:.1f} → "
        f"{t.active_after:.1f} ({change})"
    )
    table = Table(
        "truth",
        "n",
        *(_SHORT.get(m, m) for m in MOVES),
        "untracked",
        "agree",
        title="found by the report",
    )
    for reaction in REACTIONS:
        rows = [p for p in check.personas if p.reaction == reaction]
        cells = [str(sum(1 for p in rows if p.found == m)) for m in MOVES]
        table.add_row(
            reaction,
            str(len(rows)),
            *cells,
            str(sum(1 for p in rows if p.found is None)),
            str(sum(1 for p in rows if p.found == p.expected)),
        )
    console.print(table)
    console.print(
        f"Moved personas found in a neighbour gemeente: {check.moved_found} of {check.moved_expected} "
        f"(the moved personas whose ads were online in a neighbour in the after-weeks); "
        f"{check.agree} of {len(check.personas)} displaced personas classed as their true ads are."
    )
