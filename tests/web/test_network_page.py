"""The network list and page on both backends: the numbers, values and evidence the linking stage
stored, the weekly timeline, hubs marked as hubs, and confirm/split decisions kept and applied."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from network_seed import HUB_EMAIL, PHASH_LISA, PHASH_LISA_COPY, SETTINGS, SHARED, NetSeed, seed_network
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from zicht.linking.run import link
from zicht.store import linking as sql
from zicht.store.network_page import network_page, phash_hex
from zicht.store.store import Store
from zicht.web.app import create_app

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def linked(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, NetSeed]]:
    """The small linked market, once per backend, for the tests that only read."""
    tmp = tmp_path_factory.mktemp("networks")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'zicht.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database(f"net{os.getpid()}_{request.param_index}")
    store = Store.open(url, data_dir=tmp / "data")
    try:
        yield store, seed_network(store)
    finally:
        store.close()


@pytest.fixture
def client(linked: tuple[Store, NetSeed]) -> Iterator[TestClient]:
    with TestClient(create_app(linked[0])) as c:
        yield c


def page_html(client: TestClient, path: str) -> HTMLParser:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    return HTMLParser(response.text)


def text(node) -> str:  # type: ignore[no-untyped-def]
    return node.text(separator=" ", strip=True)


def graph_rows(html: HTMLParser) -> dict:
    """The graph's JSON block, its rows as dicts of their fields."""
    graph = json.loads(html.css_first("script#graph-data").text())
    return {
        "nodes": [dict(zip(graph["node_fields"], row, strict=True)) for row in graph["nodes"]],
        "edges": [dict(zip(graph["edge_fields"], row, strict=True)) for row in graph["edges"]],
    }


# ---------------------------------------------------------------- the list


def test_list_shows_networks_of_several_personas_with_their_numbers(
    client: TestClient, linked: tuple[Store, NetSeed]
) -> None:
    _, seed = linked
    html = page_html(client, "/netwerken?lang=en")
    rows = html.css("#networks-table tbody tr")
    assert [r.attributes["data-network"] for r in rows] == [str(seed.network)]
    row = rows[0]
    cols = {td.attributes["data-col"]: text(td) for td in row.css("td[data-col]")}
    assert cols["personas"] == "2" and cols["ads"] == "3" and cols["contacts"] == "1"
    assert cols["role"].startswith("telefonist")
    assert cols["gemeenten"] == "Heerlen, Maastricht"  # two ads name Heerlen, one Maastricht
    assert "Lisa, 24; Nina, 21" in text(row)
    assert text(row).count("2026-10-05") == 1 and "2026-10-13" in text(row)  # first and last day seen
    assert html.css_first('nav a[href="/netwerken"]') is not None  # in the navigation


def test_list_filters_and_orders(client: TestClient, linked: tuple[Store, NetSeed]) -> None:
    _, seed = linked
    everyone = page_html(client, "/netwerken?min=1")
    ids = [r.attributes["data-network"] for r in everyone.css("#networks-table tbody tr")]
    assert ids[0] == str(seed.network) and len(ids) == 4  # Lisa/Nina, Eva, Roos, Iris
    assert "4 netwerken gevonden" in text(everyone.css_first(".result-count"))
    alone = page_html(client, "/netwerken?min=1&role=independent&order=recent")
    alone_ids = {r.attributes["data-network"] for r in alone.css("#networks-table tbody tr")}
    assert alone_ids == {str(seed.ids[k]) for k in ("redlights:4", "redlights:5", "kinky:6")}
    none = page_html(client, "/netwerken?role=likely_scam")
    assert none.css("#networks-table") == [] and none.css_first(".empty") is not None


# ---------------------------------------------------------------- one network


