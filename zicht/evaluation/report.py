"""One evaluation report: every figure, the targets from the issue with ✓/✗, and the examples that fail.

Targets (from the issues that asked for this report): phone precision and recall at least 0.99 for
every format class and place it can be written; gemeente accuracy at least 0.97; when linking has run,
persona and (observable) network pairwise F1 at least 0.95 and no predicted persona or network holding
ads of two scam operators (see ``zicht.evaluation.linking``). Indicators have no target yet: their
precision and recall are printed so a catalogue change can be judged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich import box
from rich.console import Console
from rich.table import Table

from zicht.evaluation import Counts, GroundTruth, Matching, match_versions
from zicht.evaluation.extraction import (
    NOTHING_WRITTEN,
    AgeMetrics,
    EmailMetrics,
    PhoneMetrics,
    PlaceMetrics,
    age_metrics,
    email_metrics,
    end_to_end_recall,
    phone_metrics,
    place_metrics,
)
from zicht.evaluation.fields import FieldMetrics, Single, field_metrics
from zicht.evaluation.indicators import IndicatorMetrics, indicator_metrics
from zicht.evaluation.linking import (
    NETWORK_F1_TARGET,
    PERSONA_F1_TARGET,
    SCAM_MERGES_TARGET,
    TRUTH_NETWORK_OBSERVABLE,
    TRUTH_NETWORK_RAW,
    TRUTH_PERSONA,
    LevelScores,
    LinkingMetrics,
    linking_metrics,
)

PHONE_PRECISION_TARGET = 0.99
PHONE_RECALL_TARGET = 0.99
GEMEENTE_ACCURACY_TARGET = 0.97
# A figure over fewer cases than this is printed with "too few to judge" and counts as n/a for its target:
# 3 of 3 right "meets" 0.99 and says nothing.
MIN_SUPPORT = 30
# Width of a report written to a file or pipe: wide enough that no code, class or figure is cut.
PLAIN_WIDTH = 240
# Below this share of joined versions that fit their truth (see ``Matching.consistency``) the report warns;
# below the second, ``zicht evaluate`` refuses: the figures would measure a mismatch, not the pipeline.
CONSISTENCY_WARNING = 0.95
CONSISTENCY_REQUIRED = 0.5


@dataclass(frozen=True)
class TargetCheck:
    name: str
    value: float | None
    target: float
    support: int
    at_most: bool = False  # a count that must stay at or below the target (false merges), not a ratio
    min_support: int = 0  # fewer cases than this: too few to judge (met is None)

    @property
    def too_few(self) -> bool:
        return self.support < self.min_support

    @property
    def met(self) -> bool | None:
        """None when there is nothing to measure (no support, or no prediction to judge precision on) or
        too little of it (``min_support``)."""
        if self.value is None or self.too_few:
            return None
        return self.value <= self.target if self.at_most else self.value >= self.target

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "value": self.value,
            "target": self.target,
            "comparison": "<=" if self.at_most else ">=",
            "support": self.support,
            "too_few_to_judge": self.too_few,
            "met": self.met,
        }


@dataclass
class EvaluationReport:
    matching: Matching
    phones: PhoneMetrics
    emails: EmailMetrics
    ages: AgeMetrics
    places: PlaceMetrics
    indicators: IndicatorMetrics
    fields: FieldMetrics = field(default_factory=FieldMetrics)
    linking: LinkingMetrics | None = None  # None: not asked for (library callers without assignments)
    truth_path: str | None = None
    database: str | None = None
    catalogue_version: str | None = None
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def targets(self) -> list[TargetCheck]:
        return targets(self)

    def as_json(self) -> dict:
        mt = self.matching
        return {
            "created_at": self.created_at,
            "truth": self.truth_path,
            "database": self.database,
            "catalogue_version": self.catalogue_version,
            "coverage": {
                "truth_ads": mt.truth_ads,
                "stored_ads": mt.stored_ads,
                "matched_ads": mt.matched_ads,
                "not_collected": mt.not_collected,
                "stored_not_in_truth": len(mt.unmatched_ads),
                "stored_not_in_truth_examples": [f"{s}:{i}" for s, i in mt.unmatched_ads[:10]],
                "stored_versions": mt.stored_versions,
                "matched_versions": len(mt.versions),
                "versions_outside_lifetime": mt.outside_lifetime,
                "join_consistency": mt.consistency,
                "versions_not_extracted": sum(1 for m in mt.versions if m.stored.facts is None),
                "versions_photos_read": sum(1 for m in mt.versions if m.stored.photos_read),
            },
            "phones": self.phones.as_json(),
            "emails": self.emails.as_json(),
            "fields": self.fields.as_json(),
            "ages": self.ages.as_json(),
            "places": self.places.as_json(),
            "indicators": self.indicators.as_json(),
            "linking": self.linking.as_json() if self.linking is not None else None,
            "targets": [t.as_json() for t in self.targets],
        }


def build_report(
    truth: GroundTruth,
    stored: Iterable,
    catalogue_codes: Iterable[str],
    *,
    assignments: Iterable | None = None,
    examples: int = 5,
    top_places: int = 10,
    database: str | None = None,
    catalogue_version: str | None = None,
) -> EvaluationReport:
    """Join stored versions (``zicht.store.evaluation.StoredVersion``) to the truth and measure everything;
    linking too when ``assignments`` (``zicht.store.evaluation.StoredAssignment``, every stored ad) are given."""
    matching = match_versions(truth, stored)
    versions = matching.versions
    return EvaluationReport(
        matching=matching,
        phones=phone_metrics(versions, examples=examples),
        emails=email_metrics(versions, examples=examples),
        ages=age_metrics(versions, examples=examples),
        places=place_metrics(versions, top=top_places),
        fields=field_metrics(versions, examples=examples),
        indicators=indicator_metrics(versions, catalogue_codes, examples=examples),
        linking=None if assignments is None else linking_metrics(truth, assignments, examples=examples),
        truth_path=str(truth.path) if truth.path else None,
        database=database,
        catalogue_version=catalogue_version,
    )


def targets(report: EvaluationReport) -> list[TargetCheck]:
    """Every target of the issue as a check: overall phones, each (place, format class), gemeente accuracy."""
    checks: list[TargetCheck] = []
    n = MIN_SUPPORT

    def phone_checks(name: str, c: Counts) -> None:
        checks.append(
            TargetCheck(f"{name}: precision", c.precision, PHONE_PRECISION_TARGET, c.support, min_support=n)
        )
        checks.append(TargetCheck(f"{name}: recall", c.recall, PHONE_RECALL_TARGET, c.support, min_support=n))

    ph = report.phones
    phone_checks("phones overall", ph.overall)
    for (where, cls), c in sorted(ph.by_class.items()):
        if cls == NOTHING_WRITTEN:  # not a format class: these wrong numbers count in the overall precision
            continue
        phone_checks(f"phones {where}/{cls}", c)
    for country, c in sorted(ph.by_country.items()):
        phone_checks(f"phones country {country}", c)
    if ph.lookalike_versions:
        phone_checks("phones beside look-alike digits", ph.with_lookalikes)
    if ph.several_numbers_versions:
        phone_checks("phones, several numbers in one ad", ph.several_numbers)
    places = report.places
    checks.append(
        TargetCheck("gemeente accuracy", places.accuracy, GEMEENTE_ACCURACY_TARGET, places.n, min_support=n)
    )
    lk = report.linking
    if lk is not None and lk.linked and lk.personas and lk.networks_observable:
        checks.append(
            TargetCheck(
                "personas: pairwise F1", lk.personas.pairs.f1, PERSONA_F1_TARGET, lk.personas.pairs.truth
            )
        )
        net = lk.networks_observable.pairs
        checks.append(
            TargetCheck("networks (observable truth): pairwise F1", net.f1, NETWORK_F1_TARGET, net.truth)
        )
        checks.append(
            TargetCheck(
                "scam operators: false merges",
                float(len(lk.scam_merges)),
                SCAM_MERGES_TARGET,
                lk.scam_operators,
                at_most=True,
            )
        )
    return checks


def missed_targets(report: EvaluationReport) -> list[TargetCheck]:
    return [t for t in report.targets if t.met is False]


# ---------------------------------------------------------------------------------------- printing


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _mark(value: float | None, target: float, support: int | None = None) -> str:
    if value is None:
        return "[dim]n/a[/]"
    if support is not None and support < MIN_SUPPORT:
        return "[yellow]too few to judge[/]"
    return "[green]✓[/]" if value >= target else "[red]✗[/]"


def _pr_cells(c: Counts) -> list[str]:
    return [
        _f(c.precision) + " " + _mark(c.precision, PHONE_PRECISION_TARGET, c.support),
        _f(c.recall) + " " + _mark(c.recall, PHONE_RECALL_TARGET, c.support),
    ]


def report_console(console: Console) -> Console:
    """The console to print a report on: the same one on a terminal, a wide plain one when the output is
    piped or redirected (rich would otherwise cut codes and figures to 80 columns: "AVAILA…", "2…")."""
    if console.is_terminal:
        return console
    return Console(file=console.file, width=PLAIN_WIDTH, soft_wrap=True, color_system=None, highlight=False)


def _fold(table: Table) -> Table:
    """On a terminal narrower than the table, wrap long cells instead of cutting them with "…"."""
    for column in table.columns:
        column.overflow = "fold"
        column.no_wrap = False
    return table


def print_report(report: EvaluationReport, console: Console, *, examples: int = 3) -> None:
    """The report as rich tables, then every missed target with up to ``examples`` failing cases."""
    console = report_console(console)
    mt = report.matching
    summary = Table(title="Ground truth and database", show_header=False)
    summary.add_column("what")
    summary.add_column("count", justify="right")
    rows = report.as_json()["coverage"]
    for key, label in (
        ("truth_ads", "ads in the ground truth"),
        ("matched_ads", "stored ads joined to the truth"),
        ("not_collected", "truth ads not in the database"),
        ("stored_not_in_truth", "stored ads not in the truth"),
        ("matched_versions", "stored versions evaluated"),
        ("versions_not_extracted", "versions not extracted yet"),
        ("versions_outside_lifetime", "versions first seen outside the ad's lifetime"),
        ("versions_photos_read", "versions with photos read (OCR)"),
    ):
        summary.add_row(label, str(rows[key]))
    console.print(_fold(summary))
    if mt.consistency is not None and mt.consistency < CONSISTENCY_WARNING:
        console.print(
            f"[yellow]Only {mt.consistency:.0%} of the joined versions name the place the truth says they name: "
            "parts of this ground truth may belong to another market.[/]"
        )
    if mt.unmatched_ads:
        console.print(
            f"[yellow]{len(mt.unmatched_ads)} stored ads are not in this ground truth "
            "(another market, or imported data); they are left out.[/]"
        )

    _print_phones(report, console)
    e = report.emails.counts
    console.print(
        f"E-mail addresses: precision {_f(e.precision)}, recall {_f(e.recall)} "
        f"(tp {e.tp}, fp {e.fp}, fn {e.fn}, lost {report.emails.lost})."
    )
    _print_ages(report, console)
    _print_places(report, console)
    _print_fields(report, console)
    _print_indicators(report, console)
    _print_linking(report, console, examples)
    _print_targets(report, console, examples)


def _print_phones(report: EvaluationReport, console: Console) -> None:
    ph = report.phones
    show_lost = ph.overall_lost > 0 or any(ph.lost_by_where.values())
    title = f"Phones (targets: precision ≥ {PHONE_PRECISION_TARGET}, recall ≥ {PHONE_RECALL_TARGET})"
    if show_lost:
        title += "; lost: never reached the database; e2e: recall counting lost numbers as missed"
    t = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    columns = ["where", "format class", "n", "found", "missed", "wrong", "precision", "recall"]
    for col in [*columns, *(("lost", "e2e") if show_lost else ())]:
        if col in ("where", "format class"):
            t.add_column(col, no_wrap=True)
        else:
            t.add_column(col, justify="right", no_wrap=True)

    def cells(c: Counts, lost: int) -> list[str]:
        out = [str(c.support), str(c.tp), str(c.fn), str(c.fp), *_pr_cells(c)]
        return [*out, str(lost), _f(end_to_end_recall(c, lost))] if show_lost else out

    t.add_row("[bold]all[/]", "per version", *cells(ph.overall, ph.overall_lost))
    for where, c in sorted(ph.by_where.items()):
        t.add_row(f"[bold]{where}[/]", "all classes", *cells(c, ph.lost_by_where.get(where, 0)))
    for (where, cls), c in sorted(ph.by_class.items()):
        t.add_row(where, cls, *cells(c, ph.lost_by_class.get((where, cls), 0)))
    for country, c in sorted(ph.by_country.items()):
        t.add_row("[bold]country[/]", country, *cells(c, ph.lost_by_country.get(country, 0)))
    if ph.lookalike_versions:
        t.add_row(
            "[bold]beside look-alikes[/]", f"{ph.lookalike_versions} versions", *cells(ph.with_lookalikes, 0)
        )
    if ph.several_numbers_versions:
        t.add_row(
            "[bold]several numbers[/]",
            f"{ph.several_numbers_versions} versions",
            *cells(ph.several_numbers, 0),
        )
    console.print(_fold(t))
    console.print(
        f"[dim]n: numbers written (truth positives); a figure over fewer than {MIN_SUPPORT} is marked "
        "'too few to judge' and counts as n/a for its target. Look-alikes: dates, postcodes, body "
        "measurements, house numbers and HHMM-HHMM hours in the text; their rows count per version.[/]"
    )
    notes = []
    if ph.photo_not_read:
        notes.append(
            f"{ph.photo_not_read} numbers on photos not counted (photos not read: no OCR text stored)"
        )
    if ph.photo_also_elsewhere:
        notes.append(
            f"{ph.photo_also_elsewhere} numbers on photos not counted apart (also in the field or text)"
        )
    if notes:
        console.print("[dim]" + "; ".join(notes) + ".[/]")
    for e in ph.lost_examples[:3]:
        console.print(f"  lost: {_phone_line(e)}", markup=False, highlight=False)


def _print_ages(report: EvaluationReport, console: Console) -> None:
    a = report.ages
    t = Table(title="Ages")
    for col in ("what", "n", "correct / tp", "figure", "lost"):
        t.add_column(col, justify="left" if col == "what" else "right")
    t.add_row(
        "declared age read",
        str(a.declared.n),
        str(a.declared.correct),
        f"accuracy {_f(a.declared.accuracy)}",
        str(a.declared.lost),
    )
    t.add_row(
        "age stated in the text read",
        str(a.text.n),
        str(a.text.correct),
        f"accuracy {_f(a.text.accuracy)}",
        str(a.text.lost),
    )
    t.add_row("text age read where none is stated", "", str(a.text_spurious), "", "")
    c = a.conflict
    t.add_row(
        "conflict declared ↔ text",
        str(c.support),
        str(c.tp),
        f"precision {_f(c.precision)}, recall {_f(c.recall)} (fp {c.fp}, fn {c.fn})",
        str(a.conflict_lost),
    )
    console.print(_fold(t))


def _print_places(report: EvaluationReport, console: Console) -> None:
    from zicht.reference import gemeenten

    p = report.places
    names = gemeenten()
    console.print(
        f"Place → gemeente: accuracy {_f(p.accuracy)} {_mark(p.accuracy, GEMEENTE_ACCURACY_TARGET, p.n)} "
        f"(target ≥ {GEMEENTE_ACCURACY_TARGET}; {p.correct} of {p.n} versions), coverage {_f(p.coverage)}, "
        f"explicitly unknown {_f(p.unknown_share)} ({p.unknown}), wrong gemeente {p.wrong}, "
        f"no gemeente without a reason {p.silent}; {p.lost} versions lost the written place before extraction."
    )
    if not p.misses:
        return
    t = Table(title=f"Top {len(p.misses)} place misses (of {p.distinct_misses} distinct)")
    for col in ("written", "truth", "stored", "n", "read as", "reason", "example"):
        t.add_column(col, justify="right" if col == "n" else "left")
    for x in p.misses:
        expected = f"{x.expected} {names[x.expected].name}" if x.expected in names else x.expected
        got = "—" if x.got is None else (f"{x.got} {names[x.got].name}" if x.got in names else x.got)
        t.add_row(x.written, expected, got, str(x.count), x.read_place or "", x.reason or "", x.example)
    console.print(_fold(t))


def _judged(value: float | None, n: int) -> str:
    return _f(value) + (" (too few to judge)" if value is not None and n < MIN_SUPPORT else "")


def _print_fields(report: EvaluationReport, console: Console) -> None:
    fm = report.fields
    if not fm.measured:
        console.print(
            "[yellow]Fields (services, rates, reception, origin, languages, hours, handles): not in this ground "
            "truth (written before they were recorded); write it again with `zicht demo`.[/]"
        )
        return
    t = Table(title=f"Fields ({fm.versions} extracted versions)", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("field", "n", "tp", "fp", "fn", "precision", "recall"):
        t.add_column(col, justify="left" if col == "field" else "right", no_wrap=True)
    for name, c in fm.sets().items():
        t.add_row(
            name, str(c.support), str(c.tp), str(c.fp), str(c.fn),
            _judged(c.precision, c.tp + c.fp), _judged(c.recall, c.support),
        )  # fmt: skip
    console.print(_fold(t))
    s = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("field", "n", "correct", "accuracy", "not read", "read where none is written"):
        s.add_column(col, justify="left" if col == "field" else "right", no_wrap=True)
    rows: tuple[tuple[str, Single], ...] = (
        ("reception type", fm.reception),
        ("origin (declared field)", fm.origin),
        ("hours read", fm.hours_read),
    )
    for name, r in rows:
        s.add_row(
            name,
            str(r.n),
            str(r.correct),
            _judged(r.accuracy, r.n),
            str(r.missing),
            f"{r.spurious} of {r.without}",
        )
    console.print(_fold(s))
    console.print(
        "[dim]Services: recall over the checklist of every version; precision only over versions whose text "
        "holds no service cue (those name services the truth lists as cues). Origin: a value read where the "
        "field is empty is not counted against it when the text states an origin.[/]"
    )


def _print_indicators(report: EvaluationReport, console: Console) -> None:
    ind = report.indicators
    t = Table(
        title=f"Indicators ({ind.versions} scored versions; no target yet, figures printed; "
        f"support: versions with the indicator, too few to judge under {MIN_SUPPORT})"
    )
    for col in ("code", "support", "tp", "fp", "fn", "precision", "recall", "F1", "decoy hits", "lost"):
        t.add_column(col, justify="left" if col == "code" else "right")
    for code, r in sorted(ind.rows.items()):
        c = r.counts
        t.add_row(
            code,
            str(c.support),
            str(c.tp),
            str(c.fp),
            str(c.fn),
            _judged(c.precision, c.tp + c.fp),
            _judged(c.recall, c.support),
            _f(c.f1),
            f"{r.decoy_hits} / {r.decoy_versions}" if r.decoy_versions else "—",
            str(r.lost),
        )
    console.print(_fold(t))
    if ind.derived:
        console.print(
            f"[dim]Derived truth (no phrase planted): {', '.join(ind.derived)}: from the declared age and the "
            "rates written.[/]"
        )
    for code in ind.not_in_ground_truth:
        console.print(f"Not in ground truth (not scored): {code}: {ind.why_not(code)}.")
    if ind.not_in_catalogue:
        console.print(
            f"[yellow]In the ground truth but not in the catalogue: {', '.join(ind.not_in_catalogue)}.[/]"
        )
    if ind.not_scored:
        console.print(f"[yellow]{ind.not_scored} versions not scored yet (run `zicht process`).[/]")


def _print_targets(report: EvaluationReport, console: Console, examples: int) -> None:
    checks = report.targets
    missed = [t for t in checks if t.met is False]
    met = sum(1 for t in checks if t.met)
    console.print(
        f"[bold]Targets:[/] {met} met, {len(missed)} missed, {len(checks) - met - len(missed)} n/a."
    )
    too_few = [t.name for t in checks if t.too_few and t.value is not None]
    if too_few:
        console.print(f"[yellow]Too few to judge (n < {MIN_SUPPORT}):[/] {', '.join(too_few)}.")
    for t in missed:
        if t.at_most:
            console.print(f"  [red]✗[/] {t.name}: {t.value:.0f} > {t.target} (of {t.support})")
        else:
            console.print(f"  [red]✗[/] {t.name}: {_f(t.value)} < {t.target} (support {t.support})")
        for line in _failing_examples(report, t.name)[:examples]:
            console.print(f"      {line}", markup=False, highlight=False)


def _failing_examples(report: EvaluationReport, name: str) -> list[str]:
    lk = report.linking
    if lk is not None and lk.linked and name.startswith(("personas:", "networks ", "scam operators:")):
        if name.startswith("scam operators:"):
            return [_scam_line(m) for m in lk.scam_merges]
        level = lk.personas if name.startswith("personas:") else lk.networks_observable
        return _cluster_error_lines(level) if level else []
    if name == "gemeente accuracy":
        return [
            f"{x.count}× {x.written!r} → {x.got or 'none'} (truth {x.expected}; {x.reason or 'read as ' + str(x.read_place)}), "
            f"e.g. {x.example}"
            for x in report.places.misses
        ]
    if name.startswith("phones overall"):
        return [_phone_line(e) for ex in report.phones.examples.values() for e in ex]
    row = name.removeprefix("phones ").rsplit(":", 1)[0]
    where, _, cls = row.partition("/")
    kind = "wrong" if name.endswith("precision") else "missed"
    return [_phone_line(e) for e in report.phones.examples.get((where, cls), []) if e.kind == kind]


def _phone_line(e) -> str:  # type: ignore[no-untyped-def]
    read = ", ".join(e.read) or "nothing"
    if e.kind == "lost":
        return f"{e.label}: {e.where} {e.rendered!r} ({e.expected}) is not in the stored page"
    if e.kind == "missed":
        return f"{e.label}: {e.where} {e.rendered!r} should give {e.expected}; read {read}"
    return f"{e.label}: {e.where} read {read}; written {e.rendered!r} ({e.expected or 'no number'})"


def _print_linking(report: EvaluationReport, console: Console, examples: int) -> None:
    lk = report.linking
    if lk is None:
        return
    if not lk.linked:
        console.print(
            "[yellow]Linking: not measured — linking has not run on this database "
            "(no ad has a persona yet; run `zicht link`).[/]"
        )
        return
    t = Table(
        title=f"Linking against the ground truth ({lk.truth_ads - lk.not_linked} linked ads; pairs of ads)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for col in (
        "level (truth)",
        "clusters",
        "groups",
        "tp",
        "predicted",
        "in truth",
        "prec.",
        "recall",
        "F1",
        "ARI",
    ):
        t.add_column(col, justify="left" if col.startswith("level") else "right", no_wrap=True)
    short = {TRUTH_PERSONA: "raw", TRUTH_NETWORK_RAW: "raw", TRUTH_NETWORK_OBSERVABLE: "observable"}
    for level, target in (
        (lk.personas, PERSONA_F1_TARGET),
        (lk.networks, None),
        (lk.networks_observable, NETWORK_F1_TARGET),
    ):
        if level is None:
            continue
        p = level.pairs
        t.add_row(
            f"{level.level} ({short.get(level.truth, level.truth)})",
            str(level.predicted_clusters),
            str(level.truth_clusters),
            str(p.tp),
            str(p.predicted),
            str(p.truth),
            _f(p.precision),
            _f(p.recall),
            _f(p.f1) + (" " + _mark(p.f1, target) if target is not None else ""),
            _f(level.ari),
        )
    console.print(_fold(t))
    notes = [
        "Clusters: predicted by linking; groups: in the truth. Raw truth: persona_id and network_id as the "
        "generator wrote them; observable: network_id, except that a scam operator with more ads than the "
        "text hub cap counts one network per persona it copies (its profiles share only a text too common "
        f"to link on). Targets: persona F1 ≥ {PERSONA_F1_TARGET}, observable network F1 ≥ "
        f"{NETWORK_F1_TARGET}"
    ]
    if lk.network_ceiling is not None:
        notes.append(f"best network F1 reachable against the raw truth: {_f(lk.network_ceiling.f1)}")
    if lk.not_linked:
        notes.append(f"{lk.not_linked} ads not linked yet (run `zicht link`), left out")
    console.print("[dim]" + "; ".join(notes) + ".[/]")
    mark = "[green]✓[/]" if not lk.scam_merges else "[red]✗[/]"
    console.print(
        f"Scam operators: {lk.scam_operators} in the linked ads; personas or networks holding ads of two or "
        f"more operators: {len(lk.scam_merges)} {mark} (target: none)."
    )
    for m in lk.scam_merges[: max(examples, 10)]:
        console.print(f"  {_scam_line(m)}", markup=False, highlight=False)
    for level in (lk.personas, lk.networks_observable):
        if level is None:
            continue
        for line in _cluster_error_lines(level)[: 2 * examples]:
            console.print(f"  {line}", markup=False, highlight=False)


def _scam_line(m) -> str:  # type: ignore[no-untyped-def]
    ops = ", ".join(f"{op} ({n} ads)" for op, n in m.operators.items())
    return f"{m.level} {m.cluster_id} ({m.ads} ads) holds {ops}; e.g. {', '.join(m.examples)}"


def _cluster_error_lines(level: LevelScores) -> list[str]:
    """The worst merges and splits of a level, interleaved, most wrong pairs first."""
    lines = []
    merges = [
        (e.wrong_pairs, f"{level.level} merge: predicted {e.cluster} ({e.ads} ads) holds {e.parts} truth groups, "
         f"{e.wrong_pairs} pairs wrongly together; e.g. {', '.join(e.examples)}")
        for e in level.merges
    ]  # fmt: skip
    splits = [
        (e.wrong_pairs, f"{level.level} split: truth {e.cluster} ({e.ads} ads) spread over {e.parts} clusters, "
         f"{e.wrong_pairs} pairs wrongly apart; e.g. {', '.join(e.examples)}")
        for e in level.splits
    ]  # fmt: skip
    for _, line in sorted(merges + splits, key=lambda x: -x[0]):
        lines.append(line)
    return lines
