"""Issue 4's bad input: identical texts by the thousand, empty texts, an ad with 200 photos.

Each must give bounded work and a clear result: nothing merges the world, and the reason is visible.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from profiles import make, photo_hash
from sqlalchemy import func, select

from zicht.linking import keys as k
from zicht.linking.run import link
from zicht.linking.verify import verify_pair
from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store import linking as sql
from zicht.store.models import Link, LinkAd, LinkHub, LinkKey, LinkNetwork
from zicht.store.store import IngestItem, Store

T0 = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)
BOILERPLATE = (
    "Welkom op mijn pagina! Ik ben een sportieve en ontspannen dame. Ik houd van een goed gesprek en "
    "een glaasje wijn vooraf. Douche en handdoeken zijn aanwezig. Ik ontvang in een rustige straat."
)
NAMES = ["Roos", "Iris", "Fleur", "Demi", "Mila", "Sara", "Lotte", "Noor", "Julia", "Emma"]
PLACES = ["Heerlen", "Sittard", "Venlo", "Maastricht", "Roermond", "Weert", "Breda", "Tilburg"]


def _ingest(store: Store, ads: list[ParsedAd]) -> None:
    store.ingest(
        [IngestItem(ad, T0 + timedelta(hours=i % 48), f"{ad.site}@test") for i, ad in enumerate(ads)]
    )
    process(store, photos=False)


def test_identical_text_in_a_thousand_ads_is_a_hub_not_a_network(store: Store) -> None:
    ads = [
        ParsedAd(
            site="kinky",
            source_id=str(i),
            url=f"https://kinky.example/ad/{i}",
            title=f"{NAMES[i % 10]} in {PLACES[i % 8]}",
            text=BOILERPLATE,
            fields={"name": NAMES[i % 10], "age": str(20 + i % 15), "location": PLACES[i % 8]},
            phone=f"+3161{i:07d}",
        )
        for i in range(1000)
    ]
    _ingest(store, ads)
    report = link(store)
    with store.session() as s:
        text_hubs = s.scalars(select(LinkHub).where(LinkHub.channel == k.CHANNEL_TEXT)).all()
        biggest = s.scalar(select(func.max(LinkNetwork.n_personas)))
        personas = s.scalar(select(func.count(func.distinct(LinkAd.persona_id))))
        links = s.scalar(select(func.count()).select_from(Link).where(Link.hub.is_(False)))
    # the shared text is detected and shown as a hub (with how many ads carry it) ...
    assert text_hubs, "a text in 1,000 ads must be recorded as a hub"
    assert all(h.n_ads == 1000 for h in text_hubs)
    # ... and joins nobody: every ad has its own number, so every ad is its own persona and network
    assert personas == 1000
    assert biggest in (None, 1)
    assert links == 0
    assert report.candidates == 0  # hub keys never become candidate pairs: bounded work


def test_empty_texts_link_nothing_by_text(store: Store) -> None:
    ads = [
        ParsedAd(
            site="sexjobs",
            source_id=f"e{i}",
            url=f"https://sexjobs.example/ad/e{i}",
            title="",
            text="",
            fields={"location": PLACES[i % 8]},
            phone=None,
        )
        for i in range(30)
    ]
    _ingest(store, ads)
    link(store)
    with store.session() as s:
        text_keys = s.scalar(
            select(func.count()).select_from(LinkKey).where(LinkKey.channel == k.CHANNEL_TEXT)
        )
        n_links = s.scalar(select(func.count()).select_from(Link))
        assigned = s.scalars(select(LinkAd.persona_id)).all()
    assert text_keys == 0
    assert n_links == 0
    assert len(assigned) == 30 and len(set(assigned)) == 30  # each empty ad stands alone, none dropped
    assert sql.counts(store)["personas"] == 30


def test_an_ad_with_200_photos_writes_bounded_keys_and_one_shared_photo_is_weak() -> None:
    many = make(
        1, name="Roos", age=24, phones=("+31611111111",), photos=tuple((p, photo_hash(p)) for p in range(200))
    )
    other = make(
        2,
        name="Iris",
        age=31,
        phones=("+31622222222",),
        photos=((900, photo_hash(7)), (901, photo_hash(901))),
    )
    assert len(k.ad_photo_keys(ph for _pid, ph in many.photos)) == k.PHOTO_KEYS_PER_AD
    verdict = verify_pair(many, other, hubs=set())
    assert verdict is not None
    # one photo among 200 in common, another name, age and number: shown, never a persona or network link
    assert verdict.verdict == "weak"
    photo_links = [x for x in verdict.links if x.channel == k.CHANNEL_PHOTO]
    assert len(photo_links) == 1 and not photo_links[0].hub
    assert photo_links[0].evidence["pairs"] == [[7, 900, 0]]  # the one matching photo, named as evidence
    assert photo_links[0].evidence["of"] == [200, 2]
