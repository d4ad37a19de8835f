"""OCR with the real tesseract binary on images drawn with Pillow."""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from photo_cards import card, font
from PIL import Image, ImageDraw

from zicht.demo.images import render_photo
from zicht.extract.ocr import (
    DEFAULT_PASSES,
    OCR_VERSION,
    OcrResult,
    contacts_in_photo,
    ocr_many,
    ocr_text,
    tesseract_version,
    text_from_tsv,
)

HAS_CONTACTS = importlib.util.find_spec("zicht.extract.contacts") is not None


def encode(im: Image.Image, fmt: str = "JPEG", **kwargs) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **({"quality": 85} if fmt == "JPEG" else {}) | kwargs)
    return buf.getvalue()


def photo_with_caption(text: str, *, band: bool) -> Image.Image:
    """A smooth photo-like background with a caption: white on a dark band, or white with an outline."""
    w, h = 800, 600
    ramp = Image.linear_gradient("L").resize((w, h))
    im = Image.merge(
        "RGB", (ramp, ramp.transpose(Image.Transpose.ROTATE_90).resize((w, h)), Image.new("L", (w, h), 120))
    )
    draw = ImageDraw.Draw(im)
    draw.ellipse((200, 100, 500, 400), fill=(180, 90, 60))
    f = font(36)
    if band:
        left, top, right, bottom = draw.textbbox((40, 480), text, font=f)
        draw.rectangle((left - 10, top - 10, right + 10, bottom + 10), fill=(20, 20, 20))
        draw.text((40, 480), text, font=f, fill="white")
    else:
        draw.text((40, 30), text, font=f, fill="white", stroke_width=3, stroke_fill="black")
    return im


