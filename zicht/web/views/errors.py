"""Friendly error pages in the person's language instead of bare JSON or a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from zicht.web.i18n import N_
from zicht.web.rendering import templates

log = logging.getLogger(__name__)

# What was not found, by the ``detail`` a view raises its 404 with.
NOT_FOUND: dict[str, str] = {
    "ad": N_("This ad was not found. The number may be wrong, or the ad was removed from Zicht."),
    "photo": N_("This photo was not found."),
    "snapshot": N_("This stored page was not found."),
    "network": N_("This network was not found. Networks are renumbered when the linking stage runs again."),
    "pair": N_("These two ads are not linked in this network."),
}
GENERIC_NOT_FOUND = N_("There is no page at this address.")


def _page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return templates(request).response(
        request, "error.html", status_code=status, title=title, message=message, status=status
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> HTMLResponse:
        if exc.status_code == 404:
            detail = exc.detail if isinstance(exc.detail, str) else ""
            return _page(request, 404, N_("Not found"), NOT_FOUND.get(detail, GENERIC_NOT_FOUND))
        if exc.status_code == 405:
            return _page(request, 405, N_("Not allowed"), N_("This address cannot be used this way."))
        return _page(
            request, exc.status_code, N_("Something went wrong"), N_("The request could not be handled.")
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> HTMLResponse:
        return _page(request, 400, N_("Invalid request"), N_("Part of the address is not valid."))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> HTMLResponse:
        log.exception("unhandled error on %s", request.url.path)
        return _page(
            request,
            500,
            N_("Something went wrong"),
            N_("Zicht could not show this page. Nothing was changed. Try again, or tell the administrator."),
        )
