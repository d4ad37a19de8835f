"""The crawl: listing pages to ad pages to the store, politely, resumably, in bounded time.

The frontier lives in the database (``crawl_tasks``), so a killed crawl resumes where it stopped:
a task is marked done only after what it produced is stored, and a page that was fetched but not
yet marked is read back from the evidence instead of fetched again. Every response is kept as
evidence before it is parsed; a page that does not parse is kept with its error and the crawl goes
on. Removals are inferred only from a complete walk of the configured listings, never from a
partial one: a missed listing page must not make ads look removed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from zicht.sources.adapters import SiteAdapter, get_adapter
from zicht.sources.adapters.common import GateError, layout_part
from zicht.sources.config import CrawlConfig, SiteConfig
from zicht.sources.http import (
    FetchError,
    HostUnavailable,
    HttpPolicy,
    PoliteClient,
    Response,
    RobotsDisallowed,
    TooLarge,
)
from zicht.sources.types import Listing, ParsedAd, ParseError
from zicht.store.store import IngestItem, PageResult, Store, TaskResult

RUN_KIND = "crawl"
INGEST_BATCH = 50  # ads (or photo tasks) before one transaction: ads, parse results, tasks, counters
TASK_BATCH = 200
STATS_EVERY = 25  # tasks between saves of the run's counters (a kill loses the counts since)
MAX_ERRORS_KEPT = 50
MAX_GATE_PASSES = 3  # per run: a site that keeps showing its gate is not looped on

ProgressCallback = Callable[[str, int, int], None]


def _n(count: int, noun: str) -> str:
    """ "1 page", "12 pages": counts in the summary read as sentences."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class CrawlSummary:
    """What a run did; counts are for the whole run, also across a resume."""

    site: str
    run_id: int
    fetched: int = 0  # responses received for frontier urls (any status)
    stored: int = 0  # raw pages written as evidence
    reused: int = 0  # pages fetched before an interruption, read back instead of fetched again
    listings: int = 0  # listing pages read
    ads_parsed: int = 0
    parse_errors: int = 0
    failed: int = 0  # urls given up on (network, HTTP status, too large)
    skipped_robots: int = 0
    skipped_fresh: int = 0  # ad pages fetched within the freshness window: only marked seen
    gone: int = 0  # ad pages answering 404/410: marked removed
    new_ads: int = 0
    new_versions: int = 0
    unchanged: int = 0
    removed: int = 0  # ads marked removed after a complete run (plus the gone ones)
    listing_failures: int = 0
    listing_truncated: int = 0  # listings with more pages than the configured cap
    images: int = 0  # photos fetched and kept as evidence (for perceptual hashes and OCR)
    images_known: int = 0  # photo urls already kept by an earlier run: not fetched again
    layout_warnings: int = 0  # ad pages read with a layout warning (a part the selectors missed)
    layout: dict[str, int] = field(default_factory=dict)  # pages per missed part ("details block")
    phone_unknown: int = 0  # ads stored without their number (it could not be read): retried next crawl
    duration: float = 0.0  # seconds, summed over resumes
    complete: bool = False
    resumed: bool = False
    status: str = "running"  # finished | failed | paused (max_pages reached; the next crawl resumes)
    stopped: str | None = None  # why the run stopped early, in words
    errors: list[str] = field(default_factory=list)
    hosts: dict[str, Any] = field(default_factory=dict)

    _COUNTERS = (
        "fetched", "stored", "reused", "listings", "ads_parsed", "parse_errors", "failed", "skipped_robots",
        "skipped_fresh", "gone", "new_ads", "new_versions", "unchanged", "removed", "listing_failures",
        "listing_truncated", "images", "images_known", "layout_warnings", "phone_unknown",
    )  # fmt: skip

    def as_stats(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self._COUNTERS}
        data.update(
            duration_s=round(self.duration, 3), stopped=self.stopped, errors=self.errors[:MAX_ERRORS_KEPT]
        )
        data["hosts"] = self.hosts
        data["layout"] = self.layout
        return data

    def load_stats(self, stats: dict[str, Any]) -> None:
        for key in self._COUNTERS:
            if isinstance(stats.get(key), int):
                setattr(self, key, stats[key])
        self.duration = float(stats.get("duration_s") or 0.0)
        self.errors = list(stats.get("errors") or [])
        layout = stats.get("layout") or {}
        self.layout = {str(k): int(v) for k, v in layout.items()} if isinstance(layout, dict) else {}

    def error(self, url: str, reason: str) -> None:
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(f"{url}: {reason}")

    def layout_warning(self, url: str, warnings: list[str]) -> None:
        """Count one ad page read with layout warnings, per part, and keep the first few in full."""
        self.layout_warnings += 1
        for part in dict.fromkeys(layout_part(w) for w in warnings):
            self.layout[part] = self.layout.get(part, 0) + 1
        if self.layout_warnings <= 3:
            self.error(url, "layout warning: " + "; ".join(warnings))

    def incomplete_reasons(self) -> list[str]:
        """Why the run does not count as complete, in words (empty for a complete run)."""
        if self.complete:
            return []
        out = []
        if self.stopped:
            out.append(f"it stopped early: {self.stopped}")
        if self.listing_truncated:
            out.append(
                f"the listing has more pages than configured ({_n(self.listing_truncated, 'listing')} "
                "go on beyond the last page read: raise pages or max_listing_pages to read them all)"
            )
        if self.listing_failures:
            out.append(f"{_n(self.listing_failures, 'listing page')} could not be fetched or read")
        if not out:
            out.append("listing pages were left unread")
        return out

    def lines(self) -> list[str]:
        """The summary as a person reads it after a crawl."""
        state = "complete" if self.complete else "incomplete (no ads marked removed)"
        out = [
            f"{self.site}: run {self.run_id} {self.status}, {state}"
            + (", resumed" if self.resumed else "")
            + f", {self.duration:.1f}s",
        ]
        out.extend(f"  incomplete because {reason}" for reason in self.incomplete_reasons())
        out += [
            f"  pages fetched {self.fetched}, stored {self.stored}, reused after interruption {self.reused}",
            f"  listings {self.listings}, ads read {self.ads_parsed}, fresh (not refetched) {self.skipped_fresh}",
            f"  new ads {self.new_ads}, new versions {self.new_versions}, unchanged {self.unchanged}, "
            f"removed {self.removed} (gone {self.gone})",
            f"  photos fetched {self.images}, already kept {self.images_known}",
            f"  parse errors {self.parse_errors}, failed {self.failed}, robots.txt skipped {self.skipped_robots}",
        ]
        if self.layout_warnings:
            parts = ", ".join(f"{part} on {_n(n, 'page')}" for part, n in sorted(self.layout.items()))
            out.append(
                f"  layout warnings: {self.layout_warnings} ({self.site}: {parts} - the site layout may "
                "have changed; see docs/sources.md, 'When a site changes its layout')"
            )
        if self.phone_unknown:
            out.append(
                f"  numbers unknown: {_n(self.phone_unknown, 'ad')} stored without their phone number "
                '("toon nummer" could not be read); the next crawl fetches them again'
            )
        if self.stopped and self.complete:
            out.append(f"  stopped: {self.stopped}")
        out.extend(f"  ! {e}" for e in self.errors[:10])
        if len(self.errors) > 10:
            out.append(f"  ! ... {len(self.errors) - 10} more in the run's stats")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


