"""A crawl killed with SIGKILL resumes its run: no url fetched twice, no ad lost.

The crawl runs in a child process against the demo site served by this test process, which
counts every request; the child is killed twice at different points, then the crawl is finished
here. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import func, select
from starlette.responses import PlainTextResponse

from zicht.demo.market import generate_market
from zicht.demo.model import TZ, Market
from zicht.demo.site import create_site_app
from zicht.sources.config import CrawlConfig, SiteConfig
from zicht.sources.crawler import crawl_site
from zicht.store.models import CrawlRun, RawPage
from zicht.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
DAY = 4
SITE = "kinky"
PURPOSE = "toezicht test"
LEGAL_BASIS = "AVG art. 6 lid 1 sub e"
CONTACT = "toezicht@example.nl"

CHILD = f"""
import sys
from datetime import datetime
from zicht.sources.config import CrawlConfig, SiteConfig
from zicht.sources.crawler import crawl_site
from zicht.store.store import Store

db_url, data_dir, base_url, at, rate = sys.argv[1:6]
when = datetime.fromisoformat(at)
store = Store.open(db_url, data_dir=data_dir)
config = CrawlConfig(purpose={PURPOSE!r}, legal_basis={LEGAL_BASIS!r}, contact={CONTACT!r}, rate=float(rate),
                     sites=(SiteConfig(name="kinky", base_url=base_url),))
summary = crawl_site(store, "kinky", config, now=lambda: when)
print(summary)
"""


class CountingDemo:
    """The demo site on a loopback port, counting every request by path and query."""

    def __init__(self, market: Market) -> None:
        app = create_site_app(market, today=DAY, rate_limit_per_s=0, broken_fraction=0.0)
        self.demo = app.state.site
        robots = "\n".join(line for line in self.demo.robots_txt().splitlines() if "Crawl-delay" not in line)
        self.hits: Counter[str] = Counter()

        async def counting(scope, receive, send):  # type: ignore[no-untyped-def]
            if scope["type"] == "http":
                query = scope.get("query_string", b"").decode()
                self.hits[scope["path"] + (f"?{query}" if query else "")] += 1
                if scope["path"] == "/robots.txt":
                    return await PlainTextResponse(robots)(scope, receive, send)
            return await app(scope, receive, send)

        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.bind(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(counting, log_level="error", lifespan="off"))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline
            time.sleep(0.01)

    @property
    def total(self) -> int:
        return sum(self.hits.values())

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)
        self._sock.close()


@pytest.fixture(scope="module")
def market() -> Market:
    return generate_market(seed=23, n_ads=260, weeks=2)


@pytest.fixture
def demo(market: Market) -> Iterator[CountingDemo]:
    srv = CountingDemo(market)
    yield srv
    srv.stop()


def _start_child(store: Store, base_url: str, when: datetime, rate: float) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-c",
        CHILD,
        store.url,
        str(store.data_dir),
        base_url,
        when.isoformat(),
        str(rate),
    ]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _kill_after(child: subprocess.Popen[bytes], demo: CountingDemo, requests: int) -> None:
    """SIGKILL the child once the demo has answered ``requests`` more requests."""
    target = demo.total + requests
    deadline = time.monotonic() + 60
    while demo.total < target:
        if child.poll() is not None:
            out, err = child.communicate()
            pytest.fail(f"the crawl ended before it could be killed:\n{out.decode()}\n{err.decode()}")
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.002)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    assert child.returncode == -signal.SIGKILL


def test_killed_crawl_resumes_without_refetching_or_losing_ads(
    store: Store, demo: CountingDemo, market: Market
) -> None:
    when = datetime.combine(market.date_of(DAY), dtime(7, 30), tzinfo=TZ).astimezone(UTC)
    base_url = f"{demo.base}/{SITE}"
    # First kill early (listings), second one later (ad pages, with parsed ads not yet ingested).
    for requests in (10, 30):
        child = _start_child(store, base_url, when, rate=100.0)
        _kill_after(child, demo, requests)

    config = CrawlConfig(
        purpose=PURPOSE,
        legal_basis=LEGAL_BASIS,
        contact=CONTACT,
        rate=1000.0,
        sites=(SiteConfig(name=SITE, base_url=base_url),),
    )
    summary = crawl_site(store, SITE, config, now=lambda: when + timedelta(minutes=5))

    assert summary.resumed and summary.complete and summary.status == "finished"
    with store.session() as s:
        runs = list(s.scalars(select(CrawlRun)))
        assert [r.id for r in runs] == [summary.run_id]  # one run, resumed twice
        per_url = Counter(
            {url: n for url, n in s.execute(select(RawPage.url, func.count()).group_by(RawPage.url))}
        )
    assert per_url and max(per_url.values()) == 1, "a url was stored twice within the run"

    # Each page was asked of the server once, except at most the one in flight at each kill.
    # robots.txt and the gate confirmations are per process, not part of the frontier.
    per_process = ("/robots.txt", f"/{SITE}/leeftijdscheck", f"/{SITE}/cookies/akkoord")
    pages = {p: n for p, n in demo.hits.items() if not p.startswith(per_process)}
    assert max(pages.values()) <= 2
    assert sum(1 for n in pages.values() if n == 2) <= 2
    assert len(pages) == len(per_url)

    # No ad lost: everything online that day is stored, with its phone number.
    truth = {a.source_id: a for a in market.active_on(DAY) if a.site == SITE}
    for source_id, demo_ad in truth.items():
        ad = store.find_ad(SITE, source_id)
        assert ad is not None, f"ad {source_id} lost"
        assert store.versions(ad.id)[-1].phone == demo_ad.phone_display
    assert store.counts()["ads"] == len(truth)
    # The counts survive the kills: each ad counted once, each page as often as it was stored.
    assert (summary.ads_parsed, summary.new_ads, summary.new_versions) == (len(truth),) * 3
    assert summary.fetched == summary.stored == sum(per_url.values())
