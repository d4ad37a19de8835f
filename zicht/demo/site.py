"""The demo web site: the synthetic market served in the three sites' layouts from one local server.

Each site lives under a path prefix (``/kinky``, ``/sexjobs``, ``/redlights``) and answers the same
paths as the real site, so the real adapters and crawler run against it unchanged. It behaves like
the real thing where a crawler can get it wrong: age gates and cookie walls, a "toon nummer" call,
robots.txt with a crawl delay and a disallowed area, rate limiting (429 + Retry-After), removed ads
(404), edited ads, and a small deterministic share of broken pages. Everything is invented.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from zicht.demo.images import render_photo
from zicht.demo.model import (
    SITE_CATEGORIES,
    SITE_RECEPTIONS,
    SITES,
    DemoAd,
    DemoPhoto,
    DemoVersion,
    Market,
    as_ads,
)

PER_PAGE = 30
BROKEN_KINDS = ("truncated", "error_once", "wrong_charset")
TEMPLATES = Path(__file__).parent / "templates"

# Cookie names and the values that open each gate; they mirror the adapters' AGE_GATE and
# COOKIE_CONSENT (the adapters describe the real sites, this server imitates them).
AGE_COOKIES = {"kinky": "kinky_18plus", "sexjobs": "sj_age_verified", "redlights": "rl_disclaimer"}
CONSENT_COOKIES = {"kinky": "kinky_cookies", "sexjobs": "sj_consent", "redlights": "rl_cookiebar"}
# Areas robots.txt forbids; fetching one is counted as ``disallowed`` (a crawler bug).
DISALLOWED = {"kinky": "/account/", "sexjobs": "/mijn-sexjobs/", "redlights": "/beheer/"}

CATEGORY_LABELS = {
    "vrouwen": "Vrouwen",
    "mannen": "Mannen",
    "stellen": "Stellen",
    "trans": "Trans",
    "escort": "Escort",
    "thuisontvangst": "Thuisontvangst",
    "erotische-massage": "Erotische massage",
    "massage": "Massage",
    "dames": "dames",
    "heren": "heren",
}

# (canonical field, the site's label) in the order each site shows its profile.
PROFILE_ROWS: dict[str, list[tuple[str, str]]] = {
    "kinky": [
        ("name", "Naam"),
        ("age", "Leeftijd"),
        ("gender", "Geslacht"),
        ("location", "Locatie"),
        ("origin", "Afkomst"),
        ("orientation", "Seksuele voorkeur"),
        ("category", "Categorie"),
        ("reception", "Ontvangst"),
    ],
    "sexjobs": [
        ("name", "Naam"),
        ("location", "Plaats"),
        ("age", "Leeftijd"),
        ("gender", "Geslacht"),
        ("origin", "Afkomst"),
        ("orientation", "Geaardheid"),
        ("category", "Categorie"),
        ("reception", "Ontvangst"),
        ("hours", "Werktijden"),
        ("features", "Kenmerken"),
    ],
    "redlights": [
        ("name", "Naam"),
        ("age", "Leeftijd"),
        ("gender", "Geslacht"),
        ("origin", "Etniciteit"),
        ("orientation", "Geaardheid"),
        ("location", "Locatie"),
        ("reception", "Ontvangst"),
        ("category", "Categorie"),
        ("hours", "Contacturen"),
        ("features", "Kenmerken"),
    ],
}

_MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
              "oktober", "november", "december")  # fmt: skip
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


# --- rendering ---------------------------------------------------------------------------------------


def _lines(text: str) -> Markup:
    """Line breaks as ``<br>`` (HTML cannot carry a bare CR), everything else escaped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Markup("<br>\n").join(escape(line) for line in text.split("\n"))