def test_page_shows_the_network_as_linked(client: TestClient, linked: tuple[Store, NetSeed]) -> None:
    _, seed = linked
    html = page_html(client, f"/netwerken/{seed.network}?lang=en")
    assert (
        text(html.css_first("h1"))
        == f"Network {seed.network}: telefonist (one contact point for several personas)"
    )
    summary = {dd.attributes["data-col"]: text(dd) for dd in html.css("#network-summary dd[data-col]")}
    assert summary == {
        "personas": "2",
        "ads": "3",
        "contacts": "1",
        "roles": "telefonist",
        "gemeenten": "Heerlen, Maastricht",
    }
    personas = {r.attributes["data-persona"]: r for r in html.css("#personas-table tbody tr")}
    assert set(personas) == {str(seed.lisa), str(seed.nina)}
    assert "Lisa, 24" in text(personas[str(seed.lisa)])
    assert text(personas[str(seed.lisa)].css_first("[data-col=ads]")) == "2"
    ads = [r.attributes["data-ad"] for r in html.css("#network-ads tbody tr")]
    assert sorted(ads) == sorted(str(seed.ids[k]) for k in ("kinky:1", "sexjobs:2", "kinky:3"))

    roles = html.css("#roles-table tbody tr")
    assert [r.attributes["data-role"] for r in roles] == ["telefonist"]
    assert f"phone:{SHARED}" in text(roles[0]) and "is the contact for 2 personas in 2 gemeente(n)" in text(
        roles[0]
    )


def test_why_linked_table_gives_channel_score_value_and_reason(
    client: TestClient, linked: tuple[Store, NetSeed]
) -> None:
    _, seed = linked
    html = page_html(client, f"/netwerken/{seed.network}?lang=en")
    rows = {r.attributes["data-pair"]: r for r in html.css("#links-table tbody tr")}
    k1, s2, k3 = seed.ids["kinky:1"], seed.ids["sexjobs:2"], seed.ids["kinky:3"]
    assert set(rows) == {f"{k1}-{k3}", f"{s2}-{k3}", f"{k1}-{s2}"}
    # the pair drawn in the graph first
    assert next(iter(rows)) == f"{k1}-{k3}"
    between = rows[f"{k1}-{k3}"]
    assert text(between.css_first("[data-col=channels]")) == "phone 0.95 , email 0.00 hub"
    assert text(between.css_first("[data-col=verdict]")) == "same network, other persona"
    assert text(between.css_first("[data-col=reason]")) == (
        "shared contact point, different photos; name differs (lisa / nina); age differs (24 / 21)"
    )
    # the evidence itself is loaded on demand: the pair's own page (the panel fetches it)
    link = between.css_first("a.why-link")
    assert link.attributes["href"] == f"/netwerken/{seed.network}/paren/{k1}-{k3}"
    assert between.css(".why-content") == []
    pair = page_html(client, link.attributes["href"] + "?lang=en")
    why = text(pair.css_first(".why-content"))
    assert SHARED in why and "shared contact point, different photos" in why
    assert HUB_EMAIL in why and "Shared, but a hub" in why
    raw = json.loads(pair.css(".raw-evidence pre")[0].text())
    assert raw["values"] == [SHARED] and raw["kinds"] == ["phone"]

    lisa = rows[f"{k1}-{s2}"]
    assert text(lisa.css_first("[data-col=verdict]")) == "same persona"
    lisa_page = page_html(client, f"/netwerken/{seed.network}/paren/{k1}-{s2}?lang=en")
    lisa_why = text(lisa_page.css_first(".why-content"))
    assert "same photo" in lisa_why and "distance 2" in lisa_why  # the re-encoded photo
    assert f"photo {seed.photo_ids['lisa']} ↔ photo {seed.photo_ids['lisa-copy']}" in lisa_why
    decide = lisa.css_first("a.decide-link")
    assert decide.attributes["href"] == f"/netwerken/{seed.network}?paar={k1}-{s2}#beslissen"


