"""The network page in Debian's chromium against the real server: the cytoscape graph under our CSP,
the why-linked panel from a click on an edge and from the table, and a split decision posted by the
browser's own form. Every test also checks the console: a CSP violation or a JS error fails it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from network_seed import SHARED, NetSeed, seed_network
from playwright.sync_api import Page, expect

from zicht.store.network_page import network_page
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

    # the table's button does the same for a pair inside one persona (not drawn as an edge)
    page.locator(f'button[data-show="pair-{seed.ids["kinky:1"]}-{seed.ids["sexjobs:2"]}"]').click()
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


def test_panel_loads_pairs_beyond_the_table(
    page: Page, live_network: tuple[str, NetSeed, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big network lists only its first pairs; a click on any edge still shows why (the pair's page)."""
    import zicht.store.network_page as queries

    url, seed, _ = live_network
    monkeypatch.setattr(queries, "MAX_PAIRS", 0)
    page.goto(f"{url}/netwerken/{seed.network}?lang=en")
    expect(page.locator("#network-graph")).to_have_attribute("data-state", "ready")
    assert page.locator("#links-table").count() == 0
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
