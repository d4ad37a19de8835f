"""The interventions pages: recording through the form, the report's tables, chart and caveats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from displacement_seed import DAY, SCHIEDAM, TODAY, VLAARDINGEN, seed
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from zicht.store.interventions import list_interventions, record_intervention
from zicht.store.store import Store
from zicht.web.app import ServerThread, create_app

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    seed(store)
    with TestClient(create_app(store)) as c:
        yield c


def cells(html: str, table: str, key: str) -> dict[str, dict[str, str]]:
    out = {}
    for tr in HTMLParser(html).css(f"#{table} tbody tr[data-{key}]"):
        out[tr.attributes[f"data-{key}"] or ""] = {
            td.attributes["data-col"] or "": td.text(strip=True) for td in tr.css("td[data-col]")
        }
    return out


def test_record_through_the_form_and_read_the_report(client: TestClient, store: Store) -> None:
    page = client.get("/interventies", params={"lang": "en"})
    assert page.status_code == 200
    nav = HTMLParser(page.text).css_first("nav.main-nav a[aria-current=page]")
    assert nav is not None and nav.attributes["href"] == "/interventies"
    form = {
        "gemeenten": "Schiedam",
        "day": DAY.isoformat(),
        "kind": "control",
        "user": "Ans",
        "description": "Hotels",
    }
    r = client.post("/interventies", data=form, headers=SAME_ORIGIN, follow_redirects=False)
    assert r.status_code == 303
    [item] = list_interventions(store)
    assert r.headers["location"] == f"/interventies/{item.id}" and item.gemeenten == (SCHIEDAM,)
    assert "zicht_user" in r.headers.get("set-cookie", "")

    report = client.get(f"/interventies/{item.id}", params={"weken": "2", "lang": "en"})
    assert report.status_code == 200
    groups = cells(report.text, "groups-table", "group")
    assert groups["target"] == {
        "active_before": "12",
        "active_after": "0.5",
        "change": "-96%",
        "new_before": "12",
        "new_after": "1",
    }
    assert groups["neighbours"]["change"] == "too few to say"
    moves = cells(report.text, "moves-table", "move")
    assert {k: v["personas"] for k, v in moves.items()} == {
        "same": "1",
        "neighbour": "5",
        "elsewhere": "1",
        "unknown_place": "1",
        "not_seen": "4",
    }
    assert moves["neighbour"]["share"] == "42%"
    dest = cells(report.text, "destinations-table", "code")
    assert dest[VLAARDINGEN] == {"personas": "5"}
    caveats = HTMLParser(report.text).css("#caveats li")
    assert any("no control group" in li.text() for li in caveats)
    spec = json.loads(HTMLParser(report.text).css_first("script#intervention-spec").text())
    line, rule = spec["layer"]
    target = [v["value"] for v in line["data"]["values"] if v["group"] == "Intervention gemeenten"]
    assert target == [12, 12, 0, 1, 0] and rule["data"]["values"][0]["day"] == DAY.isoformat()
    # Dutch by default, with the same numbers.
    nl = client.get(f"/interventies/{item.id}", params={"weken": "2", "lang": "nl"})
    assert "te weinig om iets te zeggen" in nl.text.lower()
    assert cells(nl.text, "groups-table", "group")["neighbours"]["active_after"] == "4,5"


def test_bad_input_is_refused_with_messages(client: TestClient, store: Store) -> None:
    form = {"gemeenten": "Atlantis", "day": "2999-01-01", "kind": "raid", "user": ""}
    r = client.post("/interventies", data=form, headers=SAME_ORIGIN, params={"lang": "en"})
    assert r.status_code == 400
    errors = [li.text() for li in HTMLParser(r.text).css(".field-errors li")]
    assert len(errors) == 4 and "Atlantis" in errors[0]
    assert HTMLParser(r.text).css_first("#iv-gemeenten").attributes["value"] == "Atlantis"  # kept
    foreign = client.post(
        "/interventies",
        data={**form, "gemeenten": "Schiedam"},
        headers={"Origin": "https://elsewhere.example"},
    )
    assert foreign.status_code == 403 and list_interventions(store) == []
    assert client.get("/interventies/12345").status_code == 404
    item = record_intervention(store, ["Schiedam"], DAY, "control", "Ans", today=TODAY)
    assert client.get(f"/interventies/{item.id}", params={"weken": "99"}).status_code == 400
    assert client.get(f"/interventies/{item.id}", params={"buren": "Atlantis"}).status_code == 400
    chosen = client.get(f"/interventies/{item.id}", params={"weken": "2", "buren": "Amsterdam", "lang": "en"})
    assert cells(chosen.text, "moves-table", "move")["neighbour"]["personas"] == "1"
    gone = client.post(f"/interventies/{item.id}/verwijderen", headers=SAME_ORIGIN, follow_redirects=False)
    assert gone.status_code == 303 and list_interventions(store) == []


# ---------------------------------------------------------------- in chromium


@pytest.fixture(scope="module")
def live_market(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    tmp: Path = tmp_path_factory.mktemp("live-interventions")
    store = Store.open(f"sqlite:///{tmp / 'zicht.db'}", data_dir=tmp / "data")
    seed(store)
    server = ServerThread(store)
    try:
        yield server.url, store
    finally:
        server.stop()
        store.close()


@pytest.mark.browser
def test_record_in_the_browser_and_see_the_report(live_market, page) -> None:  # type: ignore[no-untyped-def]
    url, store = live_market
    page.goto(f"{url}/interventies?lang=en")
    page.fill("#iv-gemeenten", "Schiedam")
    page.fill("#iv-day", DAY.isoformat())
    page.select_option("#iv-kind", "control")
    page.fill("#iv-user", "Ans de Vries")
    page.fill("#iv-description", "Controle hotels")
    page.click("#intervention-form button[type=submit]")
    page.wait_for_url("**/interventies/*")
    page.goto(page.url + "?weken=2")
    page.wait_for_selector("#intervention-chart[data-rendered]", timeout=15000)
    assert page.get_attribute("#intervention-chart", "data-rendered") == "true"
    assert page.locator("#intervention-chart svg").count() == 1
    assert page.locator("#groups-table tr[data-group=target] td[data-col=active_before]").inner_text() == "12"
    assert page.locator("#moves-table tr[data-move=neighbour] td[data-col=personas]").inner_text() == "5"
    assert "no control group" in page.locator("#caveats").inner_text()
    assert page.console_errors == []
    [item] = list_interventions(store)
    assert item.created_by == "Ans de Vries" and item.description == "Controle hotels"
