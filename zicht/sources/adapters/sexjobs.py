"""sexjobs.nl: ads under their category path ending in ``_<id>``, profile as label/value rows.

The number behind "toon nummer" comes back as an HTML fragment; consent is a full-page cookie
wall, so a crawler without the consent cookie gets no content at all.
Layout facts live in ``SELECTORS`` and ``LABELS``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from selectolax.lexbor import LexborHTMLParser

from zicht.sources.adapters import common
from zicht.sources.types import Listing, ParsedAd, ParseError

NAME = "sexjobs"
VERSION = "sexjobs-3"
BASE_URL = "https://www.sexjobs.nl"
CATEGORIES = ("escort", "thuisontvangst", "erotische-massage")
MAX_PAGE_BYTES = common.MAX_PAGE_BYTES

# See kinky.AGE_GATE for the meaning of each key.
AGE_GATE = {
    "gate": "age",
    "url": "/leeftijd-bevestigen",
    "method": "POST",
    "data": {"ik_ben_18": "1"},
    "cookies": {"sj_age_verified": "1"},
    "marker": "div.age-verification",
}
# A cookie wall: without this cookie the site serves the consent page instead of any content.
COOKIE_CONSENT = {
    "gate": "cookies",
    "url": "/cookies/accepteren",
    "method": "POST",
    "data": {"consent": "necessary"},
    "cookies": {"sj_consent": "necessary"},
    "marker": "div#cookiewall",
}
GATES = (AGE_GATE, COOKIE_CONSENT)

SELECTORS = {
    "ad": "div.advert-detail",
    "ad_id_attr": "data-advert-id",
    "title": "h1.advert-detail__title",
    "posted": "div.advert-detail__date",
    "rows": "div.advert-properties div.property",
    "row_label": "span.property__label",
    "row_value": "span.property__value",
    "text": "div.advert-detail__description",
    "services": "div.advert-services span.tag",
    "rates": "table.advert-rates td.rate",
    "photos": "div.advert-gallery img",
    "phone_button": "button.js-show-phone",
    "phone_button_attr": "data-endpoint",
    "tel": "div.advert-contact a[href^='tel:']",
    "listing": "ul.advert-list",
    "listing_links": "li.advert-list__item a[href]",
    "listing_next": "a.pagination__next",
    "not_found": "div.advert-not-found",
    "phone_fragment": "a.phone-number",
}

# The layout check (see kinky.REQUIRED): parts every ad page shows, sections under a heading, areas.
REQUIRED = {
    "details block": "div.advert-properties",
    "posting date": SELECTORS["posted"],
    "contact block": "div.advert-contact",
    "photo area": "div.advert-gallery",
}
SECTIONS = {
    "services": ("Wat ik doe", SELECTORS["services"]),
    "rates": ("Tarieven", SELECTORS["rates"]),
}
AREAS = {"photos": ("div.advert-gallery", "img")}

LABELS = {
    "naam": "name",
    "plaats": "location",
    "leeftijd": "age",
    "geslacht": "gender",
    "afkomst": "origin",
    "geaardheid": "orientation",
    "categorie": "category",
    "ontvangst": "reception",
    "werktijden": "hours",
    "kenmerken": "features",
    "e-mail": "email",
}

_HOSTS = common.REAL_HOSTS[NAME]
_OTHER_HOSTS = common.other_hosts(NAME)
_LISTING = re.compile(rf"^/({'|'.join(CATEGORIES)})/?(?:\?.*)?$")
_AD = re.compile(rf"^/({'|'.join(CATEGORIES)})/([^/?#]+)_(\d+)/?(?:\?.*)?$")
_PHONE = re.compile(r"^/api/advertenties/(\d+)/telefoonnummer/?(?:\?.*)?$")


def matches(url: str) -> bool:
    """True for a sexjobs.nl URL or a demo URL under ``/sexjobs``."""
    return common.site_path(url, NAME, _HOSTS, _OTHER_HOSTS) is not None


def classify(url: str) -> str | None:
    """The page kind: "listing", "ad", "phone", or None."""
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
    """First ``pages`` listing pages of each category (all when None)."""
    chosen = tuple(categories) if categories else CATEGORIES
    unknown = [c for c in chosen if c not in CATEGORIES]
    if unknown:
        raise ValueError(f"unknown {NAME} categories {unknown}; known: {CATEGORIES}")
    base = base_url.rstrip("/")
    return [f"{base}/{c}/?p={p}" for c in chosen for p in range(1, pages + 1)]


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
    """The number from the "toon nummer" fragment: ``<a class="phone-number" href="tel:...">06 ...</a>``."""
    tree = common.parse_html(content, url)
    link = tree.css_first(SELECTORS["phone_fragment"])
    number = common.node_text(link)
    if not number:
        raise ParseError(url, f"phone response holds no {SELECTORS['phone_fragment']!r}")
    return number


def _check_gates(tree: LexborHTMLParser, url: str) -> None:
    if tree.css_first(AGE_GATE["marker"]) is not None:
        raise common.GateError(url, "age")
    if tree.css_first(COOKIE_CONSENT["marker"]) is not None:
        raise common.GateError(url, "cookies")
    if tree.css_first(SELECTORS["not_found"]) is not None:
        raise ParseError(url, "ad not found page (removed ad)")


def _parse_listing(tree: LexborHTMLParser, url: str) -> Listing:
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


def _parse_ad(tree: LexborHTMLParser, url: str) -> ParsedAd:
    main = tree.css_first(SELECTORS["ad"])
    if main is None:
        _check_gates(tree, url)
        raise ParseError(url, f"unknown layout: no ad container {SELECTORS['ad']!r}")
    path = common.site_path(url, NAME, _HOSTS, _OTHER_HOSTS) or ""
    url_match = _AD.match(path)
    source_id = (main.attributes.get(SELECTORS["ad_id_attr"]) or "").strip()
    if not source_id and url_match:
        source_id = url_match.group(3)
    title = common.field_text(main.css_first(SELECTORS["title"]))
    text = common.block_text(main.css_first(SELECTORS["text"]))
    if not source_id:
        raise ParseError(url, "no ad id in page or url")
    if not title and not text:
        raise ParseError(url, "no title and no text: layout changed or page cut off")

    fields: dict[str, str] = {}
    extra: list[str] = []
    for row in main.css(SELECTORS["rows"]):
        label, value = row.css_first(SELECTORS["row_label"]), row.css_first(SELECTORS["row_value"])
        if label is None or value is None:
            continue
        key = common.label_key(label.text())
        val = common.field_text(value, multiline=LABELS.get(key) == "hours")
        if not val:
            continue
        if key in LABELS:
            fields[LABELS[key]] = val
        else:
            extra.append(f"{common.node_text(label).rstrip(':')}: {val}")
    if extra:
        fields["features"] = "; ".join(filter(None, [fields.get("features"), *extra]))
    email = fields.pop("email", None)
    if "category" not in fields and url_match:
        fields["category"] = url_match.group(1)

    posted = main.css_first(SELECTORS["posted"])
    posted_at = common.parse_dutch_datetime(common.node_text(posted))
    photos = (common.attr_url(url, img, "data-src", "src") for img in main.css(SELECTORS["photos"]))
    images = common.dedupe([u for u in photos if u])
    phone_url = common.attr_url(
        url, main.css_first(SELECTORS["phone_button"]), SELECTORS["phone_button_attr"]
    )
    phone = common.node_text(main.css_first(SELECTORS["tel"])) or None
    services = common.texts(main.css(SELECTORS["services"]))
    rates = common.texts(main.css(SELECTORS["rates"]))
    warnings = common.layout_warnings(
        main,
        required=REQUIRED,
        sections=SECTIONS,
        areas=AREAS,
        read={
            "services": bool(services),
            "rates": bool(rates),
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
