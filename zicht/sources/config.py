"""What a crawl may collect, why, and how politely: one small file per region.

A crawl of personal data needs a stated purpose and legal basis before it starts, and the sites
must be able to see who is crawling; so those are required here rather than defaulted. Everything
about politeness has conservative defaults meant for the real sites; the demo passes faster ones.
The file format is documented in docs/crawling.md.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from zicht import __version__

# Where each supported site lives; a config may point a site elsewhere (the demo server, a mirror).
DEFAULT_BASE_URLS = {
    "kinky": "https://www.kinky.nl",
    "sexjobs": "https://www.sexjobs.nl",
    "redlights": "https://www.redlights.nl",
}

USER_AGENT_TEMPLATE = "Zicht/{version} (+contact: {contact}; {organisation})"
DEFAULT_ORGANISATION = "gemeentelijk toezicht"


class ConfigError(ValueError):
    """A crawl configuration that cannot be used, with what to change."""


@dataclass(frozen=True)
class SiteConfig:
    """One site in a region's scope.

    ``listing_urls`` (absolute, or relative to ``base_url``) replace the listing pages that the
    adapter derives from ``categories`` and ``pages``. ``pages`` caps the listing pages per
    category; ``None`` follows "next page" links to the end.
    """

    name: str
    base_url: str | None = None
    categories: tuple[str, ...] = ()
    pages: int | None = None
    listing_urls: tuple[str, ...] = ()
    rate: float | None = None  # requests per second; overrides the region's rate for this site

    def resolved_base_url(self) -> str:
        base = self.base_url or DEFAULT_BASE_URLS.get(self.name)
        if not base:
            raise ConfigError(f"site {self.name!r}: no base_url given and no default known")
        return base.rstrip("/")


@dataclass(frozen=True)
class CrawlConfig:
    """A region's crawl: scope, purpose, legal basis, identity and politeness."""

    purpose: str
    legal_basis: str
    contact: str
    sites: tuple[SiteConfig, ...] = ()
    region: str = ""
    country: str = "NL"  # default country for numbers written without a country code
    organisation: str = DEFAULT_ORGANISATION
    user_agent: str | None = None  # overrides the one built from contact and organisation
    freshness: timedelta = timedelta(hours=20)  # an ad page fetched this recently is not fetched again
    rate: float = 1.0  # requests per second per host; robots.txt Crawl-delay can only slow it down
    timeout_s: float = 20.0  # per network read or connect
    total_timeout_s: float = 60.0  # per response, also for a server that trickles bytes forever
    max_attempts: int = 4
    backoff_s: float = 1.0  # first retry delay; doubles each attempt, with jitter
    backoff_max_s: float = 60.0
    retry_after_max_s: float = 300.0  # a longer Retry-After is cut to this
    max_page_bytes: int = 5 * 1024 * 1024
    breaker_threshold: int = 8  # consecutive failed requests to one host before the crawl of it stops
    max_listing_pages: int = 2000  # per site and run: a guard against endless pagination
    fetch_phones: bool = True  # follow the "toon nummer" link of an ad
    fetch_images: bool = True  # keep an ad's photos as evidence (hashed and read by `zicht process`)
    max_images_per_ad: int = 30  # an ad with hundreds of photos gets its first 30 kept
    resume_within: timedelta | None = None  # an interrupted run older than this starts over; None: freshness

    def __post_init__(self) -> None:
        problems = []
        if not self.purpose.strip():
            problems.append("purpose is required (why this crawl is done)")
        if not self.legal_basis.strip():
            problems.append("legal_basis is required (the legal ground for processing these ads)")
        if not self.user_agent and "@" not in self.contact:
            problems.append(
                "contact must be an e-mail address the sites can reach (it goes in the user agent)"
            )
        if self.rate <= 0:
            problems.append("rate must be positive (requests per second)")
        if self.max_images_per_ad < 0:
            problems.append("max_images_per_ad must be 0 or more")
        if self.max_attempts < 1:
            problems.append("max_attempts must be at least 1")
        if self.breaker_threshold < 1:
            problems.append("breaker_threshold must be at least 1")
        if self.max_page_bytes < 1024:
            problems.append("max_page_bytes must be at least 1024")
        names = [s.name for s in self.sites]
        if len(set(names)) != len(names):
            problems.append("a site is listed twice")
        if problems:
            raise ConfigError("crawl configuration: " + "; ".join(problems))

    @property
    def agent(self) -> str:
        """The user agent: who crawls and how to reach them, so a site can object."""
        if self.user_agent:
            return self.user_agent
        return USER_AGENT_TEMPLATE.format(
            version=__version__, contact=self.contact, organisation=self.organisation
        )

    @property
    def resume_window(self) -> timedelta:
        return self.resume_within if self.resume_within is not None else self.freshness

    def site(self, name: str) -> SiteConfig:
        for s in self.sites:
            if s.name == name:
                return s
        raise ConfigError(f"site {name!r} is not in this crawl configuration ({', '.join(self.site_names)})")

    @property
    def site_names(self) -> list[str]:
        return [s.name for s in self.sites]

    def with_options(self, **changes: Any) -> CrawlConfig:
        return replace(self, **changes)

    def as_record(self) -> dict[str, Any]:
        """A JSON-safe copy stored with each run, so the run says how it was set up."""
        data = asdict(self)
        data["freshness"] = self.freshness.total_seconds()
        data["resume_within"] = self.resume_within.total_seconds() if self.resume_within is not None else None
        data["sites"] = [
            {**asdict(s), "categories": list(s.categories), "listing_urls": list(s.listing_urls)}
            for s in self.sites
        ]
        data["user_agent"] = self.agent
        return data


