"""Photo hashing on real images generated with Pillow: re-encodes stay near, different photos stay far,
bad input never raises. Plus the guard that keeps biometric libraries out of the code base."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import sqlite3
import struct
import tracemalloc
import zlib
from functools import lru_cache
from pathlib import Path

import imagehash
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from zicht.extract.photos import (
    NEAR_DUPLICATE_DISTANCE,
    PHOTOS_VERSION,
    PhotoFacts,
    from_signed64,
    hamming,
    photo_facts,
    to_signed64,
)

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "zicht"

U64 = st.integers(min_value=0, max_value=2**64 - 1)


# --- generated test images ---------------------------------------------------------------------------


@lru_cache(maxsize=64)
def scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A photo-like RGB picture: smooth colour waves, solid discs and sensor-like noise, per seed.

    Cached: callers only derive new images from it (resize, convert, transpose), never draw on it."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w] / max(w, h)
    img = np.zeros((h, w, 3))
    for c in range(3):
        for _ in range(4):
            fx, fy = rng.uniform(0.5, 6, 2)
            img[..., c] += rng.uniform(0.2, 1) * np.sin(2 * np.pi * (fx * x + fy * y) + rng.uniform(0, 6.3))
    for _ in range(6):
        cx, cy, r = rng.uniform(0, 1), rng.uniform(0, 0.75), rng.uniform(0.03, 0.2)
        img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(-2, 2, 3)
    img = (img - img.min()) / (img.max() - img.min()) * 255 + rng.normal(0, 6, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def encode(im: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kwargs)
    return buf.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def png_with_header(width: int, height: int, bit_depth: int = 8, idat: bytes | None = None) -> bytes:
    """A PNG that claims ``width`` x ``height`` grayscale; only the IDAT given (default: one row)."""
    row_bytes = (width * bit_depth + 7) // 8 + 1
    payload = idat if idat is not None else zlib.compress(b"\0" * row_bytes)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", payload)
        + png_chunk(b"IEND", b"")
    )


def real_png_bomb(side: int = 15_000) -> bytes:
    """A complete, valid 1-bit PNG of ``side``² black pixels: a few kB that decode to 225 megapixels."""
    row = b"\0" * ((side + 7) // 8 + 1)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row * 1000) for _ in range(side // 1000)]
    parts.append(compressor.compress(row * (side % 1000)))
    parts.append(compressor.flush())
    return png_with_header(side, side, bit_depth=1, idat=b"".join(parts))


@pytest.fixture(scope="module")
def original() -> Image.Image:
    return scene(0)


@pytest.fixture(scope="module")
def reference(original: Image.Image) -> PhotoFacts:
    facts = photo_facts(encode(original, "PNG"))
    assert facts.ok, facts.error
    return facts


# --- signed 64-bit storage ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 2**63 - 1, 2**63, 2**63 + 1, 0xDEADBEEFCAFEBABE, 2**64 - 1])
def test_signed_round_trip_including_top_bit(value: int) -> None:
    signed = to_signed64(value)
    assert -(2**63) <= signed < 2**63
    assert (signed < 0) == bool(value >> 63)
    assert from_signed64(signed) == value


@given(U64, U64)
def test_hamming_on_signed_values_equals_bit_difference(a: int, b: int) -> None:
    assert from_signed64(to_signed64(a)) == a
    assert hamming(to_signed64(a), to_signed64(b)) == bin(a ^ b).count("1")
    assert hamming(to_signed64(a), b) == hamming(a, b)


def test_hamming_extremes() -> None:
    assert hamming(-1, 0) == 64
    assert hamming(to_signed64(2**63), 0) == 1
    assert hamming(12345, 12345) == 0


@pytest.mark.parametrize("value", [-1, 2**64])
def test_to_signed64_rejects_out_of_range(value: int) -> None:
    with pytest.raises(ValueError):
        to_signed64(value)


@pytest.mark.parametrize("value", [-(2**63) - 1, 2**63])
def test_from_signed64_rejects_out_of_range(value: int) -> None:
    with pytest.raises(ValueError):
        from_signed64(value)


def test_hashes_fit_sqlite_bigint_and_keep_their_distance() -> None:
    facts = [photo_facts(encode(scene(seed), "PNG")) for seed in range(6)]
    assert any(f.phash < 0 or f.dhash < 0 for f in facts), "no generated hash had its top bit set"
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, phash BIGINT, dhash BIGINT)")
    con.executemany("INSERT INTO photo (phash, dhash) VALUES (?, ?)", [(f.phash, f.dhash) for f in facts])
    stored = con.execute("SELECT phash, dhash FROM photo ORDER BY id").fetchall()
    assert stored == [(f.phash, f.dhash) for f in facts]
    assert hamming(stored[0][0], stored[1][0]) == hamming(facts[0].phash, facts[1].phash)


def test_hash_bits_are_imagehash_bits_in_order() -> None:
    im = scene(7, size=(400, 300))  # under the working size: hashed exactly as imagehash would
    facts = photo_facts(encode(im, "PNG"))
    assert format(from_signed64(facts.phash), "016x") == str(imagehash.phash(im))
    assert format(from_signed64(facts.dhash), "016x") == str(imagehash.dhash(im))


def test_sha256_is_of_the_bytes_and_version_is_set() -> None:
    data = encode(scene(1), "JPEG")
    assert photo_facts(data).sha256 == hashlib.sha256(data).hexdigest()
    assert photo_facts(bytearray(data)) == photo_facts(memoryview(data)) == photo_facts(data)
    assert PHOTOS_VERSION


# --- the same photo in another form hashes near ------------------------------------------------------


def _heic(im: Image.Image) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    return encode(im, "HEIF", quality=60)


VARIANTS = {
    "jpeg q95": (lambda im: encode(im, "JPEG", quality=95), "JPEG", (640, 480)),
    "jpeg q40": (lambda im: encode(im, "JPEG", quality=40), "JPEG", (640, 480)),
    "jpeg q10": (lambda im: encode(im, "JPEG", quality=10), "JPEG", (640, 480)),
    "progressive jpeg": (lambda im: encode(im, "JPEG", quality=80, progressive=True), "JPEG", (640, 480)),
    "half size": (lambda im: encode(im.resize((320, 240)), "JPEG", quality=85), "JPEG", (320, 240)),
    "thumbnail": (lambda im: encode(im.resize((160, 120)), "JPEG", quality=85), "JPEG", (160, 120)),
    "double size png": (lambda im: encode(im.resize((1280, 960)), "PNG"), "PNG", (1280, 960)),
    "png": (lambda im: encode(im, "PNG"), "PNG", (640, 480)),
    "webp lossy": (lambda im: encode(im, "WEBP", quality=50), "WEBP", (640, 480)),
    "webp lossless": (lambda im: encode(im, "WEBP", lossless=True), "WEBP", (640, 480)),
    "gif": (lambda im: encode(im, "GIF"), "GIF", (640, 480)),
    "heic": (_heic, "HEIF", (640, 480)),
    "avif": (lambda im: encode(im, "AVIF", quality=60), "AVIF", (640, 480)),
    "bmp": (lambda im: encode(im, "BMP"), "BMP", (640, 480)),
    "cmyk jpeg": (lambda im: encode(im.convert("CMYK"), "JPEG"), "JPEG", (640, 480)),
    "palette png": (lambda im: encode(im.convert("P"), "PNG"), "PNG", (640, 480)),
    "rgba png": (lambda im: encode(im.convert("RGBA"), "PNG"), "PNG", (640, 480)),
    "grayscale jpeg": (lambda im: encode(im.convert("L"), "JPEG"), "JPEG", (640, 480)),
    "grayscale+alpha png": (lambda im: encode(im.convert("LA"), "PNG"), "PNG", (640, 480)),
    "16-bit grayscale png": (
        lambda im: encode(Image.fromarray(np.asarray(im.convert("L"), dtype=np.uint16) * 257), "PNG"),
        "PNG",
        (640, 480),
    ),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_reencoded_copy_hashes_near(variant: str, original: Image.Image, reference: PhotoFacts) -> None:
    make, fmt, size = VARIANTS[variant]
    facts = photo_facts(make(original))
    assert facts.error is None
    assert facts.format == fmt
    assert (facts.width, facts.height) == size
    assert hamming(facts.phash, reference.phash) <= NEAR_DUPLICATE_DISTANCE
    assert hamming(facts.dhash, reference.dhash) <= 12


def test_large_jpeg_is_hashed_like_its_small_copy() -> None:
    """A camera-size JPEG is decoded at reduced scale, yet hashes as the full picture does."""
    big = scene(3).resize((4800, 3600), Image.Resampling.BICUBIC)
    small = photo_facts(encode(big.resize((600, 450)), "PNG"))
    facts = photo_facts(encode(big, "JPEG", quality=85))
    assert (facts.width, facts.height, facts.format) == (4800, 3600, "JPEG")
    assert hamming(facts.phash, small.phash) <= 2


def test_large_png_with_alpha_is_hashed_like_its_small_copy() -> None:
    big = scene(6).resize((2400, 1800), Image.Resampling.BICUBIC).convert("RGBA")
    small = photo_facts(encode(big.convert("RGB").resize((600, 450)), "JPEG", quality=90))
    facts = photo_facts(encode(big, "PNG", compress_level=1))
    assert (facts.width, facts.height, facts.format) == (2400, 1800, "PNG")
    assert hamming(facts.phash, small.phash) <= 2
    assert hamming(facts.dhash, small.dhash) <= 4


def test_different_photos_hash_far_apart() -> None:
    facts = [photo_facts(encode(scene(seed), "JPEG", quality=85)) for seed in range(10, 22)]
    for a, b in itertools.combinations(facts, 2):
        assert hamming(a.phash, b.phash) > 2 * NEAR_DUPLICATE_DISTANCE
        assert hamming(a.dhash, b.dhash) > 2 * NEAR_DUPLICATE_DISTANCE


def test_transparent_background_hashes_like_white_background() -> None:
    """A cut-out on transparency and the same picture flattened on white are the same photo."""
    rgba = scene(4).convert("RGBA")
    alpha = Image.new("L", rgba.size, 0)
    alpha.paste(255, (100, 80, 540, 400))
    rgba.putalpha(alpha)
    on_white = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    a = photo_facts(encode(rgba, "PNG"))
    b = photo_facts(encode(on_white, "JPEG", quality=90))
    assert hamming(a.phash, b.phash) <= 2


# --- EXIF orientation --------------------------------------------------------------------------------

# Orientation tag → the pixel operation a camera stores; the viewer (and exif_transpose) undoes it.
STORED_AS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def _with_orientation(im: Image.Image, orientation: int, fmt: str) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(im.transpose(STORED_AS[orientation]), fmt, exif=exif.tobytes())


@pytest.mark.parametrize("orientation", sorted(STORED_AS))
def test_exif_rotated_upload_hashes_as_displayed(
    orientation: int, original: Image.Image, reference: PhotoFacts
) -> None:
    rotated = photo_facts(_with_orientation(original, orientation, "JPEG"))
    assert (rotated.width, rotated.height) == original.size
    assert hamming(rotated.phash, reference.phash) <= NEAR_DUPLICATE_DISTANCE
    # Control: the same stored pixels without the tag are a different picture to the hash.
    untagged = photo_facts(encode(original.transpose(STORED_AS[orientation]), "JPEG"))
    assert hamming(untagged.phash, reference.phash) > NEAR_DUPLICATE_DISTANCE


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_exif_orientation_in_other_formats(fmt: str, original: Image.Image, reference: PhotoFacts) -> None:
    facts = photo_facts(_with_orientation(original, 6, fmt))
    assert (facts.width, facts.height) == original.size
    assert hamming(facts.phash, reference.phash) <= NEAR_DUPLICATE_DISTANCE


def test_large_rotated_jpeg_reports_displayed_size() -> None:
    big = scene(5).resize((4000, 3000), Image.Resampling.BICUBIC)
    upright = photo_facts(encode(big, "JPEG", quality=85))
    facts = photo_facts(_with_orientation(big, 6, "JPEG"))
    assert (facts.width, facts.height) == (4000, 3000)
    assert hamming(facts.phash, upright.phash) <= NEAR_DUPLICATE_DISTANCE


# --- animations: the first frame is the photo --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_animated_image_hashes_first_frame(fmt: str) -> None:
    first, second = scene(30), scene(31)
    data = encode(first, fmt, save_all=True, append_images=[second], duration=200, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    facts = photo_facts(data)
    assert facts.error is None
    assert hamming(facts.phash, photo_facts(encode(first, "PNG")).phash) <= NEAR_DUPLICATE_DISTANCE
    assert hamming(facts.phash, photo_facts(encode(second, "PNG")).phash) > 2 * NEAR_DUPLICATE_DISTANCE


# --- bad input never raises --------------------------------------------------------------------------


def _assert_refused(facts: PhotoFacts, data: bytes, code: str) -> None:
    assert facts.error is not None
    assert facts.error.startswith(code + ":"), facts.error
    assert facts.phash is None and facts.dhash is None and facts.width is None and facts.format is None
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert not facts.ok


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _flip_middle_byte(data: bytes) -> bytes:
    corrupt = bytearray(data)
    corrupt[len(corrupt) // 2] ^= 0xFF
    return bytes(corrupt)


BAD_INPUTS = {
    "zero bytes": (lambda: b"", "empty"),
    "text": (lambda: b"Bel 06-12345678, niet een foto", "not_an_image"),
    "random bytes": (lambda: np.random.default_rng(1).bytes(20_000), "not_an_image"),
    "png signature only": (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not_an_image"),
    "tiff (not accepted)": (lambda: encode(scene(2), "TIFF"), "not_an_image"),
    "truncated jpeg": (lambda: _truncated(encode(scene(2), "JPEG")), "broken"),
    "jpeg without end": (lambda: encode(scene(2), "JPEG")[:-40], "broken"),
    "jpeg header only": (lambda: encode(scene(2), "JPEG")[:300], "broken"),
    "truncated png": (lambda: _truncated(encode(scene(2), "PNG")), "broken"),
    "corrupt png data": (lambda: _flip_middle_byte(encode(scene(2), "PNG")), "broken"),
    "truncated gif": (lambda: _truncated(encode(scene(2), "GIF")), "broken"),
    "truncated webp": (lambda: _truncated(encode(scene(2), "WEBP")), "broken"),
    "truncated heic": (lambda: _truncated(_heic(scene(2))), "broken"),
    "header claims 10 gigapixels": (lambda: png_with_header(100_000, 100_000), "too_many_pixels"),
    "header over our pixel limit": (lambda: png_with_header(8000, 6000), "too_many_pixels"),
    "real decompression bomb": (real_png_bomb, "too_many_pixels"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_sets_error_and_does_not_raise(case: str) -> None:
    make, code = BAD_INPUTS[case]
    data = make()
    _assert_refused(photo_facts(data), data, code)


def test_limits_are_parameters() -> None:
    data = encode(scene(2), "PNG")
    assert photo_facts(data).ok
    _assert_refused(photo_facts(data, max_pixels=640 * 480 - 1), data, "too_many_pixels")
    _assert_refused(photo_facts(data, max_bytes=len(data) - 1), data, "too_large")
    assert photo_facts(data, max_bytes=len(data), max_pixels=640 * 480).ok


def test_200_mb_file_is_refused_by_size_without_decoding() -> None:
    jpeg_start = encode(scene(2), "JPEG")
    data = jpeg_start + b"\0" * (200_000_000 - len(jpeg_start))
    tracemalloc.start()
    try:
        facts = photo_facts(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    _assert_refused(facts, data, "too_large")
    assert "200000000 bytes" in facts.error
    assert peak < 1_000_000, f"{peak} bytes allocated for a file that should not be read"


# --- no biometrics, ever -----------------------------------------------------------------------------

FORBIDDEN = [
    r"\bface_recognition\b",
    r"\bdlib\b",
    r"CascadeClassifier",
    r"haarcascade",
    r"\bmediapipe\b",
    r"\binsightface\b",
    r"\bdeepface\b",
    r"\bfacenet",
    r"\bretinaface\b",
    r"\bmtcnn\b",
    r"\barcface\b",
    r"FaceDetectorYN",
    r"detectMultiScale",
    r"\bface_locations\b",
    r"\bface_encodings\b",
]
FORBIDDEN_RE = re.compile("|".join(FORBIDDEN), re.IGNORECASE)
SCANNED_SUFFIXES = {".py", ".pyi", ".toml", ".cfg", ".txt", ".yaml", ".yml", ".json", ".html", ".js", ".md"}


def forbidden_uses(paths: list[Path]) -> list[str]:
    hits = []
    for path in paths:
        if path.suffix not in SCANNED_SUFFIXES or not path.is_file():
            continue
        text = path.read_text("utf-8", errors="replace")
        for lineno, line in enumerate(text.splitlines(), 1):
            match = FORBIDDEN_RE.search(line)
            if match:
                hits.append(f"{path}:{lineno}: {match.group(0)}")
    return hits


def test_no_face_detection_or_recognition_in_the_code_base() -> None:
    files = [*PACKAGE.rglob("*"), REPO / "pyproject.toml"]
    assert any(p.name == "photos.py" for p in files), "scan did not reach the package"
    assert forbidden_uses(files) == []


@pytest.mark.parametrize(
    "line",
    [
        "import face_recognition",
        "from deepface import DeepFace",
        "import dlib",
        "detector = cv2.CascadeClassifier(path)",
        "cv2.data.haarcascades + 'haarcascade_frontalface_default.xml'",
        "import mediapipe as mp",
        "from insightface.app import FaceAnalysis",
        'dependencies = ["mediapipe>=0.10"]',
    ],
)
def test_forbidden_scan_catches_biometric_code(tmp_path: Path, line: str) -> None:
    module = tmp_path / "module.py"
    module.write_text(f'"""A module."""\n{line}\n')
    assert forbidden_uses([module]) == [f"{module}:2: {FORBIDDEN_RE.search(line).group(0)}"]
