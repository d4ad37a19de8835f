"""Ctrl-C during `zicht crawl`: exit 130 with what was kept, and the same command resumes.

The crawl runs as a real `zicht crawl` process against the demo market served by the test (the
server of test_crawler) and gets a real SIGINT part-way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_crawler import DemoServer

from zicht.demo.market import generate_market
from zicht.demo.model import Market
from zicht.store.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def market() -> Market:
    return generate_market(seed=7, n_ads=120, weeks=1)


def zicht(db: str, config: Path) -> subprocess.Popen[str]:
    code = "import sys; from zicht.cli import app; sys.exit(app())"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    args = [sys.executable, "-c", code, "--db", db, "crawl", "-c", str(config)]
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_ctrl_c_exits_130_says_what_was_kept_and_the_same_command_resumes(
    tmp_path: Path, server: DemoServer
) -> None:
    db = f"sqlite:///{tmp_path / 'crawl.db'}"
    config = tmp_path / "crawl.yaml"
    config.write_text(
        "purpose: Toezicht prostitutie regio Test\n"
        'legal_basis: "AVG art. 6 lid 1 sub e"\n'
        "contact: toezicht@example.nl\n"
        "rate: 10\n"  # slow enough that the signal always lands mid-crawl
        f"sites: {{kinky: {{base_url: '{server.base_url('kinky')}'}}}}\n",
        encoding="utf-8",
    )
    child = zicht(db, config)
    deadline = time.monotonic() + 60
    while sum(n for path, n in server.faults.hits.items() if "/advertenties/" in path) < 8:
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.01)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)

    assert child.returncode == 130, out + err
    assert "Traceback" not in err
    with Store.open(db) as store:
        run = store.unfinished_run(store.site_id("kinky"), "crawl")
        assert run is not None  # left resumable
        kept = run.stats["stored"]
    assert kept >= 8
    assert f"kinky: interrupted (run {run.id}); {kept} pages kept as evidence." in err
    assert "Run the same command again to resume" in err

    again = zicht(db, config)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, out + err
    assert f"kinky: run {run.id} finished, complete, resumed" in out
