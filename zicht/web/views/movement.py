"""The movement page: flows of personas between gemeenten per ISO week, tours, touring groups,
and per persona or network its places over time.

Everything comes from ``zicht.store.movement`` (pure definitions in ``zicht.analysis.movement``).
The page shows statistics about personas and networks by their ids only: no contact value is read
or shown here. The chart is a Vega-Lite spec handed to ``static/dashboard.js`` as JSON (CSP).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from zicht import reference
from zicht.analysis.counts import UNKNOWN_CODE
from zicht.analysis.movement import MAX_STAY_WEEKS, MIN_TOUR_GEMEENTEN, week_label
from zicht.store.movement import (
    DEFAULT_WEEKS,
    MAX_FLOW_ROWS,
    AreaFilter,
    Movement,
    default_weeks,
    movement,
    places_over_time,
    regions,
)
from zicht.store.views import valid_id
from zicht.web import i18n
from zicht.web.i18n import N_
from zicht.web.rendering import language, templates
from zicht.web.views.dashboard import read_date_range

router = APIRouter()

PATH = "/beweging"
MAX_WEEKS = 26  # a longer range is refused: it would read too many ads for one page view
_NUMBER = re.compile(r"[0-9]{1,10}")


def gemeente_name(code: str) -> str:
    if code == UNKNOWN_CODE:
        return UNKNOWN_CODE
    g = reference.gemeente(code)
    return g.name if g is not None else code


@dataclass
class MovementForm:
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None
    area: AreaFilter = field(default_factory=AreaFilter)
    area_name: str = ""


def area_choices(store) -> list[tuple[str, list[tuple[str, str]]]]:  # type: ignore[no-untyped-def]
    """(group label, [(value, name)]) for the area select; regions only when some are defined."""
    groups = [
        (
            N_("Gemeente"),
            [
                (f"gemeente:{g.code}", g.name)
                for g in sorted(reference.gemeenten().values(), key=lambda g: g.name)
            ],
        ),
        (
            N_("Police unit"),
            [
                (f"police_unit:{u.code}", u.name)
                for u in sorted(reference.police_units().values(), key=lambda u: u.name)
            ],
        ),
        (
            N_("Province"),
            [(f"province:{c}", n) for c, n in sorted(reference.provinces().items(), key=lambda x: x[1])],
        ),
    ]
    found = regions(store)
    if found:
        groups.append((N_("Region"), [(f"region:{r.id}", r.name) for r in found]))
    return groups


def parse_form(store, params: Mapping[str, str], lang: str) -> MovementForm:  # type: ignore[no-untyped-def]
    """What a person chose; a value that cannot be read gives a message, never a silent default."""
    values = {k: (params.get(k) or "").strip()[:64] for k in ("from", "to", "area")}
    form = MovementForm(values)
    read_date_range(form, values, lang, 7 * MAX_WEEKS, N_("Choose a date range of at most 26 weeks."))
    if values["area"]:
        names = {value: name for _, options in area_choices(store) for value, name in options}
        level, _, code = values["area"].partition(":")
        if values["area"] not in names:
            form.errors.append(i18n.gettext(lang, N_("Unknown area.")))
        elif level == "region":
            chosen = next(r for r in regions(store) if str(r.id) == code)
            form.area = AreaFilter("region", code, chosen.gemeenten)
            form.area_name = names[values["area"]]
        else:
            form.area = AreaFilter(level, code)
            form.area_name = names[values["area"]]
    return form


def chart_spec(board: Movement, labels: Mapping[str, str]) -> dict:
    """A matrix: origin (rows) × destination (columns), coloured by the personas that moved."""
    values = [{"from": gemeente_name(a), "to": gemeente_name(b), "personas": n} for a, b, n in board.pairs]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": labels["title"],
        "data": {"values": values},
        "width": {"step": 44},
        "height": {"step": 30},
        "encoding": {
            "x": {"field": "to", "type": "nominal", "title": labels["to"], "axis": {"labelAngle": -40}},
            "y": {"field": "from", "type": "nominal", "title": labels["from"]},
        },
        "layer": [
            {
                "mark": {"type": "rect"},
                "encoding": {
                    "color": {
                        "field": "personas",
                        "type": "quantitative",
                        "title": labels["personas"],
                        "scale": {"scheme": "blues"},
                    }
                },
            },
            {
                "mark": {"type": "text", "fontSize": 12},
                "encoding": {"text": {"field": "personas", "type": "quantitative"}},
            },
        ],
    }


@router.get(PATH, response_class=HTMLResponse)
def movement_page(request: Request) -> HTMLResponse:
    store = request.app.state.store
    lang = language(request)
    form = parse_form(store, request.query_params, lang)
    board = None
    if not form.errors:
        first_week, last_week = default_weeks(store)
        if form.first_day or form.last_day:
            last = form.last_day or max(last_week + timedelta(days=6), form.first_day)  # type: ignore[type-var]
            first = form.first_day or last - timedelta(days=7 * (DEFAULT_WEEKS - 1))
            first_week, last_week = first, last
        board = movement(store, first_week, last_week, form.area)
    context: dict[str, object] = {
        "form": form,
        "board": board,
        "areas": area_choices(store),
        "gm_name": gemeente_name,
        "week_label": week_label,
        "max_rows": MAX_FLOW_ROWS,
        "min_tour": MIN_TOUR_GEMEENTEN,
        "max_stay": MAX_STAY_WEEKS,
    }
    if board is not None:
        labels = {
            "title": i18n.gettext(lang, N_("Personas that moved, by origin and destination")),
            "from": i18n.gettext(lang, N_("Moved from")),
            "to": i18n.gettext(lang, N_("Moved to")),
            "personas": i18n.gettext(lang, N_("Moves (persona × week)")),
        }
        context["chart_spec"] = chart_spec(board, labels)
    return templates(request).response(
        request, "movement/page.html", status_code=400 if form.errors else 200, **context
    )


def _subject_page(request: Request, kind: str, subject: str) -> HTMLResponse:
    number = int(subject) if _NUMBER.fullmatch(subject) else None
    if number is None or not valid_id(number):
        raise HTTPException(404, detail="movement")
    found = places_over_time(request.app.state.store, kind, number)
    if found is None:
        raise HTTPException(404, detail="movement")
    return templates(request).response(
        request,
        "movement/places.html",
        places=found,
        gm_name=gemeente_name,
        week_label=week_label,
        unknown_code=UNKNOWN_CODE,
        min_tour=MIN_TOUR_GEMEENTEN,
        max_stay=MAX_STAY_WEEKS,
    )


@router.get(PATH + "/persona/{persona_id}", response_class=HTMLResponse)
def persona_places(request: Request, persona_id: str) -> HTMLResponse:
    return _subject_page(request, "persona", persona_id)


@router.get(PATH + "/netwerk/{network_id}", response_class=HTMLResponse)
def network_places(request: Request, network_id: str) -> HTMLResponse:
    return _subject_page(request, "network", network_id)
