"""redlights.nl: an older table-and-``<dl>`` layout, often served in a Western single-byte charset.

The ad id is not in the URL: it sits in an inline script (``var adId = 12345;``) or in the JSON
blob that also carries the posting date. The "toon nummer" call answers in plain text.
Layout facts live in ``SELECTORS`` and ``LABELS``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from selectolax.lexbor import LexborHTMLParser

from zicht.sources.adapters import common
from zicht.sources.types import Listing, ParsedAd, ParseError

NAME = "redlights"
VERSION = "redlights-3"
BASE_URL = "https://www.redlights.nl"
RECEPTIONS = ("escort", "thuisontvangst", "massage")
GROUPS = ("dames", "heren", "trans", "stellen")
# A listing "category" is reception/group, e.g. "escort/dames".
CATEGORIES = tuple(f"{r}/{g}" for r in RECEPTIONS for g in GROUPS)
MAX_PAGE_BYTES = common.MAX_PAGE_BYTES
MAX_PHONE_BYTES = 512

# See kinky.AGE_GATE for the meaning of each key. redlights calls its age gate a "disclaimer".
AGE_GATE = {
    "gate": "age",
    "url": "/disclaimer.php",
    "method": "GET",
    "data": {"akkoord": "1"},
    "cookies": {"rl_disclaimer": "akkoord"},
    "marker": "div#disclaimer",
}
# A cookie bar at the foot of content pages; content is there with or without consent.
COOKIE_CONSENT = {
    "gate": "cookies",
    "url": "/cookies.php",
    "method": "GET",
    "data": {"ok": "1"},
    "cookies": {"rl_cookiebar": "ok"},
    "marker": "div#cookiebar",
}
GATES = (AGE_GATE, COOKIE_CONSENT)

SELECTORS = {
    "ad": "div#advertentie",
    "title": "h1.ad-titel",
    "data_script": "script#advertentie-data",
    "scripts": "script",
    "details": "dl.ad-gegevens",
    "text": "div.ad-omschrijving",
    "services": "ul.ad-mogelijkheden li",
    "rates": "table.ad-tarieven td.tarief",
    "photos": "div.ad-fotos a[href]",
    "phone_button": "a.toon-nummer",
    "tel": "div.ad-contact a[href^='tel:']",
    "email": "div.ad-contact a[href^='mailto:']",
    "listing": "table.advertenties",
    "listing_links": "td.ad-link a[href]",
    "listing_next": "div.paginas a.volgende",
    "not_found": "div.niet-gevonden",
}

# The layout check (see kinky.REQUIRED): parts every ad page shows, sections under a heading, areas.
REQUIRED = {
    "details block": SELECTORS["details"],
    "posting date": SELECTORS["data_script"],
    "contact block": "div.ad-contact",
    "photo area": "div.ad-fotos",
}
SECTIONS = {
    "services": ("Mogelijkheden", SELECTORS["services"]),
    "rates": ("Tarieven", SELECTORS["rates"]),
}
AREAS = {"photos": ("div.ad-fotos", "img")}

LABELS = {
    "naam": "name",
    "leeftijd": "age",
    "geslacht": "gender",
    "etniciteit": "origin",
    "geaardheid": "orientation",
    "locatie": "location",
    "contacturen": "hours",
    "kenmerken": "features",
    "ontvangst": "reception",
    "categorie": "category",
}

PHONE_PATH = "/ajax/telefoon.php?id={id}"

_HOSTS = common.REAL_HOSTS[NAME]
_OTHER_HOSTS = common.other_hosts(NAME)
_R, _G = "|".join(RECEPTIONS), "|".join(GROUPS)
_LISTING = re.compile(rf"^/({_R})/({_G})/?(?:\?.*)?$")
_AD = re.compile(rf"^/({_R})/({_G})/([^/?#]+)\.html(?:\?.*)?$")
_PHONE = re.compile(r"^/ajax/telefoon\.php\?(?:.*&)?id=([0-9a-zA-Z]+)")
_AD_ID_VAR = re.compile(r"""\badId\s*[=:]\s*["']?([0-9a-zA-Z]+)""")


