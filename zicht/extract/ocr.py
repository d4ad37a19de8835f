"""Text written on ad photos (phone numbers, site names), read with the tesseract binary.

Ads that hide a number from text search often put it on a photo instead; reading it back lets the same
contact-point extraction run on it (``source="photo"``). Only text is read: no face detection,
recognition or any other biometric analysis, for the reasons given in ``zicht.extract.photos``.

Tesseract runs as a subprocess (no Python binding to install or crash the worker) with a timeout and one
thread, so a pathological image costs at most ``timeout_s`` of one core. A missing binary, a timeout or
an undecodable photo is an ``OcrResult.error``, never an exception: the ad is processed without it.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

from zicht.extract.photos import PhotoError, open_first_frame, to_grayscale

if TYPE_CHECKING:
    from zicht.extract.types import Contact

OCR_VERSION = "ocr-1"

# Tesseract misses letters only a few pixels high, and ad photos are often 600-1000 px wide with small
# captions or watermarks, so small images are enlarged; very large ones are reduced to bound the run time.
_MIN_LONG_SIDE = 1800
_MAX_UPSCALE = 4.0
_MAX_LONG_SIDE = 4000

# Local (Sauvola) binarisation instead of tesseract's global Otsu: a caption in a dark box on a light photo
# otherwise becomes one black blob that sparse-text segmentation skips. On generated captions over photos
# this read 12 of 12 numbers where Otsu read 7 (the captions of benchmarks/bench_photos.py).
_SAUVOLA = ("-c", "thresholding_method=2")

_LANGS_RE = re.compile(r"^[A-Za-z_]+(\+[A-Za-z_]+)*$")
_STDERR_TAIL = 300


@dataclass(frozen=True)
class OcrResult:
    """Text found on one photo (empty when there is none) or why it could not be read."""

    text: str
    error: str | None = None
    confidence: float | None = None  # tesseract's mean word confidence (0-100) of the kept words

    @property
    def ok(self) -> bool:
        return self.error is None


def prepare_for_ocr(im: Image.Image) -> Image.Image:
    """Grayscale, scaled to a size tesseract reads well, full contrast, dark text on light ground.

    Tesseract's layout analysis expects dark text on a light page; captions on photos are often light on
    dark, so a mostly dark image is inverted.
    """
    gray = to_grayscale(im)
    long_side = max(gray.size)
    if long_side < _MIN_LONG_SIDE:
        factor = min(_MAX_UPSCALE, _MIN_LONG_SIDE / long_side)
        gray = gray.resize(
            (max(1, round(gray.width * factor)), max(1, round(gray.height * factor))),
            Image.Resampling.LANCZOS,
        )
    elif long_side > _MAX_LONG_SIDE:
        gray.thumbnail((_MAX_LONG_SIDE, _MAX_LONG_SIDE), Image.Resampling.LANCZOS)
    gray = ImageOps.autocontrast(gray, cutoff=1)
    histogram = gray.histogram()
    mean = sum(i * n for i, n in enumerate(histogram)) / max(1, gray.width * gray.height)
    if mean < 110:
        gray = ImageOps.invert(gray)
    return gray


def text_from_tsv(tsv: str, min_confidence: float) -> tuple[str, float | None]:
    """Lines of the words tesseract is confident about, and their mean confidence.

    On textured photos tesseract "reads" short nonsense words in skin, fabric and furniture with low
    confidence; real captions score far higher, so a confidence floor removes most of that noise. What
    remains are lone marks ("4", "_", "te"): a line is kept only with two digits or three letters/digits,
    which any contact point or word worth showing has.
    """
    lines: dict[tuple[str, str, str, str], list[tuple[str, float]]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) != 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            conf = float(cols[10])
        except ValueError:
            continue
        if conf >= min_confidence:
            lines.setdefault((cols[1], cols[2], cols[3], cols[4]), []).append((cols[11].strip(), conf))
    kept = [words for words in lines.values() if _worth_keeping("".join(w for w, _ in words))]
    confidences = [conf for words in kept for _, conf in words]
    text = "\n".join(" ".join(w for w, _ in words) for words in kept)
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return text, mean


def _worth_keeping(line: str) -> bool:
    return sum(ch.isdigit() for ch in line) >= 2 or sum(ch.isalnum() for ch in line) >= 3


def _run_tesseract(
    png: bytes, *, tesseract_cmd: str, langs: str, psm: int, timeout_s: float, min_confidence: float
) -> OcrResult:
    binary = shutil.which(tesseract_cmd)
    if binary is None:
        return OcrResult(
            "",
            f"tesseract_missing: '{tesseract_cmd}' not found (install tesseract-ocr, tesseract-ocr-nld, "
            "tesseract-ocr-eng)",
        )
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        proc = subprocess.run(
            [binary, "stdin", "stdout", "-l", langs, "--psm", str(psm), *_SAUVOLA, "tsv"],
            input=png,
            capture_output=True,
            timeout=timeout_s,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return OcrResult("", f"timeout: tesseract took longer than {timeout_s:g} s")
    except OSError as exc:
        return OcrResult("", f"tesseract_failed: {exc}")
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip()[-_STDERR_TAIL:]
        return OcrResult("", f"tesseract_failed: exit {proc.returncode}: {stderr}")
    text, confidence = text_from_tsv(proc.stdout.decode("utf-8", "replace"), min_confidence)
    return OcrResult(text, None, confidence)


def ocr_text(
    data: bytes,
    *,
    timeout_s: float = 20,
    langs: str = "nld+eng",
    tesseract_cmd: str = "tesseract",
    psm: int = 11,
    min_confidence: float = 70,
    max_bytes: int = 25_000_000,
    max_pixels: int = 40_000_000,
) -> OcrResult:
    """Read the text on one photo. Never raises on bad input or a missing tesseract.

    ``psm`` 11 (sparse text) finds captions scattered over a photo that page layout analysis (3) misses;
    ``min_confidence`` (0-100) then drops the nonsense words it also reads in textures.
    """
    if not _LANGS_RE.match(langs):
        return OcrResult("", f"bad_langs: {langs!r} is not like 'nld+eng'")
    try:
        im, _fmt, _size = open_first_frame(
            bytes(data), max_bytes=max_bytes, max_pixels=max_pixels, draft_size=_MAX_LONG_SIDE
        )
        prepared = prepare_for_ocr(im)
        png = _encode_png(prepared)
    except PhotoError as exc:
        return OcrResult("", str(exc))
    except Exception as exc:  # untrusted image: report, do not stop the ad
        return OcrResult("", f"broken: {type(exc).__name__}: {exc}")
    return _run_tesseract(
        png,
        tesseract_cmd=tesseract_cmd,
        langs=langs,
        psm=psm,
        timeout_s=timeout_s,
        min_confidence=min_confidence,
    )


def _encode_png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def tesseract_version(tesseract_cmd: str = "tesseract") -> str | None:
    """E.g. '5.3.0', to store next to OCR text (results differ between versions); None when missing."""
    binary = shutil.which(tesseract_cmd)
    if binary is None:
        return None
    try:
        proc = subprocess.run([binary, "--version"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"tesseract\s+v?(\S+)", (proc.stdout + proc.stderr).decode("utf-8", "replace"))
    return match.group(1) if match else None


def contacts_in_photo(text: str | OcrResult, default_region: str = "NL") -> list[Contact]:
    """Contact points in OCR text, marked ``source="photo"``; the contacts extractor is imported lazily."""
    if isinstance(text, OcrResult):
        text = text.text
    if not text.strip():
        return []
    from zicht.extract.contacts import find_contacts

    return find_contacts(text, default_region=default_region, source="photo")
