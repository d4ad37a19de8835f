"""Signaleringen (alerts): what saved watches raised, unseen first, and the watches themselves.

Writes (a new watch, stopping one, marking alerts seen) go through ``zicht.store.watches`` and only
from Zicht's own pages (``same_origin``); the person's name is remembered as with decisions. Alert
texts are rendered here from the alert's structured detail, in the reader's language, and name the
ad, never a phone number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zicht.store import watches as store_watches
from zicht.web import i18n
from zicht.web.decision_form import remember_user, remembered_user
from zicht.web.i18n import N_
from zicht.web.rendering import gettext, language, templates
from zicht.web.same_origin import is_same_origin, refused
from zicht.web.views.ad import parse_id

router = APIRouter()

PATH = "/signaleringen"
SEEN_SHOWN = 50

KIND_LABELS: dict[str, str] = {
    "contact": N_("contact point (phone number, e-mail address or handle)"),
    "photo": N_("photo (photo id or pHash)"),
    "template": N_("template (the id of an ad that uses it)"),
    "gemeente": N_("gemeente (name or CBS code, with a weekly threshold)"),
}
KIND_SHORT: dict[str, str] = {
    "contact": N_("contact point"),
    "photo": N_("photo"),
    "template": N_("template"),
    "gemeente": N_("gemeente"),
}
PROBLEM_MESSAGES: dict[str, str] = {
    store_watches.PROBLEM_KIND: N_("Choose what kind of thing to watch."),
    store_watches.PROBLEM_VALUE: N_("Fill in what to watch."),
    store_watches.PROBLEM_CONTACT: N_(
        "This is not a phone number, e-mail address or handle Zicht can read. Write a handle as "
        "telegram:name, instagram:name or snapchat:name, or give its link."
    ),
    store_watches.PROBLEM_CONTACT_MANY: N_("This holds more than one contact point; give one."),
    store_watches.PROBLEM_PHOTO: N_("Give a photo id or a pHash (16 hexadecimal digits)."),
    store_watches.PROBLEM_PHOTO_MISSING: N_("There is no hashed photo with this id."),
    store_watches.PROBLEM_AD: N_("There is no ad with this id (the number in /advertenties/…)."),
    store_watches.PROBLEM_TEMPLATE_KEYS: N_(
        "This ad has no template keys yet: they are made by the next processing run (zicht process)."
    ),
    store_watches.PROBLEM_GEMEENTE: N_(
        "Unknown gemeente. Use a current gemeente name or CBS code (e.g. GM0917)."
    ),
    store_watches.PROBLEM_THRESHOLD: N_(
        "A gemeente watch needs a threshold: the number of active ads per week."
    ),
    store_watches.PROBLEM_USER: N_("Fill in your name: it is stored with the watch."),
    store_watches.PROBLEM_USER_LONG: N_("Your name is longer than %(max)s characters."),
    store_watches.PROBLEM_LABEL_LONG: N_("The label is longer than %(max)s characters."),
    store_watches.PROBLEM_DUPLICATE: N_("This is already watched."),
    store_watches.PROBLEM_WATCH: N_("This watch was not found."),
}
_LIMITS = {
    store_watches.PROBLEM_USER_LONG: store_watches.MAX_USER,
    store_watches.PROBLEM_LABEL_LONG: store_watches.MAX_LABEL,
}


@dataclass
class WatchInput:
    """What was typed, echoed back into the form when it has to be corrected."""

    kind: str = "contact"
    value: str = ""
    threshold: str = ""
    label: str = ""
    user: str = ""
    errors: list[str] = field(default_factory=list)
    saved: bool = False


def alert_text(request: Request, alert: store_watches.AlertRow) -> str:
    """The alert in the reader's language, from its structured detail (the stored text is English)."""
    d = alert.detail
    kind = d.get("kind")
    if kind == "contact":
        return gettext(request, N_("The watched contact point appears in this ad."))
    if kind == "photo":
        return gettext(
            request,
            N_("A photo in this ad matches the watched photo (%(distance)s of 64 bits differ)."),
            distance=d.get("distance", "?"),
        )
    if kind == "template":
        return gettext(
            request,
            N_("This ad uses the watched template (%(bands)s of %(of)s text bands in common)."),
            bands=d.get("bands", "?"),
            of=d.get("of", "?"),
        )
    if kind == "gemeente":
        return gettext(
            request,
            N_("%(gemeente)s: %(count)s active ads in week %(week)s (threshold %(threshold)s)."),
            gemeente=d.get("gemeente_name", ""),
            count=d.get("active_ads", "?"),
            week=d.get("period", ""),
            threshold=d.get("threshold", "?"),
        )
    if kind == "more":
        return gettext(
            request,
            N_("%(more)s more ads matched this watch in one check; they are not listed one by one."),
            more=d.get("more", "?"),
        )
    return alert.message


