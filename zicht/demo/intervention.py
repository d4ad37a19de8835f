"""The demo market's simulated control action in the store, and its displacement report against the truth.

``zicht demo`` (and ``zicht.demo.offline_store``) record the market's control action through
``zicht.store.interventions`` like a person would, marked as made by ``demo`` and described in Dutch as
simulated, so the ``/interventies`` page of a fresh demo has something true to show. Who reacted how
stays in the truth file beside the database; ``displacement_check`` compares the displacement report
with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from zicht import reference
from zicht.analysis.displacement import classify, presence
from zicht.demo.model import REACTION_MOVED, REACTIONS, DemoIntervention, Market
from zicht.demo.truth import TruthRecord
from zicht.store.counts import ad_spans, local_day_today
from zicht.store.interventions import Intervention, Report, list_interventions, record_intervention
from zicht.store.store import Store

DEMO_USER = "demo"


def description(gemeente_name: str) -> str:
    """The Dutch description stored with the simulated intervention: it must never pass for a real one."""
    return (
        f"Gesimuleerd, geen echte controle: de demomarkt (synthetische advertenties) bevat op deze dag een "
        f"controle in {gemeente_name}. Wie daar op die dag adverteerde, reageert zoals de praktijk het "
        "beschrijft: de meesten stoppen daar met adverteren, een deel zet de advertentie in een "
        "buurgemeente, een deel is een tijd stil en komt terug, enkelen blijven. Wie wat deed staat "
        "alleen in de grondwaarheid naast de database (demo-truth-intervention.json)."
    )


def record_demo_intervention(store: Store, market: Market) -> Intervention | None:
    """Record ``market.intervention`` in the store (created by ``demo``); None when the market has none."""
    iv = market.intervention
    if iv is None:
        return None
    g = reference.gemeente(iv.gemeente_code)
    day = market.date_of(iv.day)
    return record_intervention(
        store,
        [iv.gemeente_code],
        day,
        iv.kind,
        DEMO_USER,
        description(g.name if g else iv.gemeente_code),
        today=max(local_day_today(), market.date_of(market.days - 1)),
    )


def demo_intervention_in_store(store: Store, iv: DemoIntervention, start: date) -> Intervention | None:
    """The stored intervention the demo recorded for ``iv`` (same day, gemeente and kind, by ``demo``)."""
    day = start.toordinal() + iv.day
    return next(
        (
            i
            for i in list_interventions(store)
            if i.created_by == DEMO_USER
            and i.day.toordinal() == day
            and i.gemeenten == (iv.gemeente_code,)
            and i.kind == iv.kind
        ),
        None,
    )


@dataclass(frozen=True)
class PersonaCheck:
    persona_id: str
    reaction: str  # what it did (REACTIONS)
    expected: str  # the class a perfect report gives it: its true ads over the same windows
    found: str | None  # the class the report gives its stored persona; None: the report does not track it


@dataclass(frozen=True)
class DisplacementCheck:
    """The displacement report's view of the displaced personas, beside what they really did.

    ``expected`` follows each persona's true ads through the report's own rules and windows
    (``zicht.analysis.displacement.classify``); ``found`` follows the stored persona of the ads it had
    online there on the control day. They differ where linking joined or split personas, or where the
    collection missed ads; a persona that moved but whose ads ended before the after-weeks is *not
    seen* in both.
    """

    personas: tuple[PersonaCheck, ...]

    def count(
        self, reaction: str | None = None, expected: str | None = None, found: str | None = None
    ) -> int:
        return sum(
            1
            for p in self.personas
            if (reaction is None or p.reaction == reaction)
            and (expected is None or p.expected == expected)
            and (found is None or p.found == found)
        )

    @property
    def agree(self) -> int:
        return sum(1 for p in self.personas if p.expected == p.found)

    @property
    def moved_expected(self) -> int:
        """Personas that moved and advertised in a neighbour gemeente in the after-weeks."""
        return self.count(REACTION_MOVED, "neighbour")

    @property
    def moved_found(self) -> int:
        """Of those, the ones the report finds in a neighbour gemeente."""
        return self.count(REACTION_MOVED, "neighbour", "neighbour")

    def as_json(self) -> dict:
        return {
            "personas": len(self.personas),
            "by_reaction": {r: self.count(r) for r in REACTIONS},
            "agree": self.agree,
            "moved_expected_in_neighbour": self.moved_expected,
            "moved_found_in_neighbour": self.moved_found,
            "disagreements": [
                {"persona_id": p.persona_id, "reaction": p.reaction, "expected": p.expected, "found": p.found}
                for p in self.personas
                if p.expected != p.found
            ],
        }


def displacement_check(
    store: Store,
    iv: DemoIntervention,
    report: Report,
    records: Iterable[TruthRecord],
    start: date,
    ad_ids: Mapping[tuple[str, str], int],
) -> DisplacementCheck:
    """Class every displaced persona twice: from its true ads, and as the report sees its stored persona.

    ``records``: the market's truth (``zicht.demo.truth``); ``start``: its day 0; ``ad_ids``:
    (site, source_id) -> stored ad id.
    """
    win = report.comparison.windows
    targets, near = set(report.intervention.gemeenten), set(report.neighbours)
    after_days = range((win.after_days[0] - start).days, (win.after_days[1] - start).days + 1)
    true_after: dict[str, set[str]] = {p: set() for p in iv.reactions}
    for rec in records:
        places = true_after.get(rec.truth.persona_id)
        if places is not None:
            places.update(g for d in after_days if (g := rec.gemeente_on(d)) is not None)
    spans = ad_spans(store, win.first_day, win.last_day)
    before = presence(spans, *win.before_days)
    after = presence(spans, *win.after_days)
    persona_of = {a.ad_id: (a.persona_id if a.persona_id is not None else -a.ad_id) for a in spans}
    checks = []
    for r in sorted(iv.reactions.values(), key=lambda r: r.persona_id):
        tracked = [p for p in _stored_personas(r.ads, ad_ids, persona_of) if before.get(p, set()) & targets]
        found = (
            classify(set().union(*(after.get(p, set()) for p in tracked)), targets, near) if tracked else None
        )
        expected = classify(true_after[r.persona_id], targets, near)
        checks.append(PersonaCheck(r.persona_id, r.reaction, expected, found))
    return DisplacementCheck(tuple(checks))


def _stored_personas(
    keys: Iterable[str], ad_ids: Mapping[tuple[str, str], int], persona_of: Mapping[int, int]
) -> list[int]:
    out: list[int] = []
    for key in keys:
        site, source_id = key.split(":", 1)
        ad_id = ad_ids.get((site, source_id))
        if ad_id is not None and ad_id in persona_of and persona_of[ad_id] not in out:
            out.append(persona_of[ad_id])
    return out