def test_contact_points_and_photos_with_hubs_marked(
    client: TestClient, linked: tuple[Store, NetSeed]
) -> None:
    _, seed = linked
    html = page_html(client, f"/netwerken/{seed.network}?lang=en")
    contacts = {r.attributes["data-contact"]: r for r in html.css("#contacts-table tbody tr")}
    assert list(contacts) == [f"phone:{SHARED}", f"email:{HUB_EMAIL}"]
    phone, email = contacts[f"phone:{SHARED}"], contacts[f"email:{HUB_EMAIL}"]
    assert (
        text(phone.css_first("[data-col=personas]")) == "2" and text(phone.css_first("[data-col=ads]")) == "3"
    )
    assert text(phone.css_first("[data-col=hub]")) == "–"
    assert "is-hub" in (email.attributes.get("class") or "")
    assert text(email.css_first("[data-col=hub]")) == "hub in 5 ads: not used to link"  # five ads store-wide
    photos = {r.attributes["data-photo"]: r for r in html.css("#photos-table tbody tr")}
    lisa_photo = photos[str(seed.photo_ids["lisa"])]
    assert text(lisa_photo.css_first("th")) == f"{seed.photo_ids['lisa']}, {seed.photo_ids['lisa-copy']}"
    assert phash_hex(PHASH_LISA) in text(lisa_photo) and phash_hex(PHASH_LISA_COPY) in text(lisa_photo)
    assert len(photos) == 2

    graph = graph_rows(html)
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert set(nodes) == {
        f"persona:{seed.lisa}",
        f"persona:{seed.nina}",
        f"contact:phone:{SHARED}",
        f"contact:email:{HUB_EMAIL}",
        f"photo:{seed.photo_ids['lisa']}",
        f"photo:{seed.photo_ids['nina']}",
    }
    # the graph names contact points neutrally; the full value is in the tables and the panel
    assert nodes[f"contact:phone:{SHARED}"]["label"] == "phone …5678"
    assert nodes[f"contact:email:{HUB_EMAIL}"]["label"].startswith("hub · ")
    assert nodes[f"contact:email:{HUB_EMAIL}"]["hub"] == 1
    links = [e for e in graph["edges"] if e["kind"] == "link"]
    assert {(e["channel"], e["score"], e["why"]) for e in links} == {
        ("phone", 0.95, f"pair-{seed.ids['kinky:1']}-{seed.nina}"),
        ("email", 0.0, f"pair-{seed.ids['kinky:1']}-{seed.nina}"),
    }
    div = html.css_first("#network-graph")
    assert div.attributes["data-expected-nodes"] == "6"
    assert div.attributes["data-expected-edges"] == str(len(graph["edges"]))
    for key in (f"persona-{seed.lisa}", "contact-0", f"photo-{seed.photo_ids['nina']}"):
        assert html.css_first(f'template[data-why="{key}"]') is not None


def test_timeline_counts_ads_per_iso_week_and_gemeente(
    client: TestClient, linked: tuple[Store, NetSeed]
) -> None:
    _, seed = linked
    html = page_html(client, f"/netwerken/{seed.network}?lang=en")
    weeks = {
        r.attributes["data-week"]: (
            text(r.css_first("[data-col=ads]")),
            {s.attributes["data-gemeente"]: text(s) for s in r.css("[data-gemeente]")},
        )
        for r in html.css("#timeline-table tbody tr")
    }
    assert weeks == {
        "2026-W41": ("3", {"GM0917": "Heerlen (2)", "GM0935": "Maastricht (1)"}),
        "2026-W42": ("1", {"GM0917": "Heerlen (1)"}),  # Lisa's first ad, seen again on day 8
    }
    spec = json.loads(html.css_first("script#timeline-spec").text())
    assert spec["transform"] == [{"flatten": ["week", "ads"]}]  # one row per gemeente, flattened by Vega-Lite
    cells = [
        (w, v["gemeente"], n)
        for v in spec["data"]["values"]
        for w, n in zip(v["week"], v["ads"], strict=True)
    ]
    assert sorted(cells) == [
        ("2026-W41", "Heerlen", 2),
        ("2026-W41", "Maastricht", 1),
        ("2026-W42", "Heerlen", 1),
    ]


