"""Demo photos: deterministic, far apart per id, near-duplicates per variant, readable captions, no files."""

from __future__ import annotations

import io
import itertools
import random
import sys

import pytest
from PIL import Image

from zicht.demo import images
from zicht.demo.images import STYLES, photo_style, render_photo
from zicht.demo.model import DemoPhoto
from zicht.extract.ocr import ocr_text, tesseract_version
from zicht.extract.phone_formats import render_phone
from zicht.extract.photos import NEAR_DUPLICATE_DISTANCE, hamming, photo_facts

IDS = [f"{random.Random(n).getrandbits(64):016x}" for n in range(40)]


def phash(data: bytes) -> int:
    facts = photo_facts(data)
    assert facts.ok, facts.error
    return facts.phash


def test_same_id_same_bytes_even_uncached():
    first = render_photo(IDS[0], 2, overlay_text="nieuw!")
    images._render_cached.cache_clear()
    assert render_photo(IDS[0], 2, overlay_text="nieuw!") == first
    assert render_photo(IDS[1]) != render_photo(IDS[0])


def test_jpeg_of_the_requested_size():
    default = Image.open(io.BytesIO(render_photo(IDS[3])))
    assert default.format == "JPEG" and default.size == (480, 640) and default.mode == "RGB"
    small = Image.open(io.BytesIO(render_photo(IDS[3], size=(200, 300))))
    assert small.size == (200, 300)


def test_different_ids_are_far_apart_in_perceptual_hash():
    hashes = {pid: phash(render_photo(pid)) for pid in IDS}
    distances = [hamming(hashes[a], hashes[b]) for a, b in itertools.combinations(IDS, 2)]
    assert min(distances) > NEAR_DUPLICATE_DISTANCE + 4
    assert sum(distances) / len(distances) > 25  # about half the 64 bits differ, as for unrelated photos


def test_variants_are_near_duplicates_but_other_files():
    for pid in IDS[:20]:
        original = render_photo(pid)
        for variant in (1, 2, 3):
            again = render_photo(pid, variant)
            assert again != original
            assert hamming(phash(original), phash(again)) <= NEAR_DUPLICATE_DISTANCE, (pid, variant)


def test_every_motif_is_drawn():
    assert {photo_style(pid) for pid in IDS} == set(STYLES)


def test_photo_keys_are_opaque_and_distinct():
    photos = [DemoPhoto(IDS[0]), DemoPhoto(IDS[0], 1), DemoPhoto(IDS[0], 0, "0612345678"), DemoPhoto(IDS[1])]
    keys = [p.key for p in photos]
    assert len(set(keys)) == 4
    assert all(IDS[0] not in k and "0612345678" not in k and k.isalnum() for k in keys)
    assert DemoPhoto(IDS[0], 1).key == photos[1].key


@pytest.mark.skipif(tesseract_version() is None, reason="the tesseract binary is not installed here")
def test_overlay_numbers_are_read_back_by_ocr():
    rng = random.Random(4)
    classes = ("plain", "spaced", "dashed", "dotted", "international")
    read = 0
    cases = []
    for n, pid in enumerate(IDS[:8]):
        text = render_phone(f"+3161{n}52{n}8{n}7{n}", classes[n % len(classes)], rng)
        result = ocr_text(render_photo(pid, overlay_text=text))
        got = "".join(ch for ch in result.text if ch.isdigit())
        read += "".join(ch for ch in text if ch.isdigit()) in got
        cases.append((text, result.text))
    assert read >= 6, cases


def test_no_file_but_a_font_is_opened_while_drawing():
    """The pictures are computed, never loaded: no stock image, no photo of anyone."""
    opened: list[str] = []
    watching = [True]

    def audit(event: str, args: tuple) -> None:
        if watching[0] and event == "open" and args and isinstance(args[0], str | bytes):
            opened.append(str(args[0]))

    sys.addaudithook(audit)
    try:
        images._render_cached.cache_clear()
        for pid in IDS[:10]:
            render_photo(pid, 1, overlay_text="06-12345678")
    finally:
        watching[0] = False
    assert all(path.endswith(".ttf") for path in opened), opened
