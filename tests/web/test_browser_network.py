"""The network page in Debian's chromium against the real server: the cytoscape graph under our CSP,
the why-linked panel from a click on an edge and from the table, and a split decision posted by the
browser's own form. Every test also checks the console: a CSP violation or a JS error fails it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from network_seed import SHARED, NetSeed, seed_network
from playwright.sync_api import Page, expect

from zicht.demo.big_network import add_telefonist
from zicht.store import linking as sql
from zicht.store.network_page import GRAPH_MAX_PERSONAS, network_page
from zicht.store.store import Store
from zicht.web.app import ServerThread

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, NetSeed, Store]]:
    tmp: Path = tmp_path_factory.mktemp("live-network")
    store = Store.open(f"sqlite:///{tmp / 'zicht.db'}", data_dir=tmp / "data")
    seed = seed_network(store)
    server = ServerThread(store)
    try:
        yield server.url, seed, store
    finally:
        server.stop()
        store.close()


def no_console_errors(page: Page) -> None:
    assert page.console_errors == [], "\n".join(page.console_errors)  # type: ignore[attr-defined]


def test_graph_draws_every_node_and_edge(page: Page, live_network: tuple[str, NetSeed, Store]) -> None:
    url, seed, store = live_network
    net = network_page(store, seed.network)
    assert net is not None
    # personas + contact points (the hub e-mail too) + photo groups; edges as the store gives them
    expected_nodes = len(net.personas) + len(net.contacts) + len(net.photos_drawn)
    assert expected_nodes == 2 + 2 + 2
    page.goto(f"{url}/netwerken/{seed.network}?lang=en")
    graph = page.locator("#network-graph")
    expect(graph).to_have_attribute("data-state", "ready")
    assert graph.get_attribute("data-nodes") == str(expected_nodes)
    assert graph.get_attribute("data-edges") == str(len(net.graph_edges))
    assert page.locator("#network-graph canvas").count() >= 1
    # the graph's own count, asked of cytoscape
    kinds = page.evaluate(
        "() => { const cy = document.getElementById('network-graph').cy;"
        " return ['persona', 'contact', 'photo'].map(k => cy.nodes('[kind = \"' + k + '\"]').length); }"
    )
    assert kinds == [2, 2, 2]
    hubs = page.evaluate("() => document.getElementById('network-graph').cy.nodes('[?hub]').length")
    assert hubs == 1
    no_console_errors(page)


def test_clicking_an_edge_fills_the_why_panel(page: Page, live_network: tuple[str, NetSeed, Store]) -> None:
    url, seed, _ = live_network
    page.goto(f"{url}/netwerken/{seed.network}?lang=en")
    expect(page.locator("#network-graph")).to_have_attribute("data-state", "ready")
    # the phone edge between Lisa's and Nina's personas, clicked where cytoscape drew it
    point = page.evaluate(
        "() => { const cy = document.getElementById('network-graph').cy;"
        ' const e = cy.edges(\'[channel = "phone"][kind = "link"]\')[0];'
        " const box = cy.container().getBoundingClientRect(); const m = e.renderedMidpoint();"
        " return [box.left + m.x, box.top + m.y, e.data('why')]; }"
    )
    x, y, key = point
    assert key == f"pair-{seed.lisa}-{seed.nina}"
    page.mouse.click(x, y)
    panel = page.locator("#why-body")
    expect(panel).to_have_attribute("data-showing", key)
    expect(panel).to_contain_text("same network, other persona")
    expect(panel).to_contain_text(SHARED)
    expect(panel).to_contain_text("shared contact point, different photos")

    # a persona node shows the persona
    nina = page.evaluate(
        "() => { const cy = document.getElementById('network-graph').cy;"
        f" const n = cy.getElementById('persona:{seed.nina}'); const box = cy.container().getBoundingClientRect();"
        " const p = n.renderedPosition(); return [box.left + p.x, box.top + p.y]; }"
    )
    page.mouse.click(*nina)
    expect(panel).to_have_attribute("data-showing", f"persona-{seed.nina}")
    expect(panel).to_contain_text("Nina, 21")

    # the table's link does the same for a pair inside one persona (not drawn as an edge)
    page.locator(f'a.why-link[data-show="pair-{seed.ids["kinky:1"]}-{seed.ids["sexjobs:2"]}"]').click()
    expect(panel).to_contain_text("same persona")
    expect(panel).to_contain_text("distance 2")
    no_console_errors(page)


def test_a_split_decision_is_posted_and_listed(page: Page, live_network: tuple[str, NetSeed, Store]) -> None:
    url, seed, _ = live_network
    page.goto(f"{url}/netwerken/{seed.network}?lang=en")
    expect(page.locator("#network-graph")).to_have_attribute("data-state", "ready")
    row = page.locator(f"#pair-{seed.lisa}-{seed.nina}")
    row.get_by_role("link", name="Confirm or split…").click()
    form = page.locator(".link-decision-form")
    expect(form.get_by_label("Ad A")).to_have_value(str(seed.lisa))
    expect(form.get_by_label("Ad B")).to_have_value(str(seed.nina))
    expect(form.get_by_label("network: belonging together or not")).to_be_checked()
    form.get_by_label("split").check()
    form.get_by_label("Your name").fill("analist B")
    form.get_by_label("Reason").fill("Twee verschillende vrouwen volgens de controle")
    form.get_by_role("button", name="Store decision").click()
    expect(page.locator(".saved")).to_contain_text("Decision stored: split")
    decisions = page.locator("#link-decisions tbody tr")
    expect(decisions).to_have_count(1)
    expect(decisions.first).to_contain_text("analist B")
    expect(decisions.first).to_contain_text("Twee verschillende vrouwen")
    expect(decisions.first.locator("[data-col=status]")).to_have_text("waiting for the next linking run")
    expect(page.locator(f"#pair-{seed.lisa}-{seed.nina} [data-col=verdict]")).to_contain_text(
        "decided: split"
    )
    no_console_errors(page)


def test_panel_loads_a_pairs_evidence_on_demand(page: Page, live_network: tuple[str, NetSeed, Store]) -> None:
    """The page holds no pair's evidence (a national network has thousands of pairs); a click on any
    edge fetches the pair's own page and shows its why block."""
    url, seed, _ = live_network
    page.goto(f"{url}/netwerken/{seed.network}?lang=en")
    expect(page.locator("#network-graph")).to_have_attribute("data-state", "ready")
    assert page.locator("[data-why^=pair-]").count() == 0
    key = page.evaluate(
        "() => { const cy = document.getElementById('network-graph').cy;"
        " const e = cy.edges('[channel = \"phone\"][kind = \"link\"]')[0]; e.emit('tap'); return e.data('why'); }"
    )
    panel = page.locator("#why-body")
    expect(panel).to_have_attribute("data-showing", key)
    expect(panel).to_contain_text("shared contact point, different photos")
    page.locator("#why-body button.panel-decide").click()
    expect(page.locator(".link-decision-form").get_by_label("Ad B")).to_have_value(str(seed.nina))
    no_console_errors(page)


