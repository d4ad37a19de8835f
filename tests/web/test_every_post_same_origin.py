"""Every route that changes data refuses a form that did not come from a Zicht page.

The routes are read from the app itself, so a new POST form without the same-origin check fails
here even when its own tests forget the case.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_seed import Seeded

from zicht.store import models
from zicht.web.app import create_app

FOREIGN = [
    {},  # proves nothing: refused
    {"Origin": "http://evil.example"},
    {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    {"Referer": "http://evil.example/form"},
]
# Values that pass every form's own checks, so that only the origin can be the reason for a 403.
FORM = {
    "user": "Analist",
    "decision": "split",
    "level": "persona",
    "reason": "test",
    "ad_a": "1",
    "ad_b": "2",
    "kind": "contact",
    "value": "0612345678",
    "name": "Regio",
    "gemeenten": "Heerlen",
    "day": "2026-01-05",
    "all": "1",
}


def _routes(routes: list, prefix: str = "") -> list[tuple[str, set[str]]]:
    """(path, methods) of every API route, also inside included routers (newer FastAPI keeps those
    as wrappers around the original router)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            out += _routes(inner.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            out.append((prefix + route.path, set(route.methods)))
    return out


def _post_paths() -> list[str]:
    app = create_app(None)  # type: ignore[arg-type]  # routes only; no request is served
    changing = {"POST", "PUT", "PATCH", "DELETE"}
    return sorted(
        re.sub(r"\{[^}]+\}", "1", path) for path, methods in _routes(app.routes) if methods & changing
    )


POST_PATHS = _post_paths()


def test_the_app_has_the_forms_we_know_of() -> None:
    for known in ("/advertenties/1/beslissingen", "/signaleringen/watches", "/interventies", "/regios"):
        assert known in POST_PATHS


@pytest.mark.parametrize("path", POST_PATHS)
def test_a_foreign_post_is_refused_and_changes_nothing(shared: Seeded, path: str) -> None:
    before = _state(shared)
    for headers in FOREIGN:
        with TestClient(shared.app) as c:  # a fresh client: no language or name cookie
            r = c.post(path + "?lang=en", data=FORM, headers=headers, follow_redirects=False)
        assert r.status_code == 403, (path, headers, r.status_code)
        assert "did not come from a Zicht page" in r.text
    assert _state(shared) == before


def _state(seeded: Seeded) -> tuple:
    """Counts of every table a form writes to."""
    tables = [models.Review, models.LinkDecision, models.Watch, models.Alert, models.Intervention]
    tables += [models.Region]
    with seeded.store.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in tables)
