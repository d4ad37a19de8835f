"""The held-out check: hand-written ads, labelled by hand, that the demo generator never saw.

The demo market is written from ``zicht.demo.vocab`` and ``zicht.extract.phone_formats``, the same
phrase banks and number formats the extractors and the catalogue were built against, so its figures
say how well the pipeline reads the demo, not how well it reads ads. ``heldout.jsonl`` (next to this
module) holds sixty short ads in everyday Dutch and English phrasing written for this set ("GV zonder",
"Anaal mogelijk", "Nummer zie je op mijn foto", "Wij hebben leuke meiden"), each labelled with the
numbers, age, gemeente and indicators a careful analyst would mark. The labels were written before
the pipeline was run on them; nothing may be tuned to this set, or it stops measuring anything.

Everything here is pure: the ads go through ``extract_facts`` and the catalogue's ``evaluate`` in
memory, no database. LOW_PRICE needs a regional median and the network-scope codes need other ads;
they are listed as not measured.

One line::

    {"id", "title", "text", "fields": {"age", "location", "hours"}, "services", "rates", "phone",
     "truth": {"phones": ["+316..."], "age": 24 | null, "gemeente": "GM0855" | null,
               "indicators": ["UNPROTECTED_SERVICES", ...]}, "note"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from zicht.evaluation import Counts, ratio

if TYPE_CHECKING:
    from rich.console import Console

    from zicht.signals.catalogue import Catalogue

HELDOUT_PATH = Path(__file__).with_name("heldout.jsonl")
NOT_PER_AD = {"LOW_PRICE": "needs the regional median price of a whole market"}


class HeldoutError(ValueError):
    """A held-out file that cannot be used, with the line and what is wrong."""


@dataclass(frozen=True)
class HeldoutAd:
    id: str
    title: str
    text: str
    fields: dict[str, str]
    services: list[str]
    rates: list[str]
    phone: str | None
    phones: frozenset[str]
    age: int | None
    gemeente: str | None
    indicators: frozenset[str]


def load_heldout(path: str | Path = HELDOUT_PATH) -> list[HeldoutAd]:
    path = Path(path)
    out: list[HeldoutAd] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise HeldoutError(f"cannot read the held-out ads at {path}: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            truth = obj["truth"]
            out.append(
                HeldoutAd(
                    id=str(obj["id"]),
                    title=str(obj["title"]),
                    text=str(obj["text"]),
                    fields={str(k): str(v) for k, v in obj["fields"].items()},
                    services=[str(s) for s in obj["services"]],
                    rates=[str(r) for r in obj["rates"]],
                    phone=obj["phone"],
                    phones=frozenset(truth["phones"]),
                    age=truth["age"],
                    gemeente=truth["gemeente"],
                    indicators=frozenset(truth["indicators"]),
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise HeldoutError(f"{path}:{n}: not a held-out ad ({exc!r})") from exc
    if not out:
        raise HeldoutError(f"the held-out file {path} holds no ads")
    return out


@dataclass
class HeldoutReport:
    ads: int = 0
    phones: Counts = field(default_factory=Counts)
    age_n: int = 0
    age_correct: int = 0
    gemeente_n: int = 0
    gemeente_correct: int = 0
    indicators: dict[str, Counts] = field(default_factory=dict)
    not_measured: dict[str, str] = field(default_factory=dict)
    misses: list[dict] = field(default_factory=list)  # every wrong reading, for the person tuning nothing

    @property
    def age_accuracy(self) -> float | None:
        return ratio(self.age_correct, self.age_n)

    @property
    def gemeente_accuracy(self) -> float | None:
        return ratio(self.gemeente_correct, self.gemeente_n)

    def as_json(self) -> dict:
        return {
            "ads": self.ads,
            "phones": self.phones.as_json(),
            "age": {"n": self.age_n, "correct": self.age_correct, "accuracy": self.age_accuracy},
            "gemeente": {
                "n": self.gemeente_n,
                "correct": self.gemeente_correct,
                "accuracy": self.gemeente_accuracy,
            },
            "indicators": {code: c.as_json() for code, c in sorted(self.indicators.items())},
            "not_measured": self.not_measured,
            "misses": self.misses,
        }


def evaluate_heldout(ads: list[HeldoutAd], catalogue: Catalogue) -> HeldoutReport:
    """Run extraction and the catalogue on every held-out ad and count against the hand labels."""
    from zicht.extract.facts import extract_facts
    from zicht.signals.engine import evaluate

    out = HeldoutReport(ads=len(ads))
    ad_codes = sorted(i.code for i in catalogue.ad_indicators if i.code not in NOT_PER_AD)
    out.not_measured = {
        **{c: why for c, why in NOT_PER_AD.items() if c in {i.code for i in catalogue.indicators}},
        **{i.code: "set by the linking stage from other ads" for i in catalogue.network_indicators},
    }
    phones = [0, 0, 0]
    tallies = {code: [0, 0, 0] for code in ad_codes}
    for ad in ads:
        url = f"https://heldout.invalid/ad/{ad.id}"
        facts = extract_facts(ad.title, ad.text, ad.fields, ad.services, ad.rates, ad.phone, url)
        read = {c.value for c in facts.contacts if c.kind == "phone"}
        phones[0] += len(read & ad.phones)
        phones[1] += len(read - ad.phones)
        phones[2] += len(ad.phones - read)
        if read != ad.phones:
            out.misses.append(
                {"ad": ad.id, "field": "phones", "expected": sorted(ad.phones), "read": sorted(read)}
            )
        if ad.age is not None:
            out.age_n += 1
            out.age_correct += facts.age == ad.age
            if facts.age != ad.age:
                out.misses.append({"ad": ad.id, "field": "age", "expected": ad.age, "read": facts.age})
        if ad.gemeente is not None:
            out.gemeente_n += 1
            out.gemeente_correct += facts.gemeente_code == ad.gemeente
            if facts.gemeente_code != ad.gemeente:
                out.misses.append(
                    {"ad": ad.id, "field": "gemeente", "expected": ad.gemeente, "read": facts.gemeente_code}
                )
        hits = {
            h.code
            for h in evaluate(ad.title, ad.text, facts, catalogue, services=ad.services)
            if not h.negated
        }
        for code in ad_codes:
            truth, got = code in ad.indicators, code in hits
            tally = tallies[code]
            tally[0] += truth and got
            tally[1] += got and not truth
            tally[2] += truth and not got
            if truth != got:
                out.misses.append({"ad": ad.id, "field": code, "expected": truth, "read": got})
    out.phones = Counts(*phones)
    out.indicators = {code: Counts(*t) for code, t in tallies.items()}
    return out


def print_heldout(report: HeldoutReport, console: Console, *, misses: int = 20) -> None:
    """Per-field and per-indicator figures on the held-out ads, then the wrong readings."""
    from rich import box
    from rich.table import Table

    from zicht.evaluation.report import MIN_SUPPORT, _f, _fold

    def judged(value: float | None, n: int) -> str:
        return _f(value) + (" (too few to judge)" if value is not None and n < MIN_SUPPORT else "")

    t = Table(
        title=f"Held-out hand-written ads ({report.ads}; labelled by hand, never used to tune anything)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for col in ("what", "n", "tp", "fp", "fn", "precision", "recall / accuracy"):
        t.add_column(col, justify="left" if col == "what" else "right", no_wrap=True)
    c = report.phones
    t.add_row("phones", str(c.support), str(c.tp), str(c.fp), str(c.fn),
              judged(c.precision, c.tp + c.fp), judged(c.recall, c.support))  # fmt: skip
    t.add_row("age", str(report.age_n), str(report.age_correct), "", "", "",
              judged(report.age_accuracy, report.age_n))  # fmt: skip
    t.add_row("gemeente", str(report.gemeente_n), str(report.gemeente_correct), "", "", "",
              judged(report.gemeente_accuracy, report.gemeente_n))  # fmt: skip
    for code, c in sorted(report.indicators.items()):
        t.add_row(code, str(c.support), str(c.tp), str(c.fp), str(c.fn),
                  judged(c.precision, c.tp + c.fp), judged(c.recall, c.support))  # fmt: skip
    console.print(_fold(t))
    for code, why in report.not_measured.items():
        console.print(f"Not measured on the held-out ads: {code}: {why}.")
    for m in report.misses[:misses]:
        console.print(
            f"  {m['ad']} {m['field']}: expected {m['expected']}, read {m['read']}",
            markup=False,
            highlight=False,
        )
    if len(report.misses) > misses:
        console.print(f"  ... and {len(report.misses) - misses} more (all in the JSON report).")
