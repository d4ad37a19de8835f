"""What a linking run leaves behind: no tuned connections or memos in a long-lived process, and after
a failure in a worker process a store that the next run completes to the result of a full rebuild."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update

from zicht.linking import LINKING_VERSION, run, verify
from zicht.linking.run import LinkSettings, link
from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store import linking as sql
from zicht.store.models import (
    Ad,
    AdPhoto,
    Extraction,
    Link,
    LinkAd,
    LinkChange,
    LinkKey,
    LinkNetwork,
    LinkPersona,
    LinkState,
    Photo,
)
from zicht.store.store import IngestItem, Store

T0 = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)
SHARED = "+31612345678"
PHASH = 0x1234_5678_9ABC_DEF0
# Three ads on one number with a cap of two: the number is a hub, so verification has a hub set.
SETTINGS = LinkSettings(hub_caps={"phone": 2}, default_cap=100)
TEXTS = [
    "Hoi, ik ben Lisa uit Heerlen. Ik neem graag de tijd voor je. Bel me gerust.",
    "Nina ontvangt in Maastricht. Zij werkt op afspraak.",
    "Welkom op mijn pagina. Gezelligheid staat bij mij voorop in Venlo.",
    "Sportieve dame met een voorliefde voor wandelen langs de Maas op zondag.",
    "Parkeren kan gratis voor de deur, koffie staat altijd klaar in de keuken.",
]


def _ad(i: int, phone: str) -> ParsedAd:
    return ParsedAd(
        site="kinky",
        source_id=str(i),
        url=f"https://kinky.example/ad/{i}",
        title=f"Ad {i} in Heerlen",
        text=TEXTS[i],
        fields={"name": f"Naam{i}", "age": str(20 + i), "location": "Heerlen"},
        phone=phone,
    )


def _ingest(store: Store, ads: list[ParsedAd], day: int = 0) -> list[int]:
    store.ingest([IngestItem(ad, T0 + timedelta(days=day), "kinky@test") for ad in ads])
    process(store, photos=False)
    return [store.find_ad(ad.site, ad.source_id).id for ad in ads]  # type: ignore[union-attr]


def _add_photo(store: Store, ad_id: int, phash: int, n: int) -> None:
    """A hashed photo on the ad's current version, as the photo stage stores it."""
    with store.session() as s:
        version = s.scalar(select(Ad.current_version_id).where(Ad.id == ad_id))
        photo_id = s.execute(
            insert(Photo).values(sha256=f"{n:064x}", phash=phash, photos_version="test").returning(Photo.id)
        ).scalar_one()
        s.execute(
            insert(AdPhoto).values(ad_version_id=version, position=0, url=f"p{n}.jpg", photo_id=photo_id)
        )


def _snapshot(store: Store):  # type: ignore[no-untyped-def]
    with store.session() as s:
        return (
            sorted(s.execute(select(LinkAd.ad_id, LinkAd.persona_id, LinkAd.network_id)).all()),
            sorted(s.execute(select(Link.ad_a, Link.ad_b, Link.channel, Link.verdict, Link.score)).all()),
            sorted(s.execute(select(LinkPersona.id, LinkPersona.network_id, LinkPersona.role)).all()),
            sorted(s.execute(select(LinkNetwork.id, LinkNetwork.n_personas, LinkNetwork.role)).all()),
        )


def _cache_sizes(store: Store, n: int) -> list[int]:
    conns = [store.engine.connect() for _ in range(n)]
    try:
        return [c.exec_driver_sql("PRAGMA cache_size").scalar() for c in conns]  # type: ignore[misc]
    finally:
        for c in conns:
            c.close()


