"""How well extraction read the declared fields and lists: services, rates, reception type, origin,
languages, hours and 24/7, messenger handles.

The truth (``VersionTruth``) records each as the generator wrote it, as codes: the service checklist as
service codes, each rate line as (minutes, euro), the reception and origin fields as their type and
country/region, the languages a sentence lists, the handle line. Sets are scored per version as
precision and recall; single values as accuracy over the versions where the truth has one, with the
versions where extraction reads one the truth does not have counted apart (spurious).

Services have recall only as a clean figure: cue sentences in the text ("Pijpen zonder condoom mogelijk")
name services the truth lists as indicator cues, not as services, so a service read there is not wrong.
Precision is given over the versions whose text holds no service cue or decoy, and says so.
A truth file written before these fields existed has none of them: every figure is then empty (n 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from zicht.evaluation import Counts, MatchedVersion, ratio

_SERVICE_CUES = frozenset({"UNPROTECTED_SERVICES", "EXTREME_SERVICES"})
_HANDLE_KINDS = frozenset({"snapchat", "instagram", "telegram"})


@dataclass
class Single:
    """A single value per version: right, wrong, not read; and read where the truth has none."""

    n: int = 0
    correct: int = 0
    missing: int = 0  # the truth has a value, extraction none
    spurious: int = 0  # extraction has a value, the truth none
    without: int = 0  # versions where the truth has none
    examples: list[dict] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        return ratio(self.correct, self.n)

    def as_json(self) -> dict:
        return {
            "n": self.n,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "missing": self.missing,
            "spurious": self.spurious,
            "versions_without": self.without,
            "examples": self.examples,
        }


@dataclass
class FieldMetrics:
    versions: int = 0
    services: Counts = field(default_factory=Counts)  # recall over every version
    services_clean: Counts = field(default_factory=Counts)  # versions without service cues: precision
    rates: Counts = field(default_factory=Counts)
    languages: Counts = field(default_factory=Counts)
    handles: Counts = field(default_factory=Counts)
    available_247: Counts = field(default_factory=Counts)
    hours_read: Single = field(default_factory=Single)
    reception: Single = field(default_factory=Single)
    origin: Single = field(default_factory=Single)
    examples: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def measured(self) -> bool:
        """False for a truth file without the field truth (written before it existed)."""
        return self.reception.n + self.reception.without > 0 and self.rates.support > 0

    def sets(self) -> dict[str, Counts]:
        return {
            "services (recall: all versions)": self.services,
            "services (versions without service cues)": self.services_clean,
            "rates (minutes, euro)": self.rates,
            "languages": self.languages,
            "messenger handles": self.handles,
            "24/7 availability": self.available_247,
        }

    def as_json(self) -> dict:
        return {
            "versions": self.versions,
            "services": {
                "recall_all_versions": self.services.as_json(),
                "versions_without_service_cues": self.services_clean.as_json(),
            },
            "rates": self.rates.as_json(),
            "languages": self.languages.as_json(),
            "handles": self.handles.as_json(),
            "available_247": self.available_247.as_json(),
            "hours_read": self.hours_read.as_json(),
            "reception": self.reception.as_json(),
            "origin": self.origin.as_json(),
            "examples": self.examples,
        }


def _tally(counter: list[int], truth: set, read: set) -> None:
    counter[0] += len(truth & read)
    counter[1] += len(read - truth)
    counter[2] += len(truth - read)


def _rates(facts: dict) -> set[tuple[int, int]]:
    out = set()
    for r in facts.get("rates") or []:
        minutes, price = r.get("minutes"), r.get("price_eur")
        if isinstance(minutes, int | float) and isinstance(price, int | float):
            out.add((int(minutes), round(price)))
    return out


def field_metrics(versions: Iterable[MatchedVersion], *, examples: int = 5) -> FieldMetrics:
    """Every field of every extracted version against the truth of the version the site showed."""
    out = FieldMetrics()
    tallies: dict[str, list[int]] = {
        k: [0, 0, 0] for k in ("services", "services_clean", "rates", "languages", "handles", "available_247")
    }

    def example(kind: str, item: dict) -> None:
        kept = out.examples.setdefault(kind, [])
        if len(kept) < examples:
            kept.append(item)

    for m in versions:
        facts = m.stored.facts
        if facts is None:
            continue
        out.versions += 1
        t = m.truth
        services_truth, services_read = set(t.services), set(facts.get("services") or [])
        _tally(tallies["services"], services_truth, services_read)
        if not any(c.code in _SERVICE_CUES and c.where != "services" for c in t.cues):
            _tally(tallies["services_clean"], services_truth, services_read)
            if services_read != services_truth:
                example(
                    "services",
                    {"ad": m.label, "expected": sorted(services_truth), "read": sorted(services_read)},
                )
        rates_truth, rates_read = set(t.rates), _rates(facts)
        _tally(tallies["rates"], rates_truth, rates_read)
        if rates_truth != rates_read:
            example("rates", {"ad": m.label, "expected": sorted(rates_truth), "read": sorted(rates_read)})
        langs_truth, langs_read = set(t.languages), set(facts.get("languages") or [])
        _tally(tallies["languages"], langs_truth, langs_read)
        if langs_truth != langs_read:
            example("languages", {"ad": m.label, "expected": sorted(langs_truth), "read": sorted(langs_read)})
        handles_truth = set(t.handles)
        handles_read = {  # a Telegram number link (t.me/+316…) is a number: measured with the phones
            f"{c.kind}:{c.value.lower()}"
            for c in m.stored.contacts
            if c.kind in _HANDLE_KINDS and not c.value.startswith("+")
        }
        _tally(tallies["handles"], handles_truth, handles_read)
        if handles_truth != handles_read:
            example(
                "handles", {"ad": m.label, "expected": sorted(handles_truth), "read": sorted(handles_read)}
            )
        always_truth = {True} if "AVAILABLE_247" in t.indicators else set()
        always_read = {True} if facts.get("available_247") else set()
        _tally(tallies["available_247"], always_truth, always_read)
        if always_truth != always_read:
            example(
                "available_247", {"ad": m.label, "expected": bool(always_truth), "read": bool(always_read)}
            )
        _single(out.hours_read, bool(t.hours), bool(facts.get("hours")) if t.hours else facts.get("hours"), m)
        _single(out.reception, t.reception, facts.get("reception"), m)
        _single(out.origin, t.origin, facts.get("origin"), m, spurious_ok="STATED_ORIGIN" in t.indicators)
    for name, (tp, fp, fn) in tallies.items():
        setattr(out, name, Counts(tp, fp, fn))
    return out


def _single(
    row: Single, truth: object, read: object, m: MatchedVersion, *, spurious_ok: bool = False
) -> None:
    """One value: ``truth`` None/False means the truth has none. ``spurious_ok``: a value read where the
    truth's field is empty is not counted as spurious (the text may state it, e.g. an origin cue)."""
    if not truth:
        row.without += 1
        if read and not spurious_ok:
            row.spurious += 1
            if len(row.examples) < 5:
                row.examples.append({"ad": m.label, "expected": None, "read": read})
        return
    row.n += 1
    if read == truth:
        row.correct += 1
        return
    if not read:
        row.missing += 1
    if len(row.examples) < 5:
        row.examples.append({"ad": m.label, "expected": truth, "read": read})
