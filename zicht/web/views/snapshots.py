"""Stored pages as evidence: the record, its verified sha256, and the page shown without risk.

A stored page is hostile input. It is shown as escaped source text, and rendered only from
``/snapshots/{id}/inhoud`` under a CSP ``sandbox`` that forbids every script and every fetch,
inside an ``<iframe sandbox="">``; either barrier alone already keeps it inert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from zicht.store import views as queries
from zicht.store.db import DatabaseError
from zicht.store.store import Store
from zicht.store.views import SnapshotView
from zicht.web.rendering import templates
from zicht.web.views.ad import parse_id

router = APIRouter()

SNAPSHOT_CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
# Content types served as they are; anything else goes out as an opaque download.
_INLINE_TYPES = {
    "text/html",
    "text/plain",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/avif",
}
_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9._:-]{1,40})", re.IGNORECASE)
SOURCE_VIEW_LIMIT = 2_000_000


@dataclass(frozen=True)
class Evidence:
    body: bytes | None
    verified: bool
    problem: str | None  # "mismatch" | "missing"


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """The bare media type and charset of a stored Content-Type header."""
    if not content_type:
        return "application/octet-stream", None
    base = content_type.split(";", 1)[0].strip().lower()
    charset = _CHARSET.search(content_type)
    return base or "application/octet-stream", charset.group(1) if charset else None


def decode(body: bytes, charset: str | None) -> str:
    for candidate in (charset, "utf-8"):
        if candidate:
            try:
                return body.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    return body.decode("cp1252", errors="replace")


def read_evidence(store: Store, snap: SnapshotView) -> Evidence:
    try:
        return Evidence(store.read_raw_body(snap.page, verify=True), True, None)
    except DatabaseError:
        return Evidence(store.read_raw_body(snap.page, verify=False), False, "mismatch")
    except (OSError, EOFError):
        return Evidence(None, False, "missing")


def load_snapshot(request: Request, raw_page_id: str) -> SnapshotView:
    number = parse_id(raw_page_id)
    snap = queries.snapshot_view(request.app.state.store, number) if number is not None else None
    if snap is None:
        raise HTTPException(404, detail="snapshot")
    return snap


@router.get("/snapshots/{raw_page_id}", response_class=HTMLResponse)
def snapshot_page(request: Request, raw_page_id: str) -> HTMLResponse:
    snap = load_snapshot(request, raw_page_id)
    evidence = read_evidence(request.app.state.store, snap)
    base, charset = media_type(snap.page.content_type)
    is_text = base.startswith("text/") or base in ("application/xhtml+xml", "application/json")
    source = None
    truncated = False
    if evidence.body is not None and is_text:
        truncated = len(evidence.body) > SOURCE_VIEW_LIMIT
        source = decode(evidence.body[:SOURCE_VIEW_LIMIT], charset)
    return templates(request).response(
        request,
        "snapshots/detail.html",
        snap=snap,
        page=snap.page,
        evidence=evidence,
        source=source,
        truncated=truncated,
        renderable=evidence.verified and base == "text/html",
        is_image=evidence.verified and base.startswith("image/") and base in _INLINE_TYPES,
    )


@router.get("/snapshots/{raw_page_id}/inhoud")
def snapshot_content(request: Request, raw_page_id: str) -> Response:
    """The stored bytes, only when they still match their sha256, under a no-script sandbox."""
    snap = load_snapshot(request, raw_page_id)
    evidence = read_evidence(request.app.state.store, snap)
    if not evidence.verified or evidence.body is None:
        return Response(
            "stored page could not be verified against its sha256; see the snapshot page",
            status_code=409,
            media_type="text/plain",
        )
    base, charset = media_type(snap.page.content_type)
    headers = {
        "Content-Security-Policy": SNAPSHOT_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Referrer-Policy": "no-referrer",
    }
    if base in _INLINE_TYPES:
        content_type = f"{base}; charset={charset}" if charset and base.startswith("text/") else base
        headers["Content-Disposition"] = f'inline; filename="snapshot-{snap.page.id}"'
    else:
        content_type = "application/octet-stream"
        headers["Content-Disposition"] = f'attachment; filename="snapshot-{snap.page.id}"'
    return Response(evidence.body, media_type=content_type, headers=headers)
