"""Throughput of photo hashing and OCR, OCR recall per setting, and the photo stage; prints figures,
asserts nothing.

    .venv/bin/python benchmarks/bench_photos.py [--photos 40] [--ocr 5] [--many 96] [--workers 2]
    .venv/bin/python benchmarks/bench_photos.py --recall 200   # OCR settings compared (minutes)
    .venv/bin/python benchmarks/bench_photos.py --stage 500    # `process` photo stage on a demo market

Hashing is the per-photo cost of every crawl; OCR is the expensive step, so its cost per photo decides
how long the photo stage of a whole market takes. CPU figures count tesseract's own processes too
(``os.times`` children): unlike wall time they hold on a machine busy with other work.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from zicht.demo.images import render_photo
from zicht.demo.market import generate_market
from zicht.extract.contacts import find_contacts
from zicht.extract.ocr import DEFAULT_PASSES, OCR_VERSION, OcrPass, ocr_many, ocr_text, tesseract_version
from zicht.extract.photos import PHOTOS_VERSION, photo_facts

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def scene(seed: int, size: tuple[int, int]) -> Image.Image:
    """Photo-like: smooth colour waves, discs and noise (computed small, scaled up: cheap to make)."""
    rng = np.random.default_rng(seed)
    w, h = 320, 240
    y, x = np.mgrid[0:h, 0:w] / w
    img = np.zeros((h, w, 3))
    for c in range(3):
        for _ in range(4):
            fx, fy = rng.uniform(0.5, 6, 2)
            img[..., c] += np.sin(2 * np.pi * (fx * x + fy * y) + rng.uniform(0, 6.3))
    for _ in range(6):
        cx, cy, r = rng.uniform(0, 1), rng.uniform(0, 0.75), rng.uniform(0.03, 0.2)
        img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(-2, 2, 3)
    img = (img - img.min()) / (img.max() - img.min()) * 255 + rng.normal(0, 4, img.shape)
    small = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    return small.resize(size, Image.Resampling.BICUBIC)


def encode(im: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kwargs)
    return buf.getvalue()


def font(size: int):
    return ImageFont.truetype(str(DEJAVU), size) if DEJAVU.exists() else ImageFont.load_default(size=size)


def with_caption(im: Image.Image, text: str) -> Image.Image:
    im = im.copy()
    draw = ImageDraw.Draw(im)
    left, top, right, bottom = draw.textbbox((30, im.height - 90), text, font=font(36))
    draw.rectangle((left - 10, top - 10, right + 10, bottom + 10), fill=(20, 20, 20))
    draw.text((30, im.height - 90), text, font=font(36), fill="white")
    return im


def with_small_number(im: Image.Image, number: str, size: int, style: str, rng: random.Random) -> Image.Image:
    """A watermark-sized number (10-20 px): dark on a light strip, light on a dark band, or outlined."""
    im = im.copy()
    draw = ImageDraw.Draw(im)
    x, y = rng.randint(10, 200), rng.randint(20, im.height - 40)
    left, top, right, bottom = draw.textbbox((x, y), number, font=font(size))
    if style == "outline":
        draw.text(
            (x, y),
            number,
            font=font(size),
            fill="white",
            stroke_width=max(1, size // 10),
            stroke_fill="black",
        )
        return im
    ground, ink = ((245, 245, 245), (15, 15, 15)) if style == "strip" else ((20, 20, 20), (250, 250, 250))
    draw.rectangle((left - 4, top - 4, right + 4, bottom + 4), fill=ground)
    draw.text((x, y), number, font=font(size), fill=ink)
    return im


# --- photo sets with what is written on them ---------------------------------------------------------

Sample = tuple[bytes, str | None]  # photo, and the E.164 number or word on it (None: nothing)


def demo_photos(n_captioned: int, n_clean: int, seed: int = 7) -> list[Sample]:
    """Photos of the 3,000-ad demo market as its site serves them: captioned ones (a phone number or
    "nieuw!") and clean ones, drawn at random."""
    market = generate_market(n_ads=3000)
    captioned: dict = {}
    clean: set = set()
    for ad in market.ads:
        for version, truth in zip(ad.versions, ad.truth.versions, strict=True):
            numbers = {p.rendered: p.e164 for p in truth.phones if p.where == "photo"}
            for photo in version.photos:
                if photo.overlay_text:
                    captioned[photo] = numbers.get(photo.overlay_text, photo.overlay_text.strip("!").lower())
                else:
                    clean.add(photo)
    rng = random.Random(seed)
    chosen = rng.sample(sorted(captioned, key=repr), min(n_captioned, len(captioned)))
    plain = rng.sample(sorted(clean, key=repr), min(n_clean, len(clean)))
    return [
        (render_photo(p.photo_id, p.variant, overlay_text=p.overlay_text), captioned[p]) for p in chosen
    ] + [(render_photo(p.photo_id, p.variant), None) for p in plain]


def small_number_photos(n: int, seed: int = 11) -> list[Sample]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        number = f"06-{rng.randint(10000000, 99999999)}"
        base = Image.open(io.BytesIO(render_photo(f"small{i:03d}", 0)))
        size, style = (10, 12, 14, 17, 20)[i % 5], ("strip", "band", "outline")[(i // 5) % 3]
        im = with_small_number(base.convert("RGB"), number, size, style, rng)
        out.append((encode(im, "JPEG", quality=85), "+31" + number[1:].replace("-", "")))
    return out


def captioned_scenes(n: int) -> list[Sample]:
    """Light numbers on a dark band over a photo-like scene (800x600)."""
    return [
        (
            encode(with_caption(scene(i, (800, 600)), f"06-{23456780 + i}"), "JPEG", quality=85),
            f"+316{23456780 + i}",
        )
        for i in range(n)
    ]


def found(text: str, want: str | None) -> bool:
    """The number is among the contacts read from the text, the word is in it; nothing: no number."""
    phones = {c.value for c in find_contacts(text, default_region="NL", source="photo") if c.kind == "phone"}
    if want is None:
        return not phones
    return want in phones if want.startswith("+") else want in text.lower()


# --- benchmarks --------------------------------------------------------------------------------------


def bench_hashing(n: int) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    cases = {
        "JPEG 800x600": lambda i: encode(scene(i, (800, 600)), "JPEG", quality=85),
        "JPEG 1600x1200": lambda i: encode(scene(i, (1600, 1200)), "JPEG", quality=85),
        "JPEG 4000x3000 (camera)": lambda i: encode(scene(i, (4000, 3000)), "JPEG", quality=85),
        "PNG 1280x960": lambda i: encode(scene(i, (1280, 960)), "PNG"),
        "WebP 1280x960": lambda i: encode(scene(i, (1280, 960)), "WEBP", quality=80),
        "HEIC 1280x960": lambda i: encode(scene(i, (1280, 960)), "HEIF", quality=60),
        "demo JPEG 480x640": lambda i: render_photo(f"hash{i:04d}", 0),
    }
    photo_facts(cases["HEIC 1280x960"](0))  # warm-up: imports scipy and the HEIF plugin once
    print(f"photo_facts ({PHOTOS_VERSION}), {n} photos per case, one thread:")
    for name, make in cases.items():
        photos = [make(i) for i in range(n)]
        megabytes = sum(map(len, photos)) / 1e6
        start = time.perf_counter()
        facts = [photo_facts(p) for p in photos]
        elapsed = time.perf_counter() - start
        assert all(f.ok for f in facts), [f.error for f in facts if not f.ok]
        print(f"  {name:26s} {n / elapsed:8.1f} photos/s   {megabytes / elapsed:7.1f} MB/s")


def _timed(run: Callable[[], list]) -> tuple[list, float, float]:
    """(result, wall seconds, CPU seconds of this process and its children)."""
    before, start = os.times(), time.perf_counter()
    result = run()
    after, wall = os.times(), time.perf_counter() - start
    cpu = sum(after[:4]) - sum(before[:4])
    return result, wall, cpu


def bench_ocr(n: int, workers: int) -> None:
    ocr_text(encode(_card("warm-up"), "PNG"))  # first run loads the language models into the page cache
    print(f"OCR ({OCR_VERSION}, tesseract {tesseract_version()}), {n} photos per case:")
    cases: dict[str, list[Sample]] = {
        "card with number 800x200": [
            (encode(_card(f"Bel 06-{12345670 + i}"), "JPEG", quality=85), f"+316{12345670 + i}")
            for i in range(n)
        ],
        "photo 800x600 + caption": captioned_scenes(n),
        "photo 1600x1200, no text": [
            (encode(scene(100 + i, (1600, 1200)), "JPEG", quality=85), None) for i in range(n)
        ],
    }
    for name, samples in cases.items():
        photos = [p for p, _ in samples]
        for label, run in (
            ("ocr_text one by one", lambda photos=photos: [ocr_text(p) for p in photos]),
            (f"ocr_many, {workers} workers", lambda photos=photos: ocr_many(photos, workers=workers)),
        ):
            results, wall, _cpu = _timed(run)
            right = sum(found(r.text, w) for r, (_, w) in zip(results, samples, strict=True))
            errors = [r.error for r in results if r.error]
            print(
                f"  {name:26s} {label:22s} {n / wall:6.1f} photos/s   right: {right}/{n}   errors: {len(errors)}"
            )


def bench_ocr_many(n: int, workers: int) -> None:
    """The demo market's photos, as the photo stage sees them: one by one against batches."""
    samples = demo_photos(n // 10, n - n // 10)
    photos = [p for p, _ in samples]
    print(f"OCR of {len(photos)} demo photos (480x640, 1 in 10 captioned), photos/s (CPU ms per photo):")
    runs = {
        "ocr_text, one by one": lambda: [ocr_text(p) for p in photos],
        "ocr_many, 1 worker": lambda: ocr_many(photos, workers=1),
        f"ocr_many, {workers} workers": lambda: ocr_many(photos, workers=workers),
    }
    baseline = None
    for label, run in runs.items():
        results, wall, cpu = _timed(run)
        baseline = baseline or results
        same = "same results" if results == baseline else "RESULTS DIFFER"
        right = sum(found(r.text, w) for r, (_, w) in zip(results, samples, strict=True))
        print(
            f"  {label:24s} {len(photos) / wall:6.1f} photos/s ({1000 * cpu / len(photos):4.0f} ms)"
            f"   right: {right}/{len(photos)}   {same}"
        )


OCR1_LOOK = "ocr-1 (emulated: stretched, inverted if dark)"

RECALL_SETTINGS: dict[str, tuple[OcrPass, ...]] = {
    OCR1_LOOK: (OcrPass(1800, 11, 2),),
    "1800 psm 11 Sauvola": (OcrPass(1800, 11, 2),),
    "1200 psm 11 Sauvola": (OcrPass(1200, 11, 2),),
    "1000 psm 11 Sauvola": (OcrPass(1000, 11, 2),),
    "1800 psm 6 Sauvola": (OcrPass(1800, 6, 2),),
    "1200 psm 6 Sauvola": (OcrPass(1200, 6, 2),),
    "1800 psm 3 Sauvola": (OcrPass(1800, 3, 2),),
    "1200 psm 3 Sauvola": (OcrPass(1200, 3, 2),),
    "640 psm 11 Otsu": (OcrPass(640, 11, 0),),
    "640 psm 11 Otsu, Dutch only": (OcrPass(640, 11, 0, first_language_only=True),),
    "960 psm 3 Sauvola": (OcrPass(960, 3, 2),),
    "1120 psm 3 Sauvola": (OcrPass(1120, 3, 2),),
    "640 psm 11 Otsu nld + 640 psm 3 Sauvola": (DEFAULT_PASSES[0], OcrPass(640, 3, 2)),
    "640 psm 11 Otsu nld + 960 psm 3 Sauvola": (DEFAULT_PASSES[0], OcrPass(960, 3, 2)),
    f"{OCR_VERSION} default: " + " + ".join(f"{p.min_long_side} psm {p.psm}" for p in DEFAULT_PASSES): (
        DEFAULT_PASSES
    ),
}


def bench_recall(n: int, workers: int) -> None:
    """Numbers and words read back per OCR setting, on four sets of photos with known text."""
    captioned = demo_photos(n, 0)
    sets = {
        "demo numbers": [s for s in captioned if s[1] and s[1].startswith("+")],
        "demo 'nieuw'": [s for s in captioned if s[1] and not s[1].startswith("+")],
        "demo clean": demo_photos(0, n // 3),
        "scene captions": captioned_scenes(12),
        "small numbers": small_number_photos(60),
    }
    print(f"OCR recall per setting ({OCR_VERSION} preprocessing: grayscale, enlarged to the pass's size):")
    print(f"  sets: {', '.join(f'{name} {len(s)}' for name, s in sets.items())} ('clean': no number read)")
    for label, passes in RECALL_SETTINGS.items():
        scores, cpu, count = [], 0.0, 0
        for samples in sets.values():
            photos = [_ocr1_look(p) if label == OCR1_LOOK else p for p, _ in samples]
            results, _wall, used = _timed(
                lambda photos=photos, passes=passes: ocr_many(photos, workers=workers, passes=passes)
            )
            scores.append(sum(found(r.text, w) for r, (_, w) in zip(results, samples, strict=True)))
            cpu, count = cpu + used, count + len(samples)
        figures = "  ".join(f"{got:3d}/{len(s):<3d}" for got, s in zip(scores, sets.values(), strict=True))
        print(f"  {label:44s} {figures}  {1000 * cpu / count:4.0f} ms CPU/photo")


def _ocr1_look(data: bytes) -> bytes:
    """The photo as ocr-1 prepared it before enlarging: grayscale, contrast stretched (1 % cut off),
    inverted when the mean is under 110; lossless, so that ``OcrPass(1800, 11, 2)`` then reads it as
    ocr-1 did (the stretch now comes before the enlargement, a small difference)."""
    from PIL import ImageOps

    from zicht.extract.photos import open_first_frame, to_grayscale

    im, _, _ = open_first_frame(data, max_bytes=25_000_000, max_pixels=40_000_000)
    gray = ImageOps.autocontrast(to_grayscale(im), cutoff=1)
    histogram = gray.histogram()
    if sum(i * n for i, n in enumerate(histogram)) / (gray.width * gray.height) < 110:
        gray = ImageOps.invert(gray)
    return encode(gray, "PNG", compress_level=1)


def bench_stage(n_ads: int) -> None:
    """`process` photo stage on the photos of a demo market, stored as the crawler stores them."""
    from zicht.demo.offline import parsed_versions
    from zicht.demo.site import DemoSite
    from zicht.pipeline import ProcessReport, process_photos
    from zicht.store.store import IngestItem, Store

    market = generate_market(n_ads=n_ads)
    site = DemoSite(market, broken_fraction=0.0)
    rows = list(parsed_versions(market))
    urls = sorted({u for _, _, p, _ in rows for u in p.images})
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.db'}", data_dir=Path(tmp) / "data")
        sid = store.ensure_site("kinky")
        run = store.start_run(sid, "crawl", purpose="benchmark", legal_basis="benchmark")
        for url in urls:
            photo = site.photo(url.rsplit("/", 1)[-1].removesuffix(".jpg"))
            assert photo is not None, url
            data = render_photo(photo.photo_id, photo.variant, overlay_text=photo.overlay_text)
            store.store_page(
                run, url, "image", 200, [("Content-Type", "image/jpeg")], data, datetime.now(UTC)
            )
        store.ingest([IngestItem(p, seen, "bench") for _, _, p, seen in rows])
        for ocr in (False, True):
            report = ProcessReport()
            if ocr:  # forget the photos hashed without OCR: the stage starts over
                from sqlalchemy import delete

                from zicht.store.models import AdPhoto, Photo

                with store.session() as s:
                    s.execute(delete(AdPhoto))
                    s.execute(delete(Photo))
            _, wall, cpu = _timed(
                lambda ocr=ocr, report=report: [process_photos(store, report, on_progress=None, ocr=ocr)]
            )
            rate, cpu_each = report.photos_hashed / wall, cpu / max(1, report.photos_hashed)
            cores = os.cpu_count() or 1
            print(
                f"photo stage ({'hash + OCR' if ocr else 'hash only'}), {n_ads} demo ads, {len(urls)} image urls: "
                f"{report.photos_hashed} photos in {wall:.1f} s = {rate:.1f} photos/s, "
                f"{1000 * cpu_each:.0f} ms CPU/photo ({cpu / wall:.2f} cores busy); 8,500 photos: "
                f"{8500 / rate / 60:.1f} min at this rate, {8500 * cpu_each / cores / 60:.1f} min on {cores} idle cores"
            )
        store.close()


def _card(text: str) -> Image.Image:
    im = Image.new("RGB", (800, 200), "white")
    ImageDraw.Draw(im).text((20, 100), text, font=font(48), fill="black", anchor="lm")
    return im


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=40, help="photos per hashing case (0: skip)")
    parser.add_argument("--ocr", type=int, default=5, help="photos per OCR case (0: skip)")
    parser.add_argument("--many", type=int, default=96, help="demo photos for ocr_text vs ocr_many (0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="parallel tesseract batches")
    parser.add_argument(
        "--recall", type=int, default=0, help="captioned demo photos per recall set (0: skip)"
    )
    parser.add_argument("--stage", type=int, default=0, help="demo ads for the photo stage (0: skip)")
    args = parser.parse_args(argv)
    print(f"cpu count: {os.cpu_count()}")
    if args.photos:
        bench_hashing(args.photos)
    if args.ocr:
        bench_ocr(args.ocr, args.workers)
    if args.many:
        bench_ocr_many(args.many, args.workers)
    if args.recall:
        bench_recall(args.recall, args.workers)
    if args.stage:
        bench_stage(args.stage)


if __name__ == "__main__":
    main()