def _paragraphs(text: str) -> Markup:
    """Blank-line separated paragraphs as ``<p>``, single line breaks as ``<br>``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = [p for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()]
    return Markup("\n").join(Markup("<p>") + _lines(p) + Markup("</p>") for p in parts)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["lines"] = _lines
    env.filters["paragraphs"] = _paragraphs
    return env


def _stable_hash(*parts: object) -> int:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _nl_date(when: datetime, with_time: bool = True) -> str:
    text = f"{when.day} {_MONTHS_NL[when.month - 1]} {when.year}"
    return f"{text} om {when:%H:%M}" if with_time else text


def _listing_key(ad: DemoAd) -> str:
    """Which listing an ad appears in: its category, or reception/category on redlights."""
    return f"{ad.reception}/{ad.category}" if ad.site == "redlights" else ad.category


@dataclass
class Page:
    """A rendered response before it goes on the wire."""

    status: int
    body: bytes
    media_type: str = "text/html"
    charset: str = "utf-8"
    headers: dict[str, str] | None = None


class DemoSite:
    """The market rendered as the three sites, plus the mutable state of the server (day, counters).

    Usable without HTTP: ``render_ad`` and ``render_listing`` give the exact bytes the server sends,
    which is what the parse benchmark and the adapter round-trip tests read.
    """

    def __init__(
        self,
        market: Market | Iterable[DemoAd],
        *,
        today: int = 0,
        rate_limit_per_s: float = 50.0,
        broken_fraction: float = 0.01,
        seed: int = 0,
        hang_paths: Iterable[str] = (),
        hang_seconds: float = 30.0,
    ) -> None:
        self.ads: list[DemoAd] = list(as_ads(market))
        self.today = today
        self.rate_limit_per_s = rate_limit_per_s
        self.broken_fraction = broken_fraction
        self.seed = seed
        self.hang_paths: set[str] = set(hang_paths)
        self.hang_seconds = hang_seconds
        self.counters: Counter[str] = Counter()
        self.path_counts: Counter[str] = Counter()
        self._failed_once: set[str] = set()
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._env = _environment()
        self._by_id: dict[tuple[str, str], DemoAd] = {}
        self._paths: dict[tuple[str, str], str] = {}
        self._by_path: dict[tuple[str, str], DemoAd] = {}
        self._listings: dict[tuple[str, str], list[DemoAd]] = {}
        self._photos: dict[str, DemoPhoto] = {}
        self._index()

    def _index(self) -> None:
        for ad in sorted(self.ads, key=lambda a: (a.site, a.source_id)):
            self._by_id[ad.key] = ad
            path = self._make_path(ad)
            if (ad.site, path) in self._by_path:  # two ads with one slug: the later gets its id added
                path = path.replace(".html", f"-{ad.source_id}.html") if ad.site == "redlights" else path
            self._paths[ad.key] = path
            self._by_path[(ad.site, path)] = ad
            self._listings.setdefault((ad.site, _listing_key(ad)), []).append(ad)
            for version in ad.versions:
                for photo in version.photos:
                    self._photos[photo.key] = photo
        for ads in self._listings.values():
            ads.sort(key=lambda a: (a.posted_at, a.source_id), reverse=True)

    @staticmethod
    def _make_path(ad: DemoAd) -> str:
        slug = ad.slug
        if ad.site == "kinky":
            slug = slug if slug.startswith(ad.reception) else f"{ad.reception}-{slug}"
            return f"/advertenties/{ad.source_id}-{slug}"
        if ad.site == "sexjobs":
            return f"/{ad.category}/{slug}_{ad.source_id}"
        return f"/{ad.reception}/{ad.category}/{slug}.html"

    # -- urls

    def ad_path(self, ad: DemoAd) -> str:
        """The ad's path relative to its site root (``/advertenties/123-escort-...``)."""
        return self._paths[ad.key]

    @staticmethod
    def phone_path(ad: DemoAd) -> str:
        if ad.site == "kinky":
            return f"/advertenties/{ad.source_id}/telefoon"
        if ad.site == "sexjobs":
            return f"/api/advertenties/{ad.source_id}/telefoonnummer"
        return f"/ajax/telefoon.php?id={ad.source_id}"

    @staticmethod
    def listing_path(site: str, key: str, page: int) -> str:
        param = {"kinky": "page", "sexjobs": "p", "redlights": "pagina"}[site]
        return f"/{key}/?{param}={page}"

    @staticmethod
    def listing_keys(site: str) -> list[str]:
        """Every listing a site has (categories, or reception/category on redlights), empty or not."""
        if site == "redlights":
            return [f"{r}/{c}" for r in SITE_RECEPTIONS[site] for c in SITE_CATEGORIES[site]]
        return list(SITE_CATEGORIES[site])

    def photo(self, key: str) -> DemoPhoto | None:
        """The photo an image URL names (``/img/<key>.jpg``)."""
        return self._photos.get(key)

    def fail_once(self, path: str) -> bool:
        """True the first time a path is asked for, False after: a 500 that a retry cures."""
        if path in self._failed_once:
            return False
        self._failed_once.add(path)
        return True

    def photo_url(self, photo: DemoPhoto) -> str:
        return f"/img/{photo.key}.jpg"

    def ad_by_path(self, site: str, path: str) -> DemoAd | None:
        """The ad a site-relative path names (by id where the URL has one, as the real sites do)."""
        if site == "kinky":
            found = re.match(r"^/advertenties/([^/-]+)-", path)
            return self._by_id.get((site, found.group(1))) if found else None
        if site == "sexjobs":
            found = re.match(r"^/[^/]+/[^/]*_([^/_]+)/?$", path)
            return self._by_id.get((site, found.group(1))) if found else None
        return self._by_path.get((site, path))

    def ad(self, site: str, source_id: str) -> DemoAd | None:
        return self._by_id.get((site, source_id))

    # -- pages

    def active_ads(self, site: str, key: str, day: int | None = None) -> list[DemoAd]:
        """The ads a listing shows on ``day``, newest first."""
        day = self.today if day is None else day
        return [a for a in self._listings.get((site, key), []) if a.active(day)]

    def render_ad(
        self, ad: DemoAd, day: int | None = None, *, prefix: str = "", consent: bool = True
    ) -> bytes:
        """The ad page as the site serves it on ``day``; ValueError if the ad is not online then."""
        day = self.today if day is None else day
        version = ad.version_on(day)
        if version is None:
            raise ValueError(f"{ad.site}:{ad.source_id} is not online on day {day}")
        html = self.render_ad_html(ad, version, prefix=prefix, consent=consent)
        return self.encode(ad.site, html)

    def render_ad_html(self, ad: DemoAd, version: DemoVersion, *, prefix: str, consent: bool) -> str:
        """The ad page as text, before the site's encoding (the server may encode it wrongly)."""
        fields = version.fields
        context: dict[str, Any] = {
            "prefix": prefix,
            "consent": consent,
            "charset_label": self.charset_label(ad.site),
            "ad": ad,
            "v": version,
            "f": fields,
            "ad_url": prefix + self.ad_path(ad),
            "photos": [self.photo_url(p) for p in version.photos],
            "profile_rows": PROFILE_ROWS[ad.site],
            "features": [f for f in fields.get("features", "").split("; ") if f],
            "category_label": self._category_label(ad.site, _listing_key(ad)),
            "phone_url": prefix + self.phone_path(ad) if ad.phone_display else None,
            "has_phone": bool(ad.phone_display),
            "views": 40 + _stable_hash(ad.site, ad.source_id) % 4000,
        }
        if ad.site == "kinky":
            context["posted_text"] = _nl_date(ad.posted_at, with_time=False)
        elif ad.site == "sexjobs":
            context["posted_text"] = f"{ad.posted_at:%d-%m-%Y} om {ad.posted_at:%H:%M}"
        else:
            context["data"] = {
                "adId": ad.source_id,
                "rubriek": _listing_key(ad),
                "geplaatst": ad.posted_at.isoformat(),
                "fotos": len(version.photos),
            }
        return self._env.get_template(f"{ad.site}/ad.html").render(context)

    def render_listing(
        self,
        site: str,
        key: str,
        page: int = 1,
        day: int | None = None,
        *,
        prefix: str = "",
        consent: bool = True,
    ) -> bytes:
        """Listing page ``page`` (1-based) of ``key`` on ``day``: ``PER_PAGE`` ads, newest first."""
        day = self.today if day is None else day
        ads = self.active_ads(site, key, day)
        pages = max(1, math.ceil(len(ads) / PER_PAGE))
        page = max(1, page)
        items = []
        for ad in ads[(page - 1) * PER_PAGE : page * PER_PAGE]:
            version = ad.version_on(day)
            assert version is not None  # active_ads filtered on day
            photo = self.photo_url(version.photos[0]) if version.photos else None
            items.append({"ad": ad, "version": version, "url": prefix + self.ad_path(ad), "photo": photo})
        context = {
            "prefix": prefix,
            "consent": consent,
            "charset_label": self.charset_label(site),
            "items": items,
            "page": page,
            "pages": pages,
            "total": len(ads),
            "category_label": self._category_label(site, key),
            "prev_url": prefix + self.listing_path(site, key, page - 1) if page > 1 else None,
            "next_url": prefix + self.listing_path(site, key, page + 1) if page < pages else None,
        }
        return self.encode(site, self._env.get_template(f"{site}/listing.html").render(context))

    def render_template(self, site: str, name: str, *, prefix: str = "", **context: Any) -> bytes:
        """A gate, cookie wall or not-found page of a site."""
        context.setdefault("consent", True)
        html = self._env.get_template(f"{site}/{name}.html").render(
            prefix=prefix, charset_label=self.charset_label(site), **context
        )
        return self.encode(site, html)

    @staticmethod
    def _category_label(site: str, key: str) -> str:
        if site == "redlights":
            reception, group = key.split("/", 1)
            return f"{CATEGORY_LABELS.get(reception, reception)} {CATEGORY_LABELS.get(group, group)}"
        return CATEGORY_LABELS.get(key, key)

    @staticmethod
    def charset_label(site: str) -> str:
        """redlights is an old site: it declares iso-8859-1 and really writes cp1252."""
        return "iso-8859-1" if site == "redlights" else "utf-8"

    @staticmethod
    def encode(site: str, html: str, *, wrong_label: bool = False) -> bytes:
        """The bytes a site sends; ``wrong_label`` swaps to the encoding the label does not say."""
        legacy = site == "redlights"
        if legacy != wrong_label:
            return html.encode("cp1252", errors="xmlcharrefreplace")
        return html.encode("utf-8")

    # -- broken pages

    def broken_kind(self, site: str, source_id: str) -> str | None:
        """Which fault an ad page has, if any: the same ads every run for the same seed."""
        if self.broken_fraction <= 0:
            return None
        h = _stable_hash("broken", self.seed, site, source_id)
        if (h >> 8) / float(1 << 56) >= self.broken_fraction:
            return None
        return BROKEN_KINDS[(h & 0xFF) % len(BROKEN_KINDS)]

    # -- rate limiting

    def take_token(self, client: str, site: str, now: float | None = None) -> float:
        """Spend a token of the client's bucket for this site; 0 if allowed, else seconds to wait."""
        rate = self.rate_limit_per_s
        if rate <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        capacity = max(rate, 1.0)
        tokens, last = self._buckets.get((client, site), (capacity, now))
        tokens = min(capacity, tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._buckets[(client, site)] = (tokens - 1.0, now)
            return 0.0
        self._buckets[(client, site)] = (tokens, now)
        return (1.0 - tokens) / rate

    # -- robots

    def robots_txt(self, site: str | None = None, prefix_paths: bool = True) -> str:
        """robots.txt for one site prefix, or for the whole server at ``/robots.txt``."""
        sites = [site] if site else list(SITES)
        # Ask crawlers for exactly the pace the rate limit allows, so a polite crawler gets no 429s.
        delay = round(1 / self.rate_limit_per_s, 4) if self.rate_limit_per_s > 0 else 0
        lines = ["User-agent: *", f"Crawl-delay: {delay:g}"]
        for s in sites:
            lines.append(f"Disallow: {'/' + s if prefix_paths else ''}{DISALLOWED[s]}")
        return "\n".join(lines) + "\n"


@lru_cache(maxsize=512)
def _photo_bytes(photo_id: str, variant: int, overlay_text: str | None) -> bytes:
    return render_photo(photo_id, variant, overlay_text=overlay_text)


# --- the ASGI app ------------------------------------------------------------------------------------


def _site_and_path(path: str) -> tuple[str | None, str]:
    for site in SITES:
        prefix = f"/{site}"
        if path == prefix or path.startswith(prefix + "/"):
            return site, path[len(prefix) :] or "/"
    return None, path


def _response(page: Page) -> Response:
    media = page.media_type
    if media.startswith("text/") or media.endswith("json"):
        media = f"{media}; charset={page.charset}"
    response = Response(page.body, status_code=page.status, headers=page.headers)
    response.headers["content-type"] = media
    return response


def _safe_back(site: str, target: str | None) -> str:
    """Where a gate sends the visitor back to: only paths on the same site."""
    prefix = f"/{site}"
    if target and target.startswith(prefix + "/") and "//" not in target:
        return target
    return prefix + "/"


def _gate_cookie(response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, max_age=30 * 86400, path="/", httponly=True, samesite="lax")


class _Handler:
    """Routes every request by hand: the three sites share one catch-all route."""

    def __init__(self, site: DemoSite) -> None:
        self.site = site

    async def handle(self, request: Request) -> Response:
        state = self.site
        path = request.url.path
        state.counters["requests"] += 1
        state.path_counts[path + (f"?{request.url.query}" if request.url.query else "")] += 1
        if path in state.hang_paths:
            state.counters["hangs"] += 1
            await asyncio.sleep(state.hang_seconds)
        if path == "/robots.txt":
            return PlainTextResponse(state.robots_txt())
        if path.startswith("/img/"):
            return self._image(path)
        site, rel = _site_and_path(path)
        if site is None:
            return PlainTextResponse("niet gevonden", status_code=404)
        if rel == "/robots.txt":
            return PlainTextResponse(state.robots_txt(site))
        client = request.client.host if request.client else "?"
        wait = state.take_token(client, site)
        if wait > 0:
            state.counters["429"] += 1
            return PlainTextResponse(
                "Te veel verzoeken", status_code=429, headers={"Retry-After": str(max(1, math.ceil(wait)))}
            )
        if rel.startswith(DISALLOWED[site]):
            state.counters["disallowed"] += 1
            return PlainTextResponse("Log in om verder te gaan", status_code=200)
        gate = await self._gate_action(request, site, rel)
        if gate is not None:
            return gate
        return self._content(request, site, rel)

    def _image(self, path: str) -> Response:
        key = path[len("/img/") :].removesuffix(".jpg")
        photo = self.site.photo(key)
        if photo is None:
            return PlainTextResponse("niet gevonden", status_code=404)
        body = _photo_bytes(photo.photo_id, photo.variant, photo.overlay_text)
        return Response(body, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=86400"})

    async def _gate_action(self, request: Request, site: str, rel: str) -> Response | None:
        """The confirm URLs of the age gates and cookie dialogs; None for any other path."""
        params: dict[str, str] = {k: v[-1] for k, v in parse_qs(request.url.query).items()}
        if request.method == "POST":
            form = await request.form()
            params.update({k: str(v) for k, v in form.items()})
        age_cookie, consent_cookie = AGE_COOKIES[site], CONSENT_COOKIES[site]
        if site == "kinky" and rel == "/leeftijdscheck" and request.method == "POST":
            if params.get("bevestig") != "ja":
                return self._age_gate(site, request)
            response: Response = RedirectResponse(_safe_back(site, params.get("terug")), status_code=303)
            _gate_cookie(response, age_cookie, "ja")
            return response
        if site == "kinky" and rel == "/cookies/akkoord":
            keuze = params.get("keuze", "noodzakelijk")
            response = RedirectResponse(_safe_back(site, params.get("terug")), status_code=303)
            _gate_cookie(response, consent_cookie, "alle" if keuze == "alle" else "noodzakelijk")
            return response
        if site == "sexjobs" and rel == "/leeftijd-bevestigen" and request.method == "POST":
            if params.get("ik_ben_18") != "1":
                return self._age_gate(site, request)
            response = RedirectResponse(_safe_back(site, params.get("redirect")), status_code=303)
            _gate_cookie(response, age_cookie, "1")
            return response
        if site == "sexjobs" and rel == "/cookies/accepteren" and request.method == "POST":
            response = RedirectResponse(_safe_back(site, params.get("redirect")), status_code=303)
            _gate_cookie(response, consent_cookie, "all" if params.get("consent") == "all" else "necessary")
            return response
        if site == "redlights" and rel == "/disclaimer.php":
            if params.get("akkoord") != "1":
                return self._age_gate(site, request)
            response = RedirectResponse(_safe_back(site, params.get("terug")), status_code=303)
            _gate_cookie(response, age_cookie, "akkoord")
            return response
        if site == "redlights" and rel == "/cookies.php" and params.get("ok") == "1":
            response = RedirectResponse(_safe_back(site, params.get("terug")), status_code=303)
            _gate_cookie(response, consent_cookie, "ok")
            return response
        return None

    def _age_gate(self, site: str, request: Request) -> Response:
        self.site.counters["gate_pages"] += 1
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        body = self.site.render_template(site, "age_gate", prefix=f"/{site}", back=back)
        return _response(Page(200, body, charset=self.site.charset_label(site)))

    def _content(self, request: Request, site: str, rel: str) -> Response:
        state = self.site
        prefix = f"/{site}"
        cookies = request.cookies
        has_age = bool(cookies.get(AGE_COOKIES[site]))
        consent = bool(cookies.get(CONSENT_COOKIES[site]))
        query = {k: v[-1] for k, v in parse_qs(request.url.query).items()}
        charset = state.charset_label(site)

        phone_ad = self._phone_ad(site, rel, query)
        if phone_ad is not None or _is_phone_path(site, rel):
            if not has_age:
                return PlainTextResponse("geen toegang: bevestig eerst je leeftijd", status_code=403)
            return self._phone(site, phone_ad)

        listing_key = self._listing_key(site, rel)
        ad = None if listing_key else state.ad_by_path(site, rel)
        if listing_key is None and ad is None:
            if rel == "/":
                first = state.listing_keys(site)[0]
                return RedirectResponse(prefix + state.listing_path(site, first, 1), status_code=302)
            return PlainTextResponse("pagina niet gevonden", status_code=404)
        if not has_age:
            return self._age_gate(site, request)
        if site == "sexjobs" and not consent:
            state.counters["gate_pages"] += 1
            back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            body = state.render_template(site, "cookie_wall", prefix=prefix, back=back)
            return _response(Page(200, body, charset=charset))

        if listing_key is not None:
            param = {"kinky": "page", "sexjobs": "p", "redlights": "pagina"}[site]
            raw = query.get(param, "1")
            page = int(raw) if raw.isdigit() else 1
            body = state.render_listing(site, listing_key, page, prefix=prefix, consent=consent)
            return _response(Page(200, body, charset=charset))

        assert ad is not None
        version = ad.version_on(state.today)
        if version is None:
            body = state.render_template(site, "not_found", prefix=prefix, consent=consent)
            return _response(Page(404, body, charset=charset))
        kind = state.broken_kind(site, ad.source_id)
        if kind == "error_once" and state.fail_once(request.url.path):
            state.counters["500"] += 1
            return PlainTextResponse("Interne serverfout", status_code=500)
        html = state.render_ad_html(ad, version, prefix=prefix, consent=consent)
        if kind == "wrong_charset":
            body = state.encode(site, html, wrong_label=True)
        else:
            body = state.encode(site, html)
        if kind == "truncated":
            cut = 0.55 + (_stable_hash("cut", state.seed, ad.source_id) % 20) / 100
            body = body[: int(len(body) * cut)]
        return _response(Page(200, body, charset=charset))

    def _listing_key(self, site: str, rel: str) -> str | None:
        key = rel.strip("/")
        return key if key in self.site.listing_keys(site) else None

    def _phone_ad(self, site: str, rel: str, query: dict[str, str]) -> DemoAd | None:
        if site == "kinky":
            found = re.match(r"^/advertenties/([^/]+)/telefoon$", rel)
            return self.site.ad(site, found.group(1)) if found else None
        if site == "sexjobs":
            found = re.match(r"^/api/advertenties/([^/]+)/telefoonnummer$", rel)
            return self.site.ad(site, found.group(1)) if found else None
        if rel == "/ajax/telefoon.php":
            return self.site.ad(site, query.get("id", ""))
        return None

    def _phone(self, site: str, ad: DemoAd | None) -> Response:
        """The "toon nummer" answer: JSON on kinky, an HTML fragment on sexjobs, plain text on redlights."""
        state = self.site
        if ad is None or not ad.active(state.today) or not ad.phone_display:
            return PlainTextResponse("niet gevonden", status_code=404)
        state.counters["phone"] += 1
        number = ad.phone_display
        if site == "kinky":
            return JSONResponse({"telefoonnummer": number, "advertentie": ad.source_id})
        if site == "sexjobs":
            digits = re.sub(r"[^\d+]", "", number)
            fragment = (
                f'<div class="phone-reveal"><a class="phone-number" href="tel:{quote(digits)}">'
                f"{escape(number)}</a></div>"
            )
            return _response(Page(200, fragment.encode("utf-8")))
        return _response(
            Page(
                200, number.encode("cp1252", errors="replace"), media_type="text/plain", charset="iso-8859-1"
            )
        )


def _is_phone_path(site: str, rel: str) -> bool:
    return (
        (site == "kinky" and rel.endswith("/telefoon"))
        or (site == "sexjobs" and rel.endswith("/telefoonnummer"))
        or (site == "redlights" and rel == "/ajax/telefoon.php")
    )


def create_site_app(
    market: Market | Iterable[DemoAd],
    *,
    today: int = 0,
    rate_limit_per_s: float = 50.0,
    broken_fraction: float = 0.01,
    seed: int = 0,
    hang_paths: Iterable[str] = (),
    hang_seconds: float = 30.0,
) -> Starlette:
    """The demo site as an ASGI app; its ``DemoSite`` (day, counters, hang paths) is ``app.state.site``.

    ``rate_limit_per_s`` <= 0 turns rate limiting off. ``hang_paths`` are full request paths
    (``/kinky/vrouwen/``) that answer only after ``hang_seconds``, for client-timeout tests.
    """
    site = DemoSite(
        market,
        today=today,
        rate_limit_per_s=rate_limit_per_s,
        broken_fraction=broken_fraction,
        seed=seed,
        hang_paths=hang_paths,
        hang_seconds=hang_seconds,
    )
    handler = _Handler(site)
    app = Starlette(routes=[Route("/{path:path}", handler.handle, methods=["GET", "POST"])])
    app.state.site = site
    return app


# --- running it ----------------------------------------------------------------------------------------


class SiteServer:
    """The demo site on a loopback port in a background thread (tests, ``zicht demo``)."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0) -> None:
        import uvicorn

        self.app = app
        self.site: DemoSite = app.state.site
        # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on such sockets, and without it
        # every small response waits ~40 ms on delayed ACKs.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="zicht-demo-site", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("demo site server did not start")
            time.sleep(0.01)

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def base_url(self, site: str) -> str:
        """The base URL a crawler uses for one site, e.g. ``http://127.0.0.1:PORT/kinky``."""
        if site not in SITES:
            raise KeyError(f"unknown site {site!r}; known: {', '.join(SITES)}")
        return f"{self.root_url}/{site}"

    def set_today(self, day: int) -> None:
        """Move the market to another day: new ads appear, removed ads 404, edits show."""
        self.site.today = day

    @property
    def requests_served(self) -> int:
        return self.site.counters["requests"]

    @property
    def rate_limited(self) -> int:
        """How many 429 answers were sent."""
        return self.site.counters["429"]

    @property
    def counters(self) -> Counter[str]:
        """requests, 429, 500, disallowed, gate_pages, phone, hangs."""
        return self.site.counters

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> SiteServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_site(
    market: Market | Iterable[DemoAd], host: str = "127.0.0.1", port: int = 0, **options: Any
) -> SiteServer:
    """Start the demo site on ``host:port`` (0: a free port); options go to ``create_site_app``."""
    return SiteServer(create_site_app(market, **options), host=host, port=port)