def noisy_texture(seed: int = 5, max_frequency: float = 40) -> Image.Image:
    """Waves and grain, like fabric or a patterned wall."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:480, 0:640] / 640
    img = sum(np.sin(2 * np.pi * (fx * x + fy * y)) for fx, fy in rng.uniform(1, max_frequency, (6, 2)))
    img = (img - img.min()) / (img.max() - img.min()) * 255 + rng.normal(0, 8, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "L").convert("RGB")


def scribbles(seed: int) -> Image.Image:
    """Short dark strokes on a light ground, like lace or hair: shapes tesseract takes for letters."""
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (640, 480), (200, 190, 180))
    draw = ImageDraw.Draw(im)
    for _ in range(300):
        x, y = rng.uniform(0, 640), rng.uniform(0, 480)
        dx, dy = rng.normal(0, 8, 2)
        colour = tuple(int(v) for v in rng.integers(0, 120, 3))
        draw.line((x, y, x + dx, y + dy), fill=colour, width=int(rng.integers(1, 4)))
    return im


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def assert_phone_read(result: OcrResult, national: str, e164: str) -> None:
    """The number is found by the contacts extractor once it exists, else as digits in the text."""
    assert result.error is None
    if HAS_CONTACTS:
        contacts = contacts_in_photo(result)
        assert e164 in {c.value for c in contacts}, (result.text, contacts)
        assert all(c.source == "photo" for c in contacts)
    else:
        assert national in digits(result.text), result.text


# --- reading text ------------------------------------------------------------------------------------


def test_reads_phone_number_on_plain_image() -> None:
    result = ocr_text(encode(card("Bel 06-12345678")))
    assert "Bel" in result.text
    assert_phone_read(result, "0612345678", "+31612345678")
    assert result.confidence is not None and result.confidence > 70


def test_reads_light_text_on_dark_image() -> None:
    im = card("WhatsApp +31 6 87654321", size=(900, 200), fg="white", bg=(10, 10, 40))
    result = ocr_text(encode(im, "PNG"))
    assert_phone_read(result, "31687654321", "+31687654321")


def test_reads_tiny_text_after_upscaling() -> None:
    """8-pixel text, as in a watermark: tesseract alone reads nothing at this size."""
    result = ocr_text(encode(card("Bel 06 1234 5678", size=(160, 20), text_size=8), "PNG"))
    assert_phone_read(result, "0612345678", "+31612345678")


@pytest.mark.parametrize(
    ("caption", "band", "national", "e164"),
    [
        ("06-23456789", True, "0623456789", "+31623456789"),
        ("+31 6 55667788", False, "31655667788", "+31655667788"),
    ],
)
def test_reads_caption_on_photo(caption: str, band: bool, national: str, e164: str) -> None:
    result = ocr_text(encode(photo_with_caption(caption, band=band)))
    assert_phone_read(result, national, e164)


def test_reads_upright_text_of_exif_rotated_upload() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated; viewers turn it upright
    stored = card("Bel 06-12345678").transpose(Image.Transpose.ROTATE_90)
    result = ocr_text(encode(stored, exif=exif.tobytes()))
    assert_phone_read(result, "0612345678", "+31612345678")


@pytest.mark.parametrize("colour", ["white", "black", (128, 60, 90)])
def test_blank_image_gives_empty_text(colour) -> None:
    result = ocr_text(encode(Image.new("RGB", (640, 480), colour), "PNG"))
    assert result == OcrResult("", None, None)


def test_textured_photo_without_text_gives_empty_text() -> None:
    photos = [encode(im) for im in (scribbles(1), scribbles(2), noisy_texture(3), noisy_texture(5))]
    everything = ocr_many(photos, min_confidence=0)
    noise = sum(len(r.text.split()) for r in everything)
    assert noise >= 10, ("textures too plain: tesseract reads nothing to filter", everything)
    assert ocr_many(photos) == [OcrResult("", None, None)] * len(photos)


def test_dark_caption_on_light_strip_of_dark_photo_is_read() -> None:
    """A demo photo whose caption ocr-1 lost: it inverted the mostly dark photo, caption and all."""
    result = ocr_text(render_photo("a9a36f81d749b9af", 0, overlay_text="06 419 216 34"))
    assert_phone_read(result, "0641921634", "+31641921634")


# --- failures are results, not exceptions ------------------------------------------------------------


def test_missing_binary_by_path_gives_clear_error() -> None:
    result = ocr_text(encode(card("06-12345678")), tesseract_cmd="/nonexistent/bin/tesseract")
    assert result.text == ""
    assert result.error.startswith("tesseract_missing:")
    assert "tesseract-ocr" in result.error
    assert not result.ok


def test_missing_binary_on_path_gives_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = ocr_text(encode(card("06-12345678")))
    assert result.text == ""
    assert result.error.startswith("tesseract_missing:")
    assert tesseract_version() is None


def test_timeout_gives_error() -> None:
    result = ocr_text(encode(card("06-12345678")), timeout_s=0.001)
    assert result.text == ""
    assert result.error.startswith("timeout:")


def test_unknown_language_reports_tesseract_failure() -> None:
    result = ocr_text(encode(card("06-12345678")), langs="xyz")
    assert result.text == ""
    assert result.error.startswith("tesseract_failed: exit")
    assert "xyz" in result.error


@pytest.mark.parametrize("langs", ["nld;eng", "-c foo=1", "nld eng", ""])
def test_language_argument_is_validated(langs: str) -> None:
    result = ocr_text(encode(card("06-12345678")), langs=langs)
    assert result.error.startswith("bad_langs:")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"Bel 06-12345678", "not_an_image"),
        (encode(card("06-12345678"))[:300], "broken"),
    ],
)
def test_undecodable_photo_gives_error(data: bytes, code: str) -> None:
    result = ocr_text(data)
    assert result.text == ""
    assert result.error.startswith(code + ":")


def test_photo_over_size_limit_is_not_read() -> None:
    data = encode(card("06-12345678"), "PNG")
    assert ocr_text(data, max_bytes=len(data) - 1).error.startswith("too_large:")
    assert ocr_text(data, max_pixels=800 * 200 - 1).error.startswith("too_many_pixels:")


# --- many photos at once ----------------------------------------------------------------------------


def numbered_cards(count: int) -> list[bytes]:
    return [encode(card(f"Bel 06-1234567{n}")) for n in range(count)]


def assert_cards_read(results: list[OcrResult]) -> None:
    for n, result in enumerate(results):
        assert_phone_read(result, f"061234567{n}", f"+3161234567{n}")


@pytest.fixture
def tesseract_wrapper(tmp_path: Path):
    """Make a ``tesseract`` command: a shell script that runs ``body``, then the real binary.

    ``$1`` is the input: an image or a list file of images, relative to the working directory.
    Every call is logged (working directory and input) to the returned log file.
    """
    real = shutil.which("tesseract")
    assert real, "the tesseract binary is not installed"
    log = tmp_path / "calls.log"

    def make(body: str = "") -> tuple[str, Path]:
        script = tmp_path / "tesseract-wrapper"
        script.write_text(f'#!/bin/sh\necho "$(pwd) $1" >> {log}\n{body}\nexec {real} "$@"\n')
        script.chmod(0o755)
        return str(script), log

    return make


def test_many_gives_each_photo_what_one_by_one_gives() -> None:
    photos = [
        encode(card("Bel 06-12345678")),
        encode(Image.new("RGB", (640, 480), "white"), "PNG"),
        encode(photo_with_caption("06-23456789", band=True)),
        render_photo("a9a36f81d749b9af", 0, overlay_text="06 419 216 34"),
        encode(card("WhatsApp +31 6 87654321", size=(900, 200), fg="white", bg=(10, 10, 40)), "PNG"),
        encode(card("Bel 06 1234 5678", size=(160, 20), text_size=8), "PNG"),
        encode(scribbles(2)),
        render_photo("5e55f3a96eb8ffa7", 0, overlay_text="NIEUW!"),
        encode(photo_with_caption("+31 6 55667788", band=False)),
    ]
    one_by_one = [ocr_text(p) for p in photos]
    assert ocr_many(photos, batch_size=4, workers=2) == one_by_one
    assert ocr_many(photos, batch_size=24, workers=1) == one_by_one
    found = [digits(r.text) for r in one_by_one]
    for i, number in [(0, "0612345678"), (2, "0623456789"), (3, "0641921634"), (8, "31655667788")]:
        assert number in found[i], one_by_one[i]
    assert "NIEUW" in one_by_one[7].text.upper()


def test_each_batch_is_one_tesseract_run_per_pass(tesseract_wrapper) -> None:
    command, log = tesseract_wrapper()
    results = ocr_many(numbered_cards(9), batch_size=4, workers=2, tesseract_cmd=command)
    assert_cards_read(results)
    calls = log.read_text().splitlines()
    assert len(calls) == 3 * len(DEFAULT_PASSES), calls  # batches of 4, 4 and 1 photos
    assert sum(call.endswith(".txt") for call in calls) == 2 * len(DEFAULT_PASSES)


def test_broken_and_oversized_photos_do_not_spoil_their_batch() -> None:
    good = numbered_cards(3)
    huge = encode(card("Bel 06-99999999", size=(2500, 2000)), "PNG")
    photos = [good[0], b"Bel 06-12345678", good[1], huge, good[2][:300], good[2], b""]
    results = ocr_many(photos, batch_size=len(photos), workers=1, max_pixels=4_000_000)
    codes = [r.error.split(":")[0] if r.error else None for r in results]
    assert codes == [None, "not_an_image", None, "too_many_pixels", "broken", None, "empty"]
    assert all(r.text == "" for r in results if r.error)
    assert_cards_read([results[0], results[2], results[5]])


def test_a_failing_batch_is_read_photo_by_photo(tesseract_wrapper) -> None:
    """A photo that crashes tesseract loses only its own text, not its batch's."""
    command, log = tesseract_wrapper(
        'case "$1" in *.txt) files=$(cat "$1") ;; *) files="$1" ;; esac\n'
        "for f in $files; do\n"
        '  if head -c 16 "$f" | grep -q "^1777 "; then echo "simulated crash" >&2; exit 3; fi\n'
        "done"
    )
    photos = numbered_cards(4)
    photos.insert(2, encode(card("Bel 06-99999999", size=(1777, 300)), "PNG"))  # 1777 wide: crashes
    results = ocr_many(photos, batch_size=len(photos), workers=1, tesseract_cmd=command)
    calls = log.read_text().splitlines()
    assert sum(call.endswith(".txt") for call in calls) == len(DEFAULT_PASSES)  # the batch, per pass
    assert len(calls) == len(DEFAULT_PASSES) * (1 + len(photos))  # then each photo on its own
    assert results[2].text == ""
    assert results[2].error.startswith("tesseract_failed: exit 3") and "simulated crash" in results[2].error
    others = results[:2] + results[3:]
    assert others == [ocr_text(p) for p in photos[:2] + photos[3:]]
    assert_cards_read(others)


