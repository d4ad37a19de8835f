"""Web fixtures: the seeded store on both backends, the real server, Debian's chromium."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_seed import LiveSite, Seed, Seeded, seed_store

from zicht.store.store import Store
from zicht.web.app import ServerThread, create_app

_db_counter = itertools.count()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """One seeded database per backend for the read-only page tests of a module.

    The same as the root ``store`` fixture, but seeded once per module: the pages never write,
    and creating, migrating and seeding a PostgreSQL database for every test would dominate.
    Tests that change data use ``fresh``, on the function-scoped ``store``.
    """
    tmp = tmp_path_factory.mktemp("web")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'zicht.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database(f"web{os.getpid()}_{next(_db_counter)}")
    store = Store.open(url, data_dir=tmp / "data")
    try:
        yield Seeded(store, seed_store(store), create_app(store))
    finally:
        store.close()


@pytest.fixture
def seeded(shared: Seeded) -> Seed:
    return shared.seed


@pytest.fixture
def client(shared: Seeded) -> Iterator[TestClient]:
    """A fresh client (no cookies) on the shared seeded database."""
    with TestClient(shared.app) as c:
        yield c


@pytest.fixture
def fresh(store: Store) -> Seeded:
    """A seeded database of its own, for tests that change the data."""
    return Seeded(store, seed_store(store), create_app(store))


# ---------------------------------------------------------------- real server + chromium

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The seeded market behind a real uvicorn server on a free loopback port (SQLite)."""
    tmp: Path = tmp_path_factory.mktemp("live")
    store = Store.open(f"sqlite:///{tmp / 'zicht.db'}", data_dir=tmp / "data")
    seed = seed_store(store)
    server = ServerThread(store)
    try:
        yield LiveSite(server.url, seed, store)
    finally:
        server.stop()
        store.close()


@pytest.fixture(scope="session")
def chromium():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium):  # type: ignore[no-untyped-def]
    """A fresh browser context (no cookies) that records console errors and page errors."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    pg = context.new_page()
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda msg: msg.type == "error" and pg.console_errors.append(msg.text))  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        context.close()
