"""`zicht import` through the real typer app: exit codes, help, and a database locked by another process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from zicht.cli import app
from zicht.store.store import Store

runner = CliRunner()
LEGAL = ["--purpose", "toezicht (test)", "--legal-basis", "APV (test)"]

HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(60)
"""


def _csv(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_nothing_imported_exits_non_zero(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'z.db'}"
    for content, why in (("id,text\n", "the file has no rows"), ("id,text\n,a\n", "all 1 rows were skipped")):
        path = _csv(tmp_path, "x.csv", content)
        r = runner.invoke(app, ["--db", db, "import", str(path), "--format", "csv", "--site", "s", *LEGAL])
        assert r.exit_code == 1, r.output
        assert "nothing was imported" in r.output and why in r.output
    ok = _csv(tmp_path, "ok.csv", "id,text, kleur\n1,a,rood\n")
    r = runner.invoke(app, ["--db", db, "import", str(ok), "--format", "csv", "--site", "s", *LEGAL])
    assert (
        r.exit_code == 0
        and "1 imported" in r.output
        and "ignored column(s), used for no field: kleur" in r.output
    )


def test_import_help_marks_purpose_and_legal_basis_required() -> None:
    r = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    assert "Required (or set ZICHT_PURPOSE)" in r.output and "Required (or set ZICHT_LEGAL_BASIS)" in r.output


def test_locked_database_one_line_error_and_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "z.db"
    db = f"sqlite:///{path}"
    first = _csv(tmp_path, "a.csv", "id,text\n1,eerste\n")
    r = runner.invoke(app, ["--db", db, "import", str(first), "--format", "csv", "--site", "s", *LEGAL])
    assert r.exit_code == 0, r.output
    second = _csv(tmp_path, "b.csv", "id,text\n2,tweede\n")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        args = ["--db", db, "import", str(second), "--format", "csv", "--site", "s", *LEGAL]
        r = runner.invoke(app, args, env={"ZICHT_BUSY_TIMEOUT_S": "0.3"})
    finally:
        holder.kill()
        holder.wait()
    assert r.exit_code == 1
    assert "is locked by another process" in r.output and "Nothing was changed" in r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) <= 3
    with Store.open(db) as store:
        assert store.find_ad("s", "1") is not None and store.find_ad("s", "2") is None
    r = runner.invoke(app, ["--db", db, "import", str(second), "--format", "csv", "--site", "s", *LEGAL])
    assert r.exit_code == 0 and "1 new ads" in r.output  # once the lock is gone, it goes through


def test_exports_show_progress(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'z.db'}"
    rows = "".join(f"{i},tekst {i}\n" for i in range(1, 4))
    path = _csv(tmp_path, "a.csv", "id,text\n" + rows)
    r = runner.invoke(app, ["--db", db, "import", str(path), "--format", "csv", "--site", "s", *LEGAL])
    assert "Reading a.csv" in r.output and "Storing ads" in r.output and "3/3" in r.output
    r = runner.invoke(app, ["--db", db, "export", "ads", "--output", str(tmp_path / "ads.csv")])
    assert r.exit_code == 0 and "Writing ads.csv" in r.output and "3/3" in r.output
    r = runner.invoke(app, ["--db", db, "export", "links", "--output", str(tmp_path / "links.csv")])
    assert r.exit_code == 0 and "Writing links.csv" in r.output and "0/0" in r.output
