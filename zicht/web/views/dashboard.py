"""The monitoring dashboard: ads per area over time, the change per area, and a map of gemeenten.

Every number on the page comes from ``zicht.store.counts.area_counts``, the function behind
``zicht export counts``, so the page and the export cannot disagree. The charts are Vega-Lite specs
handed to a static script as JSON (our CSP allows no inline script and no eval). A boundary map is
drawn behind the bubbles only when ``ZICHT_BOUNDARIES`` names a GeoJSON file; none is shipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache, partial
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zicht import reference
from zicht.analysis.counts import PERIODS, UNKNOWN_CODE, CountRow, CountTable, period_start
from zicht.store.aggregates import Freshness, freshness
from zicht.store.counts import area_counts, default_range
from zicht.web import i18n
from zicht.web.i18n import N_
from zicht.web.rendering import gettext, language, templates

router = APIRouter()

PATH = "/dashboard"
BOUNDARIES_ENV = "ZICHT_BOUNDARIES"
DEFAULT_SPAN = {"week": 12, "day": 28}  # periods shown when no date range is chosen
MAX_DAYS = 5 * 366  # a longer range is refused: the page would be slow and unreadable

LEVEL_LABELS: dict[str, str] = {
    "gemeente": N_("Gemeente"),
    "police_unit": N_("Police unit"),
    "province": N_("Province"),
    "site": N_("Site"),
    "category": N_("Category"),
    "region": N_("Region"),
}
PERIOD_LABELS: dict[str, str] = {"week": N_("Week"), "day": N_("Day")}


@dataclass
class DashboardForm:
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    period: str = "week"
    level: str = "gemeente"
    area: str = ""
    first_day: date | None = None
    last_day: date | None = None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_date_range(form, values: Mapping[str, str], lang: str, max_days: int, too_long: str) -> None:  # type: ignore[no-untyped-def]
    """``from``/``to`` into ``form.first_day``/``last_day``; each unreadable or impossible range is a message
    in ``form.errors`` (``too_long``, untranslated, when the range spans more than ``max_days``)."""
    for key, attr in (("from", "first_day"), ("to", "last_day")):
        if values[key]:
            day = _date(values[key])
            if day is None:
                form.errors.append(i18n.gettext(lang, N_("Write dates as YYYY-MM-DD.")))
            setattr(form, attr, day)
    if form.first_day and form.last_day:
        if form.last_day < form.first_day:
            form.errors.append(i18n.gettext(lang, N_("The date range ends before it starts.")))
        elif (form.last_day - form.first_day).days > max_days:
            form.errors.append(i18n.gettext(lang, too_long))


def parse_form(params: Mapping[str, str], lang: str) -> DashboardForm:
    """What a person chose; a value that cannot be read gives a message, never a silent default."""
    values = {k: (params.get(k) or "").strip()[:64] for k in ("period", "level", "area", "from", "to")}
    form = DashboardForm(values)
    if values["period"]:
        if values["period"] in PERIODS:
            form.period = values["period"]
        else:
            form.errors.append(i18n.gettext(lang, N_("Unknown period.")))
    if values["level"]:
        if values["level"] in LEVEL_LABELS:
            form.level = values["level"]
        else:
            form.errors.append(i18n.gettext(lang, N_("Unknown area level.")))
    form.area = values["area"]
    read_date_range(form, values, lang, MAX_DAYS, N_("Choose a date range of at most five years."))
    return form


# ---------------------------------------------------------------- chart and map specs


@cache
def _boundaries(path: str) -> dict | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("features"), list) else None


def boundaries() -> dict | None:
    """The GeoJSON named by ``ZICHT_BOUNDARIES``, or None (also when unreadable: the map works without)."""
    path = os.environ.get(BOUNDARIES_ENV, "").strip()
    return _boundaries(path) if path else None


def line_spec(rows: list[CountRow], labels: dict[str, str], title: str) -> dict:
    values = [
        {"period": r.period, "measure": labels[m], "value": getattr(r, m)}
        for r in rows
        for m in ("active_ads", "new_ads")
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": title,
        "width": "container",
        "height": 260,
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "period", "type": "ordinal", "sort": None, "title": None},
            "y": {"field": "value", "type": "quantitative", "title": None},
            "color": {"field": "measure", "type": "nominal", "title": None, "legend": {"orient": "top"}},
            "tooltip": [
                {"field": "period", "type": "ordinal"},
                {"field": "measure", "type": "nominal"},
                {"field": "value", "type": "quantitative"},
            ],
        },
    }


@dataclass(frozen=True)
class Bubble:
    code: str
    name: str
    lat: float
    lon: float
    active_ads: int


def bubbles(rows: list[CountRow]) -> list[Bubble]:
    """Gemeenten with active ads, at their reference centroids (``onbekend`` has no place on a map)."""
    out = []
    for r in rows:
        g = reference.gemeente(r.area_code) if r.area_code != UNKNOWN_CODE else None
        if g is not None and r.active_ads > 0:
            out.append(Bubble(g.code, g.name, g.lat, g.lon, r.active_ads))
    return out


@cache
def _centroids() -> list[dict[str, float]]:
    return [{"lon": g.lon, "lat": g.lat} for g in reference.gemeenten().values()]


def map_spec(points: list[Bubble], label: str, shapes: dict | None) -> dict:
    layers: list[dict] = []
    if shapes is not None:
        layers.append(
            {
                "data": {"values": shapes, "format": {"type": "json", "property": "features"}},
                "mark": {"type": "geoshape", "fill": "#eef1f4", "stroke": "#9aa5b1", "strokeWidth": 0.5},
            }
        )
    # Every gemeente centroid as a faint dot: the outline of the country without any boundary file.
    layers.append(
        {
            "name": "outline",
            "data": {"values": _centroids()},
            "mark": {"type": "circle", "size": 6, "color": "#b8c2cc", "opacity": 0.8},
            "encoding": {
                "longitude": {"field": "lon", "type": "quantitative"},
                "latitude": {"field": "lat", "type": "quantitative"},
            },
        }
    )
    layers.append(
        {
            "name": "bubbles",
            "data": {"values": [p.__dict__ for p in points]},
            "mark": {"type": "circle", "color": "#1f5f99", "opacity": 0.6, "stroke": "#0b2e4f"},
            "encoding": {
                "longitude": {"field": "lon", "type": "quantitative"},
                "latitude": {"field": "lat", "type": "quantitative"},
                "size": {
                    "field": "active_ads",
                    "type": "quantitative",
                    "title": label,
                    "scale": {"range": [20, 900]},
                },
                "tooltip": [
                    {"field": "name", "type": "nominal"},
                    {"field": "active_ads", "type": "quantitative", "title": label},
                ],
            },
        }
    )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 420,
        "height": 480,
        # Fitted to all gemeente centroids, so that one gemeente alone is not blown up to fill the frame.
        "projection": {"type": "mercator"},
        "layer": layers,
    }


# ---------------------------------------------------------------- the page


@dataclass(frozen=True)
class Dashboard:
    table: CountTable
    series: list[CountRow]
    latest: list[CountRow]
    map_rows: list[CountRow]
    area_name: str | None
    as_of: Freshness | None = None  # how current the stored figures are; None: counted directly


def build(store, form: DashboardForm) -> Dashboard:  # type: ignore[no-untyped-def]
    first, last = form.first_day, form.last_day
    if first is None or last is None:
        d_first, d_last = default_range(store, form.period, DEFAULT_SPAN[form.period])  # type: ignore[arg-type]
        last = last or max(d_last, first or d_last)
        first = first or min(d_first, last)
    # Only what the page shows is read: the last period of every area, the one series of the chart.
    # Stored figures are shown even when ads came in since the last refresh (the page says so):
    # counting a national year directly takes tens of seconds.
    counts = partial(area_counts, store, stale_ok=True)
    as_of = freshness(store)
    table = counts(form.level, form.period, first, last, latest_only=True)  # type: ignore[arg-type]
    area_name = next((a.name for a in table.areas() if a.code == form.area), None) if form.area else None
    if area_name is not None:
        series = counts(form.level, form.period, first, last, area=form.area).rows  # type: ignore[arg-type]
    else:
        series = counts("all", form.period, first, last).rows  # type: ignore[arg-type]
    last_start = period_start(table.last_day, form.period)  # type: ignore[arg-type]
    if form.level == "gemeente":
        map_rows = table.latest()
    else:
        map_rows = counts("gemeente", form.period, last_start, last_start).rows  # type: ignore[arg-type]
    return Dashboard(table, series, table.latest(), map_rows, area_name, as_of)


@router.get(PATH, response_class=HTMLResponse)
def dashboard_page(request: Request) -> HTMLResponse:
    store = request.app.state.store
    lang = language(request)
    form = parse_form(request.query_params, lang)
    board = None if form.errors else build(store, form)
    context: dict[str, object] = {
        "form": form,
        "board": board,
        "level_labels": LEVEL_LABELS,
        "period_labels": PERIOD_LABELS,
        "unknown_code": UNKNOWN_CODE,
    }
    if board is not None:
        measures = {"active_ads": gettext(request, "Active ads"), "new_ads": gettext(request, "New ads")}
        title = gettext(request, "Active and new ads per period")
        context["chart_spec"] = line_spec(board.series, measures, title)
        context["map_spec"] = map_spec(bubbles(board.map_rows), measures["active_ads"], boundaries())
        context["n_bubbles"] = len(bubbles(board.map_rows))
        context["map_unknown"] = sum(r.active_ads for r in board.map_rows if r.area_code == UNKNOWN_CODE)
    return templates(request).response(
        request, "dashboard/page.html", status_code=400 if form.errors else 200, **context
    )
