"""Text written on ad photos (phone numbers, site names), read with the tesseract binary.

Ads that hide a number from text search often put it on a photo instead; reading it back lets the same
contact-point extraction run on it (``source="photo"``). Only text is read: no face detection,
recognition or any other biometric analysis, for the reasons given in ``zicht.extract.photos``.

Tesseract runs as a subprocess (no Python binding to install or crash the worker) with a timeout and one
thread, so a pathological image costs at most its timeout of one core. A missing binary, a timeout or an
undecodable photo is an ``OcrResult.error``, never an exception: the ad is processed without it.

Most of a one-photo tesseract run is start-up and loading the language models, so ``ocr_many`` reads
photos in batches: one tesseract process per batch, given a list file of images, whose TSV output says
per word which image (``page_num``) it came from. Batches run in parallel processes, one per core.
``ocr_text`` is ``ocr_many`` of one photo, so both give the same result for the same photo.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageFilter, ImageSequence

from zicht.extract.photos import PhotoError, open_first_frame, to_grayscale

if TYPE_CHECKING:
    from zicht.extract.types import Contact

OCR_VERSION = "ocr-3"


@dataclass(frozen=True)
class OcrPass:
    """One tesseract reading of a photo: brought to at least ``min_long_side`` pixels (long side),
    segmented with page segmentation mode ``psm`` and binarised with ``thresholding`` (tesseract's
    ``thresholding_method``: 0 global Otsu, 2 local Sauvola). With ``first_language_only`` it reads with
    the first of the languages asked for: tesseract tries every language on every doubtful word, and
    sparse-text mode finds many doubtful "words" in textures."""

    min_long_side: int
    psm: int
    thresholding: int
    first_language_only: bool = False


# Two cheap readings instead of one expensive one. Tesseract's layout analysis finds a caption on a busy
# photo in one setting and drops it whole in another, differently for each photo, so two different
# readings find far more than one big one. benchmarks/bench_photos.py --recall 200 (numbers and words
# read back, CPU per photo; sets: numbers and "nieuw!" captions on demo photos, captions on photo-like
# scenes, watermark-sized numbers of 10-20 px; no set had a number read from a clean demo photo):
#                                                      numbers  "nieuw"  scenes  small    CPU
#   ocr-1  1800 px, stretched, inverted if dark,
#          psm 11 Sauvola                              117/144    27/56   12/12  15/60  147 ms
#   ocr-2  640 px psm 11 Otsu (Dutch only)
#          + 1120 px psm 3 Sauvola                     143/144    52/56   12/12  29/60   83 ms
# Sparse text (psm 11) near the native size reads captions anywhere on the photo; full layout analysis
# (psm 3) on a larger, locally binarised copy reads light-on-dark bands and small watermarks. Enlarging
# a normal-sized photo more loses captions (tesseract's LSTM reads lines some 30-40 px high best), and
# inverting a dark photo or stretching its contrast loses dark captions on a light strip. The second
# pass at 960 px costs 73 ms and misses one scene caption; at 640 px, 55 ms and 17/60 small numbers.
DEFAULT_PASSES = (OcrPass(640, 11, 0, first_language_only=True), OcrPass(1120, 3, 2))

# Tesseract misses letters only a few pixels high, so a tiny image is enlarged (at most 4x); very large
# ones are reduced to bound the run time.
_MAX_UPSCALE = 4.0
_MAX_LONG_SIDE = 4000

# Animated GIF/WebP/PNG: a number may show on a later frame only. Up to _MAX_FRAMES different frames,
# found among the first _MAX_SCANNED_FRAMES, are read as one sheet (one above the other), so a photo is
# still one image per pass. Frames that look the same as one already taken (same small thumbnail) are
# skipped: most animations repeat or barely move.
_MAX_FRAMES = 6
_MAX_SCANNED_FRAMES = 60
_FRAME_GAP = 24  # white rows between frames on the sheet, so tesseract sees separate text blocks

_LANGS_RE = re.compile(r"^[A-Za-z_]+(\+[A-Za-z_]+)*$")
_STDERR_TAIL = 300

Line = list[tuple[str, float]]  # the kept words of one text line, with their confidence


@dataclass(frozen=True)
class OcrResult:
    """Text found on one photo (empty when there is none) or why it could not be read."""

    text: str
    error: str | None = None
    confidence: float | None = None  # tesseract's mean word confidence (0-100) of the kept words

    @property
    def ok(self) -> bool:
        return self.error is None


def prepare_for_ocr(im: Image.Image, min_long_side: int = DEFAULT_PASSES[0].min_long_side) -> Image.Image:
    """Grayscale (transparency on white), enlarged to ``min_long_side`` when smaller, reduced when huge.

    Neither inverted nor contrast-stretched: tesseract handles light-on-dark lines itself, and both
    changes lost dark captions on light strips in busy photos (see ``DEFAULT_PASSES``).
    """
    gray = to_grayscale(im)
    if max(gray.size) > _MAX_LONG_SIDE:
        gray = gray.copy()
        gray.thumbnail((_MAX_LONG_SIDE, _MAX_LONG_SIDE), Image.Resampling.LANCZOS)
    return _enlarged(gray, min_long_side)


def _enlarged(gray: Image.Image, min_long_side: int) -> Image.Image:
    long_side = max(gray.size)
    if long_side >= min_long_side:
        return gray
    factor = min(_MAX_UPSCALE, min_long_side / long_side)
    size = (max(1, round(gray.width * factor)), max(1, round(gray.height * factor)))
    return gray.resize(size, Image.Resampling.LANCZOS)


def text_from_tsv(tsv: str, min_confidence: float) -> tuple[str, float | None]:
    """Lines of the words tesseract is confident about, and their mean confidence.

    On textured photos tesseract "reads" short nonsense words in skin, fabric and furniture with low
    confidence; real captions score far higher, so a confidence floor removes most of that noise. What
    remains are lone marks ("4", "_", "te"): a line is kept only with two digits or three letters/digits,
    which any contact point or word worth showing has.
    """
    lines: list[Line] = [line for page in _tsv_lines(tsv, min_confidence).values() for line in page]
    result = _result_from_lines([lines])
    return result.text, result.confidence


def _tsv_lines(tsv: str, min_confidence: float) -> dict[int, list[Line]]:
    """Kept lines per page number (1-based), every page tesseract reported, in order of appearance."""
    pages: dict[int, dict[tuple[str, str, str], Line]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) != 12 or not cols[1].isdigit():
            continue
        page = pages.setdefault(int(cols[1]), {})
        if cols[0] != "5" or not cols[11].strip():
            continue
        try:
            conf = float(cols[10])
        except ValueError:
            continue
        if conf >= min_confidence:
            page.setdefault((cols[2], cols[3], cols[4]), []).append((cols[11].strip(), conf))
    return {
        n: [words for words in lines.values() if _worth_keeping("".join(w for w, _ in words))]
        for n, lines in pages.items()
    }


def _worth_keeping(line: str) -> bool:
    return sum(ch.isdigit() for ch in line) >= 2 or sum(ch.isalnum() for ch in line) >= 3


def _result_from_lines(readings: Sequence[Sequence[Line]]) -> OcrResult:
    """One result from several readings of a photo: their lines in order, a line read twice once."""
    seen: set[str] = set()
    kept: list[Line] = []
    for lines in readings:
        for words in lines:
            key = " ".join(w for w, _ in words).casefold()
            if key not in seen:
                seen.add(key)
                kept.append(words)
    confidences = [conf for words in kept for _, conf in words]
    text = "\n".join(" ".join(w for w, _ in words) for words in kept)
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return OcrResult(text, None, mean)


@dataclass(frozen=True)
class _Settings:
    binary: str | None
    tesseract_cmd: str
    langs: str
    passes: tuple[OcrPass, ...]
    timeout_s: float
    image_timeout_s: float
    min_confidence: float
    max_bytes: int
    max_pixels: int


def ocr_many(
    images: Sequence[bytes],
    *,
    workers: int | None = None,
    batch_size: int = 24,
    timeout_s: float = 120,
    image_timeout_s: float = 20,
    langs: str = "nld+eng",
    tesseract_cmd: str = "tesseract",
    passes: Sequence[OcrPass] = DEFAULT_PASSES,
    min_confidence: float = 70,
    max_bytes: int = 25_000_000,
    max_pixels: int = 40_000_000,
) -> list[OcrResult]:
    """Read the text on many photos; the result for each photo is what ``ocr_text`` gives for it.

    Photos are decoded and prepared first, so an undecodable or oversized one gets its own error and
    never reaches tesseract. Each batch of up to ``batch_size`` photos is one tesseract process per pass
    (``timeout_s`` each), up to ``workers`` batches at a time (default: one per CPU). When a batch run
    fails or times out, its photos are read one by one (``image_timeout_s`` each), so one bad photo
    cannot lose the others. Work files live in a private temporary directory, removed afterwards.
    """
    count = len(images)
    if not _LANGS_RE.match(langs):
        return [OcrResult("", f"bad_langs: {langs!r} is not like 'nld+eng'")] * count
    if not passes:
        raise ValueError("ocr_many needs at least one OcrPass")
    settings = _Settings(
        binary=shutil.which(tesseract_cmd),
        tesseract_cmd=tesseract_cmd,
        langs=langs,
        passes=tuple(passes),
        timeout_s=timeout_s,
        image_timeout_s=image_timeout_s,
        min_confidence=min_confidence,
        max_bytes=max_bytes,
        max_pixels=max_pixels,
    )
    wanted = max(1, workers or os.cpu_count() or 1)
    size = max(1, min(batch_size, -(-count // wanted)))  # a few photos still spread over the workers
    batches = [range(start, min(start + size, count)) for start in range(0, count, size)]
    results: list[OcrResult] = [OcrResult("", "not_read")] * count
    with tempfile.TemporaryDirectory(prefix="zicht-ocr-") as workdir:

        def read(batch: range) -> list[tuple[int, OcrResult]]:
            return _read_batch(images, batch, Path(workdir), settings)

        parallel = min(wanted, len(batches))
        if parallel <= 1:
            done = [read(batch) for batch in batches]
        else:
            with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="ocr") as pool:
                done = list(pool.map(read, batches))
        for batch_results in done:
            for index, result in batch_results:
                results[index] = result
    return results


def ocr_text(
    data: bytes,
    *,
    timeout_s: float = 20,
    langs: str = "nld+eng",
    tesseract_cmd: str = "tesseract",
    passes: Sequence[OcrPass] = DEFAULT_PASSES,
    min_confidence: float = 70,
    max_bytes: int = 25_000_000,
    max_pixels: int = 40_000_000,
) -> OcrResult:
    """Read the text on one photo (each pass limited to ``timeout_s``). Never raises on bad input or a
    missing tesseract. ``min_confidence`` (0-100) drops the nonsense words read in textures.

    For more than a few photos use ``ocr_many``: tesseract starts (and loads its language models) once
    per batch instead of once per photo, about a quarter of the cost per photo.
    """
    return ocr_many(
        [data],
        workers=1,
        batch_size=1,
        timeout_s=timeout_s,
        image_timeout_s=timeout_s,
        langs=langs,
        tesseract_cmd=tesseract_cmd,
        passes=passes,
        min_confidence=min_confidence,
        max_bytes=max_bytes,
        max_pixels=max_pixels,
    )[0]


def _read_batch(
    images: Sequence[bytes], batch: range, workdir: Path, settings: _Settings
) -> list[tuple[int, OcrResult]]:
    """Prepare the batch's photos as files, read them pass by pass, combine the readings per photo."""
    out: list[tuple[int, OcrResult]] = []
    batch_dir = Path(tempfile.mkdtemp(prefix=f"b{batch.start}-", dir=workdir))
    try:
        ready: list[tuple[int, list[str]]] = []  # photo index, its file for each pass
        for index in batch:
            try:
                files = _prepare_files(images[index], index, batch_dir, settings)
            except PhotoError as exc:
                out.append((index, OcrResult("", str(exc))))
                continue
            except Exception as exc:  # untrusted image: report, do not stop the batch
                out.append((index, OcrResult("", f"broken: {type(exc).__name__}: {exc}")))
                continue
            ready.append((index, files))
        if settings.binary is None:
            missing = OcrResult(
                "",
                f"tesseract_missing: '{settings.tesseract_cmd}' not found (install tesseract-ocr, "
                "tesseract-ocr-nld, tesseract-ocr-eng)",
            )
            return out + [(index, missing) for index, _ in ready]
        readings = [
            _read_pass([(index, files[n]) for index, files in ready], spec, batch_dir, settings)
            for n, spec in enumerate(settings.passes)
        ]
        for index, _ in ready:
            per_pass = [reading[index] for reading in readings]
            error = next((r for r in per_pass if isinstance(r, str)), None)
            if error is not None:
                out.append((index, OcrResult("", error)))
            else:
                out.append((index, _result_from_lines([r for r in per_pass if not isinstance(r, str)])))
        return out
    finally:
        shutil.rmtree(batch_dir, ignore_errors=True)


