"""A national-scale network on both backends: one telefonist's numbers for 210 personas, thousands
of linked pairs. The page stays bounded: at most GRAPH_MAX_PERSONAS personas drawn with at most
three links each, one page of pairs (the rest paged, their evidence on demand), paged tables, a
decision form without a list of every ad. Counts on the page, never timings (those are in
benchmarks/bench_network_page.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import func, select
from test_network_page import graph_rows

from zicht.demo.big_network import BigNetwork, add_telefonist
from zicht.store import network_page as queries
from zicht.store.models import Link, LinkAd
from zicht.store.store import Store
from zicht.web.app import create_app
from zicht.web.views import networks as views

PERSONAS = 210


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def national(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, BigNetwork, int]]:
    tmp = tmp_path_factory.mktemp("national")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'zicht.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database(f"nat{os.getpid()}_{request.param_index}")
    store = Store.open(url, data_dir=tmp / "data")
    try:
        net = add_telefonist(store, personas=PERSONAS, numbers=3, max_ads=2, seed=5)
        with store.session() as s:
            network_ids = set(s.scalars(select(LinkAd.network_id).where(LinkAd.ad_id.in_(net.ad_ids))))
        assert len(network_ids) == 1  # the generator's personas form one network
        yield store, net, network_ids.pop()
    finally:
        store.close()


def pairs_in_store(store: Store, ad_ids: list[int]) -> int:
    """Linked pairs among the network's ads, counted straight from the links table."""
    with store.session() as s:
        inner = (
            select(Link.ad_a, Link.ad_b)
            .where(Link.ad_a.in_(ad_ids), Link.ad_b.in_(ad_ids))
            .distinct()
            .subquery()
        )
        return s.scalar(select(func.count()).select_from(inner)) or 0


def test_a_network_of_hundreds_of_personas_renders_within_its_caps(
    national: tuple[Store, BigNetwork, int],
) -> None:
    store, net, network_id = national
    with TestClient(create_app(store)) as client:
        response = client.get(f"/netwerken/{network_id}?lang=en")
    assert response.status_code == 200
    assert len(response.content) < 200_000  # a big network's page stays well under 200 KB
    html = HTMLParser(response.text)
    summary = {
        dd.attributes["data-col"]: dd.text(strip=True) for dd in html.css("#network-summary dd[data-col]")
    }
    assert summary["personas"] == str(PERSONAS) and summary["ads"] == str(len(net.ad_ids))

    # the graph: the personas with the most ads, each with at most its three strongest links
    graph = graph_rows(html)
    personas = [n["id"] for n in graph["nodes"] if n["kind"] == "persona"]
    assert len(personas) == queries.GRAPH_MAX_PERSONAS
    links = [e for e in graph["edges"] if e["kind"] == "link"]
    assert 0 < len(links) <= queries.STRONGEST_PER_PERSONA * len(personas)
    drawn = set(personas)
    assert all(e["source"] in drawn and e["target"] in drawn for e in links)
    contacts = [n for n in graph["nodes"] if n["kind"] == "contact"]
    assert 1 <= len(contacts) <= queries.GRAPH_MAX_CONTACTS
    assert html.css_first("#graph-cut") is not None  # the page says the graph is a selection
    assert len(html.css("template[data-why^=persona-]")) == len(personas)

    # one page of pairs, counted against the links table
    total = pairs_in_store(store, net.ad_ids)
    assert total > 1000
    rows = html.css("#links-table tbody tr")
    assert len(rows) == queries.PAIRS_PER_PAGE
    assert (
        f"Showing {queries.PAIRS_PER_PAGE} of {total} linked pairs." in html.css_first("#pairs-shown").text()
    )
    assert html.css(".why-content") == [] and len(html.css("a.why-link")) == queries.PAIRS_PER_PAGE
    pages = html.css_first('nav[data-pager="paren"]').text(separator=" ", strip=True)
    assert f"/ {-(-total // queries.PAIRS_PER_PAGE)}" in pages

    # the other tables, paged
    assert len(html.css("#personas-table tbody tr")) == views.TABLE_ROWS
    assert len(html.css("#network-ads tbody tr")) == views.TABLE_ROWS
    assert f"/ {-(-PERSONAS // views.TABLE_ROWS)}" in html.css_first('nav[data-pager="personas"]').text()
    # the decision form asks for ad numbers instead of offering hundreds of ads twice
    assert html.css("#ld-a option") == [] and html.css_first("input#ld-a") is not None


def test_later_pages_and_any_pair_on_demand(national: tuple[Store, BigNetwork, int]) -> None:
    store, net, network_id = national
    with TestClient(create_app(store)) as client:
        first = HTMLParser(client.get(f"/netwerken/{network_id}").text)
        last_page = -(-pairs_in_store(store, net.ad_ids) // queries.PAIRS_PER_PAGE)
        last = HTMLParser(client.get(f"/netwerken/{network_id}?paren={last_page}").text)
        personas_3 = HTMLParser(client.get(f"/netwerken/{network_id}?personas=3").text)
        seen_first = {r.attributes["data-pair"] for r in first.css("#links-table tbody tr")}
        seen_last = [r.attributes["data-pair"] for r in last.css("#links-table tbody tr")]
        assert seen_last and not seen_first & set(seen_last)
        # a pair far down the list: its evidence on its own page, in Dutch by default
        a, b = seen_last[-1].split("-")
        pair = client.get(f"/netwerken/{network_id}/paren/{a}-{b}")
        assert pair.status_code == 200 and "Waarom gekoppeld" in pair.text
        assert "zelfde +316" in pair.text  # the shared number, said in Dutch
    shown = [r.attributes["data-persona"] for r in personas_3.css("#personas-table tbody tr")]
    assert len(shown) == views.TABLE_ROWS
    assert not set(shown) & {r.attributes["data-persona"] for r in first.css("#personas-table tbody tr")}


def test_the_pages_of_pairs_list_every_linked_pair_once_in_order(
    national: tuple[Store, BigNetwork, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walking every page gives each pair of the links table once: the graph's pairs first, then the
    rest by score (the database orders and pages them; the order is checked here in Python)."""
    store, net, network_id = national
    monkeypatch.setattr(queries, "PAIRS_PER_PAGE", 400)
    first = queries.network_page(store, network_id)
    assert first is not None
    graph_pairs = {e.pair for e in first.graph_edges if e.pair}
    seen = []
    for page in range(1, first.pair_pages + 1):
        found = queries.network_page(store, network_id, pair_page=page)
        assert found is not None and found.pair_page == page
        seen.extend(found.pairs)
    keys = [(p.ad_a, p.ad_b) for p in seen]
    assert len(keys) == len(set(keys)) == pairs_in_store(store, net.ad_ids) == first.pairs_total
    lead = [p.key in graph_pairs for p in seen]
    assert lead == sorted(lead, reverse=True) and sum(lead) == len(graph_pairs)
    rest = [(p.same_persona, -p.score) for p in seen[len(graph_pairs) :]]
    assert rest == sorted(rest)
