"""Combine hits into one explained score from 0 to 100: advice to a person, never a decision.

Combination (noisy-OR): each counting indicator's weight w is read as "the chance this signal alone
points to exploitation"; the score is 100 x (1 - product of (1 - w)) over the distinct counting
indicators. Consequences that analysts can rely on:
- each indicator counts once, however often it matched (ten times "24/7" is one signal);
- adding a counting indicator never lowers the score, and the score never reaches 100;
- not_predictive indicators (weight 0), negated hits and not-evaluated hits never change it.
Weights come from the catalogue the hits were made with; the score records that catalogue version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zicht.signals.catalogue import Catalogue, Indicator, evidence_label
from zicht.signals.engine import ENGINE_VERSION, Hit


def scoring_version(catalogue: Catalogue) -> str:
    """What a stored score was made by: catalogue version, a hash of its content and the engine version.

    The content hash makes an edit to catalogue.yaml without a version bump re-score everything anyway
    (the fingerprint test only catches it in CI); the engine version does the same for matching code.
    """
    return f"{catalogue.version}+sha:{catalogue.fingerprint[:12]}+{ENGINE_VERSION}"


@dataclass(frozen=True)
class Score:
    value: float  # 0..100, one decimal
    catalogue_version: str
    contributions: list[tuple[str, float]]  # (code, weight) of each counting indicator, largest first
    explanation_nl: str
    explanation_en: str


def combine(weights: Iterable[float]) -> float:
    """Noisy-OR of weights in [0, 1), as 0..100 with one decimal."""
    remaining = 1.0
    for w in weights:
        remaining *= 1.0 - w
    return round(100.0 * (1.0 - remaining), 1)


def score(hits: Iterable[Hit], catalogue: Catalogue) -> Score:
    """Score one ad version's hits (ad and, later, network indicators) with the given catalogue."""
    by_code = catalogue.by_code()
    hits = sorted(hits, key=_order)  # the explanation quotes the first hit per indicator: make it order-free
    unknown = sorted({h.code for h in hits} - set(by_code))
    if unknown:
        raise ValueError(f"hits for code(s) not in catalogue {catalogue.version}: {', '.join(unknown)}")

    counting: dict[str, Hit] = {}
    shown_only: dict[str, Hit] = {}
    negated: dict[str, Hit] = {}
    not_evaluated: dict[str, Hit] = {}
    for hit in hits:
        ind = by_code[hit.code]
        if not hit.evaluated:
            not_evaluated.setdefault(hit.code, hit)
        elif hit.negated:
            negated.setdefault(hit.code, hit)
        elif ind.counts_toward_score:
            counting.setdefault(hit.code, hit)
        else:
            shown_only.setdefault(hit.code, hit)
    # a code that counts somewhere is not also reported as negated or unevaluated
    for code in counting:
        negated.pop(code, None)
        not_evaluated.pop(code, None)

    contributions = sorted(((c, by_code[c].weight) for c in counting), key=lambda cw: (-cw[1], cw[0]))
    value = combine(w for _, w in contributions)
    parts = _Parts(by_code, contributions, counting, shown_only, negated, not_evaluated)
    return Score(
        value=value,
        catalogue_version=catalogue.version,
        contributions=contributions,
        explanation_nl=parts.text("nl", value, catalogue.version),
        explanation_en=parts.text("en", value, catalogue.version),
    )


def _order(hit: Hit) -> tuple:
    span = (hit.span.start, hit.span.end) if hit.span is not None else (1 << 40, 0)
    return (*span, hit.code, hit.negated, hit.evaluated, hit.reason, hit.matched_text)


