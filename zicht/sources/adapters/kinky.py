"""kinky.nl: listing per category, one ad page per advertisement, phone number behind a JSON call.

Layout facts live in ``SELECTORS`` and ``LABELS``: a change of the real site is an edit there plus
a new fixture page under ``tests/sources/fixtures/kinky/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from zicht.sources.adapters import common
from zicht.sources.types import Listing, ParsedAd, ParseError

NAME = "kinky"
VERSION = "kinky-3"
BASE_URL = "https://www.kinky.nl"
CATEGORIES = ("vrouwen", "mannen", "stellen", "trans")
RECEPTIONS = ("prive-ontvangst", "escort", "thuisontvangst")
MAX_PAGE_BYTES = common.MAX_PAGE_BYTES

# How to get past the gates, as data for a generic crawler. ``url`` is relative to the site's base
# URL; requesting it (``method`` with form ``data``) makes the site set ``cookies``; setting those
# cookies on the client directly (any path, the site's host) has the same effect. ``marker`` is a
# CSS selector present on the gate page; ``parse`` raises ``common.GateError`` when it sees one.
AGE_GATE = {
    "gate": "age",
    "url": "/leeftijdscheck",
    "method": "POST",
    "data": {"bevestig": "ja"},
    "cookies": {"kinky_18plus": "ja"},
    "marker": "form#leeftijdscheck",
}
# kinky shows its cookie dialog as an overlay on the content page: parsing works without consent,
# but a polite crawler accepts only the necessary cookies once.
COOKIE_CONSENT = {
    "gate": "cookies",
    "url": "/cookies/akkoord",
    "method": "GET",
    "data": {"keuze": "noodzakelijk"},
    "cookies": {"kinky_cookies": "noodzakelijk"},
    "marker": "div#cookie-consent",
}
GATES = (AGE_GATE, COOKIE_CONSENT)

SELECTORS = {
    "ad": "main.advertentie",
    "ad_id_attr": "data-advertentie-id",
    "title": "h1.advertentie__titel",
    "posted": "time.advertentie__datum",
    "profile_rows": "table.profiel tr",
    "text": "div.omschrijving-tekst",
    "features": "section.advertentie__kenmerken li",
    "rates": "ul.prijzen li",
    "services": "ul.mogelijkheden li span.dienst",
    "hours": "div.werktijden",
    "photos": "div.advertentie__fotos a.foto",
    "phone_button": "button.toon-nummer",
    "phone_button_attr": "data-url",
    "tel": "div.advertentie__contact a[href^='tel:']",
    "email": "div.advertentie__contact a[href^='mailto:']",
    "breadcrumb": "nav.breadcrumb a",
    "listing": "div.advertenties-lijst",
    "listing_links": "article.advertentie-kaart a[href]",
    "listing_next": "nav.paginering a[rel='next']",
    "not_found": "div.niet-gevonden",
}

# The layout check (``common.layout_warnings``): parts every ad page shows, sections shown under a
# heading when the ad has them, and areas whose content must be read. A miss is a warning on the
# parsed ad, counted in the crawl summary: the sign of a partial layout change.
REQUIRED = {
    "details block": "table.profiel",
    "posting date": SELECTORS["posted"],
    "contact block": "div.advertentie__contact",
    "photo area": "div.advertentie__fotos",
}
SECTIONS = {
    "rates": ("Prijzen", SELECTORS["rates"]),
    "services": ("Mogelijkheden", SELECTORS["services"]),
    "hours": ("Werktijden", SELECTORS["hours"]),
}
AREAS = {"photos": ("div.advertentie__fotos", "img")}

# Profile table labels (lower-case, no colon) -> canonical field keys.
LABELS = {
    "naam": "name",
    "leeftijd": "age",
    "geslacht": "gender",
    "locatie": "location",
    "afkomst": "origin",
    "seksuele voorkeur": "orientation",
    "categorie": "category",
    "ontvangst": "reception",
}

_HOSTS = common.REAL_HOSTS[NAME]
_OTHER_HOSTS = common.other_hosts(NAME)
_LISTING = re.compile(rf"^/({'|'.join(CATEGORIES)})/?(?:\?.*)?$")
_AD = re.compile(r"^/advertenties/(\d+)-([^/?#]+)/?(?:\?.*)?$")
_PHONE = re.compile(r"^/advertenties/(\d+)/telefoon/?(?:\?.*)?$")


def matches(url: str) -> bool:
    """True for a kinky.nl URL or a demo URL under ``/kinky``."""
    return common.site_path(url, NAME, _HOSTS, _OTHER_HOSTS) is not None


def classify(url: str) -> str | None:
    """The page kind: "listing", "ad", "phone", or None (not a page this adapter reads)."""
    path = common.site_path(url, NAME, _HOSTS, _OTHER_HOSTS)
    if path is None:
        return None
    if _AD.match(path):
        return "ad"
    if _PHONE.match(path):
        return "phone"
    if _LISTING.match(path):
        return "listing"
    return None


def listing_urls(
    base_url: str = BASE_URL, categories: Sequence[str] | None = None, pages: int = 1
) -> list[str]:
    """First ``pages`` listing pages of each category (all categories when None)."""
    chosen = tuple(categories) if categories else CATEGORIES
    unknown = [c for c in chosen if c not in CATEGORIES]
    if unknown:
        raise ValueError(f"unknown {NAME} categories {unknown}; known: {CATEGORIES}")
    base = base_url.rstrip("/")
    return [f"{base}/{c}/?page={p}" for c in chosen for p in range(1, pages + 1)]


def parse(content: bytes, url: str) -> ParsedAd | Listing:
    """Read an ad page or a listing page; ParseError for anything else."""
    kind = classify(url)
    if kind not in ("ad", "listing"):
        raise ParseError(url, f"not a {NAME} ad or listing url")
    tree = common.parse_html(content, url, require_complete=True)
    if kind == "listing":
        return _parse_listing(tree, url)
    return _parse_ad(tree, url)


def parse_phone(content: bytes, url: str) -> str:
    """The number from the "toon nummer" JSON: ``{"telefoonnummer": "...", "whatsapp": bool}``."""
    if len(content) > MAX_PAGE_BYTES:
        raise ParseError(url, f"page too large: {len(content)} bytes")
    if not content.strip():
        raise ParseError(url, "empty body")
    try:
        data = json.loads(common.decode_html(content))
    except json.JSONDecodeError as exc:
        raise ParseError(url, f"phone response is not JSON: {exc.msg}") from exc
    number = data.get("telefoonnummer") if isinstance(data, dict) else None
    if not isinstance(number, str) or not number.strip():
        raise ParseError(url, "phone response holds no number")
    return number.strip()


def _check_gates(tree, url: str) -> None:
    if tree.css_first(AGE_GATE["marker"]) is not None:
        raise common.GateError(url, "age")
    if tree.css_first(SELECTORS["not_found"]) is not None:
        raise ParseError(url, "ad not found page (removed ad)")


def _parse_listing(tree, url: str) -> Listing:
    listing = common.parse_listing(
        tree,
        url,
        container=SELECTORS["listing"],
        links=SELECTORS["listing_links"],
        next_link=SELECTORS["listing_next"],
        is_ad=lambda u: classify(u) == "ad",
    )
    if listing is None:
        _check_gates(tree, url)
        raise ParseError(url, f"unknown layout: no listing container {SELECTORS['listing']!r}")
    return listing


def _parse_ad(tree, url: str) -> ParsedAd:
    main = tree.css_first(SELECTORS["ad"])
    if main is None:
        _check_gates(tree, url)
        raise ParseError(url, f"unknown layout: no ad container {SELECTORS['ad']!r}")
    path = common.site_path(url, NAME, _HOSTS, _OTHER_HOSTS) or ""
    url_match = _AD.match(path)
    source_id = (main.attributes.get(SELECTORS["ad_id_attr"]) or "").strip()
    if not source_id and url_match:
        source_id = url_match.group(1)
    title = common.field_text(main.css_first(SELECTORS["title"]))
    text = common.block_text(main.css_first(SELECTORS["text"]))
    if not source_id:
        raise ParseError(url, "no ad id in page or url")
    if not title and not text:
        raise ParseError(url, "no title and no text: layout changed or page cut off")

    fields: dict[str, str] = {}
    extra: list[str] = []
    for row in main.css(SELECTORS["profile_rows"]):
        label, value = row.css_first("th"), row.css_first("td")
        if label is None or value is None:
            continue
        key, val = common.label_key(label.text()), common.field_text(value)
        if not val:
            continue
        if key in LABELS:
            fields[LABELS[key]] = val
        else:
            extra.append(f"{common.node_text(label).rstrip(':')}: {val}")
    features = common.texts(main.css(SELECTORS["features"])) + extra
    if features:
        fields["features"] = "; ".join(features)
    hours = common.block_text(main.css_first(SELECTORS["hours"]))
    if hours:
        fields["hours"] = hours
    if "reception" not in fields and url_match:
        slug = url_match.group(2)
        reception = next((r for r in RECEPTIONS if slug.startswith(r + "-") or slug == r), None)
        if reception:
            fields["reception"] = reception
    if "category" not in fields:
        category = _category_from_breadcrumb(main, url)
        if category:
            fields["category"] = category

    posted = main.css_first(SELECTORS["posted"])
    posted_at = None
    if posted is not None:
        posted_at = common.parse_iso(posted.attributes.get("datetime"))
        posted_at = posted_at or common.parse_dutch_datetime(posted.text())
    photos = (common.attr_url(url, a, "href") for a in main.css(SELECTORS["photos"]))
    images = common.dedupe([u for u in photos if u])
    phone_url = common.attr_url(
        url, main.css_first(SELECTORS["phone_button"]), SELECTORS["phone_button_attr"]
    )
    phone = common.node_text(main.css_first(SELECTORS["tel"])) or None
    email = common.mailto(main.css_first(SELECTORS["email"]))
    services = common.texts(main.css(SELECTORS["services"]))
    rates = common.texts(main.css(SELECTORS["rates"]))
    warnings = common.layout_warnings(
        main,
        required=REQUIRED,
        sections=SECTIONS,
        areas=AREAS,
        read={
            "rates": bool(rates),
            "services": bool(services),
            "hours": "hours" in fields,
            "photos": bool(images),
            "phone": bool(phone_url or phone),
        },
    )
    if posted is not None and posted_at is None:
        warnings.append(f"posting date unreadable ({common.node_text(posted)!r})")

    return ParsedAd(
        site=NAME,
        source_id=source_id,
        url=url,
        title=title,
        text=text,
        posted_at=posted_at,
        fields=fields,
        services=services,
        rates=rates,
        images=images,
        phone=phone,
        phone_url=phone_url,
        email=email,
        warnings=warnings,
    )


def _category_from_breadcrumb(main, url: str) -> str | None:
    """The category is not a field on kinky: it is the listing the breadcrumb links back to."""
    for a in main.css(SELECTORS["breadcrumb"]):
        target = common.attr_url(url, a, "href")
        path = common.site_path(target, NAME, _HOSTS, _OTHER_HOSTS) if target else None
        found = _LISTING.match(path) if path else None
        if found:
            return found.group(1)
    return None
