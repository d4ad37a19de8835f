"""Helpers shared by the site adapters: robust decoding, text cleanup, URL and date handling.

Real ad pages are often mislabelled (declared utf-8 but written in cp1252 and the reverse) or cut
off mid-transfer, so everything here prefers reading what is there over failing on what is not.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser, LexborNode

from zicht.sources.types import Listing, ParseError

# Pages above this size are refused unread: no real ad page comes close, and a 50 MB body is an
# error page, a trap or a mistake, never something worth holding in memory.
MAX_PAGE_BYTES = 5 * 1024 * 1024

# Site dates carry no zone; every Dutch site shows local time.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class GateError(ParseError):
    """An age gate or cookie wall was served instead of the content.

    A crawler catches this, passes the gate described by the adapter's ``AGE_GATE`` or
    ``COOKIE_CONSENT`` (``gate`` names which) and fetches the page again.
    """

    def __init__(self, url: str, gate: str) -> None:
        label = "age gate" if gate == "age" else "cookie wall"
        super().__init__(url, f"{label} served instead of content")
        self.gate = gate


# --- decoding ---------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
# Labels that in practice mean "some Western single-byte encoding": browsers read them all as cp1252.
_WESTERN = {
    "iso-8859-1",
    "iso8859-1",
    "latin-1",
    "latin1",
    "l1",
    "windows-1252",
    "cp1252",
    "us-ascii",
    "ascii",
}
_UTF8 = {"utf-8", "utf8", "unicode-1-1-utf-8"}
_SENTINEL_BR = "\ue000"


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not valid UTF-8 as cp1252 (latin-1 for its five holes).

    A truncated multi-byte sequence at the very end of the body is dropped: the page was cut off.
    """
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    if error.end >= len(error.object) and error.reason == "unexpected end of data":
        return "", error.end
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad), error.end


codecs.register_error("zicht-cp1252", _cp1252_fallback)


def declared_charset(content: bytes) -> str | None:
    """The charset a page declares in its first bytes (BOM or meta tag), lower-cased."""
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    match = _META_CHARSET.search(content, 0, 4096)
    return match.group(1).decode("ascii").lower() if match else None


def decode_html(content: bytes) -> str:
    """Decode a page so that "é" and "€" come out right even when the label lies.

    UTF-8 is tried first whatever the label says: bytes that are valid UTF-8 with non-ASCII
    characters are practically never meant as cp1252 (a page labelled iso-8859-1 but written in
    UTF-8). Bytes that are not valid UTF-8 are read as cp1252 one by one, which also fixes a page
    labelled utf-8 but written in cp1252, and a mostly-UTF-8 page with a few stray cp1252 bytes.
    Any other declared charset (utf-16, koi8-r, ...) is honoured.
    """
    charset = declared_charset(content)
    if charset == "utf-16":
        return content.decode("utf-16", errors="replace")
    if charset and charset not in _UTF8 and charset not in _WESTERN:
        try:
            return content.decode(charset, errors="replace")
        except LookupError:
            pass  # unknown label: fall through to the UTF-8 / cp1252 reading
    if content.startswith(codecs.BOM_UTF8):
        content = content[3:]
    return content.decode("utf-8", errors="zicht-cp1252")


def parse_html(content: bytes, url: str, *, require_complete: bool = False) -> LexborHTMLParser:
    """Check size and emptiness, decode and parse; every refusal is a ParseError naming the url.

    With ``require_complete`` a page without its closing ``</body>``/``</html>`` is refused: a cut-off
    ad page would otherwise be stored as a shorter ad and later look like an edit, and a cut-off
    listing would hide ads and make them look removed.
    """
    if len(content) > MAX_PAGE_BYTES:
        raise ParseError(url, f"page too large: {len(content)} bytes (limit {MAX_PAGE_BYTES})")
    if not content.strip():
        raise ParseError(url, "empty body")
    if require_complete:
        tail = content[-4096:].lower()
        if b"</html" not in tail and b"</body" not in tail:
            raise ParseError(url, "page cut off: no closing </body> or </html> tag (truncated download?)")
    return LexborHTMLParser(decode_html(content))


# --- text ------------------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """Collapse whitespace as a browser would, keeping explicit line breaks (sentinel) as newlines."""
    text = _SPACES.sub(" ", text)
    if _SENTINEL_BR in text:
        text = "\n".join(line.strip() for line in text.split(_SENTINEL_BR))
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def node_text(node: LexborNode | None) -> str:
    """The visible text of one element on one line; empty for a missing element."""
    if node is None:
        return ""
    return _SPACES.sub(" ", node.text()).strip()


# Elements that stay inside a field value; any other element ends it. An unclosed ``<td>``/``<dd>``/
# ``<h1>`` swallows the rest of the page in the parse tree, and a field must not swallow it too.
_INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "em", "font", "i", "img", "kbd", "mark", "q",
     "s", "small", "span", "strong", "sub", "sup", "time", "u", "wbr", "svg", "use", "path"}
)  # fmt: skip


