"""The worklist: ads ranked by their explained score, for a person to look at and decide on.

Filters are a GET form (HTMX swaps only the results; plain GET works without JS). Each row carries
a decision form; nothing on this page acts by itself.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zicht import reference
from zicht.signals.catalogue import load_catalogue
from zicht.store import views as queries
from zicht.store.views import WorkRow
from zicht.web.ad_signals import EVIDENCE_LABELS
from zicht.web.decision_form import DECISION_LABELS, DecisionInput, remembered_user
from zicht.web.rendering import is_htmx, language, templates, url_with
from zicht.web.worklist_filters import (
    AD_STATUS_LABELS,
    DEFAULTS,
    LABELS,
    STATUS_LABELS,
    gemeente_choices,
    indicator_choices,
    parse_work_filters,
    police_unit_choices,
)

router = APIRouter()

PATH = "/werklijst"
RESULTS_ID = "results"
ROW_PREFIX = "ad-row-"
TOP_INDICATORS = 3


def gemeente_name(code: str | None) -> str | None:
    found = reference.gemeente(code) if code else None
    return found.name if found else None


def row_context(request: Request) -> dict[str, object]:
    """What the row template needs besides the row, shared with the decision view."""
    lang = language(request)
    catalogue = load_catalogue()
    return {
        "indicators": {ind.code: ind for ind in catalogue.indicators},
        "indicator_name": lambda code: (
            catalogue.by_code()[code].name.get(lang) if code in catalogue.by_code() else code
        ),
        "evidence_labels": EVIDENCE_LABELS,
        "gemeente_name": gemeente_name,
        "decision_labels": DECISION_LABELS,
        "top_indicators": TOP_INDICATORS,
        "row_prefix": ROW_PREFIX,
    }


def render_row(
    request: Request, row: WorkRow, entry: DecisionInput, back: str, *, status_code: int = 200
) -> HTMLResponse:
    return templates(request).response(
        request,
        "worklist/_row.html",
        status_code=status_code,
        row=row,
        entry=entry,
        back=back,
        **row_context(request),
    )


@router.get(PATH, response_class=HTMLResponse)
def worklist_page(request: Request) -> HTMLResponse:
    store = request.app.state.store
    lang = language(request)
    site_names = queries.site_names(store)
    form = parse_work_filters(request.query_params, lang, site_names)
    page = queries.worklist(store, form.query) if form.query else None
    partial = is_htmx(request, RESULTS_ID)
    shown = {k: v for k, v in form.values.items() if v and DEFAULTS.get(k) != v}
    back = url_with(PATH, shown)
    response = templates(request).response(
        request,
        "worklist/_results.html" if partial else "worklist/list.html",
        status_code=400 if form.errors else 200,
        form=form,
        page=page,
        partial=partial,
        back=back,
        labels=LABELS,
        status_labels=STATUS_LABELS,
        ad_status_labels=AD_STATUS_LABELS,
        defaults=DEFAULTS,
        sites=[] if partial else site_names,
        gemeenten=[] if partial else gemeente_choices(),
        police_units=[] if partial else police_unit_choices(),
        indicator_options=[] if partial else indicator_choices(lang),
        user=remembered_user(request),
        entry=DecisionInput(),
        **row_context(request),
    )
    if partial:
        response.headers["HX-Push-Url"] = back
    return response
