"""A same-origin check for requests that change data, while the app has no sessions to hang a
CSRF token on.

A page on another site can make a browser send a form here, but it cannot make the browser lie
about where the request comes from: ``Origin``, ``Sec-Fetch-Site`` and ``Referer`` are set by the
browser, not by the page. Our pages send no referrer (``Referrer-Policy: no-referrer``), and under
that policy a browser sends ``Origin: null`` even for our own forms; ``Sec-Fetch-Site`` then says
whether the request is same-origin. A request that proves nothing is refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse

from zicht.web.hosts import hostname
from zicht.web.i18n import N_
from zicht.web.rendering import templates


def _host_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return parts.netloc.lower() if parts.scheme in ("http", "https") and parts.netloc else None


def is_same_origin(request: Request) -> bool:
    """True when the browser says the request comes from a page of this host, and this host is one
    the app serves (the host middleware already refused others; checked again so no form relies on it)."""
    host = (request.headers.get("host") or "").lower()
    allowed = getattr(request.app.state, "allowed_hosts", None)
    if not host or (allowed is not None and hostname(host) not in allowed):
        return False
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        return _host_of(origin) == host
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    referer = request.headers.get("referer")
    if referer:
        return _host_of(referer) == host
    return False


def refused(request: Request, message: str) -> HTMLResponse:
    """The 403 page for a change whose form did not come from a Zicht page.

    ``message`` is an ``N_`` msgid that says what was not stored and where to try instead.
    """
    return templates(request).response(
        request, "error.html", status_code=403, title=N_("Not allowed"), message=message, status=403
    )