# ------------------------------------------------------------------------------------------ loading

_DURATION_KEYS = {"freshness_hours": ("freshness", 3600), "resume_within_hours": ("resume_within", 3600)}
_SITE_KEYS = {f for f in SiteConfig.__dataclass_fields__}
_CONFIG_KEYS = {f for f in CrawlConfig.__dataclass_fields__} - {"sites", "freshness", "resume_within"}


def config_from_dict(data: dict[str, Any], *, region: str | None = None) -> CrawlConfig:
    """Build a config from parsed YAML/TOML; with a ``regions`` table, pick one region from it.

    Keys at the top level are defaults for every region; a region's own keys override them.
    """
    if not isinstance(data, dict):
        raise ConfigError("crawl configuration: expected a mapping at the top level")
    data = dict(data)
    regions = data.pop("regions", None)
    if regions is not None:
        if not isinstance(regions, dict) or not regions:
            raise ConfigError("crawl configuration: 'regions' must map region names to their settings")
        if region is None:
            if len(regions) > 1:
                raise ConfigError(
                    f"crawl configuration has several regions; choose one of: {', '.join(regions)}"
                )
            region = next(iter(regions))
        if region not in regions:
            raise ConfigError(f"region {region!r} not in the crawl configuration ({', '.join(regions)})")
        data = {**data, **(regions[region] or {}), "region": region}
    elif region is not None and data.get("region", region) != region:
        raise ConfigError(f"this crawl configuration is for region {data.get('region')!r}, not {region!r}")

    unknown = set(data) - _CONFIG_KEYS - set(_DURATION_KEYS) - {"sites"}
    if unknown:
        raise ConfigError(f"crawl configuration: unknown keys {', '.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in _CONFIG_KEYS}
    for key, (name, seconds) in _DURATION_KEYS.items():
        if key in data and data[key] is not None:
            kwargs[name] = timedelta(seconds=float(data[key]) * seconds)
    kwargs["sites"] = tuple(_site_from(entry) for entry in _site_entries(data.get("sites") or []))
    for key in ("purpose", "legal_basis", "contact"):
        kwargs.setdefault(key, "")
        kwargs[key] = str(kwargs[key] or "")
    try:
        return CrawlConfig(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"crawl configuration: {exc}") from exc


def _site_entries(sites: Any) -> list[dict[str, Any]]:
    """Sites as a list (``- name: kinky``) or a table keyed by name (``[sites.kinky]``)."""
    if isinstance(sites, dict):
        return [{"name": name, **(entry or {})} for name, entry in sites.items()]
    if isinstance(sites, list):
        return [{"name": s} if isinstance(s, str) else s for s in sites]
    raise ConfigError("crawl configuration: 'sites' must be a list or a table")


def _site_from(entry: dict[str, Any]) -> SiteConfig:
    if not isinstance(entry, dict) or not entry.get("name"):
        raise ConfigError(f"crawl configuration: every site needs a name (got {entry!r})")
    unknown = set(entry) - _SITE_KEYS
    if unknown:
        raise ConfigError(f"site {entry['name']!r}: unknown keys {', '.join(sorted(unknown))}")
    kwargs = dict(entry)
    for key in ("categories", "listing_urls"):
        value = kwargs.get(key) or ()
        kwargs[key] = (value,) if isinstance(value, str) else tuple(str(v) for v in value)
    site = SiteConfig(**kwargs)
    _check_site(site)
    return site


def _check_site(site: SiteConfig) -> None:
    """Site names and categories are checked on loading, so a typo in the second site does not
    surface only after the first site was crawled."""
    from zicht.sources.adapters import ADAPTERS  # here: the adapters need nothing from this module

    adapter = ADAPTERS.get(site.name)
    if adapter is None:
        raise ConfigError(f"sites: no site called {site.name!r}; change it to one of: {', '.join(ADAPTERS)}")
    if site.categories and not site.listing_urls:
        try:
            adapter.listing_urls("https://example.invalid", site.categories, 1)
        except ValueError:
            known = set(adapter.CATEGORIES)
            wrong = [c for c in site.categories if c not in known and f"{c}/dames" not in known]
            raise ConfigError(
                f"site {site.name!r}: unknown categories {', '.join(map(repr, wrong))}; change "
                f"'categories' to some of: {', '.join(adapter.CATEGORIES)}"
            ) from None
    if site.pages is not None and (not isinstance(site.pages, int) or site.pages < 1):
        raise ConfigError(
            f"site {site.name!r}: 'pages' must be a whole number of at least 1 (got {site.pages!r}); "
            "leave it out to read every listing page"
        )


def load_config(path: str | Path, *, region: str | None = None) -> CrawlConfig:
    """Read a crawl configuration from a ``.yaml``/``.yml`` or ``.toml`` file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read crawl configuration {path}: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"crawl configuration {path} is not valid {path.suffix.lstrip('.')}: {exc}"
        ) from exc
    try:
        return config_from_dict(data or {}, region=region)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def default_sites(names: list[str] | None = None) -> tuple[SiteConfig, ...]:
    """Every supported site with its real address and the adapter's default listing pages."""
    return tuple(SiteConfig(name=n) for n in (names or list(DEFAULT_BASE_URLS)))


__all__ = [
    "DEFAULT_BASE_URLS",
    "ConfigError",
    "CrawlConfig",
    "SiteConfig",
    "config_from_dict",
    "default_sites",
    "load_config",
]
