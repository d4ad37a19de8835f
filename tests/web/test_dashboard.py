"""The dashboard: filters, the numbers against ``zicht export counts``, and the charts in chromium."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from web_seed import T0, Seed, seed_store

from zicht import reference
from zicht.analysis.counts import UNKNOWN_CODE, local_day
from zicht.exports import export_counts
from zicht.pipeline import process
from zicht.store.aggregates import fresh_totals, refresh_aggregates
from zicht.store.counts import area_counts
from zicht.store.models import Region, RegionGemeente
from zicht.store.store import Store
from zicht.web.app import ServerThread, create_app

FIRST = local_day(T0)
LAST = date(2026, 10, 18)
RANGE = {"from": FIRST.isoformat(), "to": LAST.isoformat()}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def board(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The web seed market, processed (places become gemeenten), on each backend."""
    tmp = tmp_path_factory.mktemp("dashboard")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'zicht.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database(f"dash{os.getpid()}_{request.param_index}")
    store = Store.open(url, data_dir=tmp / "data")
    seed_store(store)
    process(store, photos=False)
    with store.session() as s:  # user-defined regions; Heerlen is in both
        for name, codes in (("Parkstad", ["GM0917", "GM1883"]), ("Heuvelland", ["GM0917", "GM0935"])):
            s.add(
                Region(
                    name=name, created_by="test", gemeenten=[RegionGemeente(gemeente_code=c) for c in codes]
                )
            )
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def client(board: Store) -> Iterator[TestClient]:
    with TestClient(create_app(board)) as c:
        yield c


def table_rows(html: str) -> list[dict[str, str]]:
    rows = []
    for tr in HTMLParser(html).css("#counts-table tbody tr[data-area]"):
        row = {"area_code": tr.attributes["data-area"] or "", "period": tr.attributes["data-period"] or ""}
        row.update({td.attributes["data-col"] or "": td.text(strip=True) for td in tr.css("td[data-col]")})
        rows.append(row)
    return rows


def spec(html: str, element_id: str) -> dict:
    node = HTMLParser(html).css_first(f"script#{element_id}")
    assert node is not None and node.attributes.get("type") == "application/json"
    return json.loads(node.text())


def exported(
    store: Store, tmp_path: Path, level: str, period: str, last: date = LAST
) -> list[dict[str, str]]:
    out = tmp_path / f"{level}-{period}.csv"
    export_counts(store, out, level=level, period=period, first_day=FIRST, last_day=last)
    with out.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def as_page(row: dict[str, str]) -> dict[str, str]:
    """An export row as the page writes it: changes with a sign, personas '–' until linked."""
    return {
        "area_code": row["area_code"],
        "period": row["period"],
        "active_ads": row["active_ads"],
        "active_ads_change": f"{int(row['active_ads_change']):+d}",
        "new_ads": row["new_ads"],
        "new_ads_change": f"{int(row['new_ads_change']):+d}",
        "contact_points": row["contact_points"],
        "personas": row["personas"] or "–",
    }


@pytest.mark.parametrize(
    ("level", "period"), [("gemeente", "week"), ("police_unit", "day"), ("site", "week"), ("region", "week")]
)
def test_table_matches_the_export(
    client: TestClient, board: Store, tmp_path: Path, level: str, period: str
) -> None:
    r = client.get("/dashboard", params={**RANGE, "level": level, "period": period})
    assert r.status_code == 200
    rows = exported(board, tmp_path, level, period)
    last_period = rows[-1]["period"] if period == "day" else max(x["period"] for x in rows)
    expected = [as_page(x) for x in rows if x["period"] == last_period]
    assert expected and table_rows(r.text) == expected
    # The seed has ads in several areas and active ads in the last period.
    assert len({x["area_code"] for x in rows}) > 1


@pytest.mark.parametrize(("level", "period"), [("region", "day"), ("gemeente", "week"), ("site", "day")])
def test_page_from_fresh_aggregates_matches_the_direct_count(
    client: TestClient, board: Store, level: str, period: str
) -> None:
    refresh_aggregates(board)  # what `zicht process` does at its end
    assert fresh_totals(board, level, period, FIRST, LAST) is not None  # type: ignore[arg-type]
    direct = area_counts(board, level, period, FIRST, LAST, direct=True)  # type: ignore[arg-type]
    r = client.get("/dashboard", params={**RANGE, "level": level, "period": period})
    shown = [(x["area_code"], x["period"], x["active_ads"], x["new_ads"]) for x in table_rows(r.text)]
    assert shown == [(x.area_code, x.period, str(x.active_ads), str(x.new_ads)) for x in direct.latest()]
    chart = [
        v["value"]
        for v in spec(r.text, "chart-spec")["data"]["values"]
        if v["measure"] == "Actieve advertenties"
    ]
    all_direct = area_counts(board, "all", period, FIRST, LAST, direct=True)  # type: ignore[arg-type]
    assert chart == [x.active_ads for x in all_direct.rows] and max(chart) > 0


