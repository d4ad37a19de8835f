"""A polite HTTP client: one host at a time, at its pace, never stuck on it.

Politeness is per host: a minimum interval between request starts (the configured rate, slowed
further by robots.txt ``Crawl-delay``/``Request-rate`` and by every 429), robots.txt honoured as
RFC 9309 says (a 4xx robots.txt allows everything; an unreachable one forbids everything).
Robustness is bounded: a fixed number of attempts with exponential backoff and jitter, Retry-After
honoured up to a cap, bodies read in a stream up to a size limit and a total deadline, and a circuit
breaker that gives up on a host after consecutive failures, so a broken site ends the crawl of
that site in bounded time instead of looping.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

if TYPE_CHECKING:
    from zicht.sources.config import CrawlConfig, SiteConfig

REDIRECTS = (301, 302, 303, 307, 308)
RETRY_STATUSES = (429, 500, 502, 503, 504)  # and every other 5xx
# Headers that describe the transfer, not the content: the body is stored decoded and whole.
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


class FetchError(Exception):
    """A url that could not be fetched; ``reason`` is written to the task and the summary."""

    def __init__(self, url: str, reason: str, *, status: int | None = None, attempts: int = 1) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.attempts = attempts


class TooLarge(FetchError):
    """The body passed the size limit; reading stopped there and nothing was kept."""


class HostUnavailable(FetchError):
    """The host's circuit is open (too many consecutive failures, or robots.txt unreachable)."""


class RobotsDisallowed(FetchError):
    """robots.txt forbids this url (raised when a redirect leads to a forbidden url)."""


@dataclass(frozen=True)
class HttpPolicy:
    user_agent: str
    rate: float = 1.0  # requests per second per host
    timeout_s: float = 20.0
    total_timeout_s: float = 60.0
    max_attempts: int = 4
    backoff_s: float = 1.0
    backoff_max_s: float = 60.0
    retry_after_max_s: float = 300.0
    max_page_bytes: int = 5 * 1024 * 1024
    breaker_threshold: int = 8
    max_redirects: int = 5
    max_interval_s: float = 30.0  # the slowest pace that 429s can push a host to

    @classmethod
    def from_config(cls, config: CrawlConfig, site: SiteConfig | None = None) -> HttpPolicy:
        return cls(
            user_agent=config.agent,
            rate=(site.rate if site and site.rate else config.rate),
            timeout_s=config.timeout_s,
            total_timeout_s=config.total_timeout_s,
            max_attempts=config.max_attempts,
            backoff_s=config.backoff_s,
            backoff_max_s=config.backoff_max_s,
            retry_after_max_s=config.retry_after_max_s,
            max_page_bytes=config.max_page_bytes,
            breaker_threshold=config.breaker_threshold,
        )

    @property
    def robots_token(self) -> str:
        """The product token robots.txt groups are matched on ("Zicht" for "Zicht/0.1 (...)")."""
        return self.user_agent.split("/", 1)[0].split()[0] if self.user_agent.strip() else "*"


@dataclass
class Response:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    attempts: int = 1

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass
class HostStats:
    requests: int = 0
    retries: int = 0
    throttled: int = 0  # 429 answers
    server_errors: int = 0
    timeouts: int = 0
    connection_errors: int = 0
    too_large: int = 0
    bytes: int = 0


@dataclass
class HostState:
    base_interval: float
    interval: float
    next_at: float = 0.0
    robots: Protego | None = None
    robots_note: str = ""
    crawl_delay: float | None = None
    failures: int = 0  # consecutive failed requests
    successes: int = 0  # consecutive good ones, to recover the pace after 429s
    open_reason: str | None = None
    stats: HostStats = field(default_factory=HostStats)


