"""The polite client against a real HTTP server on 127.0.0.1 (Starlette + uvicorn in a thread).

Pacing is checked with an injected clock that only moves when the client sleeps, so the tests
assert on the waits the client chose, never on wall-clock timings.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from zicht.sources.http import (
    FetchError,
    HostUnavailable,
    HttpPolicy,
    PoliteClient,
    RobotsDisallowed,
    TooLarge,
    retry_after_seconds,
)
from zicht.sources.warc import WarcStore

UA = "Zicht/0.1 (+contact: toezicht@example.nl; gemeentelijk toezicht)"
ROBOTS = "User-agent: *\nCrawl-delay: 2\nDisallow: /private\n\nUser-agent: OtherBot\nDisallow: /\n"
CP1252_PAGE = "<html><body><p>Café, €50 — één uur</p></body></html>".encode("cp1252")
FIFTY_MB = 50 * 1024 * 1024


class TestServer:
    """A real HTTP server with misbehaving endpoints; counts requests per path (and query)."""

    __test__ = False

    def __init__(self, robots: str | int = ROBOTS) -> None:
        self.robots = robots
        self.hits: Counter[str] = Counter()
        self.agents: list[str] = []
        self.release = threading.Event()
        routes = [
            Route("/robots.txt", self._robots),
            Route("/ok", lambda r: PlainTextResponse("hello")),
            Route("/private/{rest:path}", lambda r: PlainTextResponse("secret")),
            Route("/flaky/{n:int}", self._flaky),
            Route("/throttled/{n:int}", self._throttled),
            Route("/throttled-date", self._throttled_date),
            Route("/throttled-long", self._throttled_long),
            Route("/always500", lambda r: PlainTextResponse("boom", status_code=500)),
            Route("/hang", self._hang),
            Route("/trickle", self._trickle),
            Route("/redirect", lambda r: RedirectResponse("/ok", status_code=302)),
            Route("/redirect-private", lambda r: RedirectResponse("/private/x", status_code=302)),
            Route("/redirect-loop", lambda r: RedirectResponse("/redirect-loop", status_code=302)),
            Route("/gone", lambda r: PlainTextResponse("weg", status_code=410)),
            Route("/cp1252", lambda r: Response(CP1252_PAGE, media_type="text/html; charset=utf-8")),
            Route("/gzip", self._gzip),
            Route("/cookie", lambda r: PlainTextResponse(r.cookies.get("age_ok", "none"))),
        ]
        self.app = Starlette(routes=routes)
        self.app.add_middleware(_Counting, server=self)
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="error", timeout_graceful_shutdown=1, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> TestServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.should_exit = True
        self._thread.join(5)
        self._sock.close()

    async def _robots(self, request: Request) -> Response:
        if isinstance(self.robots, int):
            return PlainTextResponse("no", status_code=self.robots)
        return PlainTextResponse(self.robots)

    async def _flaky(self, request: Request) -> Response:
        n = request.path_params["n"]
        if self.hits[request.url.path] <= n:
            return PlainTextResponse("try later", status_code=503)
        return PlainTextResponse("finally")

    async def _throttled(self, request: Request) -> Response:
        if self.hits[request.url.path] <= request.path_params["n"]:
            return PlainTextResponse("slow down", status_code=429, headers={"Retry-After": "1"})
        return PlainTextResponse("ok now")

    async def _throttled_date(self, request: Request) -> Response:
        if self.hits[request.url.path] == 1:
            when = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
            return PlainTextResponse("slow down", status_code=429, headers={"Retry-After": when})
        return PlainTextResponse("ok now")

    async def _throttled_long(self, request: Request) -> Response:
        if self.hits[request.url.path] == 1:
            return PlainTextResponse("slow down", status_code=429, headers={"Retry-After": "3600"})
        return PlainTextResponse("ok now")

    async def _hang(self, request: Request) -> Response:
        for _ in range(100):
            if self.release.is_set():
                break
            await asyncio.sleep(0.05)
        return PlainTextResponse("late")

    async def _trickle(self, request: Request) -> Response:
        async def drip() -> Iterator[bytes]:
            while not self.release.is_set():
                yield b"."
                await asyncio.sleep(0.05)

        return StreamingResponse(drip(), media_type="text/html")

    async def _gzip(self, request: Request) -> Response:
        raw = ("<p>" + "zicht " * 500 + "</p>").encode()
        return Response(gzip.compress(raw), media_type="text/html", headers={"Content-Encoding": "gzip"})


class _Counting:
    def __init__(self, app, server: TestServer) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.server = server

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            self.server.hits[scope["path"]] += 1
            headers = dict(scope["headers"])
            self.server.agents.append(headers.get(b"user-agent", b"").decode())
        await self.app(scope, receive, send)


class FakeClock:
    """Time that passes only when the client sleeps: the waits it chose are the test's evidence."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def monotonic(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def server() -> Iterator[TestServer]:
    srv = TestServer().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def fast() -> Iterator[TestServer]:
    """No Crawl-delay, so the waits a test sees are the retry policy's own."""
    srv = TestServer(robots="User-agent: *\nDisallow: /private\n").start()
    yield srv
    srv.stop()


