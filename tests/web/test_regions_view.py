"""The regions page (/regios): list, add, edit, delete; same-origin only; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from zicht import reference
from zicht.store.regions import get_region, list_regions, save_region
from zicht.store.store import Store
from zicht.web.app import create_app

SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store)) as c:
        yield c


def _errors(html: str) -> list[str]:
    return [li.text(strip=True) for li in HTMLParser(html).css(".messages li")]


def test_page_lists_regions_with_their_gemeenten(store: Store, client: TestClient) -> None:
    r = client.get("/regios")
    assert r.status_code == 200
    tree = HTMLParser(r.text)
    assert tree.css_first("h1").text() == "Regio's"
    assert "nog geen regio's" in tree.css_first(".empty").text()
    assert tree.css_first("#region-form textarea[name=gemeenten]") is not None
    save_region(store, "Waterweg", ["Schiedam", "Vlaardingen"], user="Bram", description="controles")
    tree = HTMLParser(client.get("/regios").text)
    rows = tree.css("#regions-table tbody tr")
    assert len(rows) == 1
    cells = [c.text(strip=True) for c in rows[0].css("th, td")]
    assert cells[:4] == ["Waterweg", "2", "Schiedam, Vlaardingen", "controles"]
    assert cells[4].startswith("Bram")
    # the dashboard links to the page
    dash = HTMLParser(client.get("/dashboard").text)
    assert dash.css_first("#regions-link").attributes["href"] == "/regios"


def test_add_from_the_form_then_edit_and_delete(store: Store, client: TestClient) -> None:
    r = client.post(
        "/regios",
        data={
            "name": "Parkstad",
            "gemeenten": "Heerlen\nKerkrade, Brunssum",
            "user": "Anna",
            "description": "pilot",
        },
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert r.status_code == 303
    row = get_region(store, "Parkstad")
    assert row is not None and row.gemeenten == ["GM0899", "GM0917", "GM0928"] and row.created_by == "Anna"
    assert r.headers["location"] == f"/regios?opgeslagen={row.id}#region-{row.id}"
    assert "zicht_user=Anna" in r.headers["set-cookie"]
    page = HTMLParser(client.get(r.headers["location"]).text)
    assert page.css_first(".saved").text(strip=True) == "Regio “Parkstad” opgeslagen met 3 gemeenten."

    # edit: the form comes back filled in, one gemeente per line
    edit = HTMLParser(client.get(f"/regios?bewerk={row.id}").text)
    assert edit.css_first("input[name=region_id]").attributes["value"] == str(row.id)
    assert edit.css_first("#rg-gemeenten").text() == "Brunssum\nHeerlen\nKerkrade"
    r = client.post(
        "/regios",
        data={"region_id": str(row.id), "name": "Parkstad+", "gemeenten": "Heerlen", "police_unit": "RE05"},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert r.status_code == 303
    changed = get_region(store, "Parkstad+")
    assert changed is not None and changed.id == row.id and changed.created_by == "Anna"
    assert changed.gemeenten == sorted(
        {"GM0917"} | {g.code for g in reference.gemeenten_in_police_unit("RE05")}
    )

    r = client.post(f"/regios/{row.id}/verwijderen", headers=SAME_ORIGIN, follow_redirects=False)
    assert r.status_code == 303
    assert list_regions(store) == []
    page = HTMLParser(client.get(r.headers["location"]).text)
    assert page.css_first(".saved").text(strip=True) == "Regio “Parkstad+” verwijderd."
    assert client.post(f"/regios/{row.id}/verwijderen", headers=SAME_ORIGIN).status_code == 404
    assert client.get(f"/regios?bewerk={row.id}").status_code == 404


def test_unclear_gemeenten_are_named_in_the_message_and_the_input_is_kept(
    store: Store, client: TestClient
) -> None:
    r = client.post(
        "/regios",
        data={"name": "Zuid", "gemeenten": "Heerlen\nAtlantis\nBergen\nHaaren", "user": "Anna"},
        headers=SAME_ORIGIN,
    )
    assert r.status_code == 400
    errors = _errors(r.text)
    assert errors[0].startswith("Onbekende gemeente: “Atlantis”")
    assert errors[1] == "“Bergen” is meer dan één gemeente: schrijf een van Bergen (NH.), Bergen (L.)."
    assert errors[2].startswith("“Haaren” is over meerdere gemeenten verdeeld") and "Vught" in errors[2]
    tree = HTMLParser(r.text)
    assert tree.css_first("#rg-gemeenten").text() == "Heerlen\nAtlantis\nBergen\nHaaren"
    assert tree.css_first("#rg-name").attributes["value"] == "Zuid"
    assert list_regions(store) == []
    r = client.post("/regios", data={"name": "", "gemeenten": "", "user": ""}, headers=SAME_ORIGIN)
    assert r.status_code == 400
    assert _errors(r.text) == [
        "Geef de regio een naam.",
        "Vul uw naam in: die wordt bij de regio opgeslagen.",
        "Noem ten minste één gemeente, of kies een politie-eenheid of een provincie.",
    ]
    # English too
    r = client.post(
        "/regios?lang=en", data={"name": "Zuid", "gemeenten": "Atlantis", "user": "A"}, headers=SAME_ORIGIN
    )
    assert _errors(r.text)[0].startswith("Unknown gemeente: “Atlantis”")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "http://evil.example"}, {"Origin": "null", "Sec-Fetch-Site": "cross-site"}],
)
def test_only_same_origin_posts_change_anything(store: Store, client: TestClient, headers: dict) -> None:
    row, _ = save_region(store, "Blijft", ["Heerlen"], user="A")
    r = client.post("/regios", data={"name": "Nieuw", "gemeenten": "Heerlen", "user": "B"}, headers=headers)
    assert r.status_code == 403
    r = client.post(f"/regios/{row.id}/verwijderen", headers=headers)
    assert r.status_code == 403
    assert [x.name for x in list_regions(store)] == ["Blijft"]