@pytest.fixture(scope="module")
def live_big_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A telefonist's network of 150 personas (more than the graph draws)."""
    tmp: Path = tmp_path_factory.mktemp("live-big-network")
    store = Store.open(f"sqlite:///{tmp / 'zicht.db'}", data_dir=tmp / "data")
    net = add_telefonist(store, personas=150, numbers=2, max_ads=1, seed=9)
    network = sql.assignment_of(store, net.ad_ids[:1])[net.ad_ids[0]][1]
    server = ServerThread(store)
    try:
        yield server.url, network
    finally:
        server.stop()
        store.close()


def test_a_big_network_draws_its_capped_graph_and_loads_a_pair_on_demand(
    page: Page, live_big_network: tuple[str, int]
) -> None:
    url, network = live_big_network
    page.goto(f"{url}/netwerken/{network}?lang=en")
    graph = page.locator("#network-graph")
    expect(graph).to_have_attribute("data-state", "ready")
    personas = page.evaluate(
        "() => document.getElementById('network-graph').cy.nodes('[kind = \"persona\"]').length"
    )
    assert personas == GRAPH_MAX_PERSONAS
    assert graph.get_attribute("data-edges") == graph.get_attribute("data-expected-edges")
    # a link's label is built in the browser from the channel names sent once
    label = page.evaluate(
        "() => document.getElementById('network-graph').cy.edges('[kind = \"link\"]')[0].data('label')"
    )
    assert label.startswith("same phone number 0.")
    # the heat map (rows per gemeente, flattened by Vega-Lite) draws one cell per week and gemeente
    chart = page.locator("#timeline-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    cells = page.locator(
        "#timeline-chart svg path[aria-roledescription='rect mark'], #timeline-chart svg .mark-rect path"
    )
    assert cells.count() > 10
    page.locator("a.why-link").first.click()
    panel = page.locator("#why-body")
    expect(panel).to_contain_text("same +316")
    expect(panel.locator("button.panel-decide")).to_have_count(1)
    no_console_errors(page)