def test_a_run_keeps_no_tuned_connections_memo_or_engine_afterwards(store: Store) -> None:
    ids = _ingest(
        store, [_ad(i, SHARED) for i in range(3)] + [_ad(3, "+31600000003"), _ad(4, "+31600000004")]
    )
    _add_photo(store, ids[3], PHASH, 1)
    _add_photo(store, ids[4], PHASH ^ 0b101, 2)  # a re-upload: distance 2
    report = link(store, settings=SETTINGS)
    assert report.hubs >= 1
    with store.session() as s:
        photo_links = s.scalar(select(func.count()).select_from(Link).where(Link.channel == "photo"))
    assert photo_links == 1  # the photo pair was verified against a non-empty hub set

    assert verify._HUB_PHOTO_MEMO == {}  # neither the memo nor the hub set it holds outlives the run
    assert "parent_engine" not in run._worker
    if store.dialect == "sqlite":
        default = sqlite3.connect(":memory:").execute("PRAGMA cache_size").fetchone()[0]
        with sql.tuned_for_linking(store):
            assert _cache_sizes(store, 2) == [-sql.SQLITE_CACHE_KIB] * 2
        # Connections used during a run give their 256 MB page cache back.
        assert _cache_sizes(store, 3) == [default] * 3


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failure_in_verification_leaves_a_store_the_next_run_completes(store: Store, workers: int) -> None:
    ids = _ingest(store, [_ad(0, SHARED), _ad(1, SHARED), _ad(2, "+31600000002")])
    settings = LinkSettings(workers=workers, parallel_from=0, batch=1)
    link(store, settings=settings)
    # One stored profile is unreadable: verifying a new ad against it fails (in a worker with 2).
    with store.session() as s:
        s.execute(update(LinkAd).where(LinkAd.ad_id == ids[0]).values(profile={"broken": True}))
    new = _ingest(store, [_ad(3, SHARED), _ad(4, "+31600000004")], day=1)
    with pytest.raises(KeyError):
        link(store, settings=settings)
    with store.session() as s:
        dirty = set(s.scalars(select(LinkAd.ad_id).where(LinkAd.dirty.is_(True))))
        assert set(new) <= dirty  # not marked done: the next run verifies them again
    assert "parent_engine" not in run._worker and verify._HUB_PHOTO_MEMO == {}

    with store.session() as s:  # the profile is rebuilt by the next run
        s.execute(update(LinkAd).where(LinkAd.ad_id == ids[0]).values(linking_version="damaged"))
    link(store, settings=settings)
    incremental = _snapshot(store)
    network = {a: n for a, _p, n in incremental[0]}
    assert network[ids[0]] == network[ids[1]] == network[new[0]] != network[ids[2]]
    link(store, full=True, settings=LinkSettings(workers=1))
    assert _snapshot(store) == incremental


def test_an_in_memory_database_is_linked_in_this_process(tmp_path: Path) -> None:
    # Not the ``store`` fixture: only SQLite has in-memory databases, which worker processes cannot
    # open (they used to fail with "no such table").
    store = Store.open("sqlite:///:memory:", data_dir=tmp_path / "data")
    try:
        ids = _ingest(store, [_ad(0, SHARED), _ad(1, SHARED), _ad(2, "+31600000002")])
        report = link(store, settings=LinkSettings(workers=2, parallel_from=0))
        assert report.profiled == 3
        network = {a: n for a, (_p, n) in sql.assignment_of(store, ids).items()}
        assert network[ids[0]] == network[ids[1]] != network[ids[2]]
    finally:
        store.close()


def _index_names(store: Store, table: str) -> set[str]:
    from sqlalchemy import inspect

    return {ix["name"] for ix in inspect(store.engine).get_indexes(table)}


@pytest.mark.parametrize("fail_in", ["finish_rebuild_writes", "verify_pair"])
def test_a_rebuild_that_stops_leaves_indexes_and_the_next_run_rebuilds(
    store: Store, monkeypatch: pytest.MonkeyPatch, fail_in: str
) -> None:
    ids = _ingest(store, [_ad(0, SHARED), _ad(1, SHARED), _ad(2, "+31600000002"), _ad(3, "+31600000003")])
    link(store, full=True, settings=LinkSettings(workers=1))
    expected = _snapshot(store)
    with store.session() as s:
        n_keys = s.scalar(select(func.count()).select_from(LinkKey))
    assert n_keys and len(expected[1]) >= 1  # two ads share a number: there is a link to lose
    assert not sql.rebuild_was_stopped(store)

    def boom(*_args: object, **_kw: object) -> None:
        raise RuntimeError("stopped")

    # Stopped while building the indexes (in its thread, after every key row was written), or while
    # verifying (before): the profiles are saved, their keys only in part.
    target = sql if fail_in == "finish_rebuild_writes" else run
    monkeypatch.setattr(target, fail_in, boom)
    with pytest.raises(RuntimeError, match="stopped"):
        link(store, full=True, settings=LinkSettings(workers=1))
    monkeypatch.undo()
    # The indexes that a rebuild drops while it writes are back, and the store says the rebuild stopped.
    assert "ix_link_keys_ad" in _index_names(store, "link_keys")
    assert "ix_links_ad_b" in _index_names(store, "links")
    assert sql.rebuild_was_stopped(store)
    # The next run, asked for an increment, rebuilds: every ad has its keys again, and the result is
    # that of the rebuild before.
    report = link(store, settings=LinkSettings(workers=1))
    assert report.full and report.redone_stopped_rebuild and report.profiled == len(ids)
    assert not sql.rebuild_was_stopped(store)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(LinkKey)) == n_keys
        assert set(s.scalars(select(LinkKey.ad_id).distinct())) == set(ids)
    assert _snapshot(store) == expected


