"""``zicht demo``: generate a synthetic market, serve it on 127.0.0.1, crawl it, process it.

The crawl is real (HTTP, robots.txt, age gate, "toon nummer", 429s, the odd broken page); only
time is simulated: the site is moved day by day and the crawler's clock follows, so first/last
seen, edits and removals span the market's weeks. The ground truth is written beside the
database, never into it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from zicht.demo.intervention import record_demo_intervention
from zicht.demo.market import generate_market
from zicht.demo.model import SITES, TZ, Market
from zicht.demo.site import serve_site
from zicht.demo.truth import write_truth
from zicht.sources.config import CrawlConfig, SiteConfig
from zicht.sources.crawler import CrawlSummary, crawl_site
from zicht.store.store import Store

DEMO_PURPOSE = "Demonstratie van Zicht met een synthetische markt (geen echte personen of advertenties)"
DEMO_LEGAL_BASIS = "Geen persoonsgegevens: gegenereerde gegevens, alleen lokaal op 127.0.0.1"
DEMO_CONTACT = "demo@zicht.invalid"
TRUTH_FILE = "demo-truth.jsonl"


@dataclass(frozen=True)
class DemoOptions:
    seed: int = 7
    n_ads: int = 3000
    weeks: int = 6
    crawl_every_days: int = 7
    rate: float = 400.0  # requests per second the crawler allows itself on the local demo site
    site_rate_limit: float = 1000.0  # the demo site answers 429 above this
    broken_fraction: float = 0.01
    intervention: bool = True  # a simulated control action in the middle week (zicht.demo.intervention)


@dataclass
class DemoReport:
    market_ads: int = 0
    truth_path: Path | None = None
    crawl_days: list[int] = field(default_factory=list)
    summaries: list[CrawlSummary] = field(default_factory=list)
    seconds: float = 0.0
    intervention_id: int | None = None  # the simulated control action, as recorded in the store

    def problem_counts(self) -> dict[str, int]:
        """Parse errors, failed pages and layout warnings over every run of the demo."""
        return {
            "parse errors": sum(s.parse_errors for s in self.summaries),
            "failed pages": sum(s.failed for s in self.summaries),
            "layout warnings": sum(s.layout_warnings for s in self.summaries),
        }


def crawl_days(weeks: int, every: int) -> list[int]:
    """Days on which the demo crawls: every ``every`` days, and always the last day."""
    last = weeks * 7 - 1
    days = list(range(0, last + 1, max(1, every)))
    if days[-1] != last:
        days.append(last)
    return days


def demo_config(server_base_urls: dict[str, str], options: DemoOptions) -> CrawlConfig:
    return CrawlConfig(
        purpose=DEMO_PURPOSE,
        legal_basis=DEMO_LEGAL_BASIS,
        contact=DEMO_CONTACT,
        organisation="Zicht demo",
        region="demo",
        sites=tuple(SiteConfig(name=name, base_url=url) for name, url in server_base_urls.items()),
        rate=options.rate,
        freshness=timedelta(hours=20),
        timeout_s=10.0,
        total_timeout_s=20.0,
        backoff_s=0.05,
        backoff_max_s=1.0,
        retry_after_max_s=2.0,
    )


class SimulatedClock:
    """Market day ``d`` at 07:00 Amsterdam time, plus the real time elapsed since it was set."""

    def __init__(self, market: Market) -> None:
        self.market = market
        self._base = datetime.now(TZ)
        self._t0 = time.monotonic()

    def set_day(self, day: int) -> None:
        self._base = datetime.combine(self.market.date_of(day), dtime(7, 0), tzinfo=TZ)
        self._t0 = time.monotonic()

    def __call__(self) -> datetime:
        return self._base + timedelta(seconds=time.monotonic() - self._t0)


def run_demo(
    store: Store,
    options: DemoOptions,
    *,
    on_stage: Callable[[str], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> DemoReport:
    """Generate → serve → crawl day by day. Processing and the web app are the caller's next steps."""
    t0 = time.perf_counter()
    report = DemoReport()
    say = on_stage or (lambda _msg: None)
    say(f"Generating a synthetic market over {options.weeks} weeks (seed {options.seed})")
    market = generate_market(
        seed=options.seed, n_ads=options.n_ads, weeks=options.weeks, intervention=options.intervention
    )
    report.market_ads = len(market.ads)
    asked = (
        ""
        if report.market_ads == options.n_ads
        else f" (asked for {options.n_ads}: the simulated control action changes the market)"
    )
    say(f"The market holds {report.market_ads} ads{asked}")
    report.truth_path = store.data_dir / TRUTH_FILE
    store.data_dir.mkdir(parents=True, exist_ok=True)
    write_truth(market, report.truth_path)
    say(f"Ground truth written apart from the database: {report.truth_path}")
    recorded = record_demo_intervention(store, market)
    if recorded is not None:
        report.intervention_id = recorded.id
        say(
            f"Simulated control action recorded as intervention #{recorded.id}: "
            f"{', '.join(recorded.gemeente_names)} on {recorded.day:%d %B %Y}"
        )

    server = serve_site(
        market,
        rate_limit_per_s=options.site_rate_limit,
        broken_fraction=options.broken_fraction,
        seed=options.seed,
    )
    try:
        config = demo_config({name: server.base_url(name) for name in SITES}, options)
        clock = SimulatedClock(market)
        report.crawl_days = crawl_days(options.weeks, options.crawl_every_days)
        for day in report.crawl_days:
            server.set_today(day)
            clock.set_day(day)
            say(f"Crawling the demo sites as on {market.date_of(day):%A %d %B %Y} (day {day})")
            for name in SITES:
                summary = crawl_site(store, name, config, now=clock, on_progress=_per_site(on_progress, name))
                report.summaries.append(summary)
                trouble = problems(summary)
                if trouble:
                    say(f"{name}, day {day}: {trouble}")
    finally:
        server.stop()
    report.seconds = time.perf_counter() - t0
    return report


def problems(summary: CrawlSummary, examples: int = 3) -> str | None:
    """One run's problems in a line, with the first few pages (None when it went cleanly).

    The demo site serves the odd broken page on purpose; saying so keeps a missing ad explainable.
    """
    counts = [
        (summary.parse_errors, "parse error", "parse errors"),
        (summary.failed, "failed page", "failed pages"),
        (summary.layout_warnings, "page with layout warnings", "pages with layout warnings"),
        (
            summary.phone_unknown,
            "ad without its number (fetched again next crawl)",
            "ads without their number (fetched again next crawl)",
        ),
    ]
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    parts += [f"incomplete because {reason}" for reason in summary.incomplete_reasons()]
    if not parts:
        return None
    shown = summary.errors[:examples]
    more = len(summary.errors) - len(shown)
    first = f" - {'; '.join(shown)}" + (f"; ... {more} more" if more > 0 else "") if shown else ""
    return ", ".join(parts) + first


def _per_site(
    on_progress: Callable[[str, int, int], None] | None, site: str
) -> Callable[[str, int, int], None] | None:
    """One progress bar per site and kind of page (the bars are reused day after day)."""
    if on_progress is None:
        return None
    return lambda kind, done, total: on_progress(f"{site}: {kind}", done, total)


def default_demo_db(root: Path) -> str:
    return f"sqlite:///{root / 'demo-data' / 'zicht.db'}"
