"""Site names and categories are checked when the crawl configuration loads, with what to change.

Without this a typo in the second site crashed with a traceback only after the first site was
crawled (KeyError from the adapter registry, ValueError from the adapter's listing urls).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zicht.cli import app
from zicht.sources.config import ConfigError, load_config

HEADER = """\
purpose: Toezicht prostitutie regio Test
legal_basis: "AVG art. 6 lid 1 sub e"
contact: toezicht@example.nl
"""


def write(tmp_path: Path, sites: str) -> Path:
    path = tmp_path / "crawl.yaml"
    path.write_text(HEADER + textwrap.dedent(sites), encoding="utf-8")
    return path


def test_an_unknown_site_names_the_file_the_site_and_the_valid_names(tmp_path: Path) -> None:
    path = write(tmp_path, "sites: [kinky, kinkyy]\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ")
    assert "no site called 'kinkyy'" in message
    assert "one of: kinky, sexjobs, redlights" in message


def test_an_unknown_category_names_it_and_the_sites_categories(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        sites:
          - sexjobs
          - name: kinky
            categories: [vrouwen, dames]
        """,
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(f"{path}: site 'kinky': unknown categories 'dames'")
    assert "some of: vrouwen, mannen, stellen, trans" in message
    assert "'vrouwen'" not in message.split(";")[0]  # only the wrong one is named


def test_valid_categories_load_including_a_bare_redlights_reception(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        sites:
          kinky: {categories: [vrouwen, trans], pages: 2}
          redlights: {categories: [escort, massage/heren]}
        """,
    )
    config = load_config(path)
    assert config.site("redlights").categories == ("escort", "massage/heren")
    with pytest.raises(ConfigError, match=r"'redlights': unknown categories 'spa'"):
        load_config(write(tmp_path, "sites: {redlights: {categories: [escort, spa]}}\n"))


def test_pages_below_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'pages' must be a whole number of at least 1 \\(got 0\\)"):
        load_config(write(tmp_path, "sites: {kinky: {pages: 0}}\n"))


def test_the_crawl_command_reports_the_mistake_without_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "sites: [kinky, kinkyy]\n")
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'z.db'}", "crawl", "-c", str(path)])
    assert result.exit_code == 1
    assert "no site called 'kinkyy'" in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a KeyError
    assert not (tmp_path / "z.db").exists()  # refused before anything was opened or crawled
