"""HTML rendering: one Jinja environment per language, so translations never leak between requests.

Helpers exposed to templates live here too: dates in Dutch local time, urls that keep the
current filters, and ``safe_href`` so a stored ``javascript:`` url can never become a live link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from zicht.web import i18n
from zicht.web.i18n import N_

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # an N_-marked message id


# The header navigation; later pages (worklist, networks, dashboard) add themselves here.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("/werklijst", N_("Worklist")),
    NavItem("/advertenties", N_("Ads")),
    NavItem("/netwerken", N_("Networks")),
    NavItem("/dashboard", N_("Dashboard")),
    NavItem("/interventies", N_("Interventions")),
    NavItem("/beweging", N_("Movement")),
    NavItem("/signaleringen", N_("Alerts")),
)


def safe_href(url: str | None) -> str | None:
    """The url when it is an absolute http(s) url, else None (never a script or data url)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def url_with(path: str, params: Mapping[str, object], **changes: object) -> str:
    """``path`` with ``params`` updated by ``changes``; empty values are left out."""
    merged = {**params, **changes}
    pairs = [(k, str(v)) for k, v in merged.items() if v not in (None, "")]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def is_htmx(request: Request, target: str) -> bool:
    """An HTMX request that swaps only ``#target`` (a history restore wants the whole page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-target") == target
        and request.headers.get("hx-history-restore-request") != "true"
    )


def _time_html(value: datetime | None, lang: str) -> Markup:
    if value is None:
        return Markup("")
    return Markup('<time datetime="{}">{}</time>').format(
        value.isoformat(timespec="seconds"), i18n.format_datetime(value, lang)
    )


def _unseen_alerts(request: Request) -> int:
    """The count badge on the Alerts navigation item (see ``zicht.web.views.alerts``)."""
    from zicht.web.views.alerts import unseen_count

    return unseen_count(request)


def _environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        lang=lang,
        languages=i18n.LANGUAGES,
        navigation=NAVIGATION,
        url_with=url_with,
        safe_href=safe_href,
        unseen_alerts=_unseen_alerts,
    )
    env.filters["when"] = lambda value: _time_html(value, lang)
    env.filters["number"] = lambda value: i18n.format_number(value, lang)
    return env


class Templates:
    def __init__(self) -> None:
        self.environments = {lang: _environment(lang) for lang in i18n.LANGUAGES}

    def render_string(self, request: Request, name: str, **context: object) -> str:
        lang = language(request)
        template = self.environments[lang].get_template(name)
        return template.render(
            request=request,
            current_path=request.url.path,
            query=dict(request.query_params),
            **context,
        )

    def response(
        self, request: Request, name: str, *, status_code: int = 200, **context: object
    ) -> HTMLResponse:
        response = HTMLResponse(self.render_string(request, name, **context), status_code=status_code)
        response.headers["Vary"] = "HX-Request, HX-Target, Cookie"
        return response


def language(request: Request) -> str:
    return getattr(request.state, "lang", i18n.DEFAULT_LANGUAGE)


def templates(request: Request) -> Templates:
    return request.app.state.templates


def gettext(request: Request, message: str, **values: object) -> str:
    return i18n.gettext(language(request), message, **values)
