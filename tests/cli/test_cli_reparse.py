"""`zicht reparse` through the real typer app: an adapter fix corrects stored facts, counts reported."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zicht.cli import app
from zicht.demo.market import generate_market
from zicht.demo.site import DemoSite
from zicht.sources.adapters import get_adapter
from zicht.store.store import Store

runner = CliRunner()
T0 = datetime(2026, 10, 6, 8, 0, tzinfo=UTC)
BASE = "http://demo.invalid/kinky"


def _pages() -> list[tuple[str, bytes]]:
    market = generate_market(seed=5, n_ads=40, weeks=1)
    site = DemoSite(market, broken_fraction=0.0)
    ads = [a for a in market.ads if a.site == "kinky"][:4]
    return [
        (
            BASE + site.ad_path(a),
            site.encode("kinky", site.render_ad_html(a, a.versions[0], prefix=BASE, consent=True)),
        )
        for a in ads
    ]


def test_reparse_command_corrects_titles_after_an_adapter_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'z.db'}"
    pages = _pages()
    kinky = get_adapter("kinky")
    real_parse = kinky.parse
    with Store.open(db) as store:
        run = store.start_run(store.ensure_site("kinky"), "crawl", purpose="test", legal_basis="test")
        for url, body in pages:
            store.store_page(run, url, "ad", 200, [("Content-Type", "text/html")], body, T0)

    def old_parse(content: bytes, url: str):  # type: ignore[no-untyped-def]
        ad = real_parse(content, url)
        ad.title = ad.title.upper()  # the "old" adapter read titles wrongly
        return ad

    monkeypatch.setattr(kinky, "parse", old_parse)
    monkeypatch.setattr(kinky, "VERSION", "kinky-old")
    r = runner.invoke(app, ["--db", db, "reparse"])
    assert r.exit_code == 0, r.output
    assert re.search(r"4 stored ad pages: 0 already current, 0 versions corrected, .*4 new ads", r.output)
    monkeypatch.undo()

    r = runner.invoke(app, ["--db", db, "reparse", "--site", "kinky"])
    assert r.exit_code == 0, r.output
    assert re.search(
        r"4 stored ad pages: 0 already current, 4 versions corrected, .*0 new ads, 0 new versions", r.output
    )
    with Store.open(db) as store:
        for url, body in pages:
            parsed = real_parse(body, url)
            (version,) = store.versions(store.find_ad("kinky", parsed.source_id).id)
            assert version.title == parsed.title != parsed.title.upper()
            assert version.parser == f"kinky@{kinky.VERSION}"

    # Pages whose number sits behind "toon nummer" (no phone page kept here) stay "partial": they are
    # read again each time, in case the number can be had now; the others are current.
    partial = sum(1 for url, body in pages if (p := real_parse(body, url)).phone_url and not p.phone)
    r = runner.invoke(app, ["--db", db, "reparse"])
    assert f"4 stored ad pages: {4 - partial} already current, 0 versions corrected, {partial} unchanged" in (
        r.output
    )
    r = runner.invoke(app, ["--db", db, "reparse", "--site", "nergens"])
    assert r.exit_code == 1 and "nergens" in r.output