def field_text(node: LexborNode | None, *, multiline: bool = False) -> str:
    """A field value: its text up to the first block element; ``<br>`` is a newline if ``multiline``."""
    if node is None:
        return ""
    parts: list[str] = []
    for child in node.iter(include_text=True):
        if child.is_text_node:
            parts.append(child.text_content or "")
        elif child.tag == "br":
            parts.append(_SENTINEL_BR if multiline else " ")
        elif child.tag in _INLINE:
            parts.append(child.text())
        elif child.tag not in ("-comment", "_comment", "#comment"):
            break
    return clean_text("".join(parts))


def block_text(node: LexborNode | None) -> str:
    """Free text with its line breaks: ``<br>`` becomes a newline, paragraphs a blank line."""
    if node is None:
        return ""
    for br in node.css("br"):
        br.replace_with(_SENTINEL_BR)
    paragraphs = node.css("p")
    if paragraphs:
        parts = (clean_text(p.text()) for p in paragraphs)
        return "\n\n".join(part for part in parts if part)
    return clean_text(node.text())


def texts(nodes: list[LexborNode]) -> list[str]:
    """Non-empty single-line texts of a node list, in page order."""
    out = []
    for n in nodes:
        t = node_text(n)
        if t:
            out.append(t)
    return out


def label_key(label: str) -> str:
    """Normalise a field label ("Leeftijd:", "SEKSUELE VOORKEUR ") for lookup in a label map."""
    return _SPACES.sub(" ", label).strip().rstrip(":").strip().lower()


# --- urls ------------------------------------------------------------------------------------------


def site_path(url: str, name: str, hosts: frozenset[str], other_hosts: frozenset[str]) -> str | None:
    """The path (and query) of ``url`` as the real site would see it, or None if not this site's.

    Real host names match directly. Elsewhere (the demo server, a mirror on another host) the site
    lives under a ``/<name>`` path prefix, which is stripped. A URL on another real site's host
    never matches, whatever its path.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    if host in hosts:
        return path + query
    if host in other_hosts:
        return None
    prefix = f"/{name}"
    if path == prefix or path.startswith(prefix + "/"):
        return (path[len(prefix) :] or "/") + query
    return None


def site_root(url: str, name: str, hosts: frozenset[str], other_hosts: frozenset[str]) -> str | None:
    """``scheme://host`` of a real-site URL, ``scheme://host/<name>`` of a prefixed demo URL."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    root = f"{parts.scheme}://{parts.netloc}"
    if host in hosts:
        return root
    if host in other_hosts:
        return None
    prefix = f"/{name}"
    if parts.path == prefix or parts.path.startswith(prefix + "/"):
        return root + prefix
    return None


