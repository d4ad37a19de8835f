"""The movement page in a real browser on the live server: flows table, chart, no console errors."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from web_seed import LiveSite

from zicht.pipeline import process


def test_movement_page_renders_flows_and_chart(page: Page, live_site: LiveSite) -> None:
    process(live_site.store, photos=False)  # the seed stores ads only; places come from extraction
    # The seeded versioned ad ("Lisa") is in Heerlen in week 40 and in Sittard from week 41 on.
    page.goto(f"{live_site.url}/beweging?from=2026-09-28&to=2026-10-18&lang=en")
    rows = page.locator("#flows-table tbody tr[data-week]")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_have_attribute("data-week", "2026-W41")
    expect(row).to_have_attribute("data-from", "GM0917")
    expect(row).to_have_attribute("data-to", "GM1883")
    expect(row.locator("[data-col=personas]")).to_have_text("1")
    chart = page.locator("#movement-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("svg")).to_have_count(1)
    expect(chart.locator("svg")).to_contain_text("Heerlen")
    # The navigation lists the page, and the area filter narrows the table.
    expect(page.locator(".main-nav a[href='/beweging']")).to_have_attribute("aria-current", "page")
    page.select_option("#m-area", "gemeente:GM0935")
    page.click("form.filters button[type=submit]")
    expect(page.locator("#flows-table tbody tr[data-week]")).to_have_count(0)
    expect(page.locator("#movement-chart")).to_have_count(0)
    assert page.console_errors == [], "\n".join(page.console_errors)  # type: ignore[attr-defined]