def test_unknown_network_is_a_404(client: TestClient) -> None:
    for path in ("/netwerken/999999", "/netwerken/abc"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Dit netwerk is niet gevonden" in response.text


def test_ad_page_links_to_its_network_and_persona(client: TestClient, linked: tuple[Store, NetSeed]) -> None:
    _, seed = linked
    html = page_html(client, f"/advertenties/{seed.nina}")
    block = html.css_first("#ad-network")
    hrefs = [a.attributes["href"] for a in block.css("a")]
    assert hrefs == [f"/netwerken/{seed.network}", f"/netwerken/{seed.network}#persona-{seed.nina}"]
    assert "Nina, 21" in text(block) and "2 persona's, 3 advertenties" in text(block)


# ---------------------------------------------------------------- decisions (each test its own store)


def _post(client: TestClient, network: int, headers: dict | None = None, **form: object):  # type: ignore[no-untyped-def]
    return client.post(
        f"/netwerken/{network}/beslissingen",
        data={k: str(v) for k, v in form.items()},
        headers=SAME_ORIGIN if headers is None else headers,
        follow_redirects=False,
    )


def test_a_split_is_kept_shown_and_applied_by_the_next_run(store: Store) -> None:
    seed = seed_network(store)
    client = TestClient(create_app(store))
    k1, k3 = seed.ids["kinky:1"], seed.nina
    form = {
        "ad_a": k3,
        "ad_b": k1,
        "level": "network",
        "decision": "split",
        "user": "  analist  A ",
        "reason": "andere vrouw",
    }
    refused = _post(client, seed.network, headers={"Origin": "http://evil.example"}, **form)
    assert refused.status_code == 403 and sql.decisions_for(store, k1) == []

    response = _post(client, seed.network, **form)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/netwerken/{seed.network}?opgeslagen=")
    assert "zicht_user=" in response.headers["set-cookie"]
    stored = sql.decisions_for(store, k1)
    assert [(d.ad_a, d.ad_b, d.level, d.decision, d.user, d.reason) for d in stored] == [
        (k1, k3, "network", "split", "analist A", "andere vrouw")
    ]
    assert response.headers["location"].endswith("#beslissen")
    html = page_html(client, response.headers["location"].split("#")[0] + "&lang=en")
    assert "Decision stored: split of ads" in text(html.css_first(".saved"))
    row = html.css_first("#link-decisions tbody tr")
    assert text(row.css_first("[data-col=status]")) == "waiting for the next linking run"
    assert "analist A" in text(row) and "andere vrouw" in text(row)
    assert "decided: split" in text(html.css_first(f"#pair-{k1}-{k3} [data-col=verdict]"))

    link(store, settings=SETTINGS)  # the next run respects it: Nina leaves Lisa's network
    assignment = sql.assignment_of(store, [k1, k3])
    assert assignment[k1][1] != assignment[k3][1]
    after = network_page(store, assignment[k1][1])
    assert after is not None and [p.label for p in after.personas] == ["Lisa, 24"]
    html = page_html(client, f"/netwerken/{assignment[k1][1]}?lang=en")
    assert text(html.css_first("#link-decisions tbody tr [data-col=status]")) == "applied"


def test_bad_decisions_are_refused_with_a_message(store: Store) -> None:
    seed = seed_network(store)
    client = TestClient(create_app(store))
    eva = seed.ids["redlights:4"]  # not in this network
    response = _post(
        client, seed.network, ad_a=seed.lisa, ad_b=eva, level="persona", decision="merge", user="", reason=""
    )
    assert response.status_code == 400
    messages = [text(li) for li in HTMLParser(response.text).css(".messages li")]
    assert messages == [
        "Kies twee verschillende advertenties van dit netwerk.",
        "Kies bevestigen of splitsen.",
        "Vul uw naam in: die wordt bij de beslissing opgeslagen.",
        "Geef een reden: die wordt bij de beslissing bewaard.",
    ]
    assert sql.decisions_for(store, seed.lisa) == []
    same = _post(
        client,
        seed.network,
        ad_a=seed.lisa,
        ad_b=seed.lisa,
        level="x",
        decision="confirm",
        user="a",
        reason="b",
    )
    assert same.status_code == 400 and sql.decisions_for(store, seed.lisa) == []
    form_html = HTMLParser(same.text)
    assert form_html.css_first("#ld-a option[selected]").attributes["value"] == str(seed.lisa)


def test_each_pair_has_a_page_of_its_own(client: TestClient, linked: tuple[Store, NetSeed]) -> None:
    _, seed = linked
    k1, k3 = seed.ids["kinky:1"], seed.nina
    html = page_html(client, f"/netwerken/{seed.network}/paren/{k1}-{k3}?lang=en")
    why = html.css_first(f'.why-content[data-why="pair-{k1}-{k3}"]')
    assert SHARED in text(why) and "same network, other persona" in text(why)
    assert (
        html.css_first("a.decide-link").attributes["href"]
        == f"/netwerken/{seed.network}?paar={k1}-{k3}#beslissen"
    )
    assert client.get(f"/netwerken/{seed.network}/paren/{k1}-{seed.ids['redlights:4']}").status_code == 404
    assert client.get(f"/netwerken/{seed.network}/paren/x-y").status_code == 404


def test_a_long_list_of_pairs_is_paged(
    client: TestClient, linked: tuple[Store, NetSeed], monkeypatch: pytest.MonkeyPatch
) -> None:
    import zicht.store.network_page as queries

    _, seed = linked
    monkeypatch.setattr(queries, "PAIRS_PER_PAGE", 2)
    first = page_html(client, f"/netwerken/{seed.network}?lang=en")
    first_rows = [r.attributes["data-pair"] for r in first.css("#links-table tbody tr")]
    assert len(first_rows) == 2
    assert "Showing 2 of 3 linked pairs." in text(first.css_first("#h-links").parent)
    pager = first.css_first('nav[data-pager="paren"]')
    assert pager.css_first("a[rel=next]").attributes["href"] == f"/netwerken/{seed.network}?paren=2#h-links"
    second = page_html(client, f"/netwerken/{seed.network}?paren=2&lang=en")
    second_rows = [r.attributes["data-pair"] for r in second.css("#links-table tbody tr")]
    assert len(second_rows) == 1 and not set(second_rows) & set(first_rows)
    assert second.css_first('nav[data-pager="paren"] a[rel=prev]') is not None
    beyond = page_html(client, f"/netwerken/{seed.network}?paren=99")  # the last page
    assert [r.attributes["data-pair"] for r in beyond.css("#links-table tbody tr")] == second_rows


def test_without_javascript_a_pair_link_fills_in_the_form(
    client: TestClient, linked: tuple[Store, NetSeed]
) -> None:
    _, seed = linked
    k1, s2 = seed.ids["kinky:1"], seed.ids["sexjobs:2"]
    html = page_html(client, f"/netwerken/{seed.network}?paar={k1}-{s2}")
    assert html.css_first("#ld-a option[selected]").attributes["value"] == str(k1)
    assert html.css_first("#ld-b option[selected]").attributes["value"] == str(s2)
    assert "checked" in html.css_first("#ld-level-persona").attributes  # one persona: the persona level
    other = page_html(client, f"/netwerken/{seed.network}?paar={k1}-{seed.ids['redlights:4']}")
    assert other.css_first("#ld-a option[selected]") is None  # not two ads of this network


# ---------------------------------------------------------------- the stage's texts in the reader's language


def test_reasons_evidence_and_roles_read_in_dutch_and_in_english(
    client: TestClient, linked: tuple[Store, NetSeed]
) -> None:
    _, seed = linked
    k1, k3 = seed.ids["kinky:1"], seed.nina
    nl = page_html(client, f"/netwerken/{seed.network}?lang=nl")
    assert text(nl.css_first(f"#pair-{k1}-{k3} [data-col=reason]")) == (
        "gedeeld contactpunt, andere foto's; naam verschilt (lisa / nina); leeftijd verschilt (24 / 21)"
    )
    role = nl.css_first("#roles-table tbody tr")
    assert f"phone:{SHARED} is het contactpunt voor 2 persona's in 2 gemeente(n)" in text(role)
    assert "Heerlen, Maastricht" in text(role)  # the gemeenten by name, not by code
    pair_nl = text(
        page_html(client, f"/netwerken/{seed.network}/paren/{k1}-{k3}?lang=nl").css_first(".why-content")
    )
    assert f"zelfde {SHARED}" in pair_nl
    assert f"zelfde {HUB_EMAIL}: gedeeld door zeer veel advertenties, niet gebruikt" in pair_nl
    assert "is the contact" not in text(nl.css_first("main")) and "shared contact point" not in pair_nl

    en = page_html(client, f"/netwerken/{seed.network}?lang=en")
    assert text(en.css_first(f"#pair-{k1}-{k3} [data-col=reason]")).startswith(
        "shared contact point, different photos; name differs"
    )
    pair_en = text(
        page_html(client, f"/netwerken/{seed.network}/paren/{k1}-{k3}?lang=en").css_first(".why-content")
    )
    assert f"same {SHARED}" in pair_en and f"same {HUB_EMAIL}: shared by very many ads, not used" in pair_en
    lisa = text(
        page_html(client, f"/netwerken/{seed.network}/paren/{k1}-{seed.ids['sexjobs:2']}?lang=nl").css_first(
            ".why-content"
        )
    )
    assert "1 overeenkomend(e) fotopaar/-paren; 1 en 1 foto's (pHash-afstand 2)" in lisa