def make_client(clock: FakeClock | None = None, **overrides: object) -> PoliteClient:
    settings: dict[str, object] = {
        "user_agent": UA,
        "rate": 100.0,
        "timeout_s": 2.0,
        "total_timeout_s": 5.0,
        "max_attempts": 4,
        "backoff_s": 0.5,
        "backoff_max_s": 4.0,
        "retry_after_max_s": 10.0,
        "breaker_threshold": 20,
    }
    settings.update(overrides)
    policy = HttpPolicy(**settings)  # type: ignore[arg-type]
    clock = clock or FakeClock()
    return PoliteClient(policy, sleep=clock.sleep, monotonic=clock.monotonic, rng=random.Random(7))


# ------------------------------------------------------------------------------ robots and pacing


def test_crawl_delay_slows_a_fast_configured_rate(server: TestServer) -> None:
    clock = FakeClock()
    with make_client(clock, rate=100.0) as client:
        starts = []
        for _ in range(3):
            client.fetch(server.base + "/ok")
            starts.append(clock.t)
        assert client.interval(server.base + "/ok") == 2.0
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == [2.0, 2.0]


def test_configured_rate_wins_when_slower_than_crawl_delay(server: TestServer) -> None:
    clock = FakeClock()
    with make_client(clock, rate=0.25) as client:
        client.fetch(server.base + "/ok")
        before = clock.t
        client.fetch(server.base + "/ok")
        assert clock.t - before == pytest.approx(4.0)


def test_robots_disallow_is_reported_and_redirects_are_checked_too(server: TestServer) -> None:
    with make_client() as client:
        assert client.allowed(server.base + "/ok")
        assert not client.allowed(server.base + "/private/page")
        before = server.hits["/private/x"]
        with pytest.raises(RobotsDisallowed, match=r"robots\.txt disallows"):
            client.fetch(server.base + "/redirect-private")
        assert server.hits["/private/x"] == before
        with pytest.raises(RobotsDisallowed):
            client.fetch(server.base + "/private/page")


def test_user_agent_names_the_organisation(server: TestServer) -> None:
    with make_client() as client:
        client.fetch(server.base + "/ok")
    assert server.agents[-1] == UA
    assert HttpPolicy(user_agent=UA).robots_token == "Zicht"


def test_missing_robots_txt_allows_everything() -> None:
    srv = TestServer(robots=404).start()
    try:
        with make_client() as client:
            assert client.allowed(srv.base + "/private/x")
            assert client.fetch(srv.base + "/private/x").body == b"secret"
            assert "everything allowed" in str(client.stats()[srv.base]["robots"])
    finally:
        srv.stop()


def test_unreachable_robots_txt_means_do_not_crawl() -> None:
    srv = TestServer(robots=503).start()
    try:
        with make_client(max_attempts=2) as client:
            with pytest.raises(HostUnavailable, match=r"robots\.txt"):
                client.fetch(srv.base + "/ok")
            assert srv.hits["/ok"] == 0
            assert srv.hits["/robots.txt"] == 2
    finally:
        srv.stop()


