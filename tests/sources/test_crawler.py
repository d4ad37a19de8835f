"""The crawler against the real demo site, real adapters and a real store.

Faults (500 storms, 429 storms, hangs, huge, malformed and mis-encoded pages) are injected by a thin
ASGI layer in front of the demo app, so everything else is the real thing over real HTTP. The
demo market is the ground truth: what was online on a day must end up stored, and nothing else.
"""

from __future__ import annotations

import asyncio
import socket
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import func, select
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from zicht.demo.market import generate_market
from zicht.demo.model import TZ, Market
from zicht.demo.site import DemoSite, create_site_app
from zicht.sources.adapters import get_adapter
from zicht.sources.config import (
    ConfigError,
    CrawlConfig,
    SiteConfig,
    config_from_dict,
    load_config,
)
from zicht.sources.crawler import CrawlSummary, crawl, crawl_site
from zicht.store.models import Ad, CrawlRun, CrawlTask, RawPage
from zicht.store.store import Store

SITES = ("kinky", "sexjobs", "redlights")
DAY = 3


# ------------------------------------------------------------------------------ the demo, served


class Faults:
    """What the layer in front of the demo app does instead of (or to) the demo's answer."""

    def __init__(self, demo: DemoSite) -> None:
        self.mode: str | None = None  # "500" | "429" | "hang": for every path but robots.txt
        # The demo's robots.txt without its Crawl-delay, so the tests run at full speed; the
        # politeness test puts the demo's own back.
        self.robots: str | None = "\n".join(
            line for line in demo.robots_txt().splitlines() if not line.startswith("Crawl-delay")
        )
        self.replace: dict[str, Callable[[], Response]] = {}  # full path -> answer
        self.transform: dict[str, Callable[[bytes], bytes]] = {}  # full path -> body rewrite
        self.hits: Counter[str] = Counter()  # full path + query, every request
        self.released = False  # set on stop: hanging answers end


