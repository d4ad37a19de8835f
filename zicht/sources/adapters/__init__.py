"""Registry of site adapters: find the adapter for a site name or a URL.

Every adapter is a module with the same surface (see ``SiteAdapter``); adding a site is adding a
module here and in ``common.REAL_HOSTS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any, Protocol, cast

from zicht.sources.adapters import kinky, redlights, sexjobs
from zicht.sources.adapters.common import MAX_PAGE_BYTES, GateError
from zicht.sources.types import Listing, ParsedAd, ParseError


class SiteAdapter(Protocol):
    """What every adapter module exposes (checked structurally; modules are the implementations)."""

    NAME: str
    VERSION: str
    BASE_URL: str
    CATEGORIES: tuple[str, ...]
    AGE_GATE: dict[str, Any]
    COOKIE_CONSENT: dict[str, Any]
    GATES: tuple[dict[str, Any], ...]
    SELECTORS: dict[str, str]

    def matches(self, url: str) -> bool: ...
    def classify(self, url: str) -> str | None: ...
    def parse(self, content: bytes, url: str) -> ParsedAd | Listing: ...
    def parse_phone(self, content: bytes, url: str) -> str: ...
    def listing_urls(
        self, base_url: str = ..., categories: Sequence[str] | None = None, pages: int = 1
    ) -> list[str]: ...


_MODULES: tuple[ModuleType, ...] = (kinky, sexjobs, redlights)
ADAPTERS: dict[str, SiteAdapter] = {m.NAME: cast(SiteAdapter, m) for m in _MODULES}
SITE_NAMES: tuple[str, ...] = tuple(ADAPTERS)

# Parser version per site, stored with every parse result so `zicht reparse` knows what to redo.
VERSIONS: dict[str, str] = {name: a.VERSION for name, a in ADAPTERS.items()}


def get_adapter(name: str) -> SiteAdapter:
    """The adapter for a site name; KeyError naming the known sites otherwise."""
    try:
        return ADAPTERS[name]
    except KeyError:
        raise KeyError(f"no adapter for site {name!r}; known: {', '.join(SITE_NAMES)}") from None


def adapter_for_url(url: str) -> SiteAdapter | None:
    """The adapter whose site the URL belongs to (real host or ``/<site>`` demo prefix)."""
    for adapter in ADAPTERS.values():
        if adapter.matches(url):
            return adapter
    return None


def parse_page(content: bytes, url: str) -> ParsedAd | Listing:
    """Parse a stored page with the adapter its URL belongs to (used by ``zicht reparse``)."""
    adapter = adapter_for_url(url)
    if adapter is None:
        raise ParseError(url, "no site adapter matches this url")
    return adapter.parse(content, url)


__all__ = [
    "ADAPTERS",
    "MAX_PAGE_BYTES",
    "SITE_NAMES",
    "VERSIONS",
    "GateError",
    "SiteAdapter",
    "adapter_for_url",
    "get_adapter",
    "parse_page",
]