def _prepare_files(data: bytes, index: int, batch_dir: Path, settings: _Settings) -> list[str]:
    """Decode one photo within limits and write its prepared image for each pass (file names relative to
    the batch directory; passes that want the same size share a file). Raises PhotoError."""
    data = bytes(data)
    im, fmt, _size = open_first_frame(
        data, max_bytes=settings.max_bytes, max_pixels=settings.max_pixels, draft_size=_MAX_LONG_SIDE
    )
    if settings.binary is None:
        return []
    base = prepare_for_ocr(_for_ocr(im, fmt), min_long_side=0)
    base = _with_later_frames(base, data, fmt, settings.max_pixels)
    by_size: dict[tuple[int, int], str] = {}
    files = []
    for spec in settings.passes:
        prepared = _enlarged(base, spec.min_long_side)
        name = by_size.get(prepared.size)
        if name is None:
            # Uncompressed PGM: nothing to compress here, nothing to decompress in tesseract.
            name = f"{index:07d}-{len(by_size)}.pgm"
            prepared.save(batch_dir / name, "PPM")
            by_size[prepared.size] = name
        files.append(name)
    return files


def _for_ocr(im: Image.Image, fmt: str) -> Image.Image:
    """Grayscale; a palette image (GIF) also slightly blurred. Pillow's default palette conversion
    dithers, and tesseract reads dithered letters as noise: a caption on a pink GIF gave no text at all,
    the same GIF blurred by one pixel reads back whole (tests/extract/test_ocr.py)."""
    palette = im.mode in ("P", "PA") or fmt == "GIF"
    gray = to_grayscale(im)
    return gray.filter(ImageFilter.GaussianBlur(1)) if palette else gray


