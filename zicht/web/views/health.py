"""``/health``: is the database reachable, and how much is in it (for monitoring and demos)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from zicht.store.db import DatabaseError

router = APIRouter()
log = logging.getLogger(__name__)


@router.get("/health")
def health(request: Request) -> JSONResponse:
    try:
        counts = request.app.state.store.counts()
    except (DatabaseError, SQLAlchemyError, OSError) as exc:
        # The message may name the database; monitoring only needs to know it failed.
        log.error("health check failed: %s", exc)
        return JSONResponse({"status": "error", "error": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "counts": counts})
