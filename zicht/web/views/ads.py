"""The ad list: filters as a GET form; HTMX swaps only the results, plain GET works without JS."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zicht.store import views as queries
from zicht.web.ad_filters import DEFAULT_SORT, LABELS, SORT_LABELS, STATUS_LABELS, parse_filters
from zicht.web.rendering import is_htmx, language, templates, url_with

router = APIRouter()

RESULTS_ID = "results"


@router.get("/advertenties", response_class=HTMLResponse)
def ad_list(request: Request) -> HTMLResponse:
    store = request.app.state.store
    site_names = queries.site_names(store)
    form = parse_filters(request.query_params, language(request), site_names)
    page = queries.list_ads(store, form.query) if form.query else None
    partial = is_htmx(request, RESULTS_ID)
    response = templates(request).response(
        request,
        "ads/_results.html" if partial else "ads/list.html",
        status_code=400 if form.errors else 200,
        form=form,
        page=page,
        sites=[] if partial else site_names,
        labels=LABELS,
        sort_labels=SORT_LABELS,
        status_labels=STATUS_LABELS,
        partial=partial,
    )
    if partial:
        # The address bar gets the filters without the empty fields of the form.
        shown = {
            k: v for k, v in form.values.items() if (k, v) not in (("sort", DEFAULT_SORT), ("page", "1"))
        }
        response.headers["HX-Push-Url"] = url_with("/advertenties", shown)
    return response
