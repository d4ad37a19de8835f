"""Regions: the list of user-defined regions (named sets of gemeenten) with a form to add, edit or delete one.

Writes go through ``zicht.store.regions`` and only from Zicht's own pages (``same_origin``); the name
is remembered as with decisions. Every typed gemeente that is not one clear current gemeente is named
back in the person's language, and nothing is stored until all are clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zicht import reference
from zicht.store import regions as store_regions
from zicht.store.aggregates import refresh_regions_later
from zicht.web import i18n
from zicht.web.decision_form import remember_user, remembered_user
from zicht.web.i18n import N_
from zicht.web.rendering import language, templates
from zicht.web.same_origin import is_same_origin, refused
from zicht.web.views.ad import parse_id

router = APIRouter()

PATH = "/regios"

PROBLEM_MESSAGES: dict[str, str] = {
    store_regions.PROBLEM_NAME: N_("Give the region a name."),
    store_regions.PROBLEM_NAME_LONG: N_("The name is longer than %(max)s characters."),
    store_regions.PROBLEM_NAME_TAKEN: N_(
        "A region with this name exists already. Choose another name, or edit that region."
    ),
    store_regions.PROBLEM_USER: N_("Fill in your name: it is stored with the region."),
    store_regions.PROBLEM_USER_LONG: N_("Your name is longer than %(max)s characters."),
    store_regions.PROBLEM_DESCRIPTION_LONG: N_("The description is longer than %(max)s characters."),
    store_regions.PROBLEM_GEMEENTEN: N_("Name at least one gemeente, or choose a police unit or a province."),
}
_LIMITS = {
    store_regions.PROBLEM_NAME_LONG: store_regions.MAX_NAME,
    store_regions.PROBLEM_USER_LONG: store_regions.MAX_USER,
    store_regions.PROBLEM_DESCRIPTION_LONG: store_regions.MAX_DESCRIPTION,
}
VALUE_MESSAGES: dict[str, str] = {
    store_regions.UNKNOWN: N_(
        "Unknown gemeente: \u201c%(value)s\u201d. Use a current gemeente name or CBS code (e.g. GM0917)."
    ),
    store_regions.AMBIGUOUS: N_("\u201c%(value)s\u201d is more than one gemeente: write one of %(names)s."),
    store_regions.SPLIT: N_(
        "\u201c%(value)s\u201d was split over several gemeenten: name the ones you mean (%(names)s)."
    ),
    store_regions.POLICE_UNIT_UNKNOWN: N_("Unknown police unit: \u201c%(value)s\u201d."),
    store_regions.PROVINCE_UNKNOWN: N_("Unknown province: \u201c%(value)s\u201d."),
}


@dataclass
class RegionInput:
    """What was typed, echoed back into the form when it has to be corrected."""

    name: str = ""
    description: str = ""
    gemeenten: str = ""
    police_unit: str = ""
    province: str = ""
    user: str = ""
    region_id: int | None = None
    errors: list[str] = field(default_factory=list)


def messages(lang: str, exc: store_regions.RegionError) -> list[str]:
    out = [
        i18n.gettext(lang, PROBLEM_MESSAGES[p], max=_LIMITS.get(p, 0))
        for p in exc.problems
        if p in PROBLEM_MESSAGES
    ]
    for v in exc.values:
        names = ", ".join(store_regions.gemeente_label(c) for c in v.candidates)
        out.append(i18n.gettext(lang, VALUE_MESSAGES[v.reason], value=v.value, names=names))
    return out


def _page(
    request: Request,
    entry: RegionInput,
    *,
    status_code: int = 200,
    saved: str = "",
    removed: str = "",
) -> HTMLResponse:
    return templates(request).response(
        request,
        "regions/list.html",
        status_code=status_code,
        regions=store_regions.list_regions(request.app.state.store),
        entry=entry,
        saved=saved,
        removed=removed,
        police_units=sorted(reference.police_units().values(), key=lambda u: u.name),
        provinces=sorted(reference.provinces().items(), key=lambda p: p[1]),
    )


@router.get(PATH, response_class=HTMLResponse)
def regions_page(request: Request) -> HTMLResponse:
    params = request.query_params
    entry = RegionInput(user=remembered_user(request))
    if params.get("bewerk"):
        number = parse_id(params["bewerk"])
        row = store_regions.get_region_by_id(request.app.state.store, number) if number else None
        if row is None:
            raise HTTPException(404, detail="region")
        entry = RegionInput(
            name=row.name,
            description=row.description,
            gemeenten="\n".join(row.gemeente_names),
            user=entry.user,
            region_id=row.id,
        )
    return _page(
        request, entry, saved=params.get("opgeslagen", "")[:200], removed=params.get("verwijderd", "")[:200]
    )


REFUSED = N_(
    "This change was not stored: the form did not come from a Zicht page. "
    "Open the regions page in Zicht and try there."
)


@router.post(PATH, response_class=HTMLResponse)
def save(
    request: Request,
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    gemeenten: Annotated[str, Form()] = "",
    police_unit: Annotated[str, Form()] = "",
    province: Annotated[str, Form()] = "",
    user: Annotated[str, Form()] = "",
    region_id: Annotated[str, Form()] = "",
) -> Response:
    if not is_same_origin(request):
        return refused(request, REFUSED)
    number = parse_id(region_id) if region_id else None
    if region_id and number is None:
        raise HTTPException(404, detail="region")
    entry = RegionInput(name, description, gemeenten, police_unit, province, user, number)
    try:
        row, _notes = store_regions.save_region(
            request.app.state.store,
            name,
            [gemeenten],
            user=user,
            description=description,
            police_units=[police_unit],
            provinces=[province],
            region_id=number,
        )
    except store_regions.RegionError as exc:
        if store_regions.PROBLEM_NOT_FOUND in exc.problems:
            raise HTTPException(404, detail="region") from None
        entry.errors = messages(language(request), exc)
        return _page(request, entry, status_code=400)
    request.app.state.region_refresh = refresh_regions_later(request.app.state.store)
    response = RedirectResponse(f"{PATH}?opgeslagen={row.id}#region-{row.id}", status_code=303)
    if number is None:
        remember_user(response, row.created_by)
    return response


@router.post(PATH + "/{region_id}/verwijderen", response_class=HTMLResponse)
def remove(request: Request, region_id: str) -> Response:
    if not is_same_origin(request):
        return refused(request, REFUSED)
    number = parse_id(region_id)
    row = store_regions.get_region_by_id(request.app.state.store, number) if number else None
    if row is None or not store_regions.delete_region(request.app.state.store, region_id=row.id):
        raise HTTPException(404, detail="region")
    request.app.state.region_refresh = refresh_regions_later(request.app.state.store)
    return RedirectResponse(f"{PATH}?{urlencode({'verwijderd': row.name})}", status_code=303)
