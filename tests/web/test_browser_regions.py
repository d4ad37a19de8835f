"""Creating, editing and deleting a region through the form in Debian's chromium, against the real server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from web_seed import LiveSite

from zicht import reference
from zicht.store.regions import get_region, list_regions

pytestmark = pytest.mark.browser


def no_console_errors(page: Page, *expected: str) -> None:
    errors = [e for e in page.console_errors if not any(x in e for x in expected)]  # type: ignore[attr-defined]
    assert errors == [], "\n".join(page.console_errors)  # type: ignore[attr-defined]


def test_create_edit_and_delete_a_region_with_the_form(page: Page, live_site: LiveSite) -> None:
    page.goto(live_site.url + "/dashboard")
    page.locator("#regions-link").click()
    expect(page.locator("h1")).to_have_text("Regio's")

    page.get_by_label("Naam", exact=True).fill("Parkstad pilot")
    page.get_by_label("Gemeenten", exact=True).fill("Heerlen\nKerkrade, gm0899\nAtlantis")
    page.get_by_label("Uw naam").fill("Toezicht Heerlen")
    page.get_by_role("button", name="Regio opslaan").click()
    # an unknown gemeente is named, and what was typed is kept
    expect(page.locator(".messages")).to_contain_text("Onbekende gemeente: “Atlantis”")
    expect(page.get_by_label("Gemeenten", exact=True)).to_have_value("Heerlen\nKerkrade, gm0899\nAtlantis")
    assert get_region(live_site.store, "Parkstad pilot") is None

    page.get_by_label("Gemeenten", exact=True).fill("Heerlen\nKerkrade, gm0899")
    page.get_by_label("Alle gemeenten van provincie toevoegen").select_option(label="Zeeland")
    page.get_by_role("button", name="Regio opslaan").click()
    expect(page.locator(".saved")).to_have_text(f"Regio “Parkstad pilot” opgeslagen met {3 + 13} gemeenten.")
    row = page.locator("#regions-table tbody tr", has_text="Parkstad pilot")
    expect(row).to_contain_text("Borsele, Brunssum, Goes, Heerlen, Hulst, Kapelle, Kerkrade, Middelburg (Z.)")
    region = get_region(live_site.store, "Parkstad pilot")
    assert region is not None and region.created_by == "Toezicht Heerlen"
    zeeland = {g.code for g in reference.gemeenten().values() if g.province_code == "PV29"}
    assert set(region.gemeenten) == {"GM0899", "GM0917", "GM0928"} | zeeland

    # edit: the form comes back filled in; drop Zeeland
    row.get_by_role("link", name="Wijzigen").click()
    expect(page.get_by_role("heading", name="Regio wijzigen")).to_be_visible()
    expect(page.get_by_label("Naam", exact=True)).to_have_value("Parkstad pilot")
    page.get_by_label("Gemeenten", exact=True).fill("Heerlen\nKerkrade")
    page.get_by_role("button", name="Regio opslaan").click()
    expect(page.locator(".saved")).to_have_text("Regio “Parkstad pilot” opgeslagen met 2 gemeenten.")
    assert get_region(live_site.store, "Parkstad pilot").gemeenten == ["GM0917", "GM0928"]  # type: ignore[union-attr]

    # delete
    row = page.locator("#regions-table tbody tr", has_text="Parkstad pilot")
    row.locator("summary", has_text="Verwijderen").click()
    row.get_by_role("button", name="Regio “Parkstad pilot” verwijderen").click()
    expect(page.locator(".saved")).to_have_text("Regio “Parkstad pilot” verwijderd.")
    expect(page.locator("#regions-table")).to_have_count(0)
    assert list_regions(live_site.store) == []
    no_console_errors(page, "status of 400 (Bad Request)")  # the browser notes the refused form; nothing else