def test_chart_follows_the_selected_area(client: TestClient, board: Store) -> None:
    table = area_counts(board, "gemeente", "day", FIRST, LAST)
    area = max(table.areas(), key=lambda a: sum(r.active_ads for r in table.for_area(a.code)))
    r = client.get("/dashboard", params={**RANGE, "period": "day", "area": area.code})
    chart = spec(r.text, "chart-spec")
    active = [v["value"] for v in chart["data"]["values"] if v["measure"] == "Actieve advertenties"]
    assert active == [x.active_ads for x in table.for_area(area.code)]
    assert len(active) == (LAST - FIRST).days + 1  # every day, days without ads included
    # Without an area: all areas together, each ad once.
    everything = client.get("/dashboard", params={**RANGE, "period": "day", "lang": "en"})
    totals = [
        v["value"]
        for v in spec(everything.text, "chart-spec")["data"]["values"]
        if v["measure"] == "Active ads"
    ]
    assert totals == [x.active_ads for x in area_counts(board, "all", "day", FIRST, LAST).rows]
    assert max(totals) > 0


def test_map_has_a_bubble_per_gemeente_with_ads(client: TestClient, board: Store, tmp_path: Path) -> None:
    r = client.get("/dashboard", params={**RANGE, "period": "week"})
    layers = spec(r.text, "map-spec")["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["circle", "circle"]  # no boundaries configured
    assert len(layers[0]["data"]["values"]) == len(reference.gemeenten())  # the country's outline
    points = layers[-1]["data"]["values"]
    latest = [x for x in area_counts(board, "gemeente", "week", FIRST, LAST).latest() if x.active_ads]
    assert {p["code"]: p["active_ads"] for p in points} == {
        x.area_code: x.active_ads for x in latest if x.area_code != UNKNOWN_CODE
    }
    assert all(3.0 < p["lon"] < 7.5 and 50.5 < p["lat"] < 53.7 for p in points)


def test_boundaries_are_drawn_only_when_configured(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shapes = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": None}],
    }
    path = tmp_path / "nl.geojson"
    path.write_text(json.dumps(shapes), encoding="utf-8")
    monkeypatch.setenv("ZICHT_BOUNDARIES", str(path))
    layers = spec(client.get("/dashboard", params=RANGE).text, "map-spec")["layer"]
    assert layers[0]["mark"]["type"] == "geoshape" and layers[0]["data"]["values"] == shapes
    monkeypatch.setenv("ZICHT_BOUNDARIES", str(tmp_path / "missing.geojson"))
    r = client.get("/dashboard", params=RANGE)
    assert r.status_code == 200 and spec(r.text, "map-spec")["layer"][0]["mark"]["type"] == "circle"


def test_bad_filters_give_a_message_not_a_guess(client: TestClient) -> None:
    for params in (
        {"period": "month"},
        {"level": "street"},
        {"from": "5-10-2026"},
        {"from": "2026-10-09", "to": "2026-10-01"},
    ):
        r = client.get("/dashboard", params={**params, "lang": "en"})
        assert r.status_code == 400
        assert HTMLParser(r.text).css_first("[role=alert]") is not None
        assert "counts-table" not in r.text


def test_dashboard_is_in_the_navigation(client: TestClient) -> None:
    r = client.get("/dashboard", params={"lang": "en"})
    assert r.status_code == 200
    nav = HTMLParser(r.text).css_first("nav.main-nav a[aria-current=page]")
    assert nav is not None and nav.attributes["href"] == "/dashboard"


# ---------------------------------------------------------------- in chromium


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store, Seed]]:
    tmp = tmp_path_factory.mktemp("live-dashboard")
    store = Store.open(f"sqlite:///{tmp / 'zicht.db'}", data_dir=tmp / "data")
    seed = seed_store(store)
    process(store, photos=False)
    server = ServerThread(store)
    try:
        yield server.url, store, seed
    finally:
        server.stop()
        store.close()


@pytest.mark.browser
def test_chart_and_map_render_in_the_browser(live, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, store, _ = live
    last = date(2026, 10, 7)  # the seed's ads in Heerlen, Maastricht and Sittard-Geleen are all active
    page.goto(f"{url}/dashboard?lang=en&period=day&level=gemeente&from={FIRST}&to={last}")
    page.wait_for_selector("#dashboard-chart[data-rendered]", timeout=15000)
    page.wait_for_selector("#dashboard-map[data-rendered]", timeout=15000)
    assert page.get_attribute("#dashboard-chart", "data-rendered") == "true"
    assert page.get_attribute("#dashboard-map", "data-rendered") == "true"
    assert page.locator("#dashboard-chart svg").count() == 1
    assert page.locator("#dashboard-chart g.mark-line.role-mark path").count() == 2  # active and new ads
    bubbles = page.locator("#dashboard-map g.mark-symbol.role-mark.bubbles_marks path")
    expected = int(page.get_attribute("#dashboard-map", "data-bubbles") or 0)
    assert expected >= 3 and bubbles.count() == expected
    # The numbers the browser shows are the export's numbers.
    rows = exported(store, tmp_path, "gemeente", "day", last)
    shown = page.locator("#counts-table tbody tr[data-area]").evaluate_all(
        "rows => rows.map(r => [r.dataset.area, r.querySelector('[data-col=active_ads]').textContent])"
    )
    assert shown == [[x["area_code"], x["active_ads"]] for x in rows if x["period"] == last.isoformat()]
    out = Path(os.environ.get("ZICHT_TEST_ARTIFACTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / "dashboard.png"), full_page=True)
    assert page.console_errors == []  # type: ignore[attr-defined]
