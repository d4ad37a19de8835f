"""The words around a before/after comparison: labels, the plain-language summary and the caveats.

Shared by the page (in the person's language) and ``zicht intervention report`` (English). The
message ids live here, under ``zicht/web``, so that the catalogue extraction finds them.
"""

from __future__ import annotations

from collections.abc import Sequence

from zicht import reference
from zicht.analysis.displacement import Caveat, Comparison, GroupChange
from zicht.web import i18n
from zicht.web.i18n import N_

KIND_LABELS: dict[str, str] = {
    "control": N_("Control action"),
    "visit": N_("Visit"),
    "closure": N_("Closure"),
    "other": N_("Other"),
}
GROUP_LABELS: dict[str, str] = {
    "target": N_("Intervention gemeenten"),
    "neighbours": N_("Neighbouring gemeenten"),
    "rest": N_("Rest of the police unit"),
    "national": N_("The Netherlands"),
}
MOVE_LABELS: dict[str, str] = {
    "same": N_("again in the same gemeente"),
    "neighbour": N_("in a neighbouring gemeente"),
    "elsewhere": N_("elsewhere"),
    "unknown_place": N_("only in ads without a known place"),
    "not_seen": N_("not seen again"),
}
RELATION_LABELS: dict[str, str] = {
    "target": N_("intervention gemeente"),
    "neighbour": N_("neighbour"),
    "elsewhere": N_("elsewhere"),
    "unknown_place": N_("place unknown"),
}
CAVEATS: dict[str, str] = {
    "too_few_ads": N_(
        "Too few to say: fewer than %(min)s active ads per week in the intervention gemeenten, before "
        "and after. A change of a few ads is chance as much as effect."
    ),
    "too_few_personas": N_(
        "Too few to say where people went: %(n)s personas were active there before (at least %(min)s "
        "are needed to speak of shares)."
    ),
    "after_incomplete": N_(
        "The weeks after are not complete: the data end on %(day)s, before the last of the %(of)s weeks "
        "after ends. Look again later."
    ),
    "before_incomplete": N_(
        "The weeks before are not complete: the data start on %(day)s, after the first of the %(of)s "
        "weeks before began, so the before figure may be too low."
    ),
    "other_interventions": N_(
        "Other interventions fall in the same weeks and area (%(ids)s): their effects cannot be told apart."
    ),
    "personas_not_linked": N_(
        "The linking stage has not run: each ad counts as a persona of its own, so a person who "
        "placed a new ad elsewhere is not followed."
    ),
    "neighbours_approximate": N_(
        "Neighbours are estimated from the distance between gemeente centres, not from borders; "
        "choose the comparison gemeenten yourself when this list is not right."
    ),
    "no_control_group": N_(
        "There is no control group: the change may have other causes than the intervention, and this "
        "comparison cannot prove an effect."
    ),
    "seasonality": N_(
        "Ads rise and fall with the season, holidays and sites coming and going; nationally the number "
        "of active ads changed by %(pct)s%% over the same weeks. Compare with that."
    ),
    "seasonality_unknown": N_(
        "Ads rise and fall with the season, holidays and sites coming and going; there were no ads "
        "nationally before to compare with."
    ),
    "ads_not_people": N_(
        "Ads are not people: one person can place several ads, several people can share one, and "
        "an ad that is gone says nothing about where the person is."
    ),
    "unlinked_reappearance": N_(
        "A removed ad can come back under another number, name or photos that Zicht does not link to "
        "the old one; those people count as \u201cnot seen again\u201d."
    ),
}


def _n(value: float, lang: str) -> str:
    return i18n.format_number(round(value, 1), lang)


def _pct(value: float | None, lang: str) -> str:
    return "–" if value is None else ("+" if value > 0 else "") + i18n.format_number(round(value), lang) + "%"


def _names(codes: Sequence[str]) -> str:
    return ", ".join(g.name for g in (reference.gemeente(c) for c in codes) if g is not None)


def caveat_texts(items: Sequence[Caveat], lang: str) -> list[str]:
    out = []
    for c in items:
        if c.code == "seasonality" and c.values.get("pct") is None:
            out.append(i18n.gettext(lang, CAVEATS["seasonality_unknown"]))
            continue
        values = dict(c.values)
        if c.code == "seasonality":
            pct = int(values["pct"])  # type: ignore[call-overload]
            values["pct"] = f"{pct:+d}"
        out.append(i18n.gettext(lang, CAVEATS[c.code], **values))
    return out


def _group_sentence(g: GroupChange, label: str, lang: str) -> str:
    values = {"label": label, "before": _n(g.active_before, lang), "after": _n(g.active_after, lang)}
    if g.too_few:
        return i18n.gettext(
            lang,
            N_("%(label)s: %(before)s active ads per week before, %(after)s after \u2014 too few to say."),
            **values,
        )
    if g.active_change_pct is None:
        return i18n.gettext(lang, N_("%(label)s: no active ads before, %(after)s per week after."), **values)
    return i18n.gettext(
        lang,
        N_("%(label)s: from %(before)s to %(after)s active ads per week on average (%(pct)s)."),
        pct=_pct(g.active_change_pct, lang),
        **values,
    )


def summary(c: Comparison, neighbours: Sequence[str], lang: str) -> str:
    """What the numbers say, in a few plain sentences; the caveats say what they do not."""
    t = c.groups["target"]
    parts = [
        _group_sentence(t, _names(t.codes), lang),
        _group_sentence(
            c.groups["neighbours"],
            i18n.gettext(lang, N_("Neighbouring gemeenten (%(names)s)"), names=_names(neighbours) or "–"),
            lang,
        ),
        _group_sentence(c.groups["national"], i18n.gettext(lang, GROUP_LABELS["national"]), lang),
    ]
    m = c.movement
    if not m.tracked:
        parts.append(i18n.gettext(lang, N_("No personas were active there in the weeks before.")))
    else:
        parts.append(
            i18n.gettext(
                lang,
                N_(
                    "Of the %(n)s personas active there in the %(weeks)s weeks before, %(same)s were seen "
                    "there again afterwards, %(neighbour)s in a neighbouring gemeente, %(elsewhere)s "
                    "elsewhere, %(unknown)s only in ads without a known place, and %(not_seen)s not again."
                ),
                n=m.tracked,
                weeks=c.windows.weeks,
                same=m.moves["same"],
                neighbour=m.moves["neighbour"],
                elsewhere=m.moves["elsewhere"],
                unknown=m.moves["unknown_place"],
                not_seen=m.moves["not_seen"],
            )
        )
        if m.too_few:
            parts.append(i18n.gettext(lang, N_("That is too few to say whether ads moved.")))
    return " ".join(parts)
