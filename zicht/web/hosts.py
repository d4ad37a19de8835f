"""Answer only requests addressed to this server by a name it knows (against DNS rebinding).

A page on another site can point its own domain name at 127.0.0.1 and then read Zicht's pages as
"same origin" in the browser. The browser still sends that domain as ``Host``, so a request whose
``Host`` is not one of the allowed names is refused with 400 before any page or form handler runs.
Loopback names are allowed on any port; a reverse proxy's public name is added with
``ZICHT_ALLOWED_HOSTS`` (comma-separated) or ``zicht serve --allowed-host``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

DEFAULT_HOSTS = ("127.0.0.1", "localhost", "::1")
ENV_VAR = "ZICHT_ALLOWED_HOSTS"


def hostname(host_header: str) -> str:
    """The name in a ``Host`` header without its port, lower case: "[::1]:8000" -> "::1"."""
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else ""
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def allowed_hosts(extra: Iterable[str] | None = None) -> frozenset[str]:
    """The loopback names, plus ``extra`` and those in ``ZICHT_ALLOWED_HOSTS``; ports are ignored."""
    names = [*DEFAULT_HOSTS, *(extra or ()), *os.environ.get(ENV_VAR, "").split(",")]
    return frozenset(hostname(n) for n in names if n.strip())


class AllowedHosts:
    """ASGI middleware: 400 for a request whose ``Host`` is not allowed."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = Headers(scope=scope).get("host", "")
            if hostname(host) not in self.hosts:
                response = PlainTextResponse(
                    f"Host {host[:100]!r} is not served here. Allowed: {', '.join(sorted(self.hosts))}; "
                    f"add a name with {ENV_VAR} or zicht serve --allowed-host.",
                    status_code=400,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
