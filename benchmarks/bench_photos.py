"""Throughput of photo hashing and OCR on generated images; prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_photos.py [--photos 40] [--ocr 5]

Hashing is the per-photo cost of every crawl; OCR is the expensive optional step, so its seconds per
photo decide whether it runs on every photo or only on new ones.
"""

from __future__ import annotations

import argparse
import io
import os
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from zicht.extract.ocr import ocr_text, tesseract_version
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


def bench_ocr(n: int) -> None:
    ocr_text(encode(_card("warm-up"), "PNG"))  # first run loads the language models into the page cache
    print(f"ocr_text (tesseract {tesseract_version()}), {n} photos per case, one thread each:")
    cases = {
        "card with number 800x200": lambda i: _card(f"Bel 06-{12345670 + i}"),
        "photo 800x600 + caption": lambda i: with_caption(scene(i, (800, 600)), f"06-{23456780 + i}"),
        "photo 1600x1200, no text": lambda i: scene(100 + i, (1600, 1200)),
    }
    for name, make in cases.items():
        images = [make(i) for i in range(n)]
        expected = [_digits(_caption_of(name, i)) for i in range(n)]
        photos = [encode(im, "JPEG", quality=85) for im in images]
        start = time.perf_counter()
        results = [ocr_text(p) for p in photos]
        elapsed = time.perf_counter() - start
        errors = [r.error for r in results if r.error]
        read = sum(1 for r, want in zip(results, expected, strict=True) if want and want in _digits(r.text))
        stray = sum(1 for r, want in zip(results, expected, strict=True) if not want and _digits(r.text))
        figures = f"numbers read: {read}/{n}" if expected[0] else f"photos with stray digits: {stray}/{n}"
        print(f"  {name:26s} {elapsed / n:6.2f} s/photo   {figures}   errors: {len(errors)} {errors[:1]}")


def _caption_of(case: str, i: int) -> str:
    if case.startswith("card"):
        return f"06-{12345670 + i}"
    if "caption" in case:
        return f"06-{23456780 + i}"
    return ""


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _card(text: str) -> Image.Image:
    im = Image.new("RGB", (800, 200), "white")
    ImageDraw.Draw(im).text((20, 100), text, font=font(48), fill="black", anchor="lm")
    return im


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=40, help="photos per hashing case")
    parser.add_argument("--ocr", type=int, default=5, help="photos per OCR case")
    args = parser.parse_args()
    print(f"cpu count: {os.cpu_count()}")
    bench_hashing(args.photos)
    bench_ocr(args.ocr)


if __name__ == "__main__":
    main()
