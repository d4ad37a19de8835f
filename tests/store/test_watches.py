"""Watches and alerts on a real store (SQLite and PostgreSQL): each kind alerts on new appearances only,
never twice, within its cap; a gemeente watch alerts when its weekly count reaches the threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from zicht.demo.images import render_photo
from zicht.linking.run import link
from zicht.pipeline import process
from zicht.sources.types import ParsedAd
from zicht.store.models import Alert, ContactPoint, Photo, Watch
from zicht.store.store import IngestItem, Store
from zicht.store.watches import (
    WatchError,
    check_watches,
    count_unseen,
    create_watch,
    deactivate_watch,
    delete_watch,
    list_alerts,
    list_watches,
    mark_seen,
)

T0 = datetime(2026, 10, 7, 12, 0, tzinfo=UTC)  # a Wednesday: the watches are made now
BEFORE, AFTER, LATER = T0 - timedelta(days=1), T0 + timedelta(days=1), T0 + timedelta(days=2)
NUMBER = "+31612345678"
IMG = "https://kinky.example/img/"
TEMPLATE = (
    "Hoi lieve heren, ik ben {name} en ik ben nieuw in de stad. Ik ontvang je graag in een schoon en "
    "discreet appartement met gratis parkeren voor de deur. Ik neem alle tijd voor je en er is geen "
    "haast. Stuur me een berichtje voor een afspraak, ik ben elke dag beschikbaar van tien tot tien. "
    "Kusjes van {name}."
)
OTHER = (
    "Welkom op mijn pagina. Gezelligheid staat bij mij voorop en ik werk alleen op afspraak in een "
    "rustige omgeving aan de rand van het centrum. Bellen tussen twaalf en acht uur, liefst niet anoniem."
)


def ad(source_id: str, *, phone: str | None = None, text: str = OTHER, name: str = "Lisa", **kw) -> ParsedAd:  # type: ignore[no-untyped-def]
    return ParsedAd(
        site=kw.pop("site", "kinky"),
        source_id=source_id,
        url=f"https://kinky.example/ad/{source_id}",
        title=f"{name} nieuw",
        text=text,
        fields={"name": name, "age": kw.pop("age", "24"), "location": kw.pop("place", "Heerlen")},
        phone=phone,
        images=kw.pop("images", []),
    )


def put(store: Store, ads: list[ParsedAd], at: datetime, *, photos: bool = False) -> None:
    store.ingest([IngestItem(a, at, "kinky@test") for a in ads])
    process(store, photos=photos, ocr=False)


def ad_id(store: Store, source_id: str) -> int:
    found = store.find_ad("kinky", source_id)
    assert found is not None
    return found.id


def alerted(store: Store, watch_id: int) -> set[str]:
    with store.session() as s:
        return set(s.scalars(select(Alert.subject).where(Alert.watch_id == watch_id)))


def test_contact_watch_alerts_on_new_ads_only_once(store: Store) -> None:
    put(store, [ad("1", phone=NUMBER), ad("9", phone="+31687654321")], BEFORE)
    watch = create_watch(store, "contact", "06-12 34 56 78", user="Anna", at=T0)
    # no raw number anywhere in the watch
    with store.session() as s:
        stored = s.get(Watch, watch.id)
        assert stored is not None and "612345678" not in stored.target and stored.label == ""
    assert check_watches(store).raised == 0  # ad 1 had the number before the watch was made

    put(
        store,
        [
            ad("2", phone="06 12345678"),  # written another way
            ad("3", text=OTHER + " Alleen WhatsApp: https://wa.me/31612345678"),  # only as a WhatsApp link
            ad("4", phone="+31687654321"),  # another number
            ad("1", phone=NUMBER, text=OTHER + " Nu ook 's avonds."),  # a new version of an ad that had it
        ],
        AFTER,
    )
    report = check_watches(store)
    assert report.raised == 2 and report.by_watch == {watch.id: 2}
    assert alerted(store, watch.id) == {f"ad:{ad_id(store, '2')}", f"ad:{ad_id(store, '3')}"}
    alerts = list_alerts(store)
    assert {a.ad_id for a in alerts} == {ad_id(store, "2"), ad_id(store, "3")}
    for a in alerts:
        assert "612345678" not in a.message and "612345678" not in str(a.detail)
        assert a.detail["place"] == "Heerlen" and a.message.startswith(
            "The watched contact point appears in ad kinky"
        )

    assert check_watches(store).raised == 0  # nothing twice
    # incremental: versions processed before the last check are not read again
    with store.session() as s:
        s.execute(delete(Alert).where(Alert.watch_id == watch.id))
    assert check_watches(store).raised == 0
    put(store, [ad("5", phone=NUMBER), ad("1", phone=NUMBER, text=OTHER + " Ook op zondag.")], LATER)
    assert check_watches(store).raised == 1
    assert alerted(store, watch.id) == {f"ad:{ad_id(store, '5')}"}


def test_hub_number_is_capped_and_says_how_many_more(store: Store) -> None:
    watch = create_watch(store, "contact", NUMBER, user="Anna", label="telefonist Heerlen", at=T0)
    put(store, [ad(str(n), phone=NUMBER, name=f"N{n}") for n in range(1, 8)], AFTER)
    report = check_watches(store, cap=3)
    assert report.raised == 4 and report.left_out == {watch.id: 4}
    subjects = alerted(store, watch.id)
    assert len([s for s in subjects if s.startswith("ad:")]) == 3
    more = [a for a in list_alerts(store) if a.detail.get("kind") == "more"]
    assert len(more) == 1 and more[0].detail["more"] == 4 and more[0].ad_id is None
    assert "4 more ads" in more[0].message
    assert {a.watch_title for a in list_alerts(store)} == {"telefonist Heerlen"}
    assert check_watches(store, cap=3).raised == 0


def test_photo_watch_matches_near_duplicates(store: Store) -> None:
    site = store.ensure_site("kinky", "https://kinky.example")
    run = store.start_run(site, "crawl", purpose="toezicht test", legal_basis="APV art. 3:5 (test)")
    images = {
        "orig.jpg": render_photo("a1b2c3d4e5f60718"),
        "reupload.jpg": render_photo("a1b2c3d4e5f60718", 2),
        "other.jpg": render_photo("0f1e2d3c4b5a6978"),
    }
    for name, data in images.items():
        store.store_page(run, IMG + name, "image", 200, [("Content-Type", "image/jpeg")], data, BEFORE)
    put(store, [ad("1", images=[IMG + "orig.jpg"])], BEFORE, photos=True)
    with store.session() as s:
        photo_id = s.scalar(select(Photo.id).order_by(Photo.id))
        phash = s.scalar(select(Photo.phash).where(Photo.id == photo_id))
    assert photo_id is not None and phash is not None
    by_id = create_watch(store, "photo", str(photo_id), user="Anna", at=T0)
    assert by_id.label == f"photo {photo_id}"
    with pytest.raises(WatchError) as exc:  # the same pHash, written as hex: the same watch
        create_watch(store, "photo", f"0x{phash & (2**64 - 1):016X}", user="Anna", at=T0)
    assert exc.value.problem == "duplicate"
    by_hash = create_watch(store, "photo", f"{(phash ^ 0b111) & (2**64 - 1):016x}", user="Anna", at=T0)
    assert by_hash.label.startswith("pHash ")

    put(
        store,
        [ad("2", images=[IMG + "reupload.jpg"]), ad("3", images=[IMG + "other.jpg"])],
        AFTER,
        photos=True,
    )
    check_watches(store)
    new = {f"ad:{ad_id(store, '2')}"}
    assert alerted(store, by_id.id) == new and alerted(store, by_hash.id) == new
    distance = next(a for a in list_alerts(store) if a.watch_id == by_id.id).detail["distance"]
    assert 0 < distance <= 8
    assert check_watches(store).raised == 0


def test_template_watch_finds_the_template_with_other_names(store: Store) -> None:
    put(store, [ad("1", text=TEMPLATE.format(name="Lisa"), name="Lisa", phone=NUMBER)], BEFORE)
    with pytest.raises(WatchError) as problem:
        create_watch(store, "template", str(ad_id(store, "1")), user="Anna", at=T0)
    assert problem.value.problem == "template_not_keyed"
    link(store)
    watch = create_watch(store, "template", str(ad_id(store, "1")), user="Anna", at=T0)
    assert watch.label == "template of ad kinky 1"
    put(
        store,
        [
            ad("2", text=TEMPLATE.format(name="Nina"), name="Nina", age="21", phone="+31611111111"),
            ad("3", text=OTHER, name="Eva", phone="+31622222222"),
        ],
        AFTER,
    )
    link(store)
    check_watches(store)
    assert alerted(store, watch.id) == {f"ad:{ad_id(store, '2')}"}
    (alert,) = list_alerts(store)
    assert alert.detail["bands"] >= 2 and "uses the watched template" in alert.message
    assert check_watches(store).raised == 0


def test_gemeente_threshold_crossing(store: Store) -> None:
    put(store, [ad("1"), ad("2")], BEFORE)  # two active ads in Heerlen this week
    watch = create_watch(store, "gemeente", "heerlen", threshold=3, user="Anna", at=T0)
    assert watch.gemeente_code == "GM0917" and watch.label == "Heerlen ≥ 3/week"
    assert check_watches(store).raised == 0
    put(store, [ad("3", place="Maastricht")], AFTER)  # another gemeente: no crossing
    assert check_watches(store).raised == 0
    put(store, [ad("4")], AFTER)  # the third ad in Heerlen this week
    assert check_watches(store).raised == 1
    (alert,) = list_alerts(store)
    assert alert.subject == "week:2026-W41" and alert.ad_id is None
    assert alert.detail["active_ads"] == 3 and alert.detail["threshold"] == 3
    assert alert.message.startswith("Heerlen: 3 active ads in week 2026-W41")
    put(store, [ad("5")], LATER)  # still the same week: nothing new
    assert check_watches(store).raised == 0


def test_watch_input_errors_and_lifecycle(store: Store) -> None:
    cases = [
        (("contact", "bel me maar"), "contact_unreadable"),
        (("photo", "not-a-hash"), "photo_unreadable"),
        (("photo", "12345"), "photo_not_found"),
        (("template", "77"), "ad_not_found"),
        (("gemeente", "Atlantis"), "threshold_required"),
        (("planet", "Mars"), "kind_unknown"),
    ]
    for (kind, value), problem in cases:
        with pytest.raises(WatchError) as exc:
            create_watch(store, kind, value, user="Anna")
        assert exc.value.problem == problem
    with pytest.raises(WatchError) as exc:
        create_watch(store, "gemeente", "Atlantis", threshold=5, user="Anna")
    assert exc.value.problem == "gemeente_unknown"
    with pytest.raises(WatchError) as exc:
        create_watch(store, "contact", NUMBER, user="  ")
    assert exc.value.problem == "user_required"

    first = create_watch(store, "contact", NUMBER, user="Anna", at=T0)
    with pytest.raises(WatchError) as exc:
        create_watch(store, "contact", "0612345678", user="Bert")
    assert exc.value.problem == "duplicate"
    put(store, [ad("8", phone="+31687654321")], BEFORE)
    with store.session() as s:
        cp = s.scalar(select(ContactPoint.id).where(ContactPoint.value == "+31687654321"))
    by_point = create_watch(store, "contact", "", contact_point_id=cp, user="Anna", at=T0)
    with pytest.raises(WatchError) as exc:  # the same number, written as the user would
        create_watch(store, "contact", "06-87654321", user="Anna")
    assert exc.value.problem == "duplicate"
    delete_watch(store, by_point.id)
    email = create_watch(store, "contact", "Lisa@Example.test", user="Anna", at=T0)
    handle = create_watch(store, "contact", "telegram: lisa_nl", user="Anna", at=T0)
    assert [w.id for w in list_watches(store)] == [first.id, email.id, handle.id]

    put(store, [ad("1", text=OTHER + " Mail lisa@example.test of telegram: lisa_nl")], AFTER)
    check_watches(store)
    assert count_unseen(store) == 2
    assert mark_seen(store, "Bert", [list_alerts(store)[0].id]) == 1
    assert count_unseen(store) == 1
    # "Mark all" from a page marks what the page showed: an alert with a higher id came later.
    (last,) = list_alerts(store)
    assert mark_seen(store, "Bert", up_to=last.id - 1) == 0 and count_unseen(store) == 1
    assert mark_seen(store, "Bert", up_to=last.id) == 1 and count_unseen(store) == 0
    seen = list_alerts(store, include_seen=True)
    assert {a.seen_by for a in seen} == {"Bert"} and list_alerts(store) == []

    assert not deactivate_watch(store, email.id).active
    assert [w.id for w in list_watches(store)] == [first.id, handle.id]
    assert len(list_watches(store, include_inactive=True)) == 3
    delete_watch(store, handle.id)
    assert alerted(store, handle.id) == set()
    with pytest.raises(WatchError) as exc:
        delete_watch(store, handle.id)
    assert exc.value.problem == "watch_not_found"
