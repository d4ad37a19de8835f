"""The app answers only for names it knows: a foreign ``Host`` (DNS rebinding) gets 400 and changes
nothing; ``zicht serve`` says clearly when its port is taken."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner
from web_seed import SignalSite, signal_site

from zicht.cli import app as cli_app
from zicht.store.models import Review
from zicht.web.app import ServerThread, create_app
from zicht.web.hosts import ENV_VAR, allowed_hosts, hostname


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SignalSite]:
    monkeypatch.delenv(ENV_VAR, raising=False)  # the defaults only, as a person's `zicht serve` has
    with signal_site(f"sqlite:///{tmp_path / 'z.db'}", tmp_path) as seeded:
        yield seeded


def _reviews(site: SignalSite) -> int:
    with site.store.session() as s:
        return s.scalar(select(func.count()).select_from(Review)) or 0


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("LocalHost", "localhost"),
        ("a.example.", "a.example"),
    ],
)
def test_hostname_drops_the_port_and_case(header: str, name: str) -> None:
    assert hostname(header) == name


def test_loopback_names_on_any_port_are_served(site: SignalSite) -> None:
    for base in ("http://127.0.0.1:8123", "http://localhost:9", "http://[::1]:8000", "http://127.0.0.1"):
        with TestClient(site.app, base_url=base) as c:
            assert c.get("/advertenties").status_code == 200, base


def test_a_foreign_host_gets_400_and_no_page(site: SignalSite) -> None:
    with TestClient(site.app, base_url="http://evil.example:8000") as c:
        r = c.get("/advertenties")
    assert r.status_code == 400
    assert "evil.example" in r.text and ENV_VAR in r.text
    assert "Heerlen" not in r.text


def test_a_foreign_post_with_matching_origin_stores_nothing(site: SignalSite) -> None:
    ad_id = site.seed.ids["many"]
    before = _reviews(site)
    with TestClient(site.app, base_url="http://evil.example:8000") as c:
        r = c.post(
            f"/advertenties/{ad_id}/beslissingen",
            data={"decision": "dismissed", "reason": "rebinding", "user": "x"},
            headers={"Origin": "http://evil.example:8000"},
        )
    assert r.status_code == 400
    assert _reviews(site) == before
    # the same form from a loopback page is stored: the refusal above was about the host alone
    with TestClient(site.app, base_url="http://127.0.0.1:8000") as c:
        r = c.post(
            f"/advertenties/{ad_id}/beslissingen",
            data={"decision": "dismissed", "reason": "dubbel", "user": "x"},
            headers={"Origin": "http://127.0.0.1:8000"},
        )
    assert r.status_code in (200, 303) and _reviews(site) == before + 1


def test_a_proxy_name_can_be_allowed(site: SignalSite, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "zicht.gemeente.example" in allowed_hosts(["zicht.gemeente.example:443"])
    app = create_app(site.store, ["zicht.gemeente.example"])
    with TestClient(app, base_url="https://zicht.gemeente.example") as c:
        assert c.get("/advertenties").status_code == 200
    monkeypatch.setenv(ENV_VAR, "a.example, b.example")
    app = create_app(site.store)
    with TestClient(app, base_url="http://b.example") as c:
        assert c.get("/advertenties").status_code == 200
    with TestClient(app, base_url="http://c.example") as c:
        assert c.get("/advertenties").status_code == 400


def test_the_real_server_refuses_a_rebound_host(site: SignalSite) -> None:
    with ServerThread(site.store) as server:
        assert httpx.get(server.url + "/advertenties", timeout=10).status_code == 200
        r = httpx.get(
            server.url + "/advertenties", headers={"Host": f"evil.example:{server.port}"}, timeout=10
        )
        assert r.status_code == 400


def test_serve_on_a_busy_port_names_it_and_prints_no_address(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            cli_app, ["--db", f"sqlite:///{tmp_path / 'z.db'}", "serve", "--port", str(port)]
        )
    output = " ".join(result.output.split())
    assert result.exit_code == 1, output
    assert f"port {port}" in output and "already in use" in output and "--port" in output
    assert "Zicht web app:" not in output and "http://127.0.0.1" not in output


def test_demo_checks_its_port_before_crawling(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            cli_app, ["--db", f"sqlite:///{tmp_path / 'z.db'}", "demo", "--ads", "10", "--port", str(port)]
        )
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and f"port {port}" in output and "--port" in output
    assert "Crawled" not in output
