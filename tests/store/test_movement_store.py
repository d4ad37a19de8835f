"""Movement from a real store on SQLite and PostgreSQL: exact flows, tours, touring groups, pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store.models import LinkAd, LinkRole, Region, RegionGemeente
from zicht.store.movement import AreaFilter, clear_cache, movement, places_over_time
from zicht.store.store import IngestItem, Store
from zicht.web.app import create_app

MONDAY = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)  # ISO week 41 of 2026
W41, W42, W43 = date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19)
HEERLEN, SITTARD, MAASTRICHT = "GM0917", "GM1883", "GM0935"


@dataclass
class Seen:
    source_id: str
    site: str
    place: str
    phone: str
    days: tuple[int, ...]  # days after MONDAY on which this content was seen


# persona -> ads; P1 and P2 form one network. Expected moves are written next to each persona.
MARKET = {
    # W41 Heerlen (two sites), W42 Sittard, W43 Maastricht: two flows, a tour through three gemeenten
    "P1": (
        Seen("a1", "kinky", "Heerlen", "0612345678", (0, 2)),
        Seen("a1", "kinky", "Sittard", "0612345678", (7, 9)),
        Seen("a1", "kinky", "Maastricht", "0612345678", (14,)),
        Seen("a2", "sexjobs", "Heerlen", "0612345678", (1, 6)),
    ),
    # W41 Heerlen, W42 Sittard, W43 back in Heerlen (another ad): two flows, no tour
    "P2": (
        Seen("b1", "kinky", "Heerlen", "0622222222", (0,)),
        Seen("b1", "kinky", "Sittard", "0622222222", (7,)),
        Seen("b2", "kinky", "Heerlen", "0622222222", (14,)),
    ),
    # stays in Heerlen and also appears in Sittard in W42: no flow
    "P3": (
        Seen("c1", "kinky", "Heerlen", "0633333333", (0, 7)),
        Seen("c2", "sexjobs", "Sittard", "0633333333", (7,)),
    ),
    # unknown place in W41, Heerlen in W42: no flow
    "P4": (
        Seen("d1", "kinky", "Nergenshuizen", "0644444444", (0,)),
        Seen("d1", "kinky", "Heerlen", "0644444444", (7,)),
    ),
    # Heerlen in W41, nothing in W42, Maastricht in W43: no flow across the gap
    "P5": (
        Seen("e1", "kinky", "Heerlen", "0655555555", (0,)),
        Seen("e2", "kinky", "Maastricht", "0655555555", (14,)),
    ),
    # only ever an unknown place
    "P6": (Seen("f1", "kinky", "Nergenshuizen", "0666666666", (0,)),),
}


def linking_week(monday: date) -> int:
    return ((monday - date(1970, 1, 1)).days - 4) // 7


def seed(store: Store) -> dict[str, int]:
    """Ingest and process the market, then assign personas/networks as linking would; persona ids."""
    items = []
    for ads in MARKET.values():
        for s in ads:
            parsed = ParsedAd(
                site=s.site,
                source_id=s.source_id,
                url=f"https://{s.site}.example/ad/{s.source_id}",
                title=f"Advertentie {s.source_id}",
                text=f"Hoi, nu in {s.place}. Bel {s.phone}.",
                fields={"location": s.place},
                phone=s.phone,
            )
            items += [IngestItem(parsed, MONDAY + timedelta(days=d), f"{s.site}@test") for d in s.days]
    store.ingest(sorted(items, key=lambda i: i.seen_at))
    process(store, photos=False)
    ids: dict[str, int] = {}
    ad_ids: dict[str, list[int]] = {}
    for persona, ads in MARKET.items():
        for s in ads:
            found = store.find_ad(s.site, s.source_id)
            assert found is not None
            if found.id not in ad_ids.setdefault(persona, []):
                ad_ids[persona].append(found.id)
        ids[persona] = min(ad_ids[persona])
    network = {p: ids["P1"] if p in ("P1", "P2") else ids[p] for p in ids}
    with store.session() as s:
        for persona, members in ad_ids.items():
            for ad_id in members:
                s.add(
                    LinkAd(
                        ad_id=ad_id,
                        linking_version="test",
                        version_stamp=0,
                        persona_id=ids[persona],
                        network_id=network[persona],
                    )
                )
        s.add(
            LinkRole(
                network_id=ids["P1"],
                role="touring_group",
                subject="Heerlen → Sittard",
                score=0.65,
                evidence={
                    "personas": [ids["P1"], ids["P2"]],
                    "route": [{"week": linking_week(W42), "from": HEERLEN, "to": SITTARD}],
                    "summary": "2 personas moved together 1 time(s)",
                },
                linking_version="test",
            )
        )
    clear_cache()
    return ids


def test_exact_flows_tours_and_groups(store: Store) -> None:
    ids = seed(store)
    board = movement(store, W41, W43)
    assert [(r.week, r.origin, r.destination, r.personas, r.networks) for r in board.flows] == [
        (W42, HEERLEN, SITTARD, 2, 1),
        (W43, SITTARD, HEERLEN, 1, 1),
        (W43, SITTARD, MAASTRICHT, 1, 1),
    ]
    assert (board.personas_moving, board.person_moves, board.personas_unknown) == (2, 4, 1)
    assert board.personas_in_area == 5  # every persona with a known place
    assert [(t.persona, t.gemeenten) for t in board.tours] == [(ids["P1"], [HEERLEN, SITTARD, MAASTRICHT])]
    assert [
        (g.network_id, g.personas, [(s.week, s.origin, s.destination) for s in g.route]) for g in board.groups
    ] == [(ids["P1"], [ids["P1"], ids["P2"]], [(W42, HEERLEN, SITTARD)])]
    assert board.pairs[0] == (HEERLEN, SITTARD, 2)


def test_area_filters_and_ranges(store: Store) -> None:
    seed(store)
    maastricht = movement(store, W41, W43, AreaFilter("gemeente", MAASTRICHT))
    assert [(r.week, r.origin, r.destination, r.personas) for r in maastricht.flows] == [
        (W43, SITTARD, MAASTRICHT, 1)
    ]
    assert maastricht.personas_in_area == 2  # P1 and P5 in week 43
    assert maastricht.groups == []  # the group's route never touches Maastricht
    limburg = movement(store, W41, W43, AreaFilter("police_unit", "RE10"))
    assert limburg.n_flow_rows == 3
    with store.session() as s:
        s.add(Region(id=1, name="Zuid", created_by="test", gemeenten=[RegionGemeente(gemeente_code="917")]))
    region = movement(store, W41, W43, AreaFilter("region", "1", frozenset({HEERLEN})))
    assert [(r.origin, r.destination) for r in region.flows] == [(HEERLEN, SITTARD), (SITTARD, HEERLEN)]
    # Only week 43 asked: week 42 is read as the week before, but its own flows are not shown.
    late = movement(store, W43, W43)
    assert [(r.week, r.destination) for r in late.flows] == [(W43, HEERLEN), (W43, MAASTRICHT)]
    assert late.groups == [] and late.tours == []  # one flow of P1 in range: two gemeenten, no tour
    # No data in the range: empty, not an error.
    empty = movement(store, date(2026, 6, 1), date(2026, 6, 14))
    assert empty.flows == [] and empty.tours == [] and empty.personas_in_area == 0


def test_places_over_time_of_a_persona_and_a_network(store: Store) -> None:
    ids = seed(store)
    one = places_over_time(store, "persona", ids["P1"])
    assert one is not None and one.n_ads == 2 and one.network_id == ids["P1"]
    assert one.table.weeks == [W41, W42, W43]
    assert one.table.gemeenten == [HEERLEN, SITTARD, MAASTRICHT]
    assert [one.table.cell(W41, HEERLEN), one.table.cell(W42, SITTARD), one.table.cell(W43, MAASTRICHT)] == [
        (1, 7),
        (1, 7),
        (1, 1),
    ]
    assert one.tour is not None and one.tour.distinct == 3
    net = places_over_time(store, "network", ids["P1"])
    assert net is not None and net.n_personas == 2 and net.n_ads == 4
    assert net.personas == sorted([ids["P1"], ids["P2"]])
    assert net.table.cell(W42, SITTARD) == (2, 8)
    assert net.table.cell(W43, HEERLEN) == (1, 1)
    first = net.flows[0]
    assert (first.week, first.origin, first.destination, first.personas) == (W42, HEERLEN, SITTARD, 2)
    assert len(net.groups) == 1
    assert places_over_time(store, "persona", 999_999) is None


def test_new_data_is_seen_at_once(store: Store) -> None:
    seed(store)
    assert movement(store, W41, W43).n_flow_rows == 3
    parsed = ParsedAd(
        site="kinky",
        source_id="g1",
        url="https://kinky.example/ad/g1",
        title="x",
        text="Nu in Heerlen. Bel 0677777777.",
        fields={"location": "Heerlen"},
        phone="0677777777",
    )
    moved = ParsedAd(
        **{
            **parsed.__dict__,
            "text": "Nu in Maastricht. Bel 0677777777.",
            "fields": {"location": "Maastricht"},
        }
    )
    store.ingest(
        [
            IngestItem(parsed, MONDAY, "kinky@test"),
            IngestItem(moved, MONDAY + timedelta(days=7), "kinky@test"),
        ]
    )
    process(store, photos=False)
    rows = movement(store, W41, W43).flows
    assert (W42, HEERLEN, MAASTRICHT, 1, 1) in [
        (r.week, r.origin, r.destination, r.personas, r.networks) for r in rows
    ]


@pytest.fixture
def client(store: Store) -> TestClient:
    seed(store)
    return TestClient(create_app(store))


def test_movement_page_shows_the_flows_table_and_chart(client: TestClient, store: Store) -> None:
    response = client.get("/beweging", params={"from": "2026-10-05", "to": "2026-10-25", "lang": "en"})
    assert response.status_code == 200
    html = response.text
    assert 'id="flows-table"' in html and 'id="movement-spec"' in html and 'data-pairs="3"' in html
    assert html.count('<tr data-week="2026-W4') == 3
    assert 'data-week="2026-W42" data-from="GM0917" data-to="GM1883"' in html
    assert "Heerlen" in html and "Sittard" in html
    assert "0612345678" not in html and "+31612345678" not in html  # no contact values on this page
    one = client.get(
        "/beweging", params={"from": "2026-10-05", "to": "2026-10-25", "area": "gemeente:GM0935"}
    )
    assert one.status_code == 200 and one.text.count('<tr data-week="2026-W4') == 1
    only_end = client.get("/beweging", params={"to": "2026-10-25", "lang": "en"})
    assert "Arrival weeks 2026-W36 to 2026-W43." in only_end.text  # eight weeks up to the end date
    assert only_end.text.count('<tr data-week="2026-W4') == 3
    assert client.get("/beweging", params={"area": "gemeente:GM9999"}).status_code == 400
    assert client.get("/beweging", params={"from": "gisteren"}).status_code == 400
    assert client.get("/beweging", params={"from": "2026-01-01", "to": "2026-10-25"}).status_code == 400


def test_places_pages_and_ad_page_link(client: TestClient, store: Store) -> None:
    p1 = store.find_ad("kinky", "a1")
    assert p1 is not None
    page = client.get(f"/beweging/persona/{p1.id}", params={"lang": "en"})
    assert page.status_code == 200
    assert (
        'id="places-table"' in page.text
        and 'data-week="2026-W43"' in page.text
        and 'id="tour-finding"' in page.text
    )
    network_page = client.get(f"/beweging/netwerk/{p1.id}")
    assert network_page.status_code == 200
    p2 = store.find_ad("kinky", "b1")
    assert p2 is not None and f'href="/beweging/persona/{p2.id}"' in network_page.text
    assert client.get("/beweging/persona/123456789").status_code == 404
    assert client.get("/beweging/persona/abc").status_code == 404
    ad_page = client.get(f"/advertenties/{p1.id}")
    assert f'href="/beweging/persona/{p1.id}"' in ad_page.text
