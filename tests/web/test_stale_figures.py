"""Between a crawl and the next `zicht process` the pages show the stored figures, and say so.

The dashboard, the movement page and `zicht export counts` read the aggregates of the last refresh
at once, with a notice of when that was and how many ads came in since; `--fresh` refreshes first.
A changed region is recounted right after the region page saves it. SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from typer.testing import CliRunner

from zicht.cli import app as cli
from zicht.sources.types import ParsedAd
from zicht.store.aggregates import fresh_totals, freshness, refresh_aggregates
from zicht.store.counts import area_counts
from zicht.store.store import IngestItem, Store
from zicht.web.app import create_app

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
import monitoring_volume as volume

FIRST, LAST = date(2026, 10, 5), date(2026, 11, 15)
RANGE = {"from": FIRST.isoformat(), "to": LAST.isoformat(), "level": "site", "period": "week", "lang": "en"}
SAME_ORIGIN = {"Origin": "http://testserver"}


def shown_rows(html: str) -> list[tuple[str, str, str]]:
    return [
        (
            tr.attributes["data-area"] or "",
            tr.attributes["data-period"] or "",
            tr.css_first("td[data-col=active_ads]").text(strip=True),
        )
        for tr in HTMLParser(html).css("#counts-table tbody tr[data-area]")
    ]


def notice(html: str) -> str:
    node = HTMLParser(html).css_first("#stale-notice")
    return node.text(separator=" ", strip=True) if node is not None else ""


def test_stale_figures_are_shown_with_a_notice(store: Store, db_url: str, tmp_path: Path) -> None:
    volume.load_volume(store.url, 700, seed=5, data_dir=store.data_dir)
    client = TestClient(create_app(store))
    # No aggregates yet: counted directly, no notice.
    r = client.get("/dashboard", params=RANGE)
    assert r.status_code == 200 and notice(r.text) == "" and freshness(store) is None
    direct_before = shown_rows(r.text)
    refresh_aggregates(store)
    r = client.get("/dashboard", params=RANGE)
    assert notice(r.text) == "" and shown_rows(r.text) == direct_before

    # Two new ads in the last week arrive by a crawl.
    seen = datetime(2026, 11, 12, 12, tzinfo=UTC)
    store.ingest(
        [
            IngestItem(
                ParsedAd(
                    site="kinky", source_id=f"n{i}", url=f"https://kinky.example/ad/n{i}", title="", text=""
                ),
                seen,
                "t",
            )
            for i in range(2)
        ]
    )
    as_of = freshness(store)
    assert as_of is not None and not as_of.fresh and as_of.new_ads == 2
    r = client.get("/dashboard", params=RANGE)
    text = notice(r.text)
    assert "2 ads have come in since" in text and "zicht process" in text
    assert shown_rows(r.text) == direct_before  # the stored figures, not yet the new ads
    stored = area_counts(store, "site", "week", FIRST, LAST, stale_ok=True)
    assert stored != area_counts(store, "site", "week", FIRST, LAST, direct=True)
    dutch = client.get("/dashboard", params={**RANGE, "lang": "nl"})
    assert "advertenties zijn sindsdien binnengekomen" in notice(dutch.text)
    moving = client.get("/beweging", params={"lang": "en"})
    assert moving.status_code == 200 and "2 ads have come in since" in notice(moving.text)

    # The export writes what the page shows and prints the same notice; --fresh refreshes first.
    runner = CliRunner()
    out = tmp_path / "counts.csv"
    args = [
        "--db",
        db_url,
        "export",
        "counts",
        "--by",
        "site",
        "--from",
        FIRST.isoformat(),
        "--to",
        LAST.isoformat(),
        "--output",
        str(out),
    ]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2 ads have come in since" in result.output
    with out.open(encoding="utf-8") as fh:
        rows = [(x["area_code"], x["period"], int(x["active_ads"])) for x in csv.DictReader(fh)]
    assert rows == [(x.area_code, x.period, x.active_ads) for x in stored.rows]
    result = runner.invoke(cli, [*args, "--fresh"], catch_exceptions=False)
    assert result.exit_code == 0 and "have come in since" not in result.output
    with out.open(encoding="utf-8") as fh:
        rows = [(x["area_code"], x["period"], int(x["active_ads"])) for x in csv.DictReader(fh)]
    direct = area_counts(store, "site", "week", FIRST, LAST, direct=True)
    assert rows == [(x.area_code, x.period, x.active_ads) for x in direct.rows]
    assert notice(client.get("/dashboard", params=RANGE).text) == ""


def test_a_saved_region_is_recounted_at_once(store: Store) -> None:
    volume.load_volume(store.url, 700, seed=5, data_dir=store.data_dir)
    refresh_aggregates(store)
    client = TestClient(create_app(store))
    r = client.post(
        "/regios",
        data={"name": "Zuid", "gemeenten": "Amsterdam, Rotterdam, Utrecht, Den Haag", "user": "Anna"},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert r.status_code == 303
    client.app.state.region_refresh.join()
    found = fresh_totals(store, "region", "week", FIRST, LAST)
    assert found is not None and found[0]
    assert area_counts(store, "region", "week", FIRST, LAST) == area_counts(
        store, "region", "week", FIRST, LAST, direct=True
    )
