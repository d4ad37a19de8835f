"""The rebuild's in-memory join (``KeyIndex``) equals the SQL join on ``link_keys`` it replaces."""

from __future__ import annotations

from collections import Counter, defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from zicht.linking.keyindex import CHANNELS, KeyIndex
from zicht.linking.run import LinkSettings, link
from zicht.store import linking as sql
from zicht.store.models import LinkHub, LinkKey
from zicht.store.store import Store


def _reference(rows: list[tuple[int, int, str]], ads: set[int], hubs: set[int]) -> set[tuple[int, int]]:
    """The join as ``candidate_pairs`` writes it in SQL, every ad dirty, word for word."""
    holders: dict[int, list[int]] = defaultdict(list)
    for key, ad, _ in rows:
        holders[key].append(ad)
    shared: Counter[tuple[int, int]] = Counter()
    texts: Counter[tuple[int, int]] = Counter()
    for key, a, channel in rows:
        if a not in ads or key in hubs:
            continue
        for b in holders[key]:
            if b > a:
                shared[(a, b)] += 1
                texts[(a, b)] += channel == "text"
    return {pair for pair, n in shared.items() if n > texts[pair] or texts[pair] >= 2}


_rows = st.lists(
    st.tuples(st.integers(-3, 12), st.integers(1, 25), st.sampled_from(CHANNELS)),
    max_size=120,
    unique_by=lambda r: (r[0], r[1]),
)


@settings(max_examples=200, deadline=None)
@given(_rows, st.sets(st.integers(1, 25)), st.sets(st.integers(-3, 12), max_size=3))
def test_candidate_pairs_equal_the_join_they_replace(rows, ads, hubs) -> None:  # type: ignore[no-untyped-def]
    index = KeyIndex()
    for i in range(0, len(rows), 7):  # added in batches, as profiles come in
        index.add(rows[i : i + 7])
    index.freeze()
    index.use_hubs(hubs)
    assert len(index) == len(rows)
    assert index.candidate_pairs(sorted(ads)) == _reference(rows, ads, hubs)


@settings(max_examples=100, deadline=None)
@given(_rows, st.integers(1, 4))
def test_hubs_are_the_keys_over_their_channels_cap(rows, cap) -> None:  # type: ignore[no-untyped-def]
    index = KeyIndex()
    index.add(rows)
    index.freeze()
    caps = {"phone": cap, "text": cap + 1}
    by_key: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for key, ad, channel in rows:
        by_key[key].append((ad, channel))
    expected = []
    for key, held in sorted(by_key.items()):
        channel = min(c for _, c in held)
        if len(held) > caps.get(channel, 3):
            expected.append((key, channel, len(held), min(a for a, _ in held)))
    assert sorted(index.hubs(caps, 3)) == expected


def test_on_a_linked_demo_market_it_finds_what_the_store_finds(store: Store) -> None:
    from demo_store import hash_photos, ingest_market

    from zicht.demo.market import generate_market
    from zicht.pipeline import process

    market = generate_market(seed=5, n_ads=180)
    hash_photos(store, ingest_market(store, market))
    process(store, photos=False)
    caps = {"phone": 8, "photo": 8, "text": 8}
    link(store, full=True, settings=LinkSettings(hub_caps=caps, default_cap=8))
    with store.session() as s:
        rows = [tuple(r) for r in s.execute(select(LinkKey.key, LinkKey.ad_id, LinkKey.channel))]
        counted = s.execute(
            select(LinkKey.key, func.min(LinkKey.channel), func.count(), func.min(LinkKey.ad_id)).group_by(
                LinkKey.key
            )
        )
        expected = sorted(tuple(r) for r in counted if r[2] > caps.get(r[1], 8))
        stored_hubs = sorted(
            tuple(r)
            for r in s.execute(select(LinkHub.key, LinkHub.channel, LinkHub.n_ads, LinkHub.sample_ad_id))
        )
    assert stored_hubs == expected and expected  # some keys are hubs
    index = KeyIndex()
    index.add(rows)  # type: ignore[arg-type]
    index.freeze()
    assert sorted(index.hubs(caps, 8)) == expected
    index.use_hubs(h[0] for h in stored_hubs)
    ads = sorted({r[1] for r in rows})
    for chunk in (ads[:60], ads[60:]):
        found = index.candidate_pairs(chunk)
        assert found == sql.candidate_pairs(store, chunk, all_dirty=True)
    assert found  # the market has pairs to find