def absolute(base_url: str, href: str | None) -> str | None:
    """An absolute URL for an href; None for empty, javascript: or data: links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("javascript:", "data:", "#", "mailto:", "tel:")):
        return None
    if href.startswith(("https://", "http://")):
        return href
    if href.startswith("/"):  # the common case, without the cost of a full urljoin
        scheme, origin = _origin(base_url)
        return f"{scheme}:{href}" if href.startswith("//") else origin + href
    return urljoin(base_url, href)


@lru_cache(maxsize=256)
def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, f"{parts.scheme}://{parts.netloc}"


def dedupe(items: list[str]) -> list[str]:
    """Drop repeats, keep first-seen order (listings repeat promoted ads at the top)."""
    return list(dict.fromkeys(items))


# --- dates -----------------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "mrt": 3, "maart": 3, "apr": 4, "april": 4,
    "mei": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7, "aug": 8, "augustus": 8, "sep": 9,
    "sept": 9, "september": 9, "okt": 10, "oktober": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}  # fmt: skip
_NUMERIC_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\D+(\d{1,2})[:.](\d{2}))?")
_WORDED_DATE = re.compile(r"(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})(?:\D+(\d{1,2})[:.](\d{2}))?", re.IGNORECASE)


def aware(dt: datetime) -> datetime:
    """Attach Amsterdam time to a naive datetime; leave an aware one alone."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=AMSTERDAM)


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime; None when absent or unreadable."""
    if not text:
        return None
    try:
        return aware(datetime.fromisoformat(text.strip())).astimezone(AMSTERDAM)
    except ValueError:
        return None


def parse_dutch_datetime(text: str | None) -> datetime | None:
    """Dates as Dutch sites write them: "12-05-2024 14:32", "12 mei 2024 om 14:32", "12-05-2024"."""
    if not text:
        return None
    found = _NUMERIC_DATE.search(text)
    if found:
        day, month, year = int(found.group(1)), int(found.group(2)), int(found.group(3))
    else:
        found = _WORDED_DATE.search(text)
        if not found or found.group(2).lower() not in _MONTHS:
            return parse_iso(text)
        day, month, year = int(found.group(1)), _MONTHS[found.group(2).lower()], int(found.group(3))
    hour = int(found.group(4)) if found.group(4) else 0
    minute = int(found.group(5)) if found.group(5) else 0
    try:
        return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)
    except ValueError:
        return None


# The real host names of every supported site: a URL on one of them belongs to that site only.
REAL_HOSTS: dict[str, frozenset[str]] = {
    "kinky": frozenset({"kinky.nl", "www.kinky.nl"}),
    "sexjobs": frozenset({"sexjobs.nl", "www.sexjobs.nl"}),
    "redlights": frozenset({"redlights.nl", "www.redlights.nl"}),
}


def other_hosts(name: str) -> frozenset[str]:
    """Real host names of every site except ``name``."""
    return frozenset(h for site, hosts in REAL_HOSTS.items() if site != name for h in hosts)


# --- shared page pieces ------------------------------------------------------------------------------


def parse_listing(
    tree: LexborHTMLParser,
    url: str,
    *,
    container: str,
    links: str,
    next_link: str,
    is_ad: Callable[[str], bool],
) -> Listing | None:
    """Ad URLs and next page of a listing; None when the listing container is missing.

    Only links that the adapter classifies as ad pages are kept, so navigation, banners and
    promoted-ad blocks inside the container cannot leak into the crawl.
    """
    box = tree.css_first(container)
    if box is None:
        return None
    found = (absolute(url, a.attributes.get("href")) for a in box.css(links))
    ad_urls = dedupe([u for u in found if u and is_ad(u)])
    nxt = tree.css_first(next_link)
    next_url = absolute(url, nxt.attributes.get("href")) if nxt is not None else None
    return Listing(url=url, ad_urls=ad_urls, next_url=next_url)


def mailto(node: LexborNode | None) -> str | None:
    """The address of a ``mailto:`` link, without any ``?subject=`` part."""
    if node is None:
        return None
    href = (node.attributes.get("href") or "").strip()
    if not href.lower().startswith("mailto:"):
        return None
    return href[len("mailto:") :].split("?", 1)[0].strip() or None


def attr_url(base_url: str, node: LexborNode | None, *names: str) -> str | None:
    """An absolute URL from the first non-empty of the given attributes of ``node``."""
    if node is None:
        return None
    for name in names:
        value = absolute(base_url, node.attributes.get(name))
        if value:
            return value
    return None


# --- layout checks -----------------------------------------------------------------------------------

_HEADINGS = "h2, h3, h4, caption, legend"
PHONE_BUTTON_TEXT = "toon nummer"


def layout_warnings(
    root: LexborNode,
    *,
    required: dict[str, str],
    sections: dict[str, tuple[str, str]],
    areas: dict[str, tuple[str, str]] | None = None,
    read: dict[str, bool],
) -> list[str]:
    """What a partly changed layout leaves behind: required parts missing, shown sections unread.

    ``required`` maps a part's name to the selector every ad page matches (the profile block, the
    contact block, ...). ``sections`` maps a field to ``(heading, selector)``: when the page shows
    that heading (visible text changes far less often than class names) but ``read[field]`` is
    false, the field's selector no longer matches. ``areas`` does the same for parts without a
    heading: field -> ``(area, content)``, e.g. a photo area holding images of which none was read.
    The phone is checked the same way: a visible
    "Toon nummer" button or ``tel:`` link with no phone read means the phone selectors are stale.
    Each warning starts with the part's name, so a summary can count pages per part.
    """
    out = [
        f"{part} missing (no {selector!r})"
        for part, selector in required.items()
        if root.css_first(selector) is None
    ]
    shown = {label_key(node_text(h)) for h in root.css(_HEADINGS)}
    for name, (heading, selector) in sections.items():
        if label_key(heading) in shown and not read.get(name, True):
            out.append(f"{name} not read (the page shows {heading!r}, no {selector!r})")
    for name, (area, content) in (areas or {}).items():
        box = root.css_first(area)
        if box is not None and not read.get(name, True) and box.css_first(content) is not None:
            out.append(f"{name} not read (the page's {area!r} holds {content!r})")
    if not read.get("phone", True):
        button = any(label_key(node_text(n)) == PHONE_BUTTON_TEXT for n in root.css("button, a"))
        if button or root.css_first("a[href^='tel:']") is not None:
            out.append("phone not read (the page shows a 'Toon nummer' button or tel: link)")
    return out


def layout_part(warning: str) -> str:
    """The part a layout warning is about (its words before " missing" / " not read")."""
    for sep in (" missing", " not read", " unreadable"):
        if sep in warning:
            return warning.split(sep, 1)[0]
    return warning
