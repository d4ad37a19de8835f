"""Recording a person's decision on an ad, from a worklist row or from the ad page.

The only page that writes. It refuses requests that do not come from Zicht's own pages (see
``same_origin``), stores through ``zicht.store.reviews`` and answers with what the form came from:
the worklist row or the ad page's decision section (HTMX), or a redirect back (no JavaScript).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zicht.store import views as queries
from zicht.store.reviews import PROBLEM_AD, ReviewError, clean_user, record_review
from zicht.web.decision_form import DECISION_LABELS, DecisionInput, messages, remember_user, safe_back
from zicht.web.i18n import N_
from zicht.web.rendering import is_htmx, templates
from zicht.web.same_origin import is_same_origin, refused
from zicht.web.views.ad import parse_id
from zicht.web.views.worklist import ROW_PREFIX, render_row

router = APIRouter()

DECISION_ID = "decision"


REFUSED = N_(
    "This decision was not stored: the form did not come from a Zicht page. "
    "Open the ad or the worklist in Zicht and record the decision there."
)


def decision_section(request: Request, ad_id: int, entry: DecisionInput, *, status_code: int) -> HTMLResponse:
    ad = queries.ad_view(request.app.state.store, ad_id)
    if ad is None:
        raise HTTPException(404, detail="ad")
    return templates(request).response(
        request,
        "ad/_decision.html",
        status_code=status_code,
        ad=ad,
        entry=entry,
        reviews=queries.ad_reviews(request.app.state.store, ad_id),
        decision_labels=DECISION_LABELS,
    )


@router.post("/advertenties/{ad_id}/beslissingen", response_class=HTMLResponse)
def record_decision(
    request: Request,
    ad_id: str,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    user: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    if not is_same_origin(request):
        return refused(request, REFUSED)
    number = parse_id(ad_id)
    if number is None:
        raise HTTPException(404, detail="ad")
    store = request.app.state.store
    entry = DecisionInput(decision=decision, reason=reason, user=clean_user(user))
    try:
        record_review(store, number, user, decision, reason)
    except ReviewError as exc:
        if PROBLEM_AD in exc.problems:
            raise HTTPException(404, detail="ad") from None
        entry.errors = messages(request, exc.problems)
    else:
        entry = DecisionInput(user=clean_user(user), saved=True)
    status = 400 if entry.errors else 200
    row_target = f"{ROW_PREFIX}{number}"
    if is_htmx(request, row_target):
        row = queries.work_row(store, number)
        if row is None:
            raise HTTPException(404, detail="ad")
        response: Response = render_row(request, row, entry, safe_back(back, number), status_code=status)
    elif is_htmx(request, DECISION_ID):
        response = decision_section(request, number, entry, status_code=status)
    elif entry.errors:
        ad = queries.ad_view(store, number)
        if ad is None:
            raise HTTPException(404, detail="ad")
        response = templates(request).response(
            request,
            "ad/decision.html",
            status_code=status,
            ad=ad,
            entry=entry,
            back=safe_back(back, number),
            decision_labels=DECISION_LABELS,
        )
    else:
        response = RedirectResponse(safe_back(back, number), status_code=303)
    if entry.saved:
        remember_user(response, entry.user)
    return response