def test_a_batch_that_times_out_is_read_photo_by_photo() -> None:
    photos = numbered_cards(3)
    results = ocr_many(photos, workers=1, timeout_s=0.001, image_timeout_s=20)
    assert results == [ocr_text(p) for p in photos]
    assert_cards_read(results)
    assert all(
        r.error.startswith("timeout:") for r in ocr_many(photos, timeout_s=0.001, image_timeout_s=0.001)
    )


def test_work_files_stay_in_a_private_directory_that_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tesseract_wrapper
) -> None:
    command, log = tesseract_wrapper()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    results = ocr_many([*numbered_cards(3), b"broken"], batch_size=2, workers=2, tesseract_cmd=command)
    assert_cards_read(results[:3])
    workdirs = {Path(line.split(" ")[0]) for line in log.read_text().splitlines()}
    assert len(workdirs) == 2  # one per batch
    assert all(d.parent.parent == scratch and d.parent.name.startswith("zicht-ocr-") for d in workdirs)
    assert list(scratch.iterdir()) == []


def test_many_reports_input_problems_per_photo() -> None:
    assert ocr_many([]) == []
    photos = [encode(card("06-12345678")), b""]
    assert all(r.error.startswith("bad_langs:") for r in ocr_many(photos, langs="nld;eng"))
    missing = ocr_many(photos, tesseract_cmd="/nonexistent/bin/tesseract")
    assert missing[0].error.startswith("tesseract_missing:")
    assert missing[1].error.startswith("empty:")


