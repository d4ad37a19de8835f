"""Interventions: the list with a form to record one, and the before/after report of each.

Writes go through ``zicht.store.interventions`` and only from Zicht's own pages (``same_origin``);
the name is remembered as with decisions. The report's chart is a Vega-Lite spec handed to
``static/dashboard.js`` as JSON (no inline script under our CSP).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zicht import reference
from zicht.analysis.displacement import DEFAULT_WEEKS, MAX_WEEKS, Comparison
from zicht.store import interventions as store_iv
from zicht.store.counts import local_day_today
from zicht.web import i18n
from zicht.web.decision_form import remember_user, remembered_user
from zicht.web.displacement_text import (
    GROUP_LABELS,
    KIND_LABELS,
    MOVE_LABELS,
    RELATION_LABELS,
    caveat_texts,
    summary,
)
from zicht.web.i18n import N_
from zicht.web.rendering import gettext, language, templates
from zicht.web.same_origin import is_same_origin, refused
from zicht.web.views.ad import parse_id

router = APIRouter()

PATH = "/interventies"

PROBLEM_MESSAGES: dict[str, str] = {
    store_iv.PROBLEM_GEMEENTE_MISSING: N_("Fill in at least one gemeente."),
    store_iv.PROBLEM_GEMEENTE_UNKNOWN: N_(
        "Unknown gemeente: %(unknown)s. Use a current gemeente name or CBS code (e.g. GM0606)."
    ),
    store_iv.PROBLEM_GEMEENTE_MANY: N_("At most %(max)s gemeenten per intervention."),
    store_iv.PROBLEM_DAY: N_("Write the date as YYYY-MM-DD."),
    store_iv.PROBLEM_DAY_FUTURE: N_(
        "The date is in the future: record an intervention once it has happened."
    ),
    store_iv.PROBLEM_KIND: N_("Choose a kind of intervention."),
    store_iv.PROBLEM_USER: N_("Fill in your name: it is stored with the intervention."),
    store_iv.PROBLEM_USER_LONG: N_("Your name is longer than %(max)s characters."),
    store_iv.PROBLEM_DESCRIPTION_LONG: N_("The description is longer than %(max)s characters."),
}
_LIMITS = {
    store_iv.PROBLEM_GEMEENTE_MANY: store_iv.MAX_GEMEENTEN,
    store_iv.PROBLEM_USER_LONG: store_iv.MAX_USER,
    store_iv.PROBLEM_DESCRIPTION_LONG: store_iv.MAX_DESCRIPTION,
}


@dataclass
class InterventionInput:
    """What was typed, echoed back into the form when it has to be corrected."""

    gemeenten: str = ""
    day: str = ""
    kind: str = "control"
    user: str = ""
    description: str = ""
    errors: list[str] = field(default_factory=list)


def messages(lang: str, exc: store_iv.InterventionError) -> list[str]:
    unknown = ", ".join(f"\u201c{u}\u201d" for u in exc.unknown)
    return [
        i18n.gettext(lang, PROBLEM_MESSAGES[p], unknown=unknown, max=_LIMITS.get(p, 0)) for p in exc.problems
    ]


def _list_page(request: Request, entry: InterventionInput, *, status_code: int = 200) -> HTMLResponse:
    return templates(request).response(
        request,
        "interventions/list.html",
        status_code=status_code,
        items=store_iv.list_interventions(request.app.state.store),
        entry=entry,
        kind_labels=KIND_LABELS,
        gemeente_names=sorted(g.name for g in reference.gemeenten().values()),
        today=local_day_today().isoformat(),
    )


@router.get(PATH, response_class=HTMLResponse)
def interventions_page(request: Request) -> HTMLResponse:
    return _list_page(request, InterventionInput(user=remembered_user(request)))


REFUSED = N_(
    "This change was not stored: the form did not come from a Zicht page. "
    "Open the interventions page in Zicht and try there."
)


@router.post(PATH, response_class=HTMLResponse)
def record(
    request: Request,
    gemeenten: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    user: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    if not is_same_origin(request):
        return refused(request, REFUSED)
    entry = InterventionInput(gemeenten, day, kind, user, description)
    try:
        item = store_iv.record_intervention(
            request.app.state.store, [gemeenten], day, kind, user, description
        )
    except store_iv.InterventionError as exc:
        entry.errors = messages(language(request), exc)
        return _list_page(request, entry, status_code=400)
    response = RedirectResponse(f"{PATH}/{item.id}", status_code=303)
    remember_user(response, item.created_by)
    return response


@router.post(PATH + "/{intervention_id}/verwijderen", response_class=HTMLResponse)
def remove(request: Request, intervention_id: str) -> Response:
    if not is_same_origin(request):
        return refused(request, REFUSED)
    number = parse_id(intervention_id)
    if number is None or not store_iv.delete_intervention(request.app.state.store, number):
        raise HTTPException(404, detail="intervention")
    return RedirectResponse(PATH, status_code=303)


def chart_spec(c: Comparison, request: Request) -> dict:
    """Weekly active ads in the intervention gemeenten and their neighbours, a rule at the day."""
    values = [
        {
            "week": w.week_start.isoformat(),
            "period": w.period,
            "group": gettext(request, GROUP_LABELS[g]),
            "value": w.active_ads,
        }
        for g in ("target", "neighbours")
        for w in c.groups[g].weeks
    ]
    label = gettext(request, N_("Intervention"))
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": gettext(request, N_("Active ads per week before and after the intervention")),
        "width": "container",
        "height": 260,
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": {"field": "week", "type": "temporal", "title": None},
                    "y": {"field": "value", "type": "quantitative", "title": None},
                    "color": {
                        "field": "group",
                        "type": "nominal",
                        "title": None,
                        "legend": {"orient": "top"},
                    },
                    "tooltip": [
                        {"field": "period", "type": "nominal"},
                        {"field": "group", "type": "nominal"},
                        {"field": "value", "type": "quantitative"},
                    ],
                },
            },
            {
                "data": {"values": [{"day": c.windows.day.isoformat(), "label": label}]},
                "mark": {"type": "rule", "color": "#b42318", "strokeDash": [4, 3], "strokeWidth": 2},
                "encoding": {"x": {"field": "day", "type": "temporal"}},
            },
        ],
    }


def _weeks(value: str | None) -> int | None:
    if not value:
        return DEFAULT_WEEKS
    try:
        n = int(value)
    except ValueError:
        return None
    return n if 1 <= n <= MAX_WEEKS else None


@router.get(PATH + "/{intervention_id}", response_class=HTMLResponse)
def report_page(request: Request, intervention_id: str) -> HTMLResponse:
    store = request.app.state.store
    number = parse_id(intervention_id)
    item = store_iv.get_intervention(store, number) if number is not None else None
    if item is None:
        raise HTTPException(404, detail="intervention")
    lang = language(request)
    errors: list[str] = []
    weeks = _weeks(request.query_params.get("weken"))
    if weeks is None:
        errors.append(i18n.gettext(lang, N_("Choose 1 to %(max)s weeks."), max=MAX_WEEKS))
    chosen = (request.query_params.get("buren") or "").strip()[:500]
    context: dict[str, object] = {
        "item": item,
        "weeks_value": request.query_params.get("weken") or str(DEFAULT_WEEKS),
        "chosen": chosen,
        "kind_labels": KIND_LABELS,
        "group_labels": GROUP_LABELS,
        "move_labels": MOVE_LABELS,
        "relation_labels": RELATION_LABELS,
        "max_weeks": MAX_WEEKS,
        "c": None,
    }
    if not errors:
        try:
            report = store_iv.displacement_report(
                store, item, weeks or DEFAULT_WEEKS, [chosen] if chosen else None
            )
        except store_iv.InterventionError as exc:
            errors = messages(lang, exc)
        else:
            c = report.comparison
            context.update(
                report=report,
                c=c,
                summary=summary(c, report.neighbours, lang),
                caveats=caveat_texts(c.caveats, lang),
                neighbour_names=[reference.gemeente(x).name for x in report.neighbours],  # type: ignore[union-attr]
                chart_spec=chart_spec(c, request),
            )
    context["errors"] = errors
    return templates(request).response(
        request, "interventions/report.html", status_code=400 if errors else 200, **context
    )