def matches(url: str) -> bool:
    """True for a redlights.nl URL or a demo URL under ``/redlights``."""
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
    """First ``pages`` listing pages of each "reception/group" category (all when None).

    A bare reception ("escort") stands for its "dames" listing, the bulk of the site.
    """
    chosen = [c if "/" in c else f"{c}/dames" for c in (categories or CATEGORIES)]
    unknown = [c for c in chosen if c not in CATEGORIES]
    if unknown:
        raise ValueError(f"unknown {NAME} categories {unknown}; known: {CATEGORIES}")
    base = base_url.rstrip("/")
    return [f"{base}/{c}/?pagina={p}" for c in chosen for p in range(1, pages + 1)]


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
    """The number from the plain-text "toon nummer" answer."""
    if len(content) > MAX_PHONE_BYTES:
        raise ParseError(url, f"phone response too large: {len(content)} bytes")
    number = common.decode_html(content).strip()
    if not number:
        raise ParseError(url, "empty body")
    if number.startswith("<"):
        raise ParseError(url, "phone response is HTML, expected plain text (gate or error page?)")
    return number


def _check_gates(tree: LexborHTMLParser, url: str) -> None:
    if tree.css_first(AGE_GATE["marker"]) is not None:
        raise common.GateError(url, "age")
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


def _ad_data(tree: LexborHTMLParser) -> dict:
    """The JSON blob with id and posting date; empty when missing or cut off."""
    node = tree.css_first(SELECTORS["data_script"])
    if node is None:
        return {}
    try:
        data = json.loads(node.text())
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _ad_id(tree: LexborHTMLParser, data: dict) -> str:
    value = str(data.get("adId", ""))
    if value.isascii() and value.isalnum():
        return value
    for script in tree.css(SELECTORS["scripts"]):
        found = _AD_ID_VAR.search(script.text())
        if found:
            return found.group(1)
    return ""


def _parse_ad(tree: LexborHTMLParser, url: str) -> ParsedAd:
    main = tree.css_first(SELECTORS["ad"])
    if main is None:
        _check_gates(tree, url)
        raise ParseError(url, f"unknown layout: no ad container {SELECTORS['ad']!r}")
    data = _ad_data(tree)
    source_id = _ad_id(tree, data)
    title = common.field_text(main.css_first(SELECTORS["title"]))
    text = common.block_text(main.css_first(SELECTORS["text"]))
    if not source_id:
        raise ParseError(url, "no ad id: neither the JSON blob nor 'var adId' is on the page")
    if not title and not text:
        raise ParseError(url, "no title and no text: layout changed or page cut off")

    fields: dict[str, str] = {}
    extra: list[str] = []
    details = main.css_first(SELECTORS["details"])
    label = None
    for node in details.iter() if details is not None else ():
        if node.tag == "dt":
            label = node
        elif node.tag == "dd" and label is not None:
            key = common.label_key(label.text())
            val = common.field_text(node, multiline=LABELS.get(key) == "hours")
            if val and key in LABELS:
                fields[LABELS[key]] = val
            elif val:
                extra.append(f"{common.node_text(label).rstrip(':')}: {val}")
            label = None
    if extra:
        fields["features"] = "; ".join(filter(None, [fields.get("features"), *extra]))
    path = common.site_path(url, NAME, _HOSTS, _OTHER_HOSTS) or ""
    url_match = _AD.match(path)
    if url_match:
        fields.setdefault("reception", url_match.group(1))
        fields.setdefault("category", url_match.group(2))

    posted_at = common.parse_iso(data.get("geplaatst")) if isinstance(data.get("geplaatst"), str) else None
    photos = (common.attr_url(url, a, "href") for a in main.css(SELECTORS["photos"]))
    images = common.dedupe([u for u in photos if u])
    phone_url = None
    if main.css_first(SELECTORS["phone_button"]) is not None:
        root = common.site_root(url, NAME, _HOSTS, _OTHER_HOSTS)
        phone_url = root + PHONE_PATH.format(id=source_id) if root else None
    phone = common.node_text(main.css_first(SELECTORS["tel"])) or None
    email = common.mailto(main.css_first(SELECTORS["email"]))
    services = common.texts(main.css(SELECTORS["services"]))
    rates = common.texts(main.css(SELECTORS["rates"]))
    warnings = common.layout_warnings(
        tree.root or main,
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
    if data and posted_at is None:
        warnings.append(f"posting date unreadable ('geplaatst' in the JSON blob: {data.get('geplaatst')!r})")

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
