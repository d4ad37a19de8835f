"""The Signaleringen page: watches made through the form, alerts raised by the pipeline, marked seen.

TestClient tests run on both backends; the browser test runs Debian's chromium against the real server.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from zicht.linking.run import link
from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store.store import IngestItem, Store
from zicht.store.watches import check_watches, list_alerts, list_watches
from zicht.web.app import ServerThread, create_app

SAME_ORIGIN = {"Origin": "http://testserver"}


def ingest_ad(store: Store, source_id: str, phone: str, *, at: datetime | None = None) -> int:
    ad = ParsedAd(
        site="kinky",
        source_id=source_id,
        url=f"https://kinky.example/ad/{source_id}",
        title="Nieuw in Heerlen",
        text=(
            "Hoi, ik ben Lisa en ik ben nieuw in Heerlen. Ik ontvang je graag in een schoon en discreet "
            "appartement met gratis parkeren voor de deur. Stuur me een berichtje voor een afspraak."
        ),
        fields={"name": "Lisa", "age": "24", "location": "Heerlen"},
        phone=phone,
    )
    store.ingest([IngestItem(ad, at or datetime.now(UTC) + timedelta(seconds=1), "kinky@test")])
    process(store, photos=False)
    link(store)
    found = store.find_ad("kinky", source_id)
    assert found is not None
    return found.id


def test_watch_form_alert_and_mark_seen(store: Store) -> None:
    app = create_app(store)
    old = ingest_ad(store, "1", "0611112222", at=datetime(2026, 10, 5, 9, 0, tzinfo=UTC))
    with TestClient(app) as c:
        page = c.get("/signaleringen")
        assert page.status_code == 200
        assert "<h1>Signaleringen</h1>" in page.text and "Geen nieuwe signaleringen." in page.text
        assert 'href="/signaleringen"' in page.text and "count-badge" not in page.text.split("</nav>")[0]

        form = {"kind": "contact", "value": "06-12345678", "user": "Anna", "label": ""}
        refused = c.post("/signaleringen/watches", data=form, follow_redirects=False)
        assert refused.status_code == 403 and list_watches(store) == []
        made = c.post("/signaleringen/watches", data=form, headers=SAME_ORIGIN, follow_redirects=False)
        assert made.status_code == 303 and made.headers["location"].startswith("/signaleringen#watch-")
        assert "zicht_user=Anna" in made.headers["set-cookie"]
        bad = c.post(
            "/signaleringen/watches",
            data={"kind": "gemeente", "value": "Heerlen", "user": "Anna"},
            headers=SAME_ORIGIN,
        )
        assert bad.status_code == 400
        assert "De volgopdracht is niet opgeslagen." in bad.text and "drempel" in bad.text

        # the ad page offers to watch its number or its template
        ad_page = c.get(f"/advertenties/{old}")
        assert 'value="contact|+31611112222"' in ad_page.text and f'value="template|{old}"' in ad_page.text
        from_ad = c.post(
            "/signaleringen/watches",
            data={"target": f"template|{old}", "user": "Anna", "label": "sjabloon Lisa"},
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert from_ad.status_code == 303
        assert [w.kind for w in list_watches(store)] == ["contact", "template"]

        new = ingest_ad(store, "2", "+31 6 1234 5678")  # the watched number, and the same text
        assert check_watches(store).raised == 2
        page = c.get("/signaleringen")
        nav = page.text.split("</nav>")[0]
        assert '<span class="count-badge"' in nav and ">2</span>" in nav
        assert page.text.count(f'<a href="/advertenties/{new}">kinky 2</a>') == 2
        assert "Het gevolgde contactpunt staat in deze advertentie." in page.text
        assert "Deze advertentie gebruikt het gevolgde sjabloon (16 van 16 tekstbanden gemeen)." in page.text
        assert "sjabloon Lisa" in page.text
        assert "612345678" not in page.text  # the number appears nowhere on the page
        english = c.get("/signaleringen?lang=en")
        assert "The watched contact point appears in this ad." in english.text
        assert c.get("/signaleringen?lang=nl").status_code == 200  # back to Dutch (the choice is a cookie)

        contact_alert = next(a for a in list_alerts(store) if a.watch_kind == "contact")
        nothing = c.post("/signaleringen/gezien", data={"user": "Bert"}, headers=SAME_ORIGIN)
        assert nothing.status_code == 400 and "Kies de signaleringen" in nothing.text
        seen = c.post(
            "/signaleringen/gezien",
            data={"user": "Bert", "alert": str(contact_alert.id)},
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert seen.status_code == 303
        assert [a.watch_kind for a in list_alerts(store)] == ["template"]
        page = c.get("/signaleringen")
        assert "Het gevolgde contactpunt" in page.text.split("seen-alerts")[1] and "Bert" in page.text
        # "Mark all" marks what the page showed: an alert raised after it was loaded stays new.
        page = c.get("/signaleringen")
        shown = max(a.id for a in list_alerts(store))
        assert f'name="upto" value="{shown}"' in page.text
        ingest_ad(store, "3", "0612345678")
        assert check_watches(store).raised == 2
        later = c.post(
            "/signaleringen/gezien",
            data={"user": "Bert", "all": "1", "upto": str(shown)},
            headers=SAME_ORIGIN,
        )
        assert later.status_code == 200 and len(list_alerts(store)) == 2
        all_seen = c.post("/signaleringen/gezien", data={"user": "Bert", "all": "1"}, headers=SAME_ORIGIN)
        assert all_seen.status_code == 200 and "Geen nieuwe signaleringen." in all_seen.text

        watch_id = list_watches(store)[0].id
        assert c.post(f"/signaleringen/watches/{watch_id}/stoppen").status_code == 403
        stopped = c.post(
            f"/signaleringen/watches/{watch_id}/stoppen", headers=SAME_ORIGIN, follow_redirects=False
        )
        assert stopped.status_code == 303 and [w.kind for w in list_watches(store)] == ["template"]
        assert c.post("/signaleringen/watches/999/stoppen", headers=SAME_ORIGIN).status_code == 404


@pytest.mark.browser
def test_browser_add_watch_see_alert_mark_seen(tmp_path: Path, page: Page) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'zicht.db'}", data_dir=tmp_path / "data")
    server = ServerThread(store)
    try:
        page.goto(server.url + "/signaleringen")
        expect(page.locator("h1")).to_have_text("Signaleringen")
        page.get_by_label("Volgen", exact=True).select_option("contact")
        page.get_by_label("Wat", exact=True).fill("06 41 92 16 34")
        page.get_by_label("Naam van de volgopdracht (niet verplicht)").fill("nummer uit melding 12")
        page.locator("#w-user").fill("Anna")
        page.get_by_role("button", name="Volgopdracht opslaan").click()
        expect(page.locator("table.watches")).to_contain_text("nummer uit melding 12")
        expect(page.locator(".empty").first).to_have_text("Geen nieuwe signaleringen.")

        ad_id = ingest_ad(store, "77", "0641921634")
        assert check_watches(store).raised == 1
        page.reload()
        expect(page.locator(".main-nav .count-badge")).to_have_text("1")
        row = page.locator("table.alerts tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Het gevolgde contactpunt staat in deze advertentie.")
        expect(row).to_contain_text("nummer uit melding 12")
        expect(row.get_by_role("link", name="kinky 77")).to_have_attribute("href", f"/advertenties/{ad_id}")

        row.locator("input[type=checkbox]").check()
        expect(page.locator("#seen-user")).to_have_value("Anna")  # remembered from the watch form
        page.get_by_role("button", name="Gekozen signaleringen als gezien markeren").click()
        expect(page.locator(".empty").first).to_have_text("Geen nieuwe signaleringen.")
        expect(page.locator(".main-nav .count-badge")).to_have_count(0)
        page.locator(".seen-alerts summary").click()
        expect(page.locator(".seen-alerts")).to_contain_text("Anna")
        errors = page.console_errors  # type: ignore[attr-defined]
        assert errors == [], "\n".join(errors)
    finally:
        server.stop()
        store.close()
