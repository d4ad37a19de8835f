from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from zicht.store.store import Store
from zicht.web.app import ServerThread, serve


def test_server_thread_serves_on_a_free_loopback_port_and_stops(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'z.db'}", data_dir=tmp_path / "data")
    try:
        with ServerThread(store) as server:
            assert server.url.startswith("http://127.0.0.1:") and server.port > 0
            r = httpx.get(server.url + "/health", timeout=10)
            assert r.status_code == 200 and r.json()["counts"]["ads"] == 0
            other = ServerThread(store)  # a second one gets its own port
            assert other.port != server.port
            other.stop()
        with pytest.raises(httpx.ConnectError):
            httpx.get(server.url + "/health", timeout=2)
    finally:
        store.close()


def test_serve_refuses_other_interfaces_without_a_login(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'z.db'}", data_dir=tmp_path / "data")
    try:
        with pytest.raises(ValueError, match="no login"):
            serve(store, host="0.0.0.0", port=0)
    finally:
        store.close()


def test_a_broken_database_gives_a_friendly_500_and_a_failing_health(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from zicht.web.app import create_app

    store = Store.open(f"sqlite:///{tmp_path / 'z.db'}", data_dir=tmp_path / "data")
    try:
        with store.engine.begin() as conn:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            conn.execute(text("DROP TABLE ad_versions"))
        client = TestClient(create_app(store), raise_server_exceptions=False)
        r = client.get("/advertenties")
        assert r.status_code == 500
        assert "Er ging iets mis" in r.text and "Er is niets gewijzigd" in r.text
        assert "ad_versions" not in r.text  # no internals shown
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["status"] == "error"
    finally:
        store.close()
