"""Procedural demo photos: abstract pictures drawn from a photo id, never of people.

The demo market needs photos that behave like ad photos for the pipeline (the same photo re-uploaded
on another site, a stock photo shared by unrelated ads, a number written on a photo) without a single
real picture. Every image is computed from its id: a random low-frequency light field (which makes
perceptual hashes of different ids far apart) coloured with a random palette, plus one abstract motif
(bokeh lights, an interior of planes, flowers, fabric texture or shapes). Nothing is read from disk
except a TrueType font for overlays. No faces, no bodies, no people.
"""

from __future__ import annotations

import hashlib
import io
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

DEFAULT_SIZE = (480, 640)  # width, height: portrait, as ad photos mostly are
STYLES = ("bokeh", "interior", "flowers", "texture", "shapes")
_FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
_BASE_QUALITY = 88


def render_photo(
    photo_id: str, variant: int = 0, size: tuple[int, int] = DEFAULT_SIZE, overlay_text: str | None = None
) -> bytes:
    """The JPEG bytes of a photo, the same for the same arguments.

    ``variant`` 0 is the original; any other value is a near-duplicate re-upload of it (a slight crop,
    a brightness change, another JPEG quality), pHash within 8 bits of it. ``overlay_text`` is a caption
    (a phone number, "nieuw!") in dark letters on a white strip inside a thin white frame, readable by
    OCR; frame and strip move the pHash some 8-20 bits from the clean photo, as a real caption does.
    """
    return _render_cached(photo_id, variant, tuple(size), overlay_text)


def photo_style(photo_id: str) -> str:
    """The motif drawn for an id (for the demo site's alt texts and for tests)."""
    return STYLES[_seed(photo_id, "style") % len(STYLES)]


@lru_cache(maxsize=256)
def _render_cached(photo_id: str, variant: int, size: tuple[int, int], overlay_text: str | None) -> bytes:
    image = _base_image(photo_id, size)
    quality = _BASE_QUALITY
    if variant:
        image, quality = _reupload(image, photo_id, variant)
    if overlay_text:
        image = _draw_overlay(image, overlay_text, photo_id)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _seed(*parts: object) -> int:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _base_image(photo_id: str, size: tuple[int, int]) -> Image.Image:
    rng = np.random.default_rng(_seed(photo_id, "base"))
    width, height = size
    image = _light_field(rng, width, height)
    draw_motif = _MOTIFS[photo_style(photo_id)]
    return draw_motif(image, rng)


