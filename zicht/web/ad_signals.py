"""The signals of one ad version, explained: score, each indicator with its evidence, and where in
the ad the words stand.

Hits are grouped per indicator (an indicator counts once however often it matches) but every hit is
shown, including the ones that do not count: a negated phrase ("geen AV"), an indicator research
found not predictive, a fact that could not be evaluated. A person must be able to see why the score
is what it is, and also what was found and deliberately left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from babel.numbers import format_decimal
from markupsafe import Markup

from zicht.extract.types import Span
from zicht.signals.catalogue import Catalogue
from zicht.signals.engine import combined_text, locate
from zicht.signals.score import scoring_version
from zicht.store.views import HitView, SignalsView, VersionView
from zicht.web import i18n
from zicht.web.highlight import Mark, highlight
from zicht.web.i18n import N_
from zicht.web.rendering import safe_href

EVIDENCE_LABELS: dict[str, str] = {
    "validated": N_("confirmed by research"),
    "practitioner": N_("practitioner knowledge"),
    "not_predictive": N_("not a predictor according to research"),
}
# What one hit does to the score.
STATE_LABELS: dict[str, str] = {
    "counts": N_("counts"),
    "negated": N_("found but negated — not counted"),
    "not_predictive": N_("shown, not counted: not a predictor"),
    "not_evaluated": N_("not evaluated — not counted"),
    "not_counted": N_("not counted"),
}
FIELD_NAMES: dict[str, str] = {"title": N_("title"), "text": N_("text"), "services": N_("services")}
_GROUP_ORDER = ("counts", "not_predictive", "negated", "not_evaluated", "not_counted")
_MARK_KIND = {"counts": "counts", "negated": "negated"}
NEGATION_LOOKBACK = 80  # characters: the engine's cues stand within a few words of the match


@dataclass(frozen=True)
class Occurrence:
    key: str  # anchor id of its mark ("hit-12")
    state: str  # one of STATE_LABELS
    field: str | None  # title | text | services; None for a hit on an extracted fact
    quote: str  # the words found; a negated one with its cue ("geen AV")
    reason: str  # in the reader's language
    marked: bool  # its words are marked in the ad text on this page
    fact: bool = False  # from an extracted fact: its reason says what the fact is, so it is always shown


@dataclass(frozen=True)
class SourceLink:
    title: str
    href: str | None
    reference: str | None


@dataclass(frozen=True)
class IndicatorGroup:
    code: str
    name: str
    explanation: str
    evidence_level: str
    weight: float
    special_category: bool
    known: bool  # still in the current catalogue
    sources: list[SourceLink]
    state: str  # the best state of its occurrences (counts > not_predictive > negated > ...)
    weight_shown: str  # as the score explanation writes it: "0,30" / "0.30"
    occurrences: list[Occurrence] = field(default_factory=list)


@dataclass(frozen=True)
class MarkedAd:
    title: Markup
    text: Markup
    services: list[Markup]
    title_marked: bool
    services_marked: bool


@dataclass(frozen=True)
class ScoreShown:
    value: float
    explanation: str
    catalogue_version: str
    made_at: datetime


@dataclass(frozen=True)
class AdSignals:
    processed: bool  # the pipeline extracted facts for this version
    score: ScoreShown | None
    groups: list[IndicatorGroup]
    marked: MarkedAd
    extractor_version: str | None
    catalogue_version: str | None  # of the stored hits and score
    current_catalogue_version: str

    @property
    def outdated(self) -> bool:
        return self.catalogue_version is not None and self.catalogue_version != self.current_catalogue_version

    def in_state(self, *states: str) -> list[IndicatorGroup]:
        return [g for g in self.groups if g.state in states]


def hit_state(hit: HitView) -> str:
    if hit.detail.get("evaluated") is False:
        return "not_evaluated"
    if hit.negated:
        return "negated"
    if hit.evidence_level == "not_predictive":
        return "not_predictive"
    return "counts" if hit.weight > 0 else "not_counted"


def _negated_quote(field_text: str, start: int, end: int, cue: str) -> str:
    """The words from the negation cue up to the match ("geen AV"), or from the match to a cue after it."""
    if cue:
        low = field_text.lower()
        before = low.rfind(cue.lower(), max(0, start - NEGATION_LOOKBACK), start)
        if before >= 0:
            return field_text[before:end]
        after = low.find(cue.lower(), end, end + NEGATION_LOOKBACK)
        if after >= 0:
            return field_text[start : after + len(cue)]
        return f"{cue} … {field_text[start:end]}"
    return field_text[start:end]


def _reason(hit: HitView, lang: str) -> str:
    nl = hit.detail.get("reason_nl")
    return str(nl) if lang == "nl" and nl else hit.reason


class _Placer:
    """Maps hit spans (into the engine's combined text) to the field they stand in."""

    def __init__(self, version: VersionView) -> None:
        self.title, self.text = version.title, version.text
        self.services = list(version.services)
        self.combined = combined_text(self.title, self.text, self.services or None)
        self.items = "\n".join(self.services)  # services_text(): what the engine read
        self.item_starts = [0]
        for item in self.services:
            self.item_starts.append(self.item_starts[-1] + len(item) + 1)

    def field_text(self, name: str) -> str:
        return {"title": self.title, "text": self.text, "services": self.items}[name]

    def place(self, hit: HitView) -> tuple[str, int, int] | None:
        """(field, start, end) local to the field, or None when the span does not fit this version."""
        s, e = hit.span_start, hit.span_end
        if s is None or e is None or not 0 <= s < e <= len(self.combined):
            return None
        if self.combined[s:e] != hit.matched_text:
            return None  # made from other content: never mark the wrong words
        try:
            where = locate(Span(s, e, hit.matched_text), self.title, self.text, self.services or None)
        except ValueError:
            return None
        return where.field, where.start, where.end


def build_signals(view: SignalsView, version: VersionView, catalogue: Catalogue, lang: str) -> AdSignals:
    by_code = catalogue.by_code()
    placer = _Placer(version)
    marks: dict[str, list[Mark]] = {"title": [], "text": [], "services": []}
    occurrences: dict[str, list[tuple[tuple, Occurrence]]] = {}
    for hit in view.hits:
        ind = by_code.get(hit.code)
        name = ind.name.get(lang) if ind else hit.code
        state = hit_state(hit)
        key = f"hit-{hit.id}"
        placed = placer.place(hit)
        quote = hit.matched_text.strip()
        if placed is not None:
            where, start, end = placed
            if hit.negated:
                quote = _negated_quote(
                    placer.field_text(where), start, end, str(hit.detail.get("negation_cue", ""))
                )
            label = f"{name} — {i18n.gettext(lang, STATE_LABELS[state])}"
            marks[where].append(Mark(start, end, key, _MARK_KIND.get(state, "info"), label))
        occurrence = Occurrence(
            key=key,
            state=state,
            field=placed[0] if placed else None,
            quote=" ".join(quote.split()),
            reason=_reason(hit, lang),
            marked=placed is not None,
            fact=not hit.reason.startswith("text:"),
        )
        order = (0, hit.span_start) if hit.span_start is not None else (1, hit.id)
        occurrences.setdefault(hit.code, []).append((order, occurrence))

    contributions = [c for c, _ in (view.score.explanation.get("contributions") or [])] if view.score else []
    groups: list[IndicatorGroup] = []
    for code, found in occurrences.items():
        ind = by_code.get(code)
        shown = [o for _, o in sorted(found, key=lambda x: x[0])]
        state = min((o.state for o in shown), key=_GROUP_ORDER.index)
        first = next(h for h in view.hits if h.code == code)
        groups.append(
            IndicatorGroup(
                code=code,
                name=ind.name.get(lang) if ind else code,
                explanation=ind.explanation.get(lang) if ind else "",
                evidence_level=ind.evidence_level if ind else first.evidence_level,
                weight=ind.weight if ind else first.weight,
                special_category=bool(ind and ind.special_category),
                known=ind is not None,
                sources=[SourceLink(s.title, safe_href(s.url), s.reference) for s in ind.sources]
                if ind
                else [SourceLink(str(first.detail.get("source_note", "")), None, None)],
                state=state,
                weight_shown=format_decimal(ind.weight if ind else first.weight, "0.00", locale=lang),
                occurrences=shown,
            )
        )

    def rank(g: IndicatorGroup) -> tuple:
        in_score = contributions.index(g.code) if g.code in contributions else len(contributions)
        return (_GROUP_ORDER.index(g.state), in_score, -g.weight, g.code)

    groups.sort(key=rank)
    anchored: set[str] = set()
    title_html = highlight(placer.title, marks["title"], anchored)
    text_html = highlight(placer.text, marks["text"], anchored)
    services_html = [
        highlight(
            item,
            [Mark(m.start - at, m.end - at, m.key, m.kind, m.label) for m in marks["services"]],
            anchored,
        )
        for item, at in zip(placer.services, placer.item_starts, strict=False)
    ]
    marked = MarkedAd(
        title=title_html,
        text=text_html,
        services=services_html,
        title_marked=bool(marks["title"]),
        services_marked=bool(marks["services"]),
    )
    score = None
    if view.score is not None:
        explanation = view.score.explanation.get(lang) or view.score.explanation.get("en") or ""
        score = ScoreShown(
            view.score.value, str(explanation), view.score.catalogue_version, view.score.created_at
        )
    return AdSignals(
        processed=view.facts is not None,
        score=score,
        groups=groups,
        marked=marked,
        extractor_version=view.extractor_version,
        catalogue_version=view.score.catalogue_version if view.score else None,
        current_catalogue_version=scoring_version(catalogue),
    )
