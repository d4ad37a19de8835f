"""The worklist and the explained ad page in Debian's chromium against the real server.

A decision is recorded through the browser's own form post (HTMX), so the same-origin check is
tested with the headers a real browser sends under our ``no-referrer`` policy.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from web_seed import SignalSeed, seed_signals

from zicht.signals.catalogue import load_catalogue
from zicht.store.models import Ad, IndicatorHit, Review
from zicht.store.store import Store
from zicht.web.app import ServerThread

pytestmark = pytest.mark.browser


@dataclass
class LiveSignals:
    url: str
    seed: SignalSeed
    store: Store


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSignals]:
    tmp: Path = tmp_path_factory.mktemp("live-signals")
    store = Store.open(f"sqlite:///{tmp / 'zicht.db'}", data_dir=tmp / "data")
    seed = seed_signals(store)
    server = ServerThread(store)
    try:
        yield LiveSignals(server.url, seed, store)
    finally:
        server.stop()
        store.close()


def shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("ZICHT_TEST_ARTIFACTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    return out


def no_console_errors(page: Page, *expected: str) -> None:
    errors = [e for e in page.console_errors if not any(x in e for x in expected)]  # type: ignore[attr-defined]
    assert errors == [], "\n".join(page.console_errors)  # type: ignore[attr-defined]


def ads_with(store: Store, code: str) -> set[int]:
    """Active ads whose current version has a hit of ``code`` that says something (not negated)."""
    with store.session() as s:
        return set(
            s.scalars(
                select(Ad.id)
                .join(IndicatorHit, IndicatorHit.ad_version_id == Ad.current_version_id)
                .where(
                    Ad.status == "active",
                    IndicatorHit.code == code,
                    IndicatorHit.negated.is_(False),
                    IndicatorHit.weight > 0,
                )
            )
        )


def row_ids(page: Page) -> set[int]:
    return {
        int(i.removeprefix("ad-row-"))
        for i in page.locator("table.worklist tbody tr").evaluate_all("rows => rows.map(r => r.id)")
    }


def test_filter_decide_and_open_the_ad(page: Page, live: LiveSignals, tmp_path: Path) -> None:
    page.goto(live.url + "/werklijst")
    expect(page.get_by_role("heading", level=1)).to_have_text("Werklijst")
    expect(page.locator(".main-nav a[aria-current=page]")).to_have_text("Werklijst")
    expect(page.locator(".advice")).to_contain_text("Er gebeurt niets automatisch")
    expect(page.locator("#reviewer-name-hint")).to_contain_text("Een inlog komt later")
    page.screenshot(path=str(shots(tmp_path) / "worklist.png"), full_page=True)
    # Playwright's full-page screenshot leaves empty style attributes on inputs, which HTMX would
    # then copy while settling (a CSP report); start the interactions from a fresh page.
    page.reload()
    page.evaluate("window.__samePage = true")

    # filter on an indicator: the select applies at once, through HTMX
    code = "YOUTH_EMPHASIS"
    expected = ads_with(live.store, code)
    assert expected and len(expected) < len(row_ids(page))
    page.get_by_label("Signaal").select_option(code)
    expect(page.locator(".result-count")).to_contain_text(f"{len(expected)} advertentie")
    assert row_ids(page) == expected
    assert page.evaluate("window.__samePage") is True
    assert f"indicator={code}" in page.url

    # record a decision on the first row: name once at the top, reason in the row
    ad_id = live.seed.ids["many"]
    row = page.locator(f"#ad-row-{ad_id}")
    expect(row.locator(".decision-open")).to_be_visible()
    page.get_by_label("Uw naam").fill("Toezicht Heerlen")
    row.locator("summary").click()
    row.get_by_label("geselecteerd voor controle").check()
    row.get_by_role("button", name="Beslissing opslaan").click()
    # no reason: the browser asks for it (the server's own refusal is tested in test_worklist), nothing stored
    assert row.get_by_label("Reden").evaluate("el => el.validity.valueMissing") is True
    with live.store.session() as s:
        assert s.scalars(select(Review).where(Review.ad_id == ad_id)).all() == []
    row.get_by_label("Reden").fill("Jonge leeftijd en diensten zonder condoom; plannen met AVIM.")
    row.get_by_role("button", name="Beslissing opslaan").click()
    expect(row.locator(".decision-selected")).to_have_text("geselecteerd voor controle")
    expect(row.locator(".decided-by")).to_contain_text("Toezicht Heerlen")
    expect(row.locator(".saved")).to_have_text("Beslissing opgeslagen.")
    assert page.evaluate("window.__samePage") is True, "the row was swapped; the page did not reload"
    with live.store.session() as s:
        stored = s.scalars(select(Review).where(Review.ad_id == ad_id)).one()
        assert (stored.user, stored.decision) == ("Toezicht Heerlen", "selected")
        assert stored.reason.startswith("Jonge leeftijd")
    page.screenshot(path=str(shots(tmp_path) / "worklist-decided.png"), full_page=True)

    # open the ad: the decision is in its history, the words behind the signals are marked
    row.get_by_role("link", name="Jonge meid net 18, 24/7 beschikbaar").click()
    expect(page.locator("#decision table.reviews tbody tr")).to_have_count(1)
    expect(page.locator("#decision table.reviews")).to_contain_text("Toezicht Heerlen")
    expect(page.locator("#decision-user")).to_have_value("Toezicht Heerlen")  # remembered in a cookie
    marked = page.locator(".ad-text mark.mark-counts", has_text="Pijpen zonder condoom")
    expect(marked).to_be_visible()
    expect(page.locator(".ad-text mark.mark-negated")).to_have_text("AV")
    name = load_catalogue().get("UNPROTECTED_SERVICES").name.nl
    assert name in (marked.get_attribute("title") or "")
    # the hostile part of the text is shown as text, never run
    expect(page.locator(".ad-text")).to_contain_text("<script>")
    assert page.title() != "PWNED"
    # a hit links to its marked words
    page.locator(".occurrence", has_text="Pijpen zonder condoom").get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.tagName || ''") in ("BODY", "A", "MARK")
    assert page.evaluate("location.hash").startswith("#hit-")
    page.screenshot(path=str(shots(tmp_path) / "ad-signals.png"), full_page=True)
    no_console_errors(page, "status of 400 (Bad Request)")  # the browser notes the refused decision


def test_decision_on_the_ad_page_in_english(page: Page, live: LiveSignals, tmp_path: Path) -> None:
    ad_id = live.seed.ids["hotel"]
    page.goto(f"{live.url}/advertenties/{ad_id}?lang=en")
    expect(page.locator("#h-signals")).to_have_text("Signals")
    expect(page.locator(".score-advice")).to_contain_text("advice to a person")
    page.evaluate("window.__samePage = true")
    form = page.locator("#decision form")
    form.get_by_label("Your name").fill("Analyst")
    form.get_by_label("reviewed").check()
    form.get_by_role("button", name="Store decision").click()
    # the browser itself asks for the reason first: nothing is sent without one
    assert form.get_by_label("Reason").evaluate("el => el.validity.valueMissing") is True
    expect(page.locator("#decision table.reviews tbody tr")).to_have_count(0)
    form.get_by_label("Reason").fill("seen, nothing to act on")
    form.get_by_role("button", name="Store decision").click()
    expect(page.locator("#decision .saved")).to_have_text("Decision stored.")
    expect(page.locator("#decision table.reviews tbody tr")).to_have_count(1)
    expect(page.locator("#decision table.reviews")).to_contain_text("Analyst")
    assert page.evaluate("window.__samePage") is True
    page.screenshot(path=str(shots(tmp_path) / "ad-decision-en.png"), full_page=True)
    no_console_errors(page)
