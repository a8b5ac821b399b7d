"""A logo for the demo operators, drawn rather than shipped: black on white, as
thermal paper prints best, with the operator's initials in a rounded frame."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from app.printing.raster import font


def demo_logo(code: str, tagline: str) -> bytes:
    width, height = 360, 112
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, width - 5, height - 5), radius=22, outline=0, width=6)
    initials = font(54, bold=True)
    text_width = initials.getlength(code)
    draw.text(((width - text_width) / 2, 10), code, font=initials, fill=0)
    small = font(20)
    draw.text(((width - small.getlength(tagline)) / 2, 74), tagline, font=small, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
