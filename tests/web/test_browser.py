"""The app in Debian's chromium against the real server: HTMX swaps, comparison, languages.

Every test also checks the browser console: a CSP violation or a JS error fails the test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from web_seed import VERSION_TEXTS, LiveSite

pytestmark = pytest.mark.browser


def no_console_errors(page: Page, *expected: str) -> None:
    errors = [e for e in page.console_errors if not any(x in e for x in expected)]  # type: ignore[attr-defined]
    assert errors == [], "\n".join(page.console_errors)


def test_filter_updates_the_table_without_reloading(page: Page, live_site: LiveSite) -> None:
    seed = live_site.seed
    page.goto(live_site.url + "/advertenties")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("table.ads tbody tr")).to_have_count(50)
    expect(page.locator(".result-count")).to_contain_text(f"{len(seed.ads)} advertenties gevonden")
    page.evaluate("window.__samePage = true")

    page.get_by_label("Plaats").fill("Amsterdam")
    page.get_by_role("button", name="Filteren").click()
    amsterdam = seed.where(place="Amsterdam")
    expect(page.locator("table.ads tbody tr")).to_have_count(len(amsterdam))
    expect(page.locator(".result-count")).to_contain_text(f"{len(amsterdam)} advertenties gevonden")
    assert page.evaluate("window.__samePage") is True, "HTMX swapped the table; the page did not reload"
    assert page.url.endswith("/advertenties?place=Amsterdam")  # its own, clean address
    titles = page.locator("table.ads tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(titles) == sorted(a.title for a in amsterdam)

    # changing a select applies at once
    page.get_by_label("Status").select_option("removed")
    expect(page.locator(".empty")).to_contain_text("Er zijn geen advertenties")
    assert page.evaluate("window.__samePage") is True
    # back restores the previous list from the server
    page.go_back()
    expect(page.locator("table.ads tbody tr")).to_have_count(len(amsterdam))
    no_console_errors(page)


def test_bad_filters_show_a_message(page: Page, live_site: LiveSite) -> None:
    page.goto(live_site.url + "/advertenties?first_from=31-02-2026")
    expect(page.locator(".messages")).to_contain_text("“31-02-2026” is geen geldige datum")
    expect(page.locator("table.ads")).to_have_count(0)
    # a reversed range chosen in the date inputs: the message arrives through HTMX
    page.goto(live_site.url + "/advertenties")
    page.evaluate("window.__samePage = true")
    # let the first change's request finish: a second change while it runs replaces it
    # (hx-sync), which htmx reports on the console as an aborted request. The response alone
    # is not enough (htmx may not have handled it yet); its address is pushed when it has.
    page.locator("#f-first-to").fill("2026-10-01")
    expect(page).to_have_url(re.compile(r"/advertenties\?first_to=2026-10-01$"))
    page.locator("#f-first-from").fill("2026-10-09")
    expect(page.locator(".messages")).to_contain_text(
        "“Eerst gezien vanaf” ligt na “Eerst gezien tot en met”"
    )
    expect(page.locator("table.ads")).to_have_count(0)
    assert page.evaluate("window.__samePage") is True
    no_console_errors(page, "status of 400 (Bad Request)")  # the browser notes each 400; nothing else


def test_paging_via_htmx(page: Page, live_site: LiveSite) -> None:
    page.goto(live_site.url + "/advertenties")
    page.locator(".pager a[rel=next]").click()
    expect(page.locator(".pager [aria-current=page]")).to_have_text("2")
    expect(page.locator("table.ads tbody tr")).to_have_count(len(live_site.seed.ads) - 50)
    assert page.url.endswith("page=2")
    no_console_errors(page)


def test_open_an_ad_and_compare_versions(page: Page, live_site: LiveSite, tmp_path: Path) -> None:
    page.goto(live_site.url + "/advertenties?q=Lisa")
    page.get_by_role("link", name="Lisa").click()
    expect(page).to_have_url(re.compile(rf"/advertenties/{live_site.seed.versioned_id}$"))
    expect(page.locator(".ad-text")).to_have_text(VERSION_TEXTS[-1])
    expect(page.locator("#compare h3")).to_have_text("Versie 2 vergeleken met versie 3")
    assert page.locator("img").count() == 0

    page.evaluate("window.__samePage = true")
    page.get_by_label("Versie 1 als A").check()
    expect(page.locator("#compare h3")).to_have_text("Versie 1 vergeleken met versie 3")
    old_col, new_col = page.locator("#compare .version-col").all()
    expect(old_col.locator("del").first).to_contain_text("uit Heerlen")
    expect(new_col.locator("ins").first).to_contain_text("nu in Sittard")
    assert page.evaluate("window.__samePage") is True
    assert "a=1" in page.url and "b=3" in page.url

    # click-to-load photo: the stored copy, loaded only now
    page.get_by_role("link", name="Foto tonen").first.click()
    image = page.locator("#photo-1 img")
    expect(image).to_be_visible()
    assert page.evaluate("document.querySelector('#photo-1 img').naturalWidth") == 24

    shots = Path(os.environ.get("ZICHT_TEST_ARTIFACTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "ad-compare.png"), full_page=True)
    no_console_errors(page)
    # switching language keeps the chosen versions
    page.get_by_role("link", name="English", exact=True).click()
    expect(page.locator("#compare h3")).to_have_text("Version 1 compared with version 3")
    assert "a=1" in page.url and "b=3" in page.url


def test_stored_page_renders_without_running_its_script(page: Page, live_site: LiveSite) -> None:
    requested: list[str] = []
    failed: dict[str, str] = {}
    page.on("request", lambda request: requested.append(request.url))  # the frame's requests too
    page.on("requestfailed", lambda request: failed.setdefault(request.url, request.failure or ""))
    page.goto(f"{live_site.url}/snapshots/{live_site.seed.snapshot_id}")
    expect(page.locator(".evidence-ok")).to_be_visible()
    expect(page.locator(".sha")).to_contain_text(live_site.seed.snapshot_sha256)
    expect(page.frame_locator("iframe.snapshot-frame").locator("#txt")).to_have_text(
        "Hoi, ik ben Lisa uit Heerlen."
    )
    frame = page.locator("iframe.snapshot-frame").element_handle().content_frame()
    assert frame is not None
    # its inline script and onerror handler would have replaced the body with PWNED
    body = frame.evaluate("document.body.innerText")
    assert "PWNED" not in body and "Lisa in Heerlen" in body
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Opgeslagen pagina {live_site.seed.snapshot_id}"
    )
    # and the source view shows the markup as text
    expect(page.locator("pre.source")).to_contain_text("<script>document.body")
    # the stored page names remote images, styles, fonts, scripts and frames: nothing leaves the app
    page.wait_for_load_state("networkidle")
    assert any("/inhoud" in url for url in requested)  # the recording saw the frame load
    outside = [
        u for u in requested if not (u.startswith(live_site.url + "/") or u.startswith(("data:", "about:")))
    ]
    # Chromium reports a request its CSP stopped before sending as failed with "csp"; anything else
    # (refused, timed out, answered) went out on the network.
    sent = [u for u in outside if failed.get(u) != "csp"]
    assert sent == [], sent


def test_switch_to_english_and_back(page: Page, live_site: LiveSite) -> None:
    page.goto(live_site.url + "/advertenties?site=sexjobs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Advertenties")
    page.get_by_role("link", name="English", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ads")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("footer")).to_contain_text(
        "Signals are advice to a person; Zicht takes no decisions."
    )
    expect(page.locator("table.ads tbody tr")).to_have_count(len(live_site.seed.where(site="sexjobs")))
    # the choice sticks for the next page
    page.goto(live_site.url + f"/advertenties/{live_site.seed.versioned_id}")
    expect(page.locator("#h-versions")).to_have_text("Versions")
    page.get_by_role("link", name="Nederlands", exact=True).click()
    expect(page.locator("#h-versions")).to_have_text("Versies")
    no_console_errors(page)
