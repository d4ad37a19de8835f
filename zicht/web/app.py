"""The web app: ``create_app(store)``, ``serve`` for people, ``ServerThread`` for tests and demos.

There is no login yet, and the pages show special-category personal data, so ``serve`` only
listens on the loopback interface unless told otherwise on purpose.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from zicht.store.store import Store
from zicht.web import hosts, i18n
from zicht.web.rendering import Templates
from zicht.web.views import ad, ads, dashboard, decisions, errors, health, snapshots, worklist
from zicht.web.views import alerts as alerts_view
from zicht.web.views import interventions as interventions_view
from zicht.web.views import movement as movement_view
from zicht.web.views import networks as networks_view
from zicht.web.views import regions as regions_view

STATIC_DIR = Path(__file__).resolve().parent / "static"

# Our own pages: scripts and styles from this server only, no inline script, nothing framed
# except the sandboxed snapshot view. Images may come from ad sites, but only on a click.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' http: https:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(store: Store, allowed_hosts: Iterable[str] | None = None) -> FastAPI:
    """The app on ``store``; it answers only for loopback names, ``allowed_hosts`` and the names in
    ``ZICHT_ALLOWED_HOSTS`` (see ``zicht.web.hosts``)."""
    app = FastAPI(title="Zicht", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.allowed_hosts = hosts.allowed_hosts(allowed_hosts)
    app.state.templates = Templates()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.middleware("http")
    async def language_and_headers(request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
        requested = request.query_params.get("lang")
        cookie = request.cookies.get(i18n.COOKIE_NAME)
        request.state.lang = i18n.choose_language(requested, cookie)
        response: Response = await call_next(request)
        if requested in i18n.LANGUAGES and requested != cookie:
            response.set_cookie(
                i18n.COOKIE_NAME, requested, max_age=i18n.COOKIE_MAX_AGE_S, httponly=True, samesite="lax"
            )
        headers = response.headers
        headers.setdefault("Content-Security-Policy", PAGE_CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.url.path.startswith("/static/"):
            # Pages hold personal data: keep them out of shared and disk caches.
            headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> RedirectResponse:
        query = request.url.query
        return RedirectResponse("/advertenties" + (f"?{query}" if query else ""), status_code=303)

    for module in (ads, ad, worklist, decisions, snapshots, dashboard, interventions_view, health):
        app.include_router(module.router)
    app.include_router(movement_view.router)
    app.include_router(networks_view.router)
    app.include_router(alerts_view.router)
    app.include_router(regions_view.router)
    errors.install(app)
    app.add_middleware(hosts.AllowedHosts, hosts=app.state.allowed_hosts)  # outermost: runs first
    return app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PortUnavailable(ValueError):
    """The address cannot be listened on (the port is taken, or not ours to take)."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, made before anything says the app runs there."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: quick restarts
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        why = "already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        raise PortUnavailable(
            f"cannot listen on {host} port {port}: {why}; "
            f"choose another port with --port (for example --port {port + 1 if port < 65535 else 8001})"
        ) from None
    return sock


def check_port(host: str, port: int) -> None:
    """Raise ``PortUnavailable`` now when ``host:port`` cannot be listened on (released again at once)."""
    bind(host, port).close()


def serve(
    store: Store,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    allow_remote: bool = False,
    allowed_hosts: Iterable[str] | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Run the app in the foreground until interrupted.

    The port is bound first, so a taken port is a clear ``PortUnavailable`` and ``on_ready`` (which
    announces the address) is called only when the address is ours.
    """
    if not _is_loopback(host) and not allow_remote:
        raise ValueError(
            f"refusing to listen on {host}: the web app has no login yet and shows personal data; "
            "use 127.0.0.1, or pass allow_remote=True behind an authenticating proxy"
        )
    app = create_app(store, allowed_hosts)
    sock = bind(host, port)
    try:
        if on_ready is not None:
            shown = f"[{host}]" if ":" in host else host
            on_ready(f"http://{shown}:{port}/")
        server = uvicorn.Server(uvicorn.Config(app, log_level="info", proxy_headers=False))
        server.run(sockets=[sock])
    finally:
        sock.close()


class ServerThread:
    """The real server on a free loopback port in a background thread, running once constructed.

    Use ``.url`` to reach it and ``.stop()`` (or a ``with`` block) to end it.
    """

    def __init__(
        self, store: Store, host: str = "127.0.0.1", port: int = 0, *, timeout_s: float = 15.0
    ) -> None:
        # Binding here, before the thread starts, makes the port ours: no race for a "free" port.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}"
        self.app = create_app(store)
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="zicht-web", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the web server did not start on {self.url}")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> ServerThread:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