@dataclass
class _Parts:
    by_code: dict[str, Indicator]
    contributions: list[tuple[str, float]]
    counting: dict[str, Hit]
    shown_only: dict[str, Hit]
    negated: dict[str, Hit]
    not_evaluated: dict[str, Hit]

    def text(self, lang: str, value: float, version: str) -> str:
        nl = lang == "nl"
        name = lambda code: self.by_code[code].name.get(lang)  # noqa: E731
        out: list[str] = []
        head = (
            f"Score {value:.0f} van 100 (catalogus {version})"
            if nl
            else f"Score {value:.0f} of 100 (catalogue {version})"
        )
        if self.contributions:
            n = len(self.contributions)
            if nl:
                count = "1 signaal telt mee" if n == 1 else f"{n} signalen tellen mee"
            else:
                count = "1 signal counts" if n == 1 else f"{n} signals count"
            items = []
            for code, weight in self.contributions:
                ind = self.by_code[code]
                w = f"{weight:.2f}".replace(".", ",") if nl else f"{weight:.2f}"
                level = evidence_label(ind.evidence_level, lang)
                label = "gewicht" if nl else "weight"
                items.append(f"{name(code)}: {_evidence(self.counting[code], lang)} ({level}, {label} {w})")
            out.append(f"{head}: {count}: " + "; ".join(items) + ".")
        else:
            out.append(
                f"{head}: geen signalen gevonden die meetellen. Dat betekent niet dat er niets aan de hand is."
                if nl
                else f"{head}: no signals found that count. That does not mean nothing is wrong."
            )
        if self.shown_only:
            items = [f"{name(c)}: {_evidence(h, lang)}" for c, h in sorted(self.shown_only.items())]
            out.append(
                (
                    "Gevonden, maar volgens onderzoek geen voorspeller, telt niet mee: "
                    if nl
                    else "Found, but not predictive according to research, so not counted: "
                )
                + "; ".join(items)
                + "."
            )
        if self.negated:
            items = [f"{name(c)}: {_evidence(h, lang)}" for c, h in sorted(self.negated.items())]
            out.append(
                ("Gevonden maar ontkend, telt niet mee: " if nl else "Found but negated, not counted: ")
                + "; ".join(items)
                + "."
            )
        if self.not_evaluated:
            items = [f"{name(c)}: {_evidence(h, lang)}" for c, h in sorted(self.not_evaluated.items())]
            out.append(("Niet beoordeeld: " if nl else "Not evaluated: ") + "; ".join(items) + ".")
        special = [c for c, _ in self.contributions if self.by_code[c].special_category]
        for code in special:
            out.append(
                f"Let op: '{name(code)}' raakt een bijzonder persoonsgegeven en is nooit op zich een reden voor een controle."
                if nl
                else f"Note: '{name(code)}' touches special-category personal data and is never on its own a reason for a control."
            )
        if self.contributions:
            out.append(
                "Elk signaal telt één keer, hoe vaak het ook voorkomt; elk extra signaal verhoogt de score, "
                "die nooit 100 wordt."
                if nl
                else "Each signal counts once however often it occurs; each further signal raises the score, "
                "which never reaches 100."
            )
        out.append(
            "Deze score is een advies aan een medewerker, geen oordeel over een persoon: een mens beslist wat er gebeurt."
            if nl
            else "This score is advice to a person, not a judgement about anyone: a person decides what happens."
        )
        return " ".join(out)


def _evidence(hit: Hit, lang: str) -> str:
    """The short 'why' of one hit: the quoted text (with its negation cue) or the fact."""
    nl = lang == "nl"
    if hit.span is not None:
        quote = f"'{hit.matched_text.strip()}'"
        if hit.negated:
            return (
                f"{quote}, ontkend door '{hit.negation_cue}'"
                if nl
                else f"{quote}, negated by '{hit.negation_cue}'"
            )
        return quote
    reason = hit.reason_nl if nl and hit.reason_nl else hit.reason
    for prefix in ("fact: ", "feit: ", "not evaluated: ", "niet beoordeeld: "):
        reason = reason.removeprefix(prefix)
    if hit.negated or not hit.evaluated:
        return reason
    return reason.split("; ")[0]