class FaultLayer:
    def __init__(self, app, faults: Faults) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.faults = faults

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        f = self.faults
        path = scope["path"]
        query = scope.get("query_string", b"").decode()
        f.hits[path + (f"?{query}" if query else "")] += 1
        if path == "/robots.txt" and f.robots is not None:
            return await PlainTextResponse(f.robots)(scope, receive, send)
        if path != "/robots.txt":
            if f.mode == "500":
                return await PlainTextResponse("Interne serverfout", status_code=500)(scope, receive, send)
            if f.mode == "429":
                response = PlainTextResponse(
                    "Te veel verzoeken", status_code=429, headers={"Retry-After": "1"}
                )
                return await response(scope, receive, send)
            if f.mode == "hang":
                for _ in range(60):  # until stopped, at most 3 s
                    if f.released:
                        break
                    await asyncio.sleep(0.05)
                return await PlainTextResponse("te laat")(scope, receive, send)
        if path in f.replace:
            return await f.replace[path]()(scope, receive, send)
        if path in f.transform:
            return await self._transformed(scope, receive, send, f.transform[path])
        return await self.app(scope, receive, send)

    async def _transformed(self, scope, receive, send, rewrite):  # type: ignore[no-untyped-def]
        start: dict = {}
        chunks: list[bytes] = []

        async def collect(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, collect)
        body = rewrite(b"".join(chunks))
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class DemoServer:
    """The demo app behind the fault layer on a loopback port.

    The socket is created with IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections
    (without it every response waits ~40 ms for a delayed ACK).
    """

    def __init__(self, market: Market, **options: object) -> None:
        options.setdefault("rate_limit_per_s", 0)
        options.setdefault("broken_fraction", 0.0)
        app = create_site_app(market, today=DAY, **options)  # type: ignore[arg-type]
        self.demo: DemoSite = app.state.site
        self.faults = Faults(self.demo)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(
            FaultLayer(app, self.faults), log_level="error", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "demo server did not start"
            time.sleep(0.01)

    def base_url(self, site: str) -> str:
        return f"http://127.0.0.1:{self.port}/{site}"

    def set_today(self, day: int) -> None:
        self.demo.today = day

    def ad_url(self, market: Market, site: str, day: int = DAY, index: int = 0) -> str:
        ad = [a for a in market.active_on(day) if a.site == site][index]
        return self.base_url(site) + self.demo.ad_path(ad)

    def stop(self) -> None:
        self.faults.released = True
        self.demo.hang_seconds = 0
        self._server.should_exit = True
        self._thread.join(5)
        self._sock.close()


class Clock:
    """The crawl's clock: a fixed time on a market day that the test moves on by hand."""

    def __init__(self, market: Market, day: int = DAY) -> None:
        self.market = market
        self.t = datetime.combine(market.date_of(day), dtime(8, 0), tzinfo=TZ).astimezone(UTC)

    def __call__(self) -> datetime:
        self.t += timedelta(milliseconds=1)  # strictly increasing, like a real clock
        return self.t

    def to_day(self, day: int, hour: int = 8) -> None:
        self.t = datetime.combine(self.market.date_of(day), dtime(hour, 0), tzinfo=TZ).astimezone(UTC)


@pytest.fixture(scope="module")
def market() -> Market:
    return generate_market(seed=11, n_ads=90, weeks=2)


def config_for(server: DemoServer, sites: tuple[str, ...] = ("kinky",), **overrides: object) -> CrawlConfig:
    settings: dict[str, object] = {
        "purpose": "dagelijkse scan advertenties regio Test (toezicht prostitutiebeleid)",
        "legal_basis": "AVG art. 6 lid 1 sub e; APV Test art. 3:4",
        "contact": "toezicht@example.nl",
        "organisation": "Gemeente Test, team toezicht",
        "rate": 1000.0,
        "timeout_s": 2.0,
        "total_timeout_s": 5.0,
        "max_attempts": 3,
        "backoff_s": 0.01,
        "backoff_max_s": 0.05,
        "retry_after_max_s": 0.05,
        "breaker_threshold": 6,
        "sites": tuple(SiteConfig(name=s, base_url=server.base_url(s)) for s in sites),
    }
    settings.update(overrides)
    return CrawlConfig(**settings)  # type: ignore[arg-type]


def online(market: Market, site: str, day: int = DAY) -> dict[str, object]:
    return {a.source_id: a for a in market.active_on(day) if a.site == site}


def stored_ads(store: Store, site: str) -> dict[str, Ad]:
    with store.session() as s:
        return {a.source_id: a for a in s.scalars(select(Ad).where(Ad.site_id == store.site_id(site)))}


def raw_pages_per_url(store: Store, run_id: int) -> Counter[str]:
    with store.session() as s:
        rows = s.execute(
            select(RawPage.url, func.count()).where(RawPage.run_id == run_id).group_by(RawPage.url)
        )
        return Counter({url: n for url, n in rows})


def tasks(store: Store, run_id: int) -> dict[str, CrawlTask]:
    with store.session() as s:
        return {t.url: t for t in s.scalars(select(CrawlTask).where(CrawlTask.run_id == run_id))}


# ------------------------------------------------------------------------------ end to end


def test_crawl_stores_exactly_what_is_online_on_both_backends(
    store: Store, server: DemoServer, market: Market
) -> None:
    clock = Clock(market)
    summaries = crawl(store, config_for(server, SITES), now=clock)
    assert [s.site for s in summaries] == list(SITES)
    for summary in summaries:
        truth = online(market, summary.site)
        ads = stored_ads(store, summary.site)
        assert set(ads) == set(truth), summary.site
        assert summary.complete and summary.status == "finished"
        assert (summary.new_ads, summary.parse_errors, summary.failed) == (len(truth), 0, 0)
        for source_id, ad in ads.items():
            demo_ad = truth[source_id]
            version = store.versions(ad.id)[-1]
            demo_version = demo_ad.version_on(DAY)
            # Text comes out exactly as written, accents and euro signs included (redlights is cp1252).
            assert version.title == demo_version.title
            assert version.phone == demo_ad.phone_display
            assert version.raw_page_id is not None
    run = store.get_run(summaries[0].run_id)
    assert run is not None and run.status == "finished" and run.complete
    assert run.purpose.startswith("dagelijkse scan") and "AVG" in run.legal_basis
    assert run.user_agent == "Zicht/0.1.0 (+contact: toezicht@example.nl; Gemeente Test, team toezicht)"
    assert run.stats["new_ads"] == summaries[0].new_ads
    # Gates were passed up front, and robots.txt was read once per process and site.
    assert server.demo.counters["gate_pages"] == 0
    assert server.demo.counters["disallowed"] == 0
    # Each url once: no page was fetched twice.
    for summary in summaries:
        assert max(raw_pages_per_url(store, summary.run_id).values()) == 1


def test_next_day_marks_removed_ads_and_stores_edits(
    store: Store, server: DemoServer, market: Market
) -> None:
    clock = Clock(market)
    config = config_for(server, ("sexjobs",))
    crawl_site(store, "sexjobs", config, now=clock)
    later = DAY + 4
    server.set_today(later)
    clock.to_day(later)
    summary = crawl_site(store, "sexjobs", config, now=clock)
    before, after = online(market, "sexjobs"), online(market, "sexjobs", later)
    ads = stored_ads(store, "sexjobs")
    assert set(ads) == set(before) | set(after)
    assert {k for k, a in ads.items() if a.status == "active"} == set(after)
    assert {k for k, a in ads.items() if a.status == "removed"} == set(before) - set(after)
    assert summary.removed == len(set(before) - set(after)) > 0
    assert summary.new_ads == len(set(after) - set(before)) > 0
    edited = {
        k for k in set(before) & set(after) if after[k].version_on(later) is not after[k].version_on(DAY)
    }
    assert summary.new_versions == len(set(after) - set(before)) + len(edited)
    for k in edited:
        assert len(store.versions(ads[k].id)) == 2


def test_same_day_recrawl_fetches_no_ad_page_again_but_marks_ads_seen(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    clock = Clock(market)
    config = config_for(server)
    first = crawl_site(sqlite_store, "kinky", config, now=clock)
    clock.t += timedelta(hours=2)
    second_start = clock.t
    second = crawl_site(sqlite_store, "kinky", config, now=clock)
    truth = online(market, "kinky")
    assert second.skipped_fresh == len(truth) and second.new_ads == 0
    assert second.fetched == first.listings  # only the listing pages
    assert all(n == 1 for path, n in server.faults.hits.items() if "/advertenties/" in path)
    ads = stored_ads(sqlite_store, "kinky")
    assert all(a.last_seen > second_start and a.status == "active" for a in ads.values())
    assert second.complete and second.removed == 0


def test_polite_to_the_demo_crawl_delay_and_rate_limit(sqlite_store: Store, market: Market) -> None:
    """A configured rate far above what robots.txt allows is slowed to the site's Crawl-delay."""
    delay = 0.02
    srv = DemoServer(market, rate_limit_per_s=1 / delay)  # robots.txt declares the pace it enforces
    srv.faults.robots = None  # the demo's own robots.txt, with its Crawl-delay
    try:
        summary = crawl_site(sqlite_store, "redlights", config_for(srv, ("redlights",), rate=100_000.0))
        assert summary.complete and summary.new_ads == len(online(market, "redlights"))
        assert srv.demo.counters["429"] == 0  # never faster than the site allows
        host = summary.hosts[f"http://127.0.0.1:{srv.port}"]
        assert host["crawl_delay_s"] == pytest.approx(delay) and host["interval_s"] == pytest.approx(delay)
    finally:
        srv.stop()


def test_progress_reports_every_task(sqlite_store: Store, server: DemoServer, market: Market) -> None:
    events: list[tuple[str, int, int]] = []
    crawl_site(
        sqlite_store, "kinky", config_for(server), now=Clock(market), on_progress=lambda *e: events.append(e)
    )
    assert {e[0] for e in events} == {"listing", "ad", "image"}
    for kind in ("listing", "ad", "image"):  # each bar counts its own kind of page, up to its total
        mine = [(done, total) for k, done, total in events if k == kind]
        assert [d for d, _ in mine] == list(range(1, len(mine) + 1))
        assert all(done <= total for done, total in mine)
        assert mine[-1][0] == mine[-1][1]
    pages = sqlite_store.task_progress(sqlite_store.runs(limit=1)[0].id)[1]
    assert pages == {k: sum(1 for e in events if e[0] == k) for k in ("listing", "ad", "image")}


def test_photos_are_kept_once_as_evidence(sqlite_store: Store, server: DemoServer, market: Market) -> None:
    clock = Clock(market)
    first = crawl_site(sqlite_store, "kinky", config_for(server), now=clock)
    ads = stored_ads(sqlite_store, "kinky")
    urls = {u for a in ads.values() for v in sqlite_store.versions(a.id) for u in v.images}
    assert urls and first.images == len(urls) and first.images_known == 0
    for url in urls:
        (page,) = sqlite_store.raw_pages_at(url, kind="image")
        body = sqlite_store.read_raw_body(page)
        assert body[:3] == b"\xff\xd8\xff"  # a real JPEG, kept byte for byte with its sha256

    clock.to_day(DAY + 2)
    server.set_today(DAY + 2)
    second = crawl_site(sqlite_store, "kinky", config_for(server), now=clock)
    later = {u for a in stored_ads(sqlite_store, "kinky").values() for v in sqlite_store.versions(a.id)
             for u in v.images}  # fmt: skip
    assert second.images == len(later - urls)  # only photos never seen before are fetched
    assert second.images_known > 0
    assert all(len(sqlite_store.raw_pages_at(u, kind="image")) == 1 for u in later)


def test_photo_collection_can_be_switched_off(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    summary = crawl_site(sqlite_store, "kinky", config_for(server, fetch_images=False), now=Clock(market))
    assert summary.images == 0 and summary.new_ads > 0
    with sqlite_store.session() as s:
        assert s.scalar(select(func.count()).select_from(RawPage).where(RawPage.kind == "image")) == 0


# ------------------------------------------------------------------------------ robots.txt


def test_disallowed_urls_are_skipped_counted_and_make_the_run_incomplete(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    site = SiteConfig(
        name="kinky",
        base_url=server.base_url("kinky"),
        listing_urls=("/vrouwen/?page=1", "/account/favorieten"),
    )
    summary = crawl_site(sqlite_store, "kinky", config_for(server, sites=()).with_options(sites=(site,)))
    assert summary.skipped_robots == 1
    assert server.faults.hits["/kinky/account/favorieten"] == 0
    t = tasks(sqlite_store, summary.run_id)[server.base_url("kinky") + "/account/favorieten"]
    assert (t.status, t.last_error) == ("skipped", "robots.txt")
    assert not summary.complete and summary.removed == 0


# ------------------------------------------------------------------------------ failing sites


def _seed(store: Store, server: DemoServer, market: Market, site: str = "kinky") -> tuple[Clock, CrawlConfig]:
    clock = Clock(market)
    config = config_for(server, (site,))
    crawl_site(store, site, config, now=clock)
    clock.t += timedelta(days=1)  # outside the freshness window: everything is fetched again
    return clock, config


@pytest.mark.parametrize("mode", ["500", "429"])
def test_a_site_that_only_errors_ends_in_bounded_time(
    sqlite_store: Store, server: DemoServer, market: Market, mode: str
) -> None:
    clock, config = _seed(sqlite_store, server, market)
    server.faults.mode = mode
    before = sum(server.faults.hits.values())
    summary = crawl_site(sqlite_store, "kinky", config, now=clock)
    assert summary.status == "failed" and not summary.complete
    assert "consecutive failed requests" in (summary.stopped or "")
    assert f"HTTP {mode}" in (summary.stopped or "")
    # Bounded: the breaker stops after `breaker_threshold` failed requests, plus the gate confirmations.
    assert sum(server.faults.hits.values()) - before <= config.breaker_threshold + 3
    run = sqlite_store.get_run(summary.run_id)
    assert run is not None and run.status == "failed" and run.stats["stopped"] == summary.stopped
    # Nothing stored before is lost or marked removed by an incomplete run.
    ads = stored_ads(sqlite_store, "kinky")
    assert len(ads) == len(online(market, "kinky")) and all(a.status == "active" for a in ads.values())
    assert any("consecutive failed requests" in line for line in summary.lines())


def test_a_hanging_site_times_out_and_stops(sqlite_store: Store, server: DemoServer, market: Market) -> None:
    server.faults.mode = "hang"
    summary = crawl_site(sqlite_store, "kinky", config_for(server, timeout_s=0.2, breaker_threshold=4))
    assert summary.status == "failed" and "timed out" in (summary.stopped or "")
    assert summary.new_ads == 0 and not summary.complete


def test_one_hanging_ad_page_fails_and_the_crawl_goes_on(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    url = server.ad_url(market, "kinky")
    server.demo.hang_paths.add(url.split(str(server.port), 1)[1])
    server.demo.hang_seconds = 1.0
    summary = crawl_site(sqlite_store, "kinky", config_for(server, timeout_s=0.2, max_attempts=2))
    assert summary.failed == 1 and summary.status == "finished" and summary.complete
    assert summary.new_ads == len(online(market, "kinky")) - 1
    t = tasks(sqlite_store, summary.run_id)[url]
    assert t.status == "failed" and "timed out" in (t.last_error or "")


def test_a_500_that_a_retry_cures_loses_nothing(sqlite_store: Store, market: Market) -> None:
    srv = DemoServer(market, broken_fraction=1.0, seed=5)  # every ad page has a fault
    try:
        summary = crawl_site(sqlite_store, "sexjobs", config_for(srv, ("sexjobs",)))
        kinds = Counter(srv.demo.broken_kind("sexjobs", k) for k in online(market, "sexjobs"))
        assert kinds["error_once"] > 0 and srv.demo.counters["500"] == kinds["error_once"]
        ads = stored_ads(sqlite_store, "sexjobs")
        error_once = {
            k for k in online(market, "sexjobs") if srv.demo.broken_kind("sexjobs", k) == "error_once"
        }
        assert error_once <= set(ads)  # fetched again after the 500, and stored
        assert summary.failed == 0
    finally:
        srv.stop()


def test_gone_ad_page_marks_the_ad_removed(sqlite_store: Store, server: DemoServer, market: Market) -> None:
    clock, config = _seed(sqlite_store, server, market)
    url = server.ad_url(market, "kinky", index=2)
    server.faults.replace[url.split(str(server.port), 1)[1]] = lambda: PlainTextResponse(
        "weg", status_code=410
    )
    summary = crawl_site(sqlite_store, "kinky", config, now=clock)
    assert summary.gone == 1 and summary.removed == 1
    gone = [a for a in stored_ads(sqlite_store, "kinky").values() if a.status == "removed"]
    assert [a.url for a in gone] == [url]


# ------------------------------------------------------------------------------ bad pages


def test_fifty_megabyte_ad_page_is_refused_and_recorded(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    url = server.ad_url(market, "kinky", index=1)
    sent = {"bytes": 0}

    def huge() -> Response:
        async def body():  # type: ignore[no-untyped-def]
            chunk = b"<p>" + b"x" * 65533
            for _ in range(800):  # 50 MB
                sent["bytes"] += len(chunk)
                yield chunk

        return StreamingResponse(body(), media_type="text/html")

    server.faults.replace[url.split(str(server.port), 1)[1]] = huge
    summary = crawl_site(sqlite_store, "kinky", config_for(server, max_page_bytes=2 * 1024 * 1024))
    t = tasks(sqlite_store, summary.run_id)[url]
    assert t.status == "failed" and "too large" in (t.last_error or "")
    assert raw_pages_per_url(sqlite_store, summary.run_id)[url] == 0
    assert summary.failed == 1 and summary.new_ads == len(online(market, "kinky")) - 1


@pytest.mark.parametrize(
    ("rewrite", "reason"),
    [
        (lambda body: body[:300], "page cut off"),  # cut off early
        (
            lambda body: b"<html><body><h1>Onderhoud</h1><p>We zijn zo terug.</p></body></html>",
            "unknown layout",
        ),
        (lambda body: b"", "empty body"),
    ],
    ids=["truncated", "malformed", "empty"],
)
def test_unreadable_page_is_kept_with_its_parse_error(
    sqlite_store: Store, server: DemoServer, market: Market, rewrite: Callable[[bytes], bytes], reason: str
) -> None:
    url = server.ad_url(market, "kinky", index=3)
    server.faults.transform[url.split(str(server.port), 1)[1]] = rewrite
    summary = crawl_site(sqlite_store, "kinky", config_for(server))
    assert summary.parse_errors == 1 and summary.complete
    assert summary.new_ads == len(online(market, "kinky")) - 1
    page = sqlite_store.raw_pages_at(url, kind="ad", run_id=summary.run_id)[0]
    assert page.parse_status == "error" and reason in (page.parse_error or "")
    assert page.parser == f"kinky@{get_adapter('kinky').VERSION}"
    assert sqlite_store.read_raw_body(page) == rewrite(sqlite_store.read_raw_body(page)) or page.size <= 300
    t = tasks(sqlite_store, summary.run_id)[url]
    assert t.status == "failed" and t.last_error == "parse error"
    assert any(reason in e for e in summary.errors)


def test_non_utf8_page_is_stored_verbatim_and_read_right(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    """A kinky page sent as cp1252 under a utf-8 label: bytes kept as sent, text read correctly."""
    ads = [a for a in market.active_on(DAY) if a.site == "kinky"]
    ad = next(a for a in ads if any(ord(ch) > 127 for ch in a.version_on(DAY).text + a.version_on(DAY).title))
    url = server.base_url("kinky") + server.demo.ad_path(ad)
    server.faults.transform[url.split(str(server.port), 1)[1]] = lambda body: body.decode("utf-8").encode(
        "cp1252", errors="xmlcharrefreplace"
    )
    summary = crawl_site(sqlite_store, "kinky", config_for(server))
    assert summary.parse_errors == 0
    page = sqlite_store.raw_pages_at(url, kind="ad", run_id=summary.run_id)[0]
    body = sqlite_store.read_raw_body(page)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    stored = sqlite_store.versions(sqlite_store.find_ad("kinky", ad.source_id).id)[-1]  # type: ignore[union-attr]
    assert (stored.title, stored.text) == (ad.version_on(DAY).title, ad.version_on(DAY).text)


# ------------------------------------------------------------------------------ gates


class _Without:
    """The real adapter with some of its data replaced (here: what it says about the gates)."""

    def __init__(self, name: str, **replaced: object) -> None:
        self._adapter = get_adapter(name)
        self._replaced = replaced

    def __getattr__(self, item: str) -> object:
        return self._replaced.get(item, getattr(self._adapter, item))


def test_gate_passed_from_cookie_data_alone(sqlite_store: Store, server: DemoServer, market: Market) -> None:
    real = get_adapter("sexjobs")
    gates = tuple({**g, "url": None} for g in real.GATES)  # no confirm url: cookies only
    summary = crawl_site(
        sqlite_store, "sexjobs", config_for(server, ("sexjobs",)), adapter=_Without("sexjobs", GATES=gates)
    )  # type: ignore[arg-type]
    assert summary.complete and summary.new_ads == len(online(market, "sexjobs"))
    assert server.demo.counters["gate_pages"] == 0


def test_a_gate_that_cannot_be_passed_is_a_clear_parse_error(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    summary = crawl_site(sqlite_store, "kinky", config_for(server), adapter=_Without("kinky", GATES=()))  # type: ignore[arg-type]
    assert summary.new_ads == 0 and not summary.complete
    assert summary.parse_errors >= 2
    assert any("age gate" in e and "even after confirming" in e for e in summary.errors)


# ------------------------------------------------------------------------------ runs and resuming


def test_page_limit_pauses_and_the_next_call_resumes(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    clock = Clock(market)
    config = config_for(server)
    first = crawl_site(sqlite_store, "kinky", config, now=clock, max_pages=15)
    assert first.status == "paused" and not first.complete and first.fetched == 15
    run = sqlite_store.get_run(first.run_id)
    assert run is not None and run.status == "running"
    second = crawl_site(sqlite_store, "kinky", config, now=clock)
    assert second.run_id == first.run_id and second.resumed and second.complete
    assert set(stored_ads(sqlite_store, "kinky")) == set(online(market, "kinky"))
    assert max(raw_pages_per_url(sqlite_store, first.run_id).values()) == 1
    assert second.fetched == sum(raw_pages_per_url(sqlite_store, first.run_id).values())


def test_an_old_interrupted_run_is_closed_not_resumed(
    sqlite_store: Store, server: DemoServer, market: Market
) -> None:
    clock = Clock(market)
    config = config_for(server)
    first = crawl_site(sqlite_store, "kinky", config, now=clock, max_pages=5)
    clock.t += timedelta(days=2)
    second = crawl_site(sqlite_store, "kinky", config, now=clock)
    assert second.run_id != first.run_id and not second.resumed and second.complete
    old = sqlite_store.get_run(first.run_id)
    assert old is not None and old.status == "failed" and not old.complete
    assert "not resumed" in old.stats["stopped"]


def test_summary_reads_as_a_report() -> None:
    s = CrawlSummary(
        site="kinky", run_id=7, fetched=10, stored=10, new_ads=4, status="finished", complete=True
    )
    s.error("http://x/a", "HTTP 500")
    text = str(s)
    assert (
        "kinky: run 7 finished, complete" in text and "new ads 4" in text and "! http://x/a: HTTP 500" in text
    )


# ------------------------------------------------------------------------------ configuration


def test_config_requires_purpose_legal_basis_and_a_contact() -> None:
    with pytest.raises(ConfigError) as err:
        CrawlConfig(purpose=" ", legal_basis="", contact="nobody")
    message = str(err.value)
    assert "purpose is required" in message and "legal_basis is required" in message and "contact" in message


def test_config_defaults_are_conservative() -> None:
    c = CrawlConfig(purpose="p", legal_basis="b", contact="t@example.nl", sites=(SiteConfig("kinky"),))
    assert c.rate == 1.0 and c.freshness == timedelta(hours=20) and c.max_attempts >= 2
    assert c.agent == "Zicht/0.1.0 (+contact: t@example.nl; gemeentelijk toezicht)"
    assert c.site("kinky").resolved_base_url() == "https://www.kinky.nl"
    with pytest.raises(ConfigError, match="not in this crawl configuration"):
        c.site("sexjobs")


def test_config_loads_yaml_with_regions(tmp_path: Path) -> None:
    path = tmp_path / "crawl.yaml"
    path.write_text(
        textwrap.dedent(
            """
            contact: toezicht@utrecht.example
            organisation: Gemeente Utrecht
            legal_basis: "AVG art. 6 lid 1 sub e"
            rate: 0.5
            regions:
              utrecht:
                purpose: Toezicht prostitutie regio Utrecht
                freshness_hours: 12
                sites:
                  - name: kinky
                    categories: [vrouwen, trans]
                    pages: 3
                  - sexjobs
              amsterdam:
                purpose: Toezicht Amsterdam
                sites: {redlights: {base_url: "https://mirror.example/redlights"}}
            """
        ),
        encoding="utf-8",
    )
    c = load_config(path, region="utrecht")
    assert c.region == "utrecht" and c.rate == 0.5 and c.freshness == timedelta(hours=12)
    assert c.site_names == ["kinky", "sexjobs"]
    assert c.site("kinky").categories == ("vrouwen", "trans") and c.site("kinky").pages == 3
    a = load_config(path, region="amsterdam")
    assert a.site("redlights").resolved_base_url() == "https://mirror.example/redlights"
    with pytest.raises(ConfigError, match="choose one of: utrecht, amsterdam"):
        load_config(path)
    with pytest.raises(ConfigError, match="'den-haag' not in"):
        load_config(path, region="den-haag")


def test_config_loads_toml_and_reports_mistakes(tmp_path: Path) -> None:
    path = tmp_path / "crawl.toml"
    path.write_text(
        textwrap.dedent(
            """
            region = "west"
            purpose = "Toezicht"
            legal_basis = "AVG art. 6 lid 1 sub e"
            contact = "a@example.nl"
            [sites.redlights]
            categories = ["escort/dames"]
            """
        ),
        encoding="utf-8",
    )
    c = load_config(path)
    assert c.region == "west" and c.site("redlights").categories == ("escort/dames",)
    record = c.as_record()
    assert record["user_agent"].startswith("Zicht/") and record["freshness"] == 20 * 3600
    with pytest.raises(ConfigError, match="unknown keys speed"):
        config_from_dict({"purpose": "p", "legal_basis": "b", "contact": "a@b.nl", "speed": 3})
    with pytest.raises(ConfigError, match="unknown keys page"):
        config_from_dict(
            {"purpose": "p", "legal_basis": "b", "contact": "a@b.nl", "sites": [{"name": "kinky", "page": 2}]}
        )
    bad = tmp_path / "bad.yaml"
    bad.write_text("sites: [kinky\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid yaml"):
        load_config(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")


def test_runs_record_their_configuration(sqlite_store: Store, server: DemoServer, market: Market) -> None:
    summary = crawl_site(
        sqlite_store, "kinky", config_for(server, freshness=timedelta(hours=6)), now=Clock(market)
    )
    with sqlite_store.session() as s:
        run = s.get(CrawlRun, summary.run_id)
        assert run is not None
        assert run.config["freshness"] == 6 * 3600 and run.config["site"]["name"] == "kinky"
        assert run.config["seeds"] == [
            server.base_url("kinky") + f"/{c}/?page=1" for c in get_adapter("kinky").CATEGORIES
        ]