def _light_field(rng: np.random.Generator, width: int, height: int) -> Image.Image:
    """A smooth random field of light and dark, mapped onto a 3-colour palette.

    Low spatial frequencies with random phases dominate the DCT that pHash reads, so two ids get
    unrelated hashes even when their motifs look alike.
    """
    small_w, small_h = max(width // 4, 8), max(height // 4, 8)
    y, x = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
    x /= small_w
    y /= small_h
    field = np.zeros((small_h, small_w), np.float32)
    for _ in range(7):
        fx, fy = rng.uniform(-2.5, 2.5, size=2)
        phase = rng.uniform(0, 2 * math.pi)
        field += rng.uniform(0.4, 1.0) * np.cos(2 * math.pi * (fx * x + fy * y) + phase)
    field -= field.min()
    field /= max(float(field.max()), 1e-6)
    palette = rng.uniform(0, 255, size=(3, 3)).astype(np.float32)
    palette[0] *= 0.35  # one dark colour, one mid, one light: keeps contrast in every picture
    palette[2] = 140 + palette[2] * 0.45
    lower = np.clip(field * 2, 0, 1)[..., None]
    upper = np.clip(field * 2 - 1, 0, 1)[..., None]
    rgb = palette[0] + (palette[1] - palette[0]) * lower + (palette[2] - palette[1]) * upper
    small = Image.fromarray(rgb.astype(np.uint8), "RGB")
    return small.resize((width, height), Image.Resampling.BICUBIC)


def _colour(rng: np.random.Generator, lo: int = 0, hi: int = 256, alpha: int | None = None) -> tuple:
    rgb = tuple(int(v) for v in rng.integers(lo, hi, size=3))
    return (*rgb, alpha) if alpha is not None else rgb


def _bokeh(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Out-of-focus city lights: soft bright discs."""
    w, h = image.size
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(int(rng.integers(18, 40))):
        r = float(rng.uniform(0.03, 0.11)) * w
        cx, cy = float(rng.uniform(0, w)), float(rng.uniform(0, h * 0.8))
        draw.ellipse(
            (cx - r, cy - r, cx + r, cy + r), fill=_colour(rng, 150, 256, int(rng.integers(70, 170)))
        )
    layer = layer.filter(ImageFilter.GaussianBlur(radius=w / 90))
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _interior(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """An empty room in planes: a floor, a window of light, a lamp glow, a bed-like block."""
    w, h = image.size
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    floor_y = float(rng.uniform(0.55, 0.75)) * h
    draw.rectangle((0, floor_y, w, h), fill=_colour(rng, 40, 160, 150))
    wx, wy = float(rng.uniform(0.05, 0.55)) * w, float(rng.uniform(0.08, 0.3)) * h
    ww, wh = float(rng.uniform(0.2, 0.4)) * w, float(rng.uniform(0.2, 0.3)) * h
    draw.rectangle((wx, wy, wx + ww, wy + wh), fill=_colour(rng, 190, 256, 190))
    draw.line((wx + ww / 2, wy, wx + ww / 2, wy + wh), fill=(60, 50, 40, 200), width=max(w // 80, 2))
    bx, by = float(rng.uniform(0.0, 0.4)) * w, floor_y - float(rng.uniform(0.08, 0.15)) * h
    draw.rounded_rectangle(
        (bx, by, bx + 0.6 * w, floor_y + 0.1 * h), radius=w // 30, fill=_colour(rng, 80, 240, 210)
    )
    lx, ly, lr = float(rng.uniform(0.1, 0.9)) * w, float(rng.uniform(0.1, 0.5)) * h, 0.12 * w
    draw.ellipse((lx - lr, ly - lr, lx + lr, ly + lr), fill=(255, 220, 160, 120))
    layer = layer.filter(ImageFilter.GaussianBlur(radius=1.5))
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _flowers(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Flowers as rings of petals around a heart."""
    w, h = image.size
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(int(rng.integers(3, 8))):
        cx, cy = float(rng.uniform(0.1, 0.9)) * w, float(rng.uniform(0.1, 0.9)) * h
        size = float(rng.uniform(0.06, 0.16)) * w
        petals = int(rng.integers(5, 9))
        colour = _colour(rng, 120, 256, 220)
        turn = float(rng.uniform(0, math.pi))
        for k in range(petals):
            angle = turn + 2 * math.pi * k / petals
            px, py = cx + math.cos(angle) * size, cy + math.sin(angle) * size
            r = size * 0.55
            draw.ellipse((px - r, py - r, px + r, py + r), fill=colour)
        draw.ellipse(
            (cx - size * 0.4, cy - size * 0.4, cx + size * 0.4, cy + size * 0.4),
            fill=_colour(rng, 180, 256, 255),
        )
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _texture(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Fabric: a fine woven stripe pattern over the light field."""
    w, h = image.size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = float(rng.uniform(0, math.pi))
    period = float(rng.uniform(6, 16))
    stripes = np.sin((x * math.cos(angle) + y * math.sin(angle)) * 2 * math.pi / period)
    cross = np.sin((x * -math.sin(angle) + y * math.cos(angle)) * 2 * math.pi / (period * 1.7))
    pattern = (stripes * 0.6 + cross * 0.4) * float(rng.uniform(8, 18))
    arr = np.asarray(image, dtype=np.float32) + pattern[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def _shapes(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Translucent polygons, like a poster or a wall print."""
    w, h = image.size
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(int(rng.integers(4, 10))):
        cx, cy = float(rng.uniform(0, w)), float(rng.uniform(0, h))
        r = float(rng.uniform(0.08, 0.25)) * w
        corners = int(rng.integers(3, 7))
        turn = float(rng.uniform(0, math.pi))
        points = [
            (
                cx + r * math.cos(turn + 2 * math.pi * k / corners),
                cy + r * math.sin(turn + 2 * math.pi * k / corners),
            )
            for k in range(corners)
        ]
        draw.polygon(points, fill=_colour(rng, 0, 256, int(rng.integers(90, 200))))
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


_MOTIFS = {
    "bokeh": _bokeh,
    "interior": _interior,
    "flowers": _flowers,
    "texture": _texture,
    "shapes": _shapes,
}


def _reupload(image: Image.Image, photo_id: str, variant: int) -> tuple[Image.Image, int]:
    """What a re-upload does to a photo: a slight crop, a brightness change and another JPEG quality."""
    rng = np.random.default_rng(_seed(photo_id, "variant", variant))
    w, h = image.size
    left, top, right, bottom = (float(v) for v in rng.uniform(0.0, 0.012, size=4))
    box = (round(left * w), round(top * h), w - round(right * w), h - round(bottom * h))
    image = image.crop(box).resize((w, h), Image.Resampling.BILINEAR)
    image = ImageEnhance.Brightness(image).enhance(float(rng.uniform(0.92, 1.08)))
    return image, int(rng.integers(65, 93))


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _draw_overlay(image: Image.Image, text: str, photo_id: str) -> Image.Image:
    """A caption on the photo, as advertisers put a number on their picture: the picture in a thin
    white frame with the caption in dark letters on the frame's wide strip, top or bottom.

    The frame is what makes the caption readable by OCR whatever the picture: tesseract binarises a page
    by one global threshold and looks for dark text on the page's light ground; a frame joins the
    caption strip to that ground, where a band floating on a dark or mid-tone picture is lost.
    """
    w, h = image.size
    border = max(w // 40, 4)
    size = max(w // 20, 14)
    font = _font(size)
    draw = ImageDraw.Draw(image)
    while size > 14 and draw.textlength(text, font=font) > w - 6 * border:
        size -= 2
        font = _font(size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    text_w, text_h = right - left, bottom - top
    strip = text_h * 2
    at_top = _seed(photo_id, "overlay", text) % 3 == 0
    strip_y = border if at_top else h - border - strip
    framed = image.copy()
    draw = ImageDraw.Draw(framed)
    draw.rectangle((0, 0, w - 1, h - 1), outline=(250, 250, 250), width=border)
    draw.rectangle((0, strip_y, w, strip_y + strip), fill=(250, 250, 250))
    draw.text(
        ((w - text_w) // 2 - left, strip_y + (strip - text_h) // 2 - top), text, font=font, fill=(10, 10, 10)
    )
    return framed
