"""The linking stage on a real store, on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from zicht.exports import export_ads, export_links
from zicht.linking.run import LinkSettings, link
from zicht.pipeline import process
from zicht.settings import load_secret, pseudonym
from zicht.sources.types import ParsedAd
from zicht.store import linking as sql
from zicht.store.models import Link, LinkHub, LinkNetwork, LinkPersona, LinkRole
from zicht.store.store import IngestItem, Store

T0 = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)
SHARED = "+31612345678"
OWN = "+31687654321"

TEXTS = {
    "lisa": "Hoi, ik ben Lisa uit Heerlen. Ik neem graag de tijd voor je. Bel me gerust.",
    "lisa2": "Lisa hier, lieve meid in Heerlen. Parkeren kan gratis voor de deur.",
    "nina": "Nina ontvangt in Maastricht. Zij werkt op afspraak.",
    "eva": "Welkom op mijn pagina, ik ben Eva. Gezelligheid staat bij mij voorop in Venlo.",
}


def _ad(site: str, source_id: str, name: str, age: int, place: str, phone: str | None, text: str) -> ParsedAd:
    return ParsedAd(
        site=site,
        source_id=source_id,
        url=f"https://{site}.example/ad/{source_id}",
        title=f"{name} in {place}",
        text=text,
        fields={"name": name, "age": str(age), "location": place},
        phone=phone,
    )


def _ingest(store: Store, ads: list[ParsedAd], day: int = 0) -> None:
    store.ingest([IngestItem(ad, T0 + timedelta(days=day), f"{ad.site}@test") for ad in ads])
    process(store, photos=False)


def _market() -> list[ParsedAd]:
    return [
        _ad("kinky", "1", "Lisa", 24, "Heerlen", SHARED, TEXTS["lisa"]),
        _ad("sexjobs", "2", "Lisa", 24, "Heerlen", SHARED, TEXTS["lisa2"]),
        _ad("kinky", "3", "Nina", 21, "Maastricht", SHARED, TEXTS["nina"]),
        _ad("redlights", "4", "Eva", 30, "Venlo", OWN, TEXTS["eva"]),
    ]


def _id(store: Store, site: str, source_id: str) -> int:
    ad = store.find_ad(site, source_id)
    assert ad is not None
    return ad.id


def _assign(store: Store) -> dict[str, tuple[int | None, int | None]]:
    ids = {
        f"{s}:{i}": _id(store, s, i)
        for s, i in (("kinky", "1"), ("sexjobs", "2"), ("kinky", "3"), ("redlights", "4"))
    }
    found = sql.assignment_of(store, list(ids.values()))
    return {k: found[v] for k, v in ids.items()}


def test_one_number_two_people_one_of_them_on_two_sites(store: Store) -> None:
    _ingest(store, _market())
    progress: list[tuple[str, int, int]] = []
    report = link(store, on_progress=lambda stage, done, total: progress.append((stage, done, total)))
    assert report.profiled == 4
    assert {stage for stage, *_ in progress} == {"profiles", "verify", "cluster"}
    assert progress[-1] == ("cluster", 4, 4)
    rebuild: list[tuple[str, int, int]] = []
    link(store, full=True, on_progress=lambda stage, done, total: rebuild.append((stage, done, total)))
    # A rebuild also reports moving its keys into place, and clustering from its start.
    assert [e for e in rebuild if e[0] == "keys"] == [("keys", 0, 1), ("keys", 1, 1)]
    assert [e for e in rebuild if e[0] == "cluster"] == [("cluster", 0, 0), ("cluster", 4, 4)]
    a = _assign(store)
    assert a["kinky:1"][0] == a["sexjobs:2"][0]  # Lisa on two sites: one persona
    assert a["kinky:3"][0] != a["kinky:1"][0]  # Nina: another persona ...
    assert a["kinky:3"][1] == a["kinky:1"][1]  # ... behind the same number: one network
    assert a["redlights:4"][1] != a["kinky:1"][1]
    assert a["kinky:1"][0] == min(_id(store, "kinky", "1"), _id(store, "sexjobs", "2"))

    with store.session() as s:
        links = list(s.scalars(select(Link).order_by(Link.ad_a, Link.ad_b, Link.channel)))
        network = s.get(LinkNetwork, a["kinky:1"][1])
        roles = list(s.scalars(select(LinkRole).where(LinkRole.network_id == a["kinky:1"][1])))
        eva = s.get(LinkNetwork, a["redlights:4"][1])
    verdicts = {(lk.ad_a, lk.ad_b): lk.verdict for lk in links}
    lisa = sorted((_id(store, "kinky", "1"), _id(store, "sexjobs", "2")))
    assert verdicts[tuple(lisa)] == "persona"
    assert verdicts[tuple(sorted((_id(store, "kinky", "1"), _id(store, "kinky", "3"))))] == "network"
    assert all(lk.evidence["values"] == [SHARED] for lk in links if lk.channel == "phone")
    assert network is not None and network.role == "telefonist" and network.n_personas == 2
    telefonist = [r for r in roles if r.role == "telefonist"]
    assert telefonist and telefonist[0].subject == f"phone:{SHARED}"
    assert eva is not None and eva.role == "independent"

    nina_links = sql.links_of_ad(store, _id(store, "kinky", "3"))
    assert {(lk.other_site, lk.channel, lk.verdict) for lk in nina_links} == {
        ("kinky", "phone", "network"),
        ("sexjobs", "phone", "network"),
    }
    listed = sql.networks(store, min_personas=2)
    assert [(n.id, n.role, n.n_personas, n.n_ads) for n in listed] == [(a["kinky:1"][1], "telefonist", 2, 3)]
    assert sorted(listed[0].labels) == ["Lisa, 24", "Nina, 21"]


def test_analysts_split_and_confirm_and_later_runs_respect_it(store: Store) -> None:
    _ingest(store, _market())
    link(store)
    lisa_k, lisa_s = _id(store, "kinky", "1"), _id(store, "sexjobs", "2")
    eva = _id(store, "redlights", "4")
    sql.record_decision(store, lisa_s, lisa_k, "split", "analist1", "andere foto's bij navraag")
    sql.record_decision(store, eva, lisa_k, "confirm", "analist1", "zelfde persoon volgens controle")
    report = link(store)
    assert report.region_ads >= 3
    a = _assign(store)
    assert a["kinky:1"][0] != a["sexjobs:2"][0]
    assert a["redlights:4"][0] == a["kinky:1"][0]
    assert a["sexjobs:2"][1] == a["kinky:1"][1]  # still one number: same network
    link(store, full=True)
    assert _assign(store) == a
    history = sql.decisions_for(store, lisa_k)
    assert [(d.decision, d.user) for d in history] == [("split", "analist1"), ("confirm", "analist1")]


def test_record_decision_refuses_nonsense(store: Store) -> None:
    _ingest(store, _market()[:2])
    a, b = _id(store, "kinky", "1"), _id(store, "sexjobs", "2")
    with pytest.raises(ValueError):
        sql.record_decision(store, a, b, "merge", "x")
    with pytest.raises(ValueError):
        sql.record_decision(store, a, a, "split", "x")
    with pytest.raises(ValueError):
        sql.record_decision(store, a, b, "split", " ")
    with pytest.raises(KeyError):
        sql.record_decision(store, a, 10_000, "split", "x")


def _snapshot(store: Store):  # type: ignore[no-untyped-def]
    with store.session() as s:
        links = sorted(
            (lk.ad_a, lk.ad_b, lk.channel, round(lk.score, 4), lk.verdict) for lk in s.scalars(select(Link))
        )
        personas = sorted((p.id, p.network_id, p.n_ads, p.role) for p in s.scalars(select(LinkPersona)))
        networks = sorted((n.id, n.n_personas, n.n_ads, n.role) for n in s.scalars(select(LinkNetwork)))
        hubs = sorted((h.key, h.n_ads) for h in s.scalars(select(LinkHub)))
    return links, personas, networks, hubs


def test_incremental_runs_equal_a_full_rebuild(store: Store) -> None:
    ads = _market()
    more = [
        _ad(
            "kinky",
            str(10 + i),
            name,
            20 + i,
            "Sittard",
            SHARED if i % 2 else f"+3161111111{i}",
            TEXTS["nina"],
        )
        for i, name in enumerate(["Roos", "Iris", "Fleur", "Demi"])
    ]
    settings = LinkSettings(
        hub_caps={"phone": 4, "email": 4, "handle": 4, "photo": 4, "text": 4}, default_cap=4
    )
    _ingest(store, ads[:2])
    link(store, settings=settings)
    _ingest(store, ads[2:] + more[:2], day=1)
    link(store, settings=settings)
    _ingest(store, more[2:], day=2)
    report = link(store, settings=settings)
    assert report.hub_changes > 0  # the shared number passed the cap of 4 ads in this increment
    incremental = _snapshot(store)
    link(store, full=True, settings=settings)
    assert _snapshot(store) == incremental
    nothing = link(store, settings=settings)
    assert (nothing.profiled, nothing.verified_ads, nothing.region_ads) == (0, 0, 0)


def test_a_number_in_very_many_ads_is_a_hub_not_a_network(store: Store) -> None:
    ads = [
        _ad("kinky", str(i), name, 20 + i, place, SHARED, f"{name} in {place}. Ik ontvang je graag.")
        for i, (name, place) in enumerate(
            [("Roos", "Sittard"), ("Iris", "Venlo"), ("Fleur", "Breda"), ("Demi", "Utrecht"), ("Mila", "Ede")]
        )
    ]
    _ingest(store, ads)
    link(store, settings=LinkSettings(hub_caps={"phone": 3}, default_cap=100))
    with store.session() as s:
        hubs = list(s.scalars(select(LinkHub)))
        networks = s.scalar(select(LinkNetwork.id).where(LinkNetwork.n_personas > 1))
    assert [(h.channel, h.n_ads, h.value) for h in hubs] == [("phone", 5, f"phone:{SHARED}")]
    assert networks is None


def test_a_new_version_with_another_number_moves_the_ad(store: Store) -> None:
    _ingest(store, _market())
    link(store)
    eva = _ad("redlights", "4", "Nina", 21, "Maastricht", SHARED, TEXTS["nina"] + " Nieuw nummer.")
    _ingest(store, [eva], day=3)
    report = link(store)
    assert report.profiled == 1
    a = _assign(store)
    assert a["redlights:4"][1] == a["kinky:3"][1]


def test_exports_carry_persona_network_and_links(store: Store, tmp_path: Path) -> None:
    _ingest(store, _market())
    link(store)
    a = _assign(store)
    out = tmp_path / "ads.csv"
    export_ads(store, out)
    rows = {(r["site"], r["source_id"]): r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows[("kinky", "1")]["persona_id"] == str(a["kinky:1"][0])
    assert rows[("kinky", "3")]["network_id"] == str(a["kinky:1"][1])

    links_csv = tmp_path / "links.csv"
    n = export_links(store, links_csv)
    lines = list(csv.DictReader(links_csv.open(encoding="utf-8")))
    assert n == len(lines) > 0
    assert list(lines[0]) == [
        "site_a",
        "source_id_a",
        "site_b",
        "source_id_b",
        "channel",
        "score",
        "evidence",
    ]
    phone_rows = [r for r in lines if r["channel"] == "phone"]
    assert phone_rows and all(SHARED in r["evidence"] for r in phone_rows)
    assert any("[same network, other persona]" in r["evidence"] for r in phone_rows)

    export_links(store, links_csv, pseudonymise=True)
    hidden = list(csv.DictReader(links_csv.open(encoding="utf-8")))
    token = pseudonym(load_secret(store.data_dir), "phone", SHARED)
    assert all(SHARED not in r["evidence"] for r in hidden)
    assert any(token in r["evidence"] for r in hidden if r["channel"] == "phone")


def test_network_view_and_number_lookup(store: Store) -> None:
    _ingest(store, _market())
    link(store)
    a = _assign(store)
    view = sql.network_view(store, a["kinky:1"][1])
    assert view is not None and view.role == "telefonist"
    kinds = {n.kind for n in view.nodes}
    assert {"persona", "contact"} <= kinds
    personas = {n.id for n in view.nodes if n.kind == "persona"}
    assert personas == {f"persona:{a['kinky:1'][0]}", f"persona:{a['kinky:3'][0]}"}
    phone_edges = [e for e in view.edges if e.channel == "phone"]
    assert phone_edges and phone_edges[0].evidence["values"] == [SHARED]
    assert [g["name"] for w in view.weeks for g in w["gemeenten"]] == ["Heerlen", "Maastricht"]
    assert sql.network_view(store, 999_999) is None

    found, missing, bad = sql.lookup_numbers(store, ["06-12345678", "+31 6 11112222", "geen nummer"])
    assert found.found and found.e164 == SHARED and found.ads == 3
    assert found.networks == [a["kinky:1"][1]] and found.network_roles == {a["kinky:1"][1]: "telefonist"}
    assert set(found.gemeenten) == {"GM0917", "GM0935"}
    assert found.first_seen is not None and found.first_seen <= found.last_seen
    assert not missing.found and missing.e164 == "+31611112222"
    assert not bad.found and bad.e164 is None


def test_deleting_an_ad_reclusters_what_it_held_together(store: Store) -> None:
    from sqlalchemy import delete

    from zicht.store.models import Ad

    _ingest(store, _market())
    link(store)
    nina = _id(store, "kinky", "3")
    gone = [_id(store, "kinky", "1"), _id(store, "sexjobs", "2")]
    assert sql.before_deleting_ads(store, gone) == 1  # Nina, in the same network
    with store.session() as s:
        s.execute(delete(Ad).where(Ad.id.in_(gone)))
    link(store)
    with store.session() as s:
        network = s.get(LinkNetwork, sql.assignment_of(store, [nina])[nina][1])
    assert network is not None and network.n_personas == 1 and network.role == "independent"
    before = _snapshot(store)
    link(store, full=True)
    assert _snapshot(store) == before
