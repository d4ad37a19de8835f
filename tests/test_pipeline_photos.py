"""The photo stage of ``zicht process`` on real JPEGs kept as evidence, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from photo_cards import card_jpeg
from sqlalchemy import select

from zicht import pipeline
from zicht.demo.images import render_photo
from zicht.extract.ocr import OCR_VERSION
from zicht.extract.photos import PHOTOS_VERSION, photo_facts
from zicht.sources.types import ParsedAd
from zicht.store.models import AdContact, AdPhoto, ContactPoint, Photo
from zicht.store.store import IngestItem, Store

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
IMG = "https://kinky.example/img/"

# A number shown only on a photo, dark on a light strip of a mostly dark picture.
NUMBER_PHOTO = render_photo("a9a36f81d749b9af", 0, overlay_text="06 419 216 34")
PLAIN_PHOTO = render_photo("5e55f3a96eb8ffa7", 0)
BROKEN_PHOTO = render_photo("17d75b6752052bb7", 0)[:400]


CARD_PHOTO = card_jpeg("Bel 06-12345678")


def keep_images(store: Store, images: dict[str, bytes]) -> None:
    """What the crawler does: each image kept as evidence, once per url."""
    site = store.ensure_site("kinky", "https://kinky.example")
    run = store.start_run(site, "crawl", purpose="toezicht test", legal_basis="APV art. 3:5 (test)")
    for n, (name, data) in enumerate(images.items()):
        store.store_page(
            run, IMG + name, "image", 200, [("Content-Type", "image/jpeg")], data, T0 + timedelta(minutes=n)
        )


def ingest(store: Store, source_id: str, images: list[str], text: str = "Nieuw in de stad.") -> int:
    ad = ParsedAd(
        site="kinky",
        source_id=source_id,
        url=f"https://kinky.example/advertenties/{source_id}",
        title=f"Advertentie {source_id}",
        text=text,
        fields={"location": "Heerlen", "age": "24"},
        images=[IMG + name for name in images],
    )
    store.ingest([IngestItem(ad, T0 + timedelta(hours=1), "kinky@test")])
    found = store.find_ad("kinky", source_id)
    assert found is not None and found.current_version_id is not None
    return found.current_version_id


def photos_by_sha(store: Store) -> dict[str, Photo]:
    with store.session() as s:
        return {p.sha256: p for p in s.scalars(select(Photo))}


def links_of(store: Store, version_id: int) -> list[tuple[int, str, int | None]]:
    with store.session() as s:
        rows = s.execute(
            select(AdPhoto.position, AdPhoto.url, AdPhoto.photo_id)
            .where(AdPhoto.ad_version_id == version_id)
            .order_by(AdPhoto.position)
        )
        return [tuple(r) for r in rows]


def contacts_of(store: Store, version_id: int) -> set[tuple[str, str, str]]:
    with store.session() as s:
        rows = s.execute(
            select(ContactPoint.kind, ContactPoint.value, AdContact.source)
            .join(AdContact, AdContact.contact_point_id == ContactPoint.id)
            .where(AdContact.ad_version_id == version_id)
        )
        return {tuple(r) for r in rows}


def test_photos_are_hashed_read_once_and_their_numbers_become_contacts(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "PHOTO_CHUNK", 2)  # several OCR chunks in one batch of ads
    keep_images(
        store,
        {
            "number.jpg": NUMBER_PHOTO,
            "plain.jpg": PLAIN_PHOTO,
            "plain-again.jpg": PLAIN_PHOTO,  # the same bytes at another url
            "broken.jpg": BROKEN_PHOTO,
            "card.jpg": CARD_PHOTO,
        },
    )
    hidden = ingest(store, "a1", ["plain.jpg", "number.jpg", "never-fetched.jpg"])
    shared = ingest(store, "a2", ["plain-again.jpg", "broken.jpg"])
    carded = ingest(store, "a3", ["card.jpg", "plain.jpg"], text="Bel me!")
    events: list[tuple[str, int, int]] = []

    report = pipeline.process(store, on_progress=lambda *e: events.append(e))

    assert report.photos_hashed == 4  # four distinct photos behind five urls and seven links
    assert report.photos_missing == 1
    assert report.photo_errors == 1
    photos = photos_by_sha(store)
    assert len(photos) == 4
    for data in (NUMBER_PHOTO, PLAIN_PHOTO, CARD_PHOTO):
        facts = photo_facts(data)
        row = photos[facts.sha256]
        assert (row.phash, row.dhash, row.width, row.height, row.format) == (
            facts.phash,
            facts.dhash,
            480 if data is not CARD_PHOTO else 800,
            640 if data is not CARD_PHOTO else 200,
            "JPEG",
        )
        assert row.error is None and row.ocr_text is not None
        assert row.photos_version == f"{PHOTOS_VERSION}+{OCR_VERSION}"
    assert "".join(ch for ch in photos[photo_facts(NUMBER_PHOTO).sha256].ocr_text if ch.isdigit()) == (
        "0641921634"
    )
    assert "06-12345678" in photos[photo_facts(CARD_PHOTO).sha256].ocr_text
    assert photos[photo_facts(PLAIN_PHOTO).sha256].ocr_text == ""
    broken = photos[photo_facts(BROKEN_PHOTO).sha256]
    assert broken.error.startswith("broken:") and broken.ocr_text is None and broken.phash is None

    plain_id = photos[photo_facts(PLAIN_PHOTO).sha256].id
    assert links_of(store, hidden) == [
        (0, IMG + "plain.jpg", plain_id),
        (1, IMG + "number.jpg", photos[photo_facts(NUMBER_PHOTO).sha256].id),
        (2, IMG + "never-fetched.jpg", None),
    ]
    assert links_of(store, shared) == [
        (0, IMG + "plain-again.jpg", plain_id),
        (1, IMG + "broken.jpg", broken.id),
    ]
    assert [pid for _, _, pid in links_of(store, carded)] == [
        photos[photo_facts(CARD_PHOTO).sha256].id,
        plain_id,
    ]

    assert ("phone", "+31641921634", "photo") in contacts_of(store, hidden)
    assert ("phone", "+31612345678", "photo") in contacts_of(store, carded)
    assert not {c for c in contacts_of(store, shared) if c[2] == "photo"}

    photo_events = [e for e in events if e[0] == "photos"]
    assert len(photo_events) >= 3  # a chunk of two photos at a time, then the batch
    assert [done for _, done, _ in photo_events] == sorted(done for _, done, _ in photo_events)
    assert {total for *_, total in photo_events} == {3}  # the three ad versions with photos
    assert photo_events[-1][1] == 3

    again = pipeline.process(store)
    assert (again.photos_hashed, again.photos_missing, again.photo_errors) == (0, 0, 0)


def test_photos_hashed_without_ocr_are_read_when_ocr_runs(store: Store) -> None:
    keep_images(store, {"number.jpg": NUMBER_PHOTO, "plain.jpg": PLAIN_PHOTO})
    first = ingest(store, "b1", ["number.jpg"])
    report = pipeline.process(store, ocr=False)
    assert report.photos_hashed == 1
    row = photos_by_sha(store)[photo_facts(NUMBER_PHOTO).sha256]
    assert row.ocr_text is None and row.phash is not None and row.photos_version == PHOTOS_VERSION
    assert not {c for c in contacts_of(store, first) if c[2] == "photo"}

    # Without OCR, a photo already hashed is reused as it is ...
    ingest(store, "b2", ["plain.jpg", "number.jpg"])
    assert pipeline.process(store, ocr=False).photos_hashed == 1  # only plain.jpg is new

    # ... with OCR, every photo not read yet is read (number.jpg and plain.jpg).
    later = ingest(store, "b3", ["number.jpg"])
    assert pipeline.process(store).photos_hashed == 2
    row = photos_by_sha(store)[photo_facts(NUMBER_PHOTO).sha256]
    assert row.photos_version == f"{PHOTOS_VERSION}+{OCR_VERSION}"
    assert "".join(ch for ch in row.ocr_text if ch.isdigit()) == "0641921634"
    assert ("phone", "+31641921634", "photo") in contacts_of(store, later)

    # A photo read with OCR stays as it is for a run without OCR.
    ingest(store, "b4", ["number.jpg"])
    assert pipeline.process(store, ocr=False).photos_hashed == 0
    assert photos_by_sha(store)[photo_facts(NUMBER_PHOTO).sha256].ocr_text == row.ocr_text


def test_photos_read_by_an_older_version_are_read_again_and_their_ads_re_extracted(store: Store) -> None:
    keep_images(store, {"number.jpg": NUMBER_PHOTO})
    ad = ingest(store, "c1", ["number.jpg"])
    pipeline.process(store, ocr=False)  # hashed only, as an older run without OCR would leave it
    assert not {c for c in contacts_of(store, ad) if c[2] == "photo"}

    report = pipeline.process(store)  # nothing new collected: the kept photo is read again
    assert report.photos_hashed == 1 and report.extracted == 1
    row = photos_by_sha(store)[photo_facts(NUMBER_PHOTO).sha256]
    assert row.photos_version == f"{PHOTOS_VERSION}+{OCR_VERSION}"
    assert ("phone", "+31641921634", "photo") in contacts_of(store, ad)
    again = pipeline.process(store)
    assert again.photos_hashed == 0 and again.extracted == 0
