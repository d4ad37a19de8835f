"""`zicht demo` end to end on a small market: real HTTP crawl of the local demo site, processing,
then the web app serving what was collected."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from typer.testing import CliRunner

from zicht.cli import app
from zicht.demo.model import SITES
from zicht.demo.run import crawl_days
from zicht.store.aggregates import freshness
from zicht.store.interventions import list_interventions
from zicht.store.store import Store
from zicht.web.app import ServerThread


def test_demo_collects_processes_and_serves(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(
        app,
        ["--db", db, "demo", "--ads", "150", "--weeks", "2", "--every", "4", "--no-serve"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Crawled 5 market days" in result.output  # days 0, 4, 8, 12, 13

    truth = tmp_path / "demo-data" / "demo-truth.jsonl"
    records = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 150

    with Store.open(db) as store:
        counts = store.counts()
        # every ad of the market that was online on a crawl day was collected
        online = {
            (r["site"], r["source_id"])
            for r in records
            if any(r["first_day"] <= d <= r["last_day"] for d in crawl_days(2, 4))
        }
        stored = {(a.site.name, a.source_id) for a in store.all_ads()}
        assert stored <= online
        # the demo site serves the odd broken (cut-off) page; such an ad is missed only when it was
        # broken on every crawl day it was online, and each miss left a recorded parse error
        missing = online - stored
        parse_errors = sum((r.stats or {}).get("parse_errors", 0) for r in store.runs(limit=100))
        if parse_errors:  # the total is printed, beside the per-run lines
            assert f"Problems over the crawl: {parse_errors} parse errors" in result.output
        else:
            assert "No parse errors, failed pages or layout warnings." in result.output
        assert len(missing) <= max(2, len(online) // 50) and len(missing) <= parse_errors
        assert counts["raw_pages"] > counts["ads"]  # listings, ad pages and phone answers kept
        assert 0 < counts["active_ads"] < counts["ads"]  # some ads were removed during the weeks
        assert counts["versions"] >= counts["ads"]
        runs = store.runs(limit=100)
        assert all(r.purpose and r.legal_basis for r in runs)
        # the simulated control action of the middle week, recorded as made by the demo
        demo_actions = [i for i in list_interventions(store) if i.created_by == "demo"]
        assert [(i.day.isoformat(), i.gemeenten) for i in demo_actions] == [("2026-10-12", ("GM0599",))]
        assert demo_actions[0].description.startswith("Gesimuleerd")
        assert sum(1 for r in runs if r.complete) == len(runs)
        # the demo ends as `zicht process` does: counts stored and current, so the dashboard reads them
        fresh = freshness(store)
        assert fresh is not None and fresh.fresh

        with ServerThread(store) as server:
            page = httpx.get(server.url + "/advertenties", timeout=10)
            assert page.status_code == 200
            assert f"{counts['ads']}" in page.text


def test_demo_reports_the_real_market_size_and_each_runs_problems(tmp_path: Path) -> None:
    """A tiny demo with many broken pages: every run with problems is named with counts and urls."""
    from zicht.demo.run import DemoOptions, run_demo

    said: list[str] = []
    with Store.open(f"sqlite:///{tmp_path / 'demo.db'}") as store:
        options = DemoOptions(seed=3, n_ads=40, weeks=1, crawl_every_days=7, broken_fraction=0.3)
        report = run_demo(store, options, on_stage=said.append)
    records = report.truth_path.read_text(encoding="utf-8").splitlines()
    assert report.market_ads == len(records)
    assert any(line.startswith(f"The market holds {len(records)} ads") for line in said)

    days = [day for day in report.crawl_days for _site in SITES]  # run_demo crawls every site each day
    runs = list(zip(days, report.summaries, strict=True))
    assert sum(s.parse_errors for _, s in runs) > 0  # the demo site broke pages
    for day, summary in runs:
        lines = [line for line in said if line.startswith(f"{summary.site}, day {day}: ")]
        if summary.parse_errors or summary.failed:
            assert len(lines) == 1, said
            n = summary.parse_errors
            assert not n or f"{n} parse error" in lines[0]
            assert summary.errors[0] in lines[0]  # the first page and why
        else:
            assert lines == []