def _page(
    request: Request,
    entry: WatchInput,
    *,
    status_code: int = 200,
    seen_errors: list[str] | None = None,
) -> HTMLResponse:
    store = request.app.state.store
    unseen = store_watches.list_alerts(store)
    seen = [
        a
        for a in store_watches.list_alerts(store, include_seen=True, limit=len(unseen) + SEEN_SHOWN)
        if a.seen_at
    ]
    return templates(request).response(
        request,
        "alerts/page.html",
        status_code=status_code,
        unseen=unseen,
        seen=seen,
        watches=store_watches.list_watches(store),
        entry=entry,
        kind_labels=KIND_LABELS,
        kind_short=KIND_SHORT,
        alert_text=lambda a: alert_text(request, a),
        seen_errors=seen_errors or [],
    )


@router.get(PATH, response_class=HTMLResponse)
def alerts_page(request: Request) -> HTMLResponse:
    return _page(request, WatchInput(user=remembered_user(request)))


@router.get(PATH + "/watches", include_in_schema=False)
@router.get(PATH + "/gezien", include_in_schema=False)
def back_to_page(request: Request) -> RedirectResponse:
    """The form targets, opened by GET (the language switch on a page with form errors): the page."""
    query = request.url.query
    return RedirectResponse(PATH + (f"?{query}" if query else ""), status_code=303)


REFUSED = N_(
    "This change was not stored: the form did not come from a Zicht page. "
    "Open the alerts page in Zicht and try there."
)


def _messages(request: Request, problem: str) -> list[str]:
    text = PROBLEM_MESSAGES.get(problem)
    if text is None:
        return [problem]
    return [i18n.gettext(language(request), text, max=_LIMITS.get(problem, 0))]


@router.post(PATH + "/watches", response_class=HTMLResponse)
def add_watch(
    request: Request,
    kind: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    threshold: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "",
    user: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
) -> Response:
    if not is_same_origin(request):
        return refused(request, REFUSED)
    if target and not kind:  # the ad page's "watch this": one choice "kind|value"
        kind, _, value = target.partition("|")
    entry = WatchInput(kind, value, threshold, label, user)
    number: int | None = None
    if threshold.strip():
        number = int(threshold) if threshold.strip().isdigit() and len(threshold.strip()) <= 7 else 0
    try:
        watch = store_watches.create_watch(
            request.app.state.store, kind, value, user=user, label=label, threshold=number
        )
    except store_watches.WatchError as exc:
        entry.errors = _messages(request, exc.problem)
        return _page(request, entry, status_code=400)
    response = RedirectResponse(f"{PATH}#watch-{watch.id}", status_code=303)
    remember_user(response, watch.created_by)
    return response


@router.post(PATH + "/watches/{watch_id}/stoppen", response_class=HTMLResponse)
def stop_watch(request: Request, watch_id: str) -> Response:
    if not is_same_origin(request):
        return refused(request, REFUSED)
    number = parse_id(watch_id)
    if number is None:
        raise HTTPException(404, detail="watch")
    try:
        store_watches.deactivate_watch(request.app.state.store, number)
    except store_watches.WatchError:
        raise HTTPException(404, detail="watch") from None
    return RedirectResponse(PATH, status_code=303)


@router.post(PATH + "/gezien", response_class=HTMLResponse)
def mark_seen(
    request: Request,
    user: Annotated[str, Form()] = "",
    alert: Annotated[list[str] | None, Form()] = None,
    all_: Annotated[str, Form(alias="all")] = "",
    up_to: Annotated[str, Form(alias="upto")] = "",
) -> Response:
    if not is_same_origin(request):
        return refused(request, REFUSED)
    ids = [n for a in alert or [] if (n := parse_id(a)) is not None]
    if not all_ and not ids:
        return _page(
            request,
            WatchInput(user=user or remembered_user(request)),
            status_code=400,
            seen_errors=[gettext(request, N_("Choose the alerts to mark as seen."))],
        )
    try:
        store_watches.mark_seen(
            request.app.state.store, user, None if all_ else ids, up_to=parse_id(up_to) if all_ else None
        )
    except store_watches.WatchError as exc:
        return _page(
            request,
            WatchInput(user=user),
            status_code=400,
            seen_errors=_messages(request, exc.problem),
        )
    response = RedirectResponse(PATH, status_code=303)
    remember_user(response, store_watches.clean_user(user))
    return response


def unseen_count(request: Request) -> int:
    """The number on the navigation's badge (one indexed count per page)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        return 0
    try:
        return store_watches.count_unseen(store)
    except Exception:  # a badge is not worth a failed page (an error page is rendered with it too)
        return 0
