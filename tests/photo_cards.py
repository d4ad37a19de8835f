"""Text drawn on plain images with Pillow: the "call me" cards the OCR and photo tests read back."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if DEJAVU.exists():
        return ImageFont.truetype(str(DEJAVU), size)
    return ImageFont.load_default(size=size)


def card(text: str, size=(800, 200), text_size=48, fg="black", bg="white") -> Image.Image:  # type: ignore[no-untyped-def]
    """Text centred vertically on a plain background, as on a 'call me' image."""
    im = Image.new("RGB", size, bg)
    ImageDraw.Draw(im).text((20, size[1] // 2), text, font=font(text_size), fill=fg, anchor="lm")
    return im


def card_jpeg(text: str, bg: str = "white") -> bytes:
    """``card`` as the JPEG bytes a site would serve."""
    buf = io.BytesIO()
    card(text, bg=bg).save(buf, "JPEG", quality=90)
    return buf.getvalue()