def host_key(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(url, "not an http(s) url")
    return f"{parts.scheme}://{parts.netloc}".lower()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: a number of seconds or an HTTP-date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PoliteClient:
    """Synchronous fetching with per-host pacing, robots.txt, retries and a circuit breaker.

    ``sleep``, ``monotonic`` and ``rng`` are injectable so pacing can be tested without waiting.
    """

    def __init__(
        self,
        policy: HttpPolicy,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.policy = policy
        self._sleep = sleep
        self._monotonic = monotonic
        self._rng = rng or random.Random()
        timeout = httpx.Timeout(policy.timeout_s, connect=min(policy.timeout_s, 10.0))
        self._client = httpx.Client(
            headers={"User-Agent": policy.user_agent, "Accept-Language": "nl,en;q=0.5"},
            timeout=timeout,
            follow_redirects=False,
            transport=transport,
        )
        self._hosts: dict[str, HostState] = {}

    # ------------------------------------------------------------ life cycle

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ robots.txt and pacing

    def host(self, url: str) -> HostState:
        """The host's state, reading its robots.txt on first use."""
        key = host_key(url)
        state = self._hosts.get(key)
        if state is None:
            interval = 1.0 / self.policy.rate
            state = self._hosts[key] = HostState(base_interval=interval, interval=interval)
            self._load_robots(key, state)
        return state

    def allowed(self, url: str) -> bool:
        """robots.txt permits this url for our user agent (raises HostUnavailable if unreadable)."""
        state = self.host(url)
        if state.open_reason:
            raise HostUnavailable(url, state.open_reason)
        return state.robots is None or state.robots.can_fetch(url, self.policy.robots_token)

    def interval(self, url: str) -> float:
        """Seconds between request starts for this url's host, as things stand now."""
        return self.host(url).interval

    def _load_robots(self, key: str, state: HostState) -> None:
        url = key + "/robots.txt"
        try:
            for _hop in range(self.policy.max_redirects + 1):
                status, headers, body, _attempts = self._request(state, url)
                location = _header(headers, "location")
                if status in REDIRECTS and location:
                    url = urljoin(url, location)
                    continue
                break
            else:
                status = 500
        except HostUnavailable as exc:
            state.open_reason = f"robots.txt could not be read ({exc.reason}); not crawling this host"
            return
        except FetchError as exc:
            state.open_reason = f"robots.txt could not be read ({exc.reason}); not crawling this host"
            return
        if 200 <= status < 300:
            state.robots = Protego.parse(body.decode("utf-8", errors="replace"))
            state.robots_note = "robots.txt read"
            token = self.policy.robots_token
            delays = [state.base_interval]
            delay = state.robots.crawl_delay(token)
            if delay:
                state.crawl_delay = float(delay)
                delays.append(float(delay))
            rate = state.robots.request_rate(token)
            if rate and rate.requests:
                delays.append(rate.seconds / rate.requests)
            state.base_interval = state.interval = max(delays)
        elif 400 <= status < 500:
            state.robots_note = f"no robots.txt (HTTP {status}): everything allowed"
        else:
            state.open_reason = f"robots.txt answered HTTP {status}; RFC 9309 says: do not crawl"

    def _wait_turn(self, state: HostState) -> None:
        now = self._monotonic()
        if state.next_at > now:
            self._sleep(state.next_at - now)
            now = max(now, state.next_at)
        state.next_at = now + state.interval

    def _defer(self, state: HostState, delay: float) -> None:
        state.next_at = max(state.next_at, self._monotonic() + delay)

    def _backoff(self, attempt: int) -> float:
        delay = min(self.policy.backoff_max_s, self.policy.backoff_s * 2 ** (attempt - 1))
        return delay * self._rng.uniform(0.5, 1.0)

    # ------------------------------------------------------------ fetching

    def fetch(self, url: str) -> Response:
        """GET a url: paced, retried, redirects followed (each checked against robots.txt).

        2xx, 3xx without a location and 4xx other than 429 are returned; what stays a 429 or 5xx
        after the last attempt, timeouts and connection errors raise FetchError.
        """
        current = url
        total_attempts = 0
        for _hop in range(self.policy.max_redirects + 1):
            if not self.allowed(current):
                raise RobotsDisallowed(url, f"robots.txt disallows {current}")
            state = self.host(current)
            status, headers, body, attempts = self._request(state, current)
            total_attempts += attempts
            location = _header(headers, "location")
            if status in REDIRECTS and location:
                current = urljoin(current, location)
                continue
            return Response(url, current, status, headers, body, total_attempts)
        raise FetchError(url, f"more than {self.policy.max_redirects} redirects", attempts=total_attempts)

    def submit(self, method: str, url: str, data: dict[str, str] | None = None) -> Response:
        """One form submission (an age-gate or cookie confirmation): paced, not retried.

        Redirects are not followed: the answer's Set-Cookie is what counts, and it stays in the
        client's cookie jar for every later request to that host.
        """
        if not self.allowed(url):
            raise RobotsDisallowed(url, f"robots.txt disallows {url}")
        state = self.host(url)
        if state.open_reason:
            raise HostUnavailable(url, state.open_reason)
        self._wait_turn(state)
        state.stats.requests += 1
        try:
            if method.upper() == "POST":
                r = self._client.post(url, data=data or {})
            else:
                r = self._client.get(url, params=data or {})
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from exc
        return Response(url, str(r.url), r.status_code, list(r.headers.multi_items()), r.content)

    def has_cookie(self, url: str, name: str) -> bool:
        """A cookie of that name is held that would be sent to this url's host."""
        host = (urlsplit(url).hostname or "").lower()
        for cookie in self._client.cookies.jar:
            domain = cookie.domain.lstrip(".").lower()
            if cookie.name == name and (not domain or host == domain or host.endswith("." + domain)):
                return True
        return False

    def set_cookie(self, url: str, name: str, value: str) -> None:
        host = urlsplit(url).hostname or ""
        self._client.cookies.set(name, value, domain=host, path="/")

    def _request(self, state: HostState, url: str) -> tuple[int, list[tuple[str, str]], bytes, int]:
        """One url with retries; raises FetchError once attempts or the host's patience run out."""
        if state.open_reason:
            raise HostUnavailable(url, state.open_reason)
        last: FetchError | None = None
        for attempt in range(1, self.policy.max_attempts + 1):
            if attempt > 1:
                state.stats.retries += 1
            self._wait_turn(state)
            state.stats.requests += 1
            wait: float | None = None
            try:
                status, headers, body = self._send(state, url)
            except TooLarge as exc:
                state.stats.too_large += 1
                exc.attempts = attempt
                raise
            except FetchError as exc:
                last = exc
            except httpx.TimeoutException as exc:
                state.stats.timeouts += 1
                last = FetchError(url, f"timed out ({type(exc).__name__}, limit {self.policy.timeout_s:g}s)")
            except httpx.HTTPError as exc:
                state.stats.connection_errors += 1
                last = FetchError(url, f"connection failed ({type(exc).__name__}: {exc})")
            else:
                if status != 429 and status < 500:
                    state.failures = 0
                    state.successes += 1
                    if state.successes >= 20 and state.interval > state.base_interval:
                        state.interval = max(state.base_interval, state.interval / 2)
                        state.successes = 0
                    return status, headers, body, attempt
                last = FetchError(url, f"HTTP {status}", status=status)
                if status == 429:
                    state.stats.throttled += 1
                    state.interval = min(
                        max(self.policy.max_interval_s, state.base_interval),
                        max(state.interval * 2, state.base_interval),
                    )
                else:
                    state.stats.server_errors += 1
                if status in (429, 503):
                    after = retry_after_seconds(_header(headers, "retry-after"))
                    if after is not None:
                        wait = min(self.policy.retry_after_max_s, after * self._rng.uniform(1.0, 1.1))
            state.successes = 0
            state.failures += 1
            last.attempts = attempt
            if state.failures >= self.policy.breaker_threshold:
                state.open_reason = f"{state.failures} consecutive failed requests, last: {last.reason}; stopped for this host"
                raise HostUnavailable(url, state.open_reason, status=last.status, attempts=attempt) from last
            if attempt < self.policy.max_attempts:
                self._defer(state, wait if wait is not None else self._backoff(attempt))
        assert last is not None
        if self.policy.max_attempts > 1:
            last.reason = f"{last.reason} (after {self.policy.max_attempts} attempts)"
        raise last

    def _send(self, state: HostState, url: str) -> tuple[int, list[tuple[str, str]], bytes]:
        """Stream the body, stopping at the size limit and the total deadline."""
        limit = self.policy.max_page_bytes
        deadline = time.monotonic() + self.policy.total_timeout_s
        with self._client.stream("GET", url) as r:
            declared = r.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise TooLarge(
                    url, f"too large: {int(declared)} bytes announced (limit {limit})", status=r.status_code
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in r.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        url, f"too large: more than {limit} bytes, stopped reading", status=r.status_code
                    )
                if time.monotonic() > deadline:
                    state.stats.timeouts += 1
                    raise FetchError(
                        url, f"timed out (body not complete after {self.policy.total_timeout_s:g}s)"
                    )
                chunks.append(chunk)
            state.stats.bytes += size
            body = b"".join(chunks)
            headers = [(k, v) for k, v in r.headers.multi_items() if k.lower() not in _TRANSFER_HEADERS]
            headers.append(("Content-Length", str(len(body))))
            return r.status_code, headers, body

    # ------------------------------------------------------------ reporting

    def stats(self) -> dict[str, dict[str, object]]:
        """Per host: counters, the pace in force and why a host was given up, for the run summary."""
        out: dict[str, dict[str, object]] = {}
        for key, st in self._hosts.items():
            out[key] = {
                **st.stats.__dict__,
                "interval_s": round(st.interval, 4),
                "crawl_delay_s": st.crawl_delay,
                "robots": st.robots_note,
                "stopped": st.open_reason,
            }
        return out


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)