def _traveller(i: int, phone: str, place: str) -> ParsedAd:
    ad = _ad(i % 5, phone)
    return ParsedAd(
        site="kinky",
        source_id=f"t{i}",
        url=f"https://kinky.example/ad/t{i}",
        title=f"Nieuw in {place}",
        text=TEXTS[i % 5],
        fields={**ad.fields, "name": f"Reiziger{i // 2}", "location": place},
        phone=phone,
    )


def test_a_control_recorded_or_removed_later_re_decides_who_moved_together(store: Store) -> None:
    """Two personas leave Heerlen for Maastricht on the same days: travelling together, until a control
    in Heerlen that week is recorded (then it is the waterbed effect); removing it brings it back. Each
    time the increment equals a full rebuild."""
    from zicht.store.interventions import delete_intervention, record_intervention

    before = [_traveller(0, "+31611111111", "Heerlen"), _traveller(2, "+31622222222", "Heerlen")]
    after = [_traveller(1, "+31611111111", "Maastricht"), _traveller(3, "+31622222222", "Maastricht")]
    for day in (0, 3, 6):
        _ingest(store, before, day=day)
    for day in (7, 10, 13):
        ids = _ingest(store, after, day=day)
    link(store, settings=LinkSettings(workers=1))

    def together() -> bool:
        network = {a: n for a, _p, n in _snapshot(store)[0]}
        return network[ids[0]] == network[ids[1]]

    def increment_equals_rebuild() -> None:
        assert link(store, settings=LinkSettings(workers=1)).region_ads >= 4
        incremental = _snapshot(store)
        link(store, full=True, settings=LinkSettings(workers=1))
        assert _snapshot(store) == incremental

    assert together()
    control_day = (T0 + timedelta(days=6)).date()
    item = record_intervention(store, ["Heerlen"], control_day, "control", "toezicht", today=control_day)
    with store.session() as s:
        marked = set(s.scalars(select(LinkAd.ad_id).where(LinkAd.recluster.is_(True))))
    assert set(ids) <= marked  # the personas that left Heerlen are re-clustered by the next run
    increment_equals_rebuild()
    assert not together()
    assert delete_intervention(store, item.id)
    increment_equals_rebuild()
    assert together()


def _listed(store: Store) -> list[int | None]:
    with store.session() as s:
        return sorted(s.scalars(select(LinkChange.ad_id)), key=lambda a: -1 if a is None else a)


def test_an_increment_compares_only_the_ads_the_database_listed_as_changed(store: Store) -> None:
    """The triggers of migration 0010 list every new ad, new current version and new extraction,
    whoever writes them; an increment checks those instead of every ad in the store."""
    assert _listed(store) == [None]  # a new store: nothing known yet, the first run looks at all
    ids = _ingest(store, [_ad(0, SHARED), _ad(1, SHARED), _ad(2, "+31600000002")])
    assert link(store, settings=SETTINGS).profiled == 3
    assert _listed(store) == []
    assert link(store, settings=SETTINGS).profiled == 0

    new = _ingest(store, [_ad(3, "+31600000003")], day=1)
    _ingest(store, [dataclasses.replace(_ad(1, SHARED), text=TEXTS[4])], day=2)  # an edit: a new version
    with store.session() as s:  # facts made again (a new extractor) for ad 2's current version
        version = s.scalar(select(Ad.current_version_id).where(Ad.id == ids[2]))
        later = datetime.now(UTC) + timedelta(minutes=1)
        s.execute(update(Extraction).where(Extraction.ad_version_id == version).values(created_at=later))
    listed = set(_listed(store))
    assert {new[0], ids[1], ids[2]} <= listed and ids[0] not in listed
    report = link(store, settings=SETTINGS)
    assert report.profiled == 3 and _listed(store) == []
    incremental = _snapshot(store)
    link(store, full=True, settings=SETTINGS)
    assert _snapshot(store) == incremental


def test_a_run_that_stops_while_profiling_makes_the_next_one_look_at_every_ad(store: Store) -> None:
    ids = _ingest(store, [_ad(0, SHARED), _ad(1, "+31600000001")])
    link(store, settings=SETTINGS)
    with store.session() as s:  # a stamp no trigger saw change (a damaged row)
        s.execute(update(LinkAd).where(LinkAd.ad_id == ids[1]).values(version_stamp=-1))
        s.execute(update(LinkState).values(value=""))  # what a run leaves when it stops midway
    assert sql.ads_needing_profiles(store, LINKING_VERSION).ad_ids == [ids[1]]
    assert link(store, settings=SETTINGS).profiled == 1
    with store.session() as s:
        assert s.scalar(select(LinkState.value)) == LINKING_VERSION
    # A profile marked as of another linking version is made again, listed or not.
    with store.session() as s:
        s.execute(update(LinkAd).where(LinkAd.ad_id == ids[0]).values(linking_version="damaged"))
    assert sql.ads_needing_profiles(store, LINKING_VERSION).ad_ids == [ids[0]]
