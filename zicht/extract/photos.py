"""Photo facts: content hash and perceptual hashes, so a re-uploaded photo links two ads.

Photos are compared only as whole pictures, by perceptual hash (pHash, dHash). This module, and the
project, never detects, recognises, embeds or measures faces or bodies: that would be biometric
processing of special-category data, which the purpose (finding the same ad photo again) does not need
and the law does not allow here. tests/extract/test_photos.py fails if such libraries appear.

Input is untrusted (scraped from ad sites), so decoding is bounded: the byte size is checked before
anything is parsed, the pixel count is checked from the header before any pixel is decoded, only a few
raster formats are accepted, and every failure comes back as ``PhotoFacts.error`` instead of an
exception, so one bad photo never stops an ad.

Hashes are stored as signed 64-bit integers (two's complement of imagehash's unsigned value): both
SQLite and PostgreSQL BIGINT are signed, and ``hamming`` works directly on the stored values.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import imagehash
import numpy as np
from PIL import Image, ImageOps

PHOTOS_VERSION = "photos-1"

# Distance (out of 64 bits) at or below which two pHashes are treated as the same photo re-encoded,
# resized or lightly edited. Measured on re-encodes in tests/extract/test_photos.py.
NEAR_DUPLICATE_DISTANCE = 8

# Formats ad sites and phones produce. Others (TIFF, EPS, PSD, ...) are refused: more parser surface for
# no gain. Multi-picture JPEGs from phone cameras open through "JPEG" and report themselves as "MPO".
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "HEIF", "AVIF", "BMP")

# Hashes reduce to 32x32 (pHash) and 9x8 (dHash); decoding larger than this only costs memory and time.
# Every image is brought to at most this size the same way, so a JPEG decoded at reduced scale hashes
# like the same picture saved as PNG.
_HASH_WORKING_SIZE = 512

_MASK64 = (1 << 64) - 1
_SIGN_BIT = 1 << 63


@dataclass(frozen=True)
class PhotoFacts:
    """What is kept of one photo. Hashes, size and format are None when ``error`` says why."""

    sha256: str
    phash: int | None = None
    dhash: int | None = None
    width: int | None = None
    height: int | None = None
    format: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class PhotoError(Exception):
    """A photo that cannot be decoded safely; ``str()`` is the message stored as the error."""


def to_signed64(value: int) -> int:
    """Unsigned 64-bit hash → signed int64 (two's complement), as stored in BIGINT columns."""
    if not 0 <= value <= _MASK64:
        raise ValueError(f"not an unsigned 64-bit value: {value}")
    return value - (1 << 64) if value & _SIGN_BIT else value


def from_signed64(value: int) -> int:
    """Signed int64 as stored → the unsigned 64-bit hash (e.g. to show it as hex)."""
    if not -_SIGN_BIT <= value < _SIGN_BIT:
        raise ValueError(f"not a signed 64-bit value: {value}")
    return value & _MASK64


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes, signed or unsigned."""
    return ((a ^ b) & _MASK64).bit_count()


def _available_formats() -> tuple[str, ...]:
    """The accepted formats this Pillow can open, with HEIC/HEIF (iPhone photos) registered on first use."""
    if "HEIF" not in Image.OPEN:
        import pillow_heif

        pillow_heif.register_heif_opener()
    Image.init()
    return tuple(f for f in ACCEPTED_FORMATS if f in Image.OPEN)


def open_first_frame(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    draft_size: int | None = None,
) -> tuple[Image.Image, str, tuple[int, int]]:
    """Decode the first frame of ``data`` within limits, upright (EXIF orientation applied).

    Returns the loaded image, its format name and the full-size dimensions as displayed (after
    orientation), which differ from the image's own size when ``draft_size`` let a JPEG decode smaller.
    Raises PhotoError with a stored-as-is message for anything that is not a safely decodable picture.
    """
    size = len(data)
    if size == 0:
        raise PhotoError("empty: no bytes")
    if size > max_bytes:
        raise PhotoError(f"too_large: {size} bytes is over the limit of {max_bytes} bytes; not decoded")
    formats = _available_formats()
    try:
        im = Image.open(io.BytesIO(data), formats=formats)
    except Image.DecompressionBombError as exc:
        raise PhotoError(f"too_many_pixels: {exc}") from None
    except Image.UnidentifiedImageError:
        raise PhotoError(f"not_an_image: not one of {', '.join(formats)}") from None
    except Exception as exc:  # untrusted bytes: any parser failure is a property of the file
        raise PhotoError(f"broken: {type(exc).__name__}: {exc}") from None
    try:
        fmt = "JPEG" if im.format == "MPO" else str(im.format)
        width, height = im.size
        if width <= 0 or height <= 0:
            raise PhotoError(f"broken: image has no pixels ({width}x{height})")
        if width * height > max_pixels:
            raise PhotoError(
                f"too_many_pixels: {width}x{height} is over the limit of {max_pixels} pixels; not decoded"
            )
        if draft_size and fmt == "JPEG":
            # DCT-domain downscaling: a 40-megapixel JPEG decodes at 1/8 size, in 1/64 of the memory.
            im.draft("RGB", (draft_size, draft_size))
        im.seek(0)
        im.load()
        upright = ImageOps.exif_transpose(im)
        loaded_size = im.size
        if upright.size != loaded_size and upright.size == (loaded_size[1], loaded_size[0]):
            width, height = height, width
        return upright, fmt, (width, height)
    except PhotoError:
        raise
    except Image.DecompressionBombError as exc:
        raise PhotoError(f"too_many_pixels: {exc}") from None
    except Exception as exc:  # truncated data, corrupt chunks, decoder errors, MemoryError
        raise PhotoError(f"broken: {type(exc).__name__}: {exc}") from None


def to_grayscale(im: Image.Image) -> Image.Image:
    """Any mode → 8-bit grayscale; transparency becomes white, as a browser shows it on a white page.

    Without flattening, transparent pixels keep whatever colour the encoder left behind, and the same
    picture as PNG (with alpha) and JPEG (without) would hash apart.
    """
    if im.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(im, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        scaled = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        return Image.fromarray(scaled.round().astype(np.uint8), mode="L")
    has_alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        im.mode in ("P", "L", "RGB") and "transparency" in im.info
    )
    if has_alpha:
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("L")
    if im.mode == "L":
        return im
    if im.mode in ("1", "P", "CMYK", "YCbCr", "LAB", "HSV"):
        im = im.convert("RGB")
    return im.convert("L")


def _shrink(im: Image.Image, working_size: int) -> Image.Image:
    """Box-reduce a large decoded image by a whole factor (long side stays >= ``working_size``) before
    any mode conversion, so converting a 40-megapixel PNG costs kilobytes, not hundreds of megabytes."""
    factor = max(im.size) // working_size
    if factor < 2:
        return im
    try:
        return im.reduce(factor)
    except ValueError:  # modes reduce() does not support (palette, 1-bit, 16-bit): small anyway
        return im


def _hash_int(h: imagehash.ImageHash) -> int:
    return to_signed64(int(str(h), 16))


def photo_facts(data: bytes, *, max_bytes: int = 25_000_000, max_pixels: int = 40_000_000) -> PhotoFacts:
    """Hash one photo. Never raises on bad input: the reason is in ``error`` and the caller carries on."""
    data = bytes(data)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        im, fmt, (width, height) = open_first_frame(
            data, max_bytes=max_bytes, max_pixels=max_pixels, draft_size=_HASH_WORKING_SIZE
        )
        gray = to_grayscale(_shrink(im, _HASH_WORKING_SIZE))
        if max(gray.size) > _HASH_WORKING_SIZE:
            gray.thumbnail((_HASH_WORKING_SIZE, _HASH_WORKING_SIZE), Image.Resampling.LANCZOS)
        phash = _hash_int(imagehash.phash(gray))
        dhash = _hash_int(imagehash.dhash(gray))
    except PhotoError as exc:
        return PhotoFacts(sha256=sha256, error=str(exc))
    except Exception as exc:  # a decoder bug must not stop the ad; keep the reason
        return PhotoFacts(sha256=sha256, error=f"broken: {type(exc).__name__}: {exc}")
    return PhotoFacts(
        sha256=sha256, phash=phash, dhash=dhash, width=width, height=height, format=fmt, error=None
    )