# --- helpers -----------------------------------------------------------------------------------------


def test_text_from_tsv_groups_lines_and_applies_floor() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"

    def word(block: int, line: int, conf: float, text: str) -> str:
        return f"5\t1\t{block}\t1\t{line}\t1\t10\t10\t50\t20\t{conf}\t{text}"

    rows = [
        "1\t1\t0\t0\t0\t0\t0\t0\t800\t200\t-1\t",
        word(1, 1, 93.0, "Bel"),
        word(1, 1, 89.0, "06-12345678"),
        word(2, 1, 12.5, "xyz¢"),  # under the floor
        word(3, 1, 80.0, "WhatsApp"),
        word(3, 1, -1, " "),
        word(4, 1, 91.0, "4"),  # a lone mark, dropped with its confidence
        word(5, 1, 85.0, "+31"),  # two digits: kept
        word(5, 2, 75.0, "te"),
    ]
    tsv = "\n".join([header, *rows])
    assert text_from_tsv(tsv, 70) == ("Bel 06-12345678\nWhatsApp\n+31", round((93 + 89 + 80 + 85) / 4, 1))
    assert text_from_tsv(tsv, 0)[0] == "Bel 06-12345678\nxyz¢\nWhatsApp\n+31"
    assert text_from_tsv(header, 70) == ("", None)


def test_tesseract_version_is_reported() -> None:
    version = tesseract_version()
    assert version is not None and re.match(r"\d+\.\d+", version), version
    assert OCR_VERSION


def test_contacts_in_empty_photo_text_is_empty() -> None:
    assert contacts_in_photo("") == []
    assert contacts_in_photo(OcrResult("", "timeout: tesseract took longer than 20 s")) == []


# --- every contact on a photo is marked as found in a photo; animations; palette images -------------


def test_a_link_on_a_photo_is_a_photo_contact():
    result = ocr_text(encode(card("wa.me/31611223344", text_size=44), "PNG"))
    found = contacts_in_photo(result)
    assert ("phone", "+31611223344") in [(c.kind, c.value) for c in found]
    assert found and {c.source for c in found} == {"photo"}


def _animation(fmt: str, frames: list[Image.Image]) -> bytes:
    extra = {"loop": 0} if fmt == "GIF" else {}
    buf = io.BytesIO()
    frames[0].save(buf, fmt, save_all=True, append_images=frames[1:], duration=400, **extra)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_a_number_on_a_later_frame_of_an_animation_is_read(fmt):
    data = _animation(fmt, [card("Welkom"), card("Nieuw in Tilburg"), card("Bel 06-12345678")])
    assert Image.open(io.BytesIO(data)).n_frames == 3
    result = ocr_text(data)
    assert result.ok, result.error
    assert [c.value for c in contacts_in_photo(result) if c.kind == "phone"] == ["+31612345678"]


def test_frames_read_are_bounded_and_repeats_skipped():
    from zicht.extract.ocr import _MAX_FRAMES, frames_for_ocr

    captions = [card(f"frame {n}", text_size=30) for n in range(20)]
    frames = frames_for_ocr(_animation("GIF", captions), "GIF", 40_000_000)
    assert len(frames) == _MAX_FRAMES - 1
    same = [card("zelfde", text_size=30)] * 10
    assert frames_for_ocr(_animation("GIF", same), "GIF", 40_000_000) == []
    assert frames_for_ocr(encode(card("still"), "PNG"), "PNG", 40_000_000) == []


def test_a_dithered_palette_gif_is_read():
    # Pillow's default conversion to a palette dithers; on this pink the caption read as nothing at all.
    im = card("Bel 06-12345678", size=(800, 600), fg=(255, 255, 255), bg=(200, 120, 140)).convert("P")
    assert im.mode == "P"
    result = ocr_text(encode(im, "GIF"))
    assert "+31612345678" in [c.value for c in contacts_in_photo(result)], result.text