# ------------------------------------------------------------------------------ retries


def test_server_errors_are_retried_with_growing_backoff(fast: TestServer) -> None:
    clock = FakeClock()
    with make_client(clock, rate=1000.0) as client:
        client.fetch(fast.base + "/ok")  # robots + pacing out of the way
        clock.sleeps.clear()
        r = client.fetch(fast.base + "/flaky/3")
    assert r.status == 200 and r.body == b"finally" and r.attempts == 4
    assert fast.hits["/flaky/3"] == 4
    backoffs = [s for s in clock.sleeps if s > 0.1]
    assert len(backoffs) == 3
    for i, s in enumerate(backoffs):  # 0.5 * 2**i, jittered into [50%, 100%]
        assert 0.5 * 2**i * 0.5 <= s <= 0.5 * 2**i + 0.002


def test_attempts_are_bounded_and_the_last_error_is_kept(server: TestServer) -> None:
    with make_client(max_attempts=3) as client:
        before = server.hits["/always500"]
        with pytest.raises(FetchError) as err:
            client.fetch(server.base + "/always500")
    assert server.hits["/always500"] - before == 3
    assert err.value.status == 500
    assert "HTTP 500" in err.value.reason and "3 attempts" in err.value.reason


def test_429_honours_retry_after_seconds(fast: TestServer) -> None:
    clock = FakeClock()
    with make_client(clock, rate=1000.0) as client:
        client.fetch(fast.base + "/ok")
        clock.sleeps.clear()
        r = client.fetch(fast.base + "/throttled/2")
        assert r.body == b"ok now"
        waits = [s for s in clock.sleeps if s > 0.1]
        assert len(waits) == 2 and all(1.0 <= w <= 1.1 for w in waits)
        # A throttled host is also paced slower afterwards.
        assert client.interval(fast.base + "/ok") > 1 / 1000.0


def test_429_honours_retry_after_http_date(fast: TestServer) -> None:
    clock = FakeClock()
    with make_client(clock, rate=1000.0) as client:
        client.fetch(fast.base + "/ok")
        clock.sleeps.clear()
        assert client.fetch(fast.base + "/throttled-date").body == b"ok now"
    waits = [s for s in clock.sleeps if s > 0.1]
    assert len(waits) == 1 and 1.0 <= waits[0] <= 3.4


def test_retry_after_is_capped(fast: TestServer) -> None:
    clock = FakeClock()
    with make_client(clock, rate=1000.0, retry_after_max_s=5.0) as client:
        client.fetch(fast.base + "/ok")
        clock.sleeps.clear()
        assert client.fetch(fast.base + "/throttled-long").body == b"ok now"
    assert max(clock.sleeps) == 5.0