class _Stop(Exception):
    """Ends the walk of a site early (host given up, page budget spent)."""

    def __init__(self, reason: str, status: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def crawl(
    store: Store,
    config: CrawlConfig,
    *,
    now: Callable[[], datetime] = utcnow,
    on_progress: ProgressCallback | None = None,
    max_pages: int | None = None,
) -> list[CrawlSummary]:
    """Crawl every configured site, one after the other.

    A site that cannot be crawled (host down, robots.txt unreachable, errors throughout) ends with
    a "failed" summary and the next site is crawled all the same.
    """
    if not config.sites:
        raise ValueError("the crawl configuration lists no sites")
    return [
        crawl_site(store, site.name, config, now=now, on_progress=on_progress, max_pages=max_pages)
        for site in config.sites
    ]


def crawl_site(
    store: Store,
    site_name: str,
    config: CrawlConfig,
    *,
    now: Callable[[], datetime] = utcnow,
    on_progress: ProgressCallback | None = None,
    max_pages: int | None = None,
    adapter: SiteAdapter | None = None,
    client: PoliteClient | None = None,
) -> CrawlSummary:
    """Crawl one site of the configuration, resuming its interrupted run when there is a recent one.

    ``now`` gives the times stored as fetched/seen (the demo passes a simulated clock).
    ``max_pages`` caps the pages fetched by this call; the run is then left paused and the next
    call resumes it. ``adapter`` and ``client`` replace the registered adapter and a fresh client.
    """
    site = config.site(site_name)
    adapter = adapter or get_adapter(site.name)
    started = now()
    if started.tzinfo is None:
        raise ValueError("the crawl clock must give timezone-aware datetimes")
    base_url = site.base_url.rstrip("/") if site.base_url else adapter.BASE_URL.rstrip("/")
    site_id = store.ensure_site(site.name, base_url, config.country)

    run = store.unfinished_run(site_id, RUN_KIND)
    resumed = False
    summary: CrawlSummary
    if run is not None and run.started_at >= started - config.resume_window:
        resumed = True
        run_id, run_started = run.id, run.started_at
        summary = CrawlSummary(site=site.name, run_id=run_id, resumed=True)
        summary.load_stats(run.stats or {})
    else:
        if run is not None:
            store.finish_run(
                run.id,
                status="failed",
                stats={
                    "stopped": f"interrupted and not resumed within {config.resume_window}; a new run began"
                },
                complete=False,
                finished_at=started,
            )
        seeds = _seed_urls(adapter, site, base_url)
        record = {
            **config.as_record(),
            "site": asdict(site),
            "base_url": base_url,
            "seeds": seeds,
            "parser": _parser(adapter),
        }
        run_id = store.start_run(
            site_id,
            RUN_KIND,
            purpose=config.purpose,
            legal_basis=config.legal_basis,
            config=record,
            user_agent=config.agent,
            started_at=started,
        )
        run_started = started
        store.add_tasks(run_id, [(u, "listing", None) for u in seeds])
        summary = CrawlSummary(site=site.name, run_id=run_id)

    own_client = client is None
    client = client or PoliteClient(HttpPolicy.from_config(config, site))
    walk = _SiteWalk(
        store=store,
        config=config,
        site=site,
        adapter=adapter,
        client=client,
        base_url=base_url,
        site_id=site_id,
        run_id=run_id,
        run_started=run_started,
        summary=summary,
        now=now,
        on_progress=on_progress,
        max_pages=max_pages,
        resumed=resumed,
    )
    try:
        walk.run()
    finally:
        if own_client:
            client.close()
    return summary


def _seed_urls(adapter: SiteAdapter, site: SiteConfig, base_url: str) -> list[str]:
    if site.listing_urls:
        return [u if "://" in u else base_url + "/" + u.lstrip("/") for u in site.listing_urls]
    categories = list(site.categories) or None
    return list(dict.fromkeys(adapter.listing_urls(base_url, categories, site.pages or 1)))


def _parser(adapter: SiteAdapter) -> str:
    return f"{adapter.NAME}@{adapter.VERSION}"


@dataclass
class _Pending:
    """A parsed ad waiting for the next ingest batch, with the task that produced it."""

    item: IngestItem
    task_url: str


class _SiteWalk:
    """One process's walk of one run; all state that must survive a kill is in the store."""

    def __init__(
        self,
        *,
        store: Store,
        config: CrawlConfig,
        site: SiteConfig,
        adapter: SiteAdapter,
        client: PoliteClient,
        base_url: str,
        site_id: int,
        run_id: int,
        run_started: datetime,
        summary: CrawlSummary,
        now: Callable[[], datetime],
        on_progress: ProgressCallback | None,
        max_pages: int | None,
        resumed: bool,
    ) -> None:
        self.store = store
        self.config = config
        self.site = site
        self.adapter = adapter
        self.client = client
        self.base_url = base_url
        self.site_id = site_id
        self.run_id = run_id
        self.run_started = run_started
        self.summary = summary
        self.now = now
        self.on_progress = on_progress
        self.max_pages = max_pages
        self.resumed = resumed
        self.parser = _parser(adapter)
        self.follow_next = site.pages is None and not site.listing_urls
        self.seeds = set(_seed_urls(adapter, site, base_url))
        self.pending: list[_Pending] = []
        # Outcomes written with the next ingest transaction (one transaction per batch).
        self.page_results: list[PageResult] = []
        self.task_results: dict[str, TaskResult] = {}
        self.batch_counts: dict[str, int] = {}
        # Each listing url of the run -> its seed: ads remember the seed (removal scope).
        self.seed_of: dict[str, str] = {u: u for u in self.seeds}
        self.seed_of.update(store.listing_roots(run_id))
        self.fetched_here = 0
        self.gate_passes = 0
        self.since_stats = 0
        self.fresh_seen: set[str] = set()
        counts = store.task_counts(run_id)
        # Per kind (listing, ad, image), so each progress bar counts its own pages.
        self.done, self.total = store.task_progress(run_id)
        # Only tasks that were pending when this process began can have evidence stored already.
        self.check_until = 0
        if resumed and counts.get("pending"):
            self.check_until = max(t.id for t in store.pending_tasks(run_id, limit=counts["pending"]))

    # ------------------------------------------------------------ the walk

    def run(self) -> None:
        t0 = time.monotonic()
        status, complete = "finished", False
        try:
            self._open_gates()
            self._walk()
            self._flush()
            complete = self._is_complete()
        except _Stop as stop:
            self._flush()
            self.summary.stopped = stop.reason
            status = stop.status
        except BaseException as exc:  # killed by Ctrl-C or a bug: keep what is stored, leave resumable
            self._save_progress(t0)
            self.summary.stopped = f"interrupted: {type(exc).__name__}"
            raise
        self.summary.complete = complete
        if complete:
            at = self.now()
            scope = sorted(set(self.seed_of.values()))
            self.summary.removed += self.store.mark_removed_not_seen(
                self.site_id, self.run_started, at, scope
            )
        # Counted from the store, so a resume after a kill neither loses nor repeats a page.
        self.summary.fetched = self.summary.stored = self.store.run_page_count(self.run_id)
        self.summary.status = status
        self.summary.duration += time.monotonic() - t0
        self.summary.hosts = self.client.stats()
        if status == "paused":
            self.store.update_run_stats(self.run_id, self.summary.as_stats())
        else:
            self.store.finish_run(
                self.run_id,
                status=status,
                stats=self.summary.as_stats(),
                complete=complete,
                finished_at=self.now(),
            )

    def _walk(self) -> None:
        while True:
            tasks = self.store.pending_tasks(self.run_id, "listing", limit=TASK_BATCH)
            kind = "listing"
            if not tasks:
                self._flush()
                tasks = self.store.pending_tasks(self.run_id, "ad", limit=TASK_BATCH)
                kind = "ad"
            if not tasks:
                self._flush()
                tasks = self.store.pending_tasks(self.run_id, "image", limit=TASK_BATCH)
                kind = "image"
            if not tasks:
                return
            stored = self._stored_pages([t.url for t in tasks if t.id <= self.check_until], kind)
            progressed = False
            for task in tasks:
                if task.url in self.task_results:
                    continue  # done, its outcome waits for the next batch's transaction
                progressed = True
                if kind == "listing":
                    self._listing(task.url, stored.get(task.url))
                elif kind == "image":
                    self._image(task.url, stored.get(task.url))
                else:
                    self._ad(
                        task.url,
                        stored.get(task.url),
                        recheck=task.id <= self.check_until,
                        listed_under=self.seed_of.get(task.parent_url or ""),
                    )
                self._tick(kind)
            if not progressed:
                self._flush()

    def _tick(self, kind: str) -> None:
        self.done[kind] = self.done.get(kind, 0) + 1
        self.since_stats += 1
        if self.since_stats >= STATS_EVERY:
            self.since_stats = 0
            self.store.update_run_stats(self.run_id, self.summary.as_stats())
        if self.on_progress:
            self.on_progress(kind, self.done[kind], self.total.get(kind, 0))

    def _is_complete(self) -> bool:
        s = self.summary
        return (
            s.listing_failures == 0
            and s.listing_truncated == 0
            and not self.store.pending_tasks(self.run_id, "listing", limit=1)
        )

    def _save_progress(self, t0: float) -> None:
        self.summary.duration += time.monotonic() - t0
        with contextlib.suppress(Exception):  # the error that interrupted us matters more than counters
            self.store.update_run_stats(self.run_id, self.summary.as_stats())

    # ------------------------------------------------------------ one listing page

    def _listing(self, url: str, stored: tuple[int, bytes] | None) -> None:
        got = self._get(url, "listing", stored)
        if got is None:
            self._listing_failed()
            return
        raw_id, body, status = got
        if status != 200:
            self._fail(url, f"HTTP {status}")
            self._listing_failed()
            return
        parsed, raw_id = self._parse(url, raw_id, body, "listing")
        if parsed is None:
            self._listing_failed()
            self.store.set_task(self.run_id, url, "failed", "parse error")
            return
        if not isinstance(parsed, Listing):
            self._parse_failed(url, raw_id, "expected a listing page, got an ad page")
            self._listing_failed()
            self.store.set_task(self.run_id, url, "failed", "parse error")
            return
        self.store.set_parse_result(raw_id, "ok", None, self.parser)
        self.summary.listings += 1
        seed = self.seed_of.setdefault(url, url)
        ad_urls = list(dict.fromkeys(parsed.ad_urls))
        seen_at = self.now()
        fresh = self.store.fetched_since(ad_urls, seen_at - self.config.freshness) if ad_urls else set()
        self.store.touch_ads(self.site_id, ad_urls, seen_at, listed_under=seed)
        new_fresh = fresh - self.fresh_seen
        self.fresh_seen |= new_fresh
        self.summary.skipped_fresh += len(new_fresh)
        self._count(
            "ad", self.store.add_tasks(self.run_id, [(u, "ad", url) for u in ad_urls if u not in fresh])
        )
        if parsed.next_url and parsed.next_url not in self.seeds:
            if not self.follow_next:
                self.summary.listing_truncated += 1
            elif self.summary.listings + self._pending_listings() >= self.config.max_listing_pages:
                self.summary.listing_truncated += 1
                self.summary.error(url, f"listing page limit ({self.config.max_listing_pages}) reached")
            else:
                self.seed_of.setdefault(parsed.next_url, seed)
                self._count("listing", self.store.add_tasks(self.run_id, [(parsed.next_url, "listing", url)]))
        self.store.set_task(self.run_id, url, "done")

    def _pending_listings(self) -> int:
        return len(self.store.pending_tasks(self.run_id, "listing", limit=self.config.max_listing_pages))

    def _listing_failed(self) -> None:
        # Saved at once: a run with a failed listing page must never be taken for complete.
        self.summary.listing_failures += 1
        self.store.update_run_stats(self.run_id, {"listing_failures": self.summary.listing_failures})

    # ------------------------------------------------------------ one ad page

    def _ad(
        self, url: str, stored: tuple[int, bytes] | None, *, recheck: bool, listed_under: str | None
    ) -> None:
        got = self._get(url, "ad", stored)
        if got is None:
            return
        raw_id, body, status = got
        if status in (404, 410):
            at = self.now()
            self.summary.gone += 1
            self.summary.removed += self.store.mark_removed_urls(self.site_id, [url], at)
            self.store.set_task(self.run_id, url, "done", f"gone (HTTP {status})")
            return
        if status != 200:
            self._fail(url, f"HTTP {status}")
            return
        parsed, raw_id = self._parse(url, raw_id, body, "ad")
        if parsed is None:
            self.store.set_task(self.run_id, url, "failed", "parse error")
            return
        if not isinstance(parsed, ParsedAd):
            self._parse_failed(url, raw_id, "expected an ad page, got a listing")
            self.store.set_task(self.run_id, url, "failed", "parse error")
            return
        unknown: str | None = None
        if parsed.phone_url and not parsed.phone and self.config.fetch_phones:
            phone, why = self._phone(parsed.phone_url, recheck=recheck)
            if phone is None:
                # The ad is stored all the same (no ad lost); its page stays "partial", so the next
                # crawl fetches it again instead of skipping it as fresh, and fills the number in.
                unknown = f"phone number could not be read ({why})"
                self.summary.error(url, f"stored without its phone number: {why}")
            parsed.phone = phone
        self._queue_images(url, parsed.images)
        item = IngestItem(
            parsed,
            self.now(),
            self.parser,
            raw_id,
            phone_unknown=unknown is not None,
            listed_under=listed_under,
        )
        if parsed.warnings:  # stored all the same; the page's parse note says what the selectors missed
            self.summary.layout_warning(url, parsed.warnings)
        note = "; ".join(([unknown] if unknown else []) + parsed.warnings) or None
        self.pending.append(_Pending(item, url))
        self.page_results.append(PageResult(raw_id, "partial" if unknown else "ok", note, self.parser))
        self.task_results[url] = TaskResult(url, "done", unknown)
        if unknown:
            self.batch_counts["phone_unknown"] = self.batch_counts.get("phone_unknown", 0) + 1
        if len(self.pending) >= INGEST_BATCH:
            self._flush()

    # ------------------------------------------------------------ photos

    def _queue_images(self, ad_url: str, images: list[str]) -> None:
        """Photos are kept as evidence once per url; a photo seen in an earlier run is not fetched again."""
        if not self.config.fetch_images or not images:
            return
        wanted = [u for u in dict.fromkeys(images[: self.config.max_images_per_ad]) if u.startswith("http")]
        known = self.store.fetched_since(wanted, datetime.min.replace(tzinfo=UTC)) if wanted else set()
        self.summary.images_known += len(known)
        self._count(
            "image",
            self.store.add_tasks(self.run_id, [(u, "image", ad_url) for u in wanted if u not in known]),
        )

    def _count(self, kind: str, added: int) -> None:
        self.total[kind] = self.total.get(kind, 0) + added

    def _image(self, url: str, stored: tuple[int, bytes] | None) -> None:
        got = self._get(url, "image", stored)
        if got is None:
            return
        _raw_id, _body, status = got
        if status != 200:
            self._fail(url, f"HTTP {status}")
            return
        self.batch_counts["images"] = self.batch_counts.get("images", 0) + 1
        self.task_results[url] = TaskResult(url, "done")
        if len(self.task_results) >= INGEST_BATCH:
            self._flush()

    def _phone(self, url: str, *, recheck: bool) -> tuple[str | None, str]:
        """The number behind "toon nummer", or None and why it could not be had."""
        stored = self._stored_pages([url], "phone").get(url) if recheck else None
        got = self._get(url, "phone", stored, task=False)
        if got is None:
            return None, "request failed"
        raw_id, body, status = got
        if status != 200:
            self.summary.error(url, f"phone number: HTTP {status}")
            return None, f"HTTP {status}"
        try:
            number = self.adapter.parse_phone(body, url)
        except ParseError as exc:
            self._parse_failed(url, raw_id, exc.reason)
            return None, exc.reason
        self.page_results.append(PageResult(raw_id, "ok", None, self.parser))
        return number, ""

    def _flush(self) -> None:
        """One transaction: the parsed ads, their pages' parse results, the tasks, the counters."""
        if not self.pending and not self.task_results and not self.page_results:
            return
        batch, self.pending = self.pending, []
        pages, self.page_results = self.page_results, []
        done, self.task_results = self.task_results, {}
        counts, self.batch_counts = self.batch_counts, {}
        result = self.store.ingest(
            [p.item for p in batch], run_id=self.run_id, pages=pages, tasks=list(done.values()), counts=counts
        )
        # The same increments the transaction added to the run's stats (kept equal for the saves).
        self.summary.ads_parsed += len(batch)
        self.summary.new_ads += result.new_ads
        self.summary.new_versions += result.new_versions
        self.summary.unchanged += result.unchanged
        for key, n in counts.items():
            setattr(self.summary, key, getattr(self.summary, key) + n)

    # ------------------------------------------------------------ fetching, evidence, parsing

    def _get(
        self, url: str, kind: str, stored: tuple[int, bytes] | None, *, task: bool = True
    ) -> tuple[int, bytes, int] | None:
        """(raw page id, body, status) from the evidence of this run or a new fetch; None if given up.

        Failures are recorded on the task (``task``) and in the summary; a host given up on stops
        the walk.
        """
        if stored is not None:
            self.summary.reused += 1
            return stored[0], stored[1], 200
        try:
            if not self.client.allowed(url):
                self.summary.skipped_robots += 1
                if task:
                    self.store.set_task(self.run_id, url, "skipped", "robots.txt")
                return None
            if self.max_pages is not None and self.fetched_here >= self.max_pages:
                raise _Stop(
                    f"page limit of {self.max_pages} reached; the next crawl resumes this run", "paused"
                )
            response = self.client.fetch(url)
        except RobotsDisallowed as exc:
            self.summary.skipped_robots += 1
            if task:
                self.store.set_task(self.run_id, url, "skipped", f"robots.txt ({exc.reason})")
            return None
        except HostUnavailable as exc:
            if task:
                self.store.set_task(self.run_id, url, "pending", exc.reason)
            self.summary.error(url, exc.reason)
            raise _Stop(f"{self.base_url}: {exc.reason}", "failed") from exc
        except TooLarge as exc:
            self._fail(url, exc.reason, task=task)
            return None
        except FetchError as exc:
            self._fail(url, exc.reason, task=task)
            return None
        self.fetched_here += 1
        self.summary.fetched += 1
        raw_id = self._store(url, kind, response)
        return raw_id, response.body, response.status

    def _store(self, url: str, kind: str, response: Response) -> int:
        headers = list(response.headers)
        if response.final_url != url:
            headers.append(("X-Zicht-Final-Url", response.final_url))
        raw_id = self.store.store_page(
            self.run_id, url, kind, response.status, headers, response.body, self.now()
        )
        self.summary.stored += 1
        return raw_id

    def _parse(self, url: str, raw_id: int, body: bytes, kind: str) -> tuple[ParsedAd | Listing | None, int]:
        """Parse with the adapter; passes a gate once and re-fetches if the site showed one.

        Returns the parsed page and the raw page it came from (a re-fetch after a gate is a new
        one). Success is not recorded here: an ad page is "ok" only once its ad is stored.
        """
        try:
            return self.adapter.parse(body, url), raw_id
        except GateError as exc:
            self._parse_failed(url, raw_id, exc.reason)
            if self.gate_passes >= MAX_GATE_PASSES:
                return None, raw_id
            self.gate_passes += 1
            self._open_gates(force=True)
            got = self._get(url, kind, None, task=False)
            if got is None:
                return None, raw_id
            raw_id, body, status = got
            if status != 200:
                self._fail(url, f"HTTP {status} after passing the gate")
                return None, raw_id
            try:
                return self.adapter.parse(body, url), raw_id
            except GateError as again:
                self._parse_failed(url, raw_id, f"{again.reason} even after confirming it (check AGE_GATE)")
            except ParseError as again:
                self._parse_failed(url, raw_id, again.reason)
            return None, raw_id
        except ParseError as exc:
            self._parse_failed(url, raw_id, exc.reason)
            return None, raw_id

    def _parse_failed(self, url: str, raw_id: int, reason: str) -> None:
        self.summary.parse_errors += 1
        self.summary.error(url, f"parse error: {reason}")
        self.store.set_parse_result(raw_id, "error", reason, self.parser)

    def _fail(self, url: str, reason: str, *, task: bool = True) -> None:
        self.summary.failed += 1
        self.summary.error(url, reason)
        if task:
            self.store.set_task(self.run_id, url, "failed", reason)

    def _stored_pages(self, urls: Iterable[str], kind: str) -> dict[str, tuple[int, bytes]]:
        """Pages of this run already fetched before an interruption (their tasks were still pending)."""
        found: dict[str, tuple[int, bytes]] = {}
        for url in urls:
            pages = [
                p
                for p in self.store.raw_pages_at(url, kind=kind, run_id=self.run_id)
                if p.run_id == self.run_id
            ]
            if pages:
                found[url] = (pages[0].id, self.store.read_raw_body(pages[0]))
        return found

    # ------------------------------------------------------------ gates

    def _open_gates(self, force: bool = False) -> None:
        """Confirm the age gate and cookie dialog as the adapter describes them, once per host.

        The confirmation request lets the site set its own cookies; the documented cookies are set
        directly as well when the site did not set them (or the request failed).
        """
        for gate in getattr(self.adapter, "GATES", ()) or ():
            url = self.base_url + "/" + str(gate.get("url") or "").lstrip("/")
            cookies = dict(gate.get("cookies") or {})
            if not force and cookies and all(self.client.has_cookie(url, n) for n in cookies):
                continue
            if gate.get("url"):
                try:
                    self.client.submit(str(gate.get("method", "GET")), url, dict(gate.get("data") or {}))
                except RobotsDisallowed:
                    pass
                except HostUnavailable as exc:
                    raise _Stop(f"{self.base_url}: {exc.reason}", "failed") from exc
                except FetchError as exc:
                    self.summary.error(url, f"gate confirmation failed: {exc.reason}")
            for name, value in cookies.items():
                if force or not self.client.has_cookie(url, name):
                    self.client.set_cookie(url, name, str(value))
