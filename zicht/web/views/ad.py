"""One ad: what it says now, the facts and signals Zicht found in it, the decisions people took on
it, and its versions compared word by word.

Photos of people are not shown until someone asks for one, photo by photo.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from zicht.signals.catalogue import load_catalogue
from zicht.sources.types import CANONICAL_FIELDS
from zicht.store import views as queries
from zicht.store.movement import persona_of_ad
from zicht.store.network_page import ad_network
from zicht.store.views import AdView
from zicht.web import diff
from zicht.web.ad_facts import KIND_LABELS, SOURCE_LABELS, facts_shown
from zicht.web.ad_signals import EVIDENCE_LABELS, FIELD_NAMES, STATE_LABELS, build_signals
from zicht.web.decision_form import DECISION_LABELS, DecisionInput, remembered_user
from zicht.web.i18n import N_
from zicht.web.rendering import gettext, is_htmx, language, safe_href, templates

router = APIRouter()

COMPARE_ID = "compare"
PHOTO_TARGET_PREFIX = "photo-"

FIELD_LABELS: dict[str, str] = {
    "age": N_("Age"),
    "gender": N_("Gender"),
    "location": N_("Place"),
    "origin": N_("Origin"),
    "orientation": N_("Orientation"),
    "category": N_("Category"),
    "reception": N_("Reception"),
    "hours": N_("Hours"),
    "features": N_("Features"),
    "name": N_("Name"),
    "phone": N_("Phone"),
    "email": N_("Email"),
}
_NUMBER = re.compile(r"[0-9]{1,10}")


def parse_id(text: str) -> int | None:
    return int(text) if _NUMBER.fullmatch(text) else None


def load_ad(request: Request, ad_id: str) -> AdView:
    number = parse_id(ad_id)
    found = queries.ad_view(request.app.state.store, number) if number is not None else None
    if found is None:
        raise HTTPException(404, detail="ad")
    return found


def _version_choice(request: Request, ad: AdView) -> tuple[int | None, int | None, str | None]:
    """The two version numbers to compare (default: the last two), or a message why not."""
    n = len(ad.versions)
    if n < 2:
        return None, None, None
    defaults = {"a": n - 1, "b": n}
    chosen: dict[str, int] = {}
    for key in ("a", "b"):
        raw = request.query_params.get(key, "").strip()
        number = parse_id(raw) if raw else defaults[key]
        if number is None or not 1 <= number <= n:
            return None, None, gettext(request, N_("There is no version “%(value)s” of this ad."), value=raw)
        chosen[key] = number
    return chosen["a"], chosen["b"], None


@router.get("/advertenties/{ad_id}", response_class=HTMLResponse)
def ad_page(request: Request, ad_id: str) -> HTMLResponse:
    ad = load_ad(request, ad_id)
    a, b, problem = _version_choice(request, ad)
    old, new = ad.version(a or 0), ad.version(b or 0)
    comparison = diff.compare(old, new, CANONICAL_FIELDS) if old and new else None
    context = {
        "ad": ad,
        "a": a,
        "b": b,
        "problem": problem,
        "comparison": comparison,
        "field_labels": FIELD_LABELS,
        "canonical_fields": CANONICAL_FIELDS,
    }
    status = 400 if problem else 200
    if is_htmx(request, COMPARE_ID):
        return templates(request).response(
            request, "ad/_compare.html", status_code=status, partial=True, **context
        )
    store = request.app.state.store
    current = ad.current
    photos = queries.version_photos(store, current) if current else []
    signals = facts = None
    if current:
        lang = language(request)
        stored = queries.version_signals(store, current.id)
        signals = build_signals(stored, current, load_catalogue(), lang)
        facts = (
            facts_shown(stored.facts, stored.contacts, current, lang) if stored.facts is not None else None
        )
    return templates(request).response(
        request,
        "ad/detail.html",
        status_code=status,
        current=current,
        photos=photos,
        signals=signals,
        facts=facts,
        reviews=queries.ad_reviews(store, ad.id),
        network=ad_network(store, ad.id),
        movement_subject=persona_of_ad(store, ad.id),
        entry=DecisionInput(user=remembered_user(request)),
        decision_labels=DECISION_LABELS,
        evidence_labels=EVIDENCE_LABELS,
        state_labels=STATE_LABELS,
        field_names=FIELD_NAMES,
        source_labels=SOURCE_LABELS,
        kind_labels=KIND_LABELS,
        **context,
    )


@router.get("/advertenties/{ad_id}/fotos/{number}", response_class=HTMLResponse)
def ad_photo(request: Request, ad_id: str, number: str) -> HTMLResponse:
    """One photo of the current version, on request: a fragment for HTMX, a page without JS."""
    ad = load_ad(request, ad_id)
    photos = queries.version_photos(request.app.state.store, ad.current) if ad.current else []
    position = parse_id(number)
    if position is None or not 1 <= position <= len(photos):
        raise HTTPException(404, detail="photo")
    photo = photos[position - 1]
    if photo.raw_page_id is None and safe_href(photo.url) is None:
        raise HTTPException(404, detail="photo")  # nothing that may be loaded
    partial = is_htmx(request, f"{PHOTO_TARGET_PREFIX}{position}")
    return templates(request).response(
        request,
        "ad/_photo.html" if partial else "ad/photo.html",
        ad=ad,
        photo=photo,
        number=position,
    )
