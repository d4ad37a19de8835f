"""An increment next to a large block of look-alike texts stays small, and still equals a full rebuild.

The block: 80 ads, each by its own number and name, whose texts are overlapping windows on one long
text (ad i has sentences i .. i+19). Neighbours up to three places apart are template pairs ≥ 0.7 and
close triangles, so the block is one template group of 80 personas: more than clustering keeps
(``TEMPLATE_GROUP_MAX``), so it joins nothing. A new ad in the middle of it must not re-cluster the
whole block; cutting the block in two (rewriting eight ads in the middle) must make both halves
networks of their own, exactly as a full rebuild does.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from zicht.linking.clusters import TEMPLATE_GROUP_MAX
from zicht.linking.run import DEFAULT_HUB_CAPS, LinkSettings, link
from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store import linking as sql
from zicht.store.models import Link, LinkAd, LinkNetwork, LinkPersona, LinkRole
from zicht.store.store import IngestItem, Store

T0 = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)
BLOCK = 80
WINDOW = 20
# Text band keys of a long chain of windows are shared by at most a few dozen ads; a generous text
# cap keeps the test independent of where the hub cap happens to sit.
SETTINGS = LinkSettings(hub_caps=DEFAULT_HUB_CAPS | {"text": 1000})

_rnd = random.Random(4)
_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "be", "do", "fu", "ge", "ha", "jo", "pe", "so"]
_WORDS = sorted({"".join(_rnd.choice(_SYLLABLES) for _ in range(3)) for _ in range(3000)})
SENTENCES = [
    " ".join(_rnd.choice(_WORDS) for _ in range(6)).capitalize() + "." for _ in range(BLOCK + 2 * WINDOW)
]
NAMES = ["Anna", "Bo", "Cleo", "Dana", "Elin", "Fem", "Gina", "Hanna", "Isa", "Jet"]


def _ad(i: int, text: str, source: str | None = None) -> ParsedAd:
    name = f"{NAMES[i % len(NAMES)]}{'abcdefgh'[i // len(NAMES) % 8]}"
    return ParsedAd(
        site="kinky",
        source_id=source or str(i),
        url=f"https://kinky.example/ad/{source or i}",
        title=f"{name} in Heerlen",
        text=text,
        fields={"name": name, "age": str(20 + i % 30), "location": "Heerlen"},
        phone=f"+316{20_000_000 + i:08d}",
    )


def _window(i: int) -> str:
    return " ".join(SENTENCES[i : i + WINDOW])


def _ingest(store: Store, ads: list[ParsedAd], day: int) -> None:
    store.ingest([IngestItem(ad, T0 + timedelta(days=day), "kinky@test") for ad in ads])
    process(store, photos=False)


def _snapshot(store: Store):  # type: ignore[no-untyped-def]
    with store.session() as s:
        return (
            sorted(s.execute(select(LinkAd.ad_id, LinkAd.persona_id, LinkAd.network_id)).all()),
            sorted(
                s.execute(select(Link.ad_a, Link.ad_b, Link.channel, Link.verdict, Link.pair_score)).all()
            ),
            sorted(s.execute(select(LinkPersona.id, LinkPersona.network_id, LinkPersona.role)).all()),
            sorted(
                (n.id, n.n_personas, n.role, n.summary.get("template_personas"))
                for n in s.scalars(select(LinkNetwork))
            ),
            sorted(s.execute(select(LinkRole.network_id, LinkRole.persona_id, LinkRole.role)).all()),
        )


def _block_networks(store: Store, ids: list[int]) -> list[int]:
    found = sql.assignment_of(store, ids)
    return [found[a][1] for a in ids]  # type: ignore[misc]


def test_a_new_ad_in_a_large_template_block_re_clusters_only_its_neighbourhood(store: Store) -> None:
    _ingest(store, [_ad(i, _window(i)) for i in range(BLOCK)], day=0)
    link(store, settings=SETTINGS)
    ids = [store.find_ad("kinky", str(i)).id for i in range(BLOCK)]  # type: ignore[union-attr]
    assert len(set(_block_networks(store, ids))) == BLOCK  # a group over the cap joins nothing

    _ingest(store, [_ad(BLOCK + 1, _window(BLOCK // 2), source="new")], day=1)
    report = link(store, settings=SETTINGS)
    # The new ad, its template partners and theirs: not the block of 80 (the whole block used to be
    # re-clustered), and the part of the block in the region is known to be in a group over the cap.
    assert report.region_ads <= 20
    assert report.capped_ads > 0
    incremental = _snapshot(store)
    link(store, full=True, settings=SETTINGS)
    assert _snapshot(store) == incremental


def test_cutting_a_large_template_block_in_two_makes_two_networks_as_a_full_rebuild_does(
    store: Store,
) -> None:
    _ingest(store, [_ad(i, _window(i)) for i in range(BLOCK)], day=0)
    link(store, settings=SETTINGS)
    ids = [store.find_ad("kinky", str(i)).id for i in range(BLOCK)]  # type: ignore[union-attr]
    cut = range(BLOCK // 2 - 4, BLOCK // 2 + 4)
    _ingest(store, [_ad(i, f"Nieuwe tekst van {i} zonder iets gemeen.") for i in cut], day=1)
    report = link(store, settings=SETTINGS)
    assert report.capped_ads == 0
    networks = _block_networks(store, ids)
    left, right = set(networks[: cut.start]), set(networks[cut.stop :])
    assert len(left) == 1 and len(right) == 1 and left != right  # both halves are kept (<= the cap)
    assert max(cut.start, BLOCK - cut.stop) <= TEMPLATE_GROUP_MAX
    incremental = _snapshot(store)
    link(store, full=True, settings=SETTINGS)
    assert _snapshot(store) == incremental


def test_joining_two_kept_halves_into_one_block_over_the_cap_undoes_both_networks(store: Store) -> None:
    cut = range(BLOCK // 2 - 4, BLOCK // 2 + 4)
    _ingest(store, [_ad(i, _window(i)) for i in range(BLOCK) if i not in cut], day=0)
    link(store, settings=SETTINGS)
    ids = [store.find_ad("kinky", str(i)).id for i in range(BLOCK) if i not in cut]  # type: ignore[union-attr]
    assert len(set(_block_networks(store, ids))) == 2
    _ingest(store, [_ad(i, _window(i)) for i in cut], day=1)
    report = link(store, settings=SETTINGS)
    # Both old groups were kept: the region holds all of them, now one group over the cap.
    assert report.region_ads == report.capped_ads == BLOCK
    assert len(set(_block_networks(store, ids))) == len(ids)
    incremental = _snapshot(store)
    link(store, full=True, settings=SETTINGS)
    assert _snapshot(store) == incremental


def test_worker_processes_give_the_same_result_as_one_process(store: Store) -> None:
    _ingest(store, [_ad(i, _window(i)) for i in range(BLOCK // 2)], day=0)
    parallel = LinkSettings(hub_caps=SETTINGS.hub_caps, workers=2, parallel_from=0, batch=7)
    report = link(store, full=True, settings=parallel)
    assert report.linked_pairs > BLOCK  # the block's template pairs were verified by the workers
    in_workers = _snapshot(store)
    link(store, full=True, settings=LinkSettings(hub_caps=SETTINGS.hub_caps, workers=1, batch=7))
    assert _snapshot(store) == in_workers


def test_an_unchanged_group_reached_through_a_network_is_not_walked_again(store: Store) -> None:
    """After a rebuild each persona knows its template group. Block ad 10 shares an e-mail address
    with an unrelated ad R, so they are one network; a new ad of R's pulls that network into the
    region, but nothing changed in the block: block ad 10 counts as capped from what was stored,
    without reading the block's template pairs."""
    block = [_ad(i, _window(i)) for i in range(BLOCK)]
    block[10].email = "agenda.lotte@example.nl"
    other = _ad(200, "Nieuw in Heerlen, bel voor een afspraak. Discreet en schoon.", source="r")
    other.fields = {"name": "Sanne", "age": "41", "location": "Heerlen"}
    other.email = "agenda.lotte@example.nl"
    _ingest(store, [*block, other], day=0)
    link(store, full=True, settings=SETTINGS)
    tenth, r = store.find_ad("kinky", "10").id, store.find_ad("kinky", "r").id  # type: ignore[union-attr]
    found = sql.assignment_of(store, [tenth, r])
    assert found[tenth][1] == found[r][1] and found[tenth][0] != found[r][0]  # one network, two personas

    again = _ad(200, "Terug in Heerlen! Bel voor een afspraak, discreet en schoon.", source="r2")
    again.fields = dict(other.fields)
    again.phone = other.phone
    _ingest(store, [again], day=1)
    report = link(store, settings=SETTINGS)
    assert report.region_ads == 3  # the new ad, R and block ad 10 (R's old network)
    assert report.capped_ads == 1  # block ad 10: its group is over the cap, as stored
    assert report.template_walked <= 2  # R's own persona, not the block
    incremental = _snapshot(store)
    link(store, full=True, settings=SETTINGS)
    assert _snapshot(store) == incremental


def test_the_stored_template_state_of_a_rebuild_and_of_increments(store: Store) -> None:
    _ingest(store, [_ad(i, _window(i)) for i in range(BLOCK // 2)], day=0)
    link(store, settings=SETTINGS)  # one increment sees the whole group of 40: kept
    with store.session() as s:
        states = set(s.execute(select(LinkPersona.template_group, LinkPersona.template_state)).all())
    first = store.find_ad("kinky", "0").id  # type: ignore[union-attr]
    assert states == {(first, "kept")}
    _ingest(store, [_ad(i, _window(i)) for i in range(BLOCK // 2, BLOCK)], day=1)
    link(store, settings=SETTINGS)  # the walk stops past the cap: what the group is, is not known
    with store.session() as s:
        assert set(s.scalars(select(LinkPersona.template_state))) == {None}
    link(store, full=True, settings=SETTINGS)
    with store.session() as s:
        states = set(s.execute(select(LinkPersona.template_group, LinkPersona.template_state)).all())
    assert states == {(first, "capped")}