def test_retry_after_parsing() -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Sat, 01 Mar 2025 12:00:30 GMT", now) == 30
    assert retry_after_seconds("Sat, 01 Mar 2025 11:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


# ------------------------------------------------------------------------------ bounded failure


def test_hanging_response_times_out(server: TestServer) -> None:
    with (
        make_client(timeout_s=0.3, max_attempts=2) as client,
        pytest.raises(FetchError, match="timed out") as err,
    ):
        client.fetch(server.base + "/hang")
    assert err.value.attempts == 2
    assert client.stats()[server.base]["timeouts"] == 2


def test_trickling_body_hits_the_total_deadline(server: TestServer) -> None:
    client = make_client(timeout_s=2.0, total_timeout_s=0.5, max_attempts=1)
    with client, pytest.raises(FetchError, match="body not complete"):
        client.fetch(server.base + "/trickle")


def test_circuit_breaker_gives_up_on_a_host_in_bounded_requests() -> None:
    srv = TestServer().start()
    try:
        with make_client(rate=1000.0, max_attempts=3, breaker_threshold=5) as client:
            with pytest.raises(FetchError):
                client.fetch(srv.base + "/always500")  # 3 failures
            with pytest.raises(HostUnavailable, match="5 consecutive failed requests") as err:
                client.fetch(srv.base + "/always500")  # 2 more: breaker opens
            assert "HTTP 500" in err.value.reason
            with pytest.raises(HostUnavailable):
                client.fetch(srv.base + "/ok")
            assert srv.hits["/always500"] == 5
            assert srv.hits["/ok"] == 0
            assert "stopped" in str(client.stats()[srv.base]["stopped"])
    finally:
        srv.stop()


def test_success_resets_the_breaker_count(server: TestServer) -> None:
    with make_client(rate=1000.0, max_attempts=2, breaker_threshold=3) as client:
        for _ in range(3):
            with pytest.raises(FetchError) as err:
                client.fetch(server.base + "/always500")
            assert not isinstance(err.value, HostUnavailable)
            client.fetch(server.base + "/ok")


def test_redirect_loop_is_bounded(server: TestServer) -> None:
    with make_client(max_redirects=3) as client, pytest.raises(FetchError, match="redirects"):
        client.fetch(server.base + "/redirect-loop")


# ------------------------------------------------------------------------------ bodies


class EndlessBodyServer:
    """A raw socket server that streams a 50 MB body with blocking sends.

    ``sendall`` blocks once the client stops reading, so ``sent`` is what the client actually
    took in (plus the kernel's socket buffers): the evidence that 50 MB were never buffered.
    """

    def __init__(self, declare_length: bool) -> None:
        self.declare_length = declare_length
        self.sent = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self.base = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                request = conn.recv(65536)
                if request.startswith(b"GET /robots.txt"):
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    continue
                length = f"Content-Length: {FIFTY_MB}\r\n" if self.declare_length else ""
                head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{length}Connection: close\r\n\r\n"
                chunk = b"x" * 65536
                try:
                    conn.sendall(head.encode())
                    for _ in range(FIFTY_MB // len(chunk)):
                        conn.sendall(chunk)
                        self.sent += len(chunk)
                except OSError:
                    continue

    def stop(self) -> None:
        self._sock.close()


@pytest.mark.parametrize("declare_length", [False, True])
def test_fifty_megabyte_page_is_refused_without_reading_it(declare_length: bool) -> None:
    srv = EndlessBodyServer(declare_length)
    try:
        with make_client(max_page_bytes=1024 * 1024, max_attempts=3) as client:
            with pytest.raises(TooLarge, match="announced" if declare_length else "stopped reading") as err:
                client.fetch(srv.base + "/ad/1")
            assert err.value.attempts == 1  # not retried
            assert client.stats()[srv.base]["too_large"] == 1
        time.sleep(0.1)
        assert srv.sent < FIFTY_MB // 4
    finally:
        srv.stop()


def test_bytes_come_back_unchanged_whatever_the_encoding(server: TestServer) -> None:
    with make_client() as client:
        r = client.fetch(server.base + "/cp1252")
    assert r.body == CP1252_PAGE


def test_compressed_body_is_stored_decoded_and_reads_back(server: TestServer, tmp_path: Path) -> None:
    with make_client() as client:
        r = client.fetch(server.base + "/gzip")
    assert r.body.startswith(b"<p>zicht zicht")
    assert r.header("content-encoding") is None
    assert r.header("content-length") == str(len(r.body))
    warc = WarcStore(tmp_path)
    rec = warc.append("t", r.url, r.status, r.headers, r.body)
    assert warc.read(rec.warc_file, rec.offset)[2] == r.body


def test_redirect_is_followed_and_4xx_is_returned(server: TestServer) -> None:
    with make_client() as client:
        r = client.fetch(server.base + "/redirect")
        assert (r.status, r.body, r.final_url) == (200, b"hello", server.base + "/ok")
        before = server.hits["/gone"]
        assert client.fetch(server.base + "/gone").status == 410
        assert server.hits["/gone"] - before == 1


def test_cookies_are_sent_to_their_host(server: TestServer) -> None:
    with make_client() as client:
        assert client.fetch(server.base + "/cookie").body == b"none"
        client.set_cookie(server.base + "/", "age_ok", "1")
        assert client.fetch(server.base + "/cookie").body == b"1"
