"""What a site adapter returns: the contract between raw pages and the store.

Adapters are pure functions ``(content: bytes, url: str) -> ParsedAd | Listing`` so that a
stored raw page can be re-parsed at any time (``zicht reparse``) without fetching again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


class ParseError(Exception):
    """A page that the adapter cannot read; carries the url so the operator can find it."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Listing:
    """A listing (index) page: the ad urls on it and the next page, if any."""

    url: str
    ad_urls: list[str]
    next_url: str | None = None


@dataclass
class ParsedAd:
    """One ad as the site shows it, before any interpretation.

    ``fields`` holds the declared fields under canonical keys (see ``CANONICAL_FIELDS``);
    values are kept as the site wrote them: interpretation is the extractors' job.
    """

    site: str
    source_id: str
    url: str
    title: str
    text: str
    posted_at: datetime | None = None
    fields: dict[str, str] = field(default_factory=dict)
    services: list[str] = field(default_factory=list)
    rates: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    phone: str | None = None
    phone_url: str | None = None
    email: str | None = None
    # Layout warnings: parts the page should show but the selectors did not find ("details block
    # missing ..."). The ad is still stored; the crawl summary counts them per part, because a
    # partial layout change otherwise only shows as fields quietly going empty.
    warnings: list[str] = field(default_factory=list)


# Canonical keys for ParsedAd.fields, shared by adapters and the table import.
CANONICAL_FIELDS = (
    "age",  # leeftijd as written
    "gender",  # geslacht
    "location",  # locatie / plaats as written
    "origin",  # afkomst / etniciteit (special-category: shown, never scored on its own)
    "orientation",  # seksuele voorkeur / geaardheid
    "category",  # vrouwen / mannen / stellen / trans / dames
    "reception",  # prive-ontvangst / escort / thuisontvangst / massage / erotische-massage
    "hours",  # werktijden / contacturen
    "features",  # kenmerken, joined with "; "
    "name",  # advertiser's display name when the site has one
)