def frames_for_ocr(data: bytes, fmt: str, max_pixels: int) -> list[Image.Image]:
    """The different frames of an animated photo after the first, grayscale (at most _MAX_FRAMES - 1,
    scanned among the first _MAX_SCANNED_FRAMES, within ``max_pixels`` in all). [] for a still photo."""
    if fmt not in ("GIF", "WEBP", "PNG"):
        return []
    try:
        im = Image.open(io.BytesIO(data), formats=(fmt,))
        if getattr(im, "n_frames", 1) <= 1:
            return []
        seen = {_frame_key(to_grayscale(im))}
        budget = max_pixels - im.width * im.height
        out: list[Image.Image] = []
        for number, frame in enumerate(ImageSequence.Iterator(im)):
            if number == 0:
                continue
            if (
                number >= _MAX_SCANNED_FRAMES
                or len(out) >= _MAX_FRAMES - 1
                or budget < frame.width * frame.height
            ):
                break
            gray = _for_ocr(frame.copy(), fmt)
            key = _frame_key(gray)
            if key in seen:
                continue
            seen.add(key)
            budget -= frame.width * frame.height
            out.append(gray)
        return out
    except Exception:  # untrusted bytes: a broken later frame costs only that frame's text
        return []


def _frame_key(gray: Image.Image) -> bytes:
    return gray.resize((16, 16), Image.Resampling.BILINEAR).point(lambda v: v // 16).tobytes()


def _with_later_frames(base: Image.Image, data: bytes, fmt: str, max_pixels: int) -> Image.Image:
    """``base`` (the prepared first frame) with the other frames of an animation below it, one sheet."""
    frames = frames_for_ocr(data, fmt, max_pixels)
    if not frames:
        return base
    frames = [_scaled_like(frame, base) for frame in frames]
    width = max(base.width, *(f.width for f in frames))
    height = base.height + sum(_FRAME_GAP + f.height for f in frames)
    sheet = Image.new("L", (width, height), 255)
    sheet.paste(base, (0, 0))
    top = base.height
    for frame in frames:
        top += _FRAME_GAP
        sheet.paste(frame, (0, top))
        top += frame.height
    if max(sheet.size) > _MAX_LONG_SIDE:
        sheet.thumbnail((_MAX_LONG_SIDE, _MAX_LONG_SIDE), Image.Resampling.LANCZOS)
    return sheet


def _scaled_like(frame: Image.Image, base: Image.Image) -> Image.Image:
    prepared = prepare_for_ocr(frame, min_long_side=0)
    if prepared.width == base.width or prepared.width == 0:
        return prepared
    factor = base.width / prepared.width
    size = (base.width, max(1, round(prepared.height * factor)))
    return prepared.resize(size, Image.Resampling.LANCZOS)


def _read_pass(
    items: list[tuple[int, str]], spec: OcrPass, batch_dir: Path, settings: _Settings
) -> dict[int, list[Line] | str]:
    """Kept lines (or an error message) per photo index for one pass over a batch."""
    if not items:
        return {}
    if len(items) == 1:
        index, name = items[0]
        return {index: _read_one(name, spec, batch_dir, settings)}
    list_file = batch_dir / f"list-{spec.psm}-{spec.thresholding}-{spec.min_long_side}.txt"
    list_file.write_text("".join(f"{name}\n" for _, name in items), encoding="utf-8")
    tsv = _run_tesseract(list_file.name, spec, batch_dir, settings, settings.timeout_s)
    if not tsv.startswith(_ERROR_PREFIXES):
        pages = _tsv_lines(tsv, settings.min_confidence)
        if sorted(pages) == list(range(1, len(items) + 1)):
            return {index: pages[n] for n, (index, _) in enumerate(items, start=1)}
    # The batch failed, timed out or lost track of its pages: read each photo on its own.
    return {index: _read_one(name, spec, batch_dir, settings) for index, name in items}


def _read_one(name: str, spec: OcrPass, batch_dir: Path, settings: _Settings) -> list[Line] | str:
    tsv = _run_tesseract(name, spec, batch_dir, settings, settings.image_timeout_s)
    if tsv.startswith(_ERROR_PREFIXES):
        return tsv
    return [line for page in _tsv_lines(tsv, settings.min_confidence).values() for line in page]


_ERROR_PREFIXES = ("timeout:", "tesseract_failed:")


def _run_tesseract(input_name: str, spec: OcrPass, cwd: Path, settings: _Settings, timeout_s: float) -> str:
    """TSV output of one tesseract run, or an error message starting with one of ``_ERROR_PREFIXES``
    (TSV output starts with its header, never with those)."""
    assert settings.binary is not None
    command = [
        settings.binary,
        input_name,
        "stdout",
        "-l",
        settings.langs.split("+")[0] if spec.first_language_only else settings.langs,
        "--psm",
        str(spec.psm),
        "-c",
        f"thresholding_method={spec.thresholding}",
        "tsv",
    ]
    try:
        proc = subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            timeout=timeout_s,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"timeout: tesseract took longer than {timeout_s:g} s"
    except OSError as exc:
        return f"tesseract_failed: {exc}"
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip()[-_STDERR_TAIL:]
        return f"tesseract_failed: exit {proc.returncode}: {stderr}"
    return proc.stdout.decode("utf-8", "replace")


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
    """Contact points in OCR text, every one marked ``source="photo"`` — also those read from a link on
    the photo ("wa.me/316..."), which the text extractor would mark "link": where a contact was found
    matters more than how it was written. The contacts extractor is imported lazily."""
    if isinstance(text, OcrResult):
        text = text.text
    if not text.strip():
        return []
    from dataclasses import replace

    from zicht.extract.contacts import find_contacts

    found = find_contacts(text, default_region=default_region, source="photo")
    return [c if c.source == "photo" else replace(c, source="photo") for c in found]
