"""Drawing slip blocks as a black-and-white picture, dot for dot as the printer prints.

Thermal printers have no Arabic in their character sets, so Arabic is sent as an
image: each line shaped (arabic-reshaper), put in visual order (python-bidi) and
drawn with the bundled DejaVu font. The same drawing gives the counter's on-screen
preview (:func:`slip_image`) and lets tests look at what the printer would print.

Pillow is asked for its basic layout: with libraqm it would shape and reorder by
itself, and doing it twice would print Arabic backwards. The basic layout draws
exactly the visual string it is given, on every machine.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont

from app.documents.arabic import visual
from app.documents.fonts import FONTS_DIR
from app.printing.slip import Align, Block, Gap, Logo, Mark, Pair, QRCode, Rule, Slip, Text

WHITE = 255
BLACK = 0


@dataclass(frozen=True)
class RasterStyle:
    """Sizes in printer dots (203 dpi: 8 dots per millimetre)."""

    width: int  # printable dots across the paper: 576 on 80 mm, 384 on 58 mm
    body: int
    large: int
    margin: int  # blank dots left and right: the head does not reach the paper's edge
    line_gap: int

    @classmethod
    def for_width(cls, width: int) -> RasterStyle:
        if width <= 400:  # 58 mm paper
            return cls(width=width, body=20, large=30, margin=4, line_gap=4)
        return cls(width=width, body=24, large=36, margin=6, line_gap=5)

    @property
    def inner(self) -> int:
        return self.width - 2 * self.margin


_font_lock = threading.Lock()


@lru_cache(maxsize=16)
def _load_font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS_DIR / name), size, layout_engine=ImageFont.Layout.BASIC)


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    with _font_lock:  # lru_cache is thread-safe for reads, not for two first loads
        return _load_font(size, bold)


class Canvas:
    """A strip of paper that grows downwards as blocks are drawn on it."""

    def __init__(self, style: RasterStyle, right_to_left: bool) -> None:
        self.style = style
        self.right_to_left = right_to_left
        self.pieces: list[Image.Image] = []

    # -- measuring and placing ------------------------------------------------
    def measure(self, text: str, size: int, bold: bool) -> float:
        width = font(size, bold).getlength(visual(text, right_to_left=self.right_to_left))
        return float(width)  # ok: printer dots, not money

    def x_for(self, align: Align, width: float) -> int:
        inner, margin = self.style.inner, self.style.margin
        if align == Align.CENTER:
            return int(margin + (inner - width) / 2)
        at_left = (align == Align.START) != self.right_to_left
        return int(margin if at_left else margin + inner - width)

    def _line_image(self, size: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
        height = int(size * 1.25) + self.style.line_gap
        image = Image.new("L", (self.style.width, height), WHITE)
        return image, ImageDraw.Draw(image)

    def _draw_text(
        self, draw: ImageDraw.ImageDraw, x: int, text: str, size: int, bold: bool, fill: int
    ) -> None:
        draw.text(
            (x, 1), visual(text, right_to_left=self.right_to_left), font=font(size, bold), fill=fill
        )

    # -- blocks ----------------------------------------------------------------
    def text(self, text: str, align: Align, size: int, bold: bool) -> None:
        for line in wrap(text, lambda t: self.measure(t, size, bold), self.style.inner):
            image, draw = self._line_image(size)
            self._draw_text(
                draw, self.x_for(align, self.measure(line, size, bold)), line, size, bold, BLACK
            )
            self.pieces.append(image)

    def pair(self, label: str, value: str, size: int, bold: bool) -> None:
        label_width = self.measure(label, size, bold)
        value_width = self.measure(value, size, bold)
        if label_width + value_width + size <= self.style.inner:
            image, draw = self._line_image(size)
            self._draw_text(draw, self.x_for(Align.START, label_width), label, size, bold, BLACK)
            self._draw_text(draw, self.x_for(Align.END, value_width), value, size, bold, BLACK)
            self.pieces.append(image)
            return
        self.text(label, Align.START, size, bold)
        self.text(value, Align.END, size, bold)

    def rule(self, heavy: bool) -> None:
        thickness = 3 if heavy else 1
        image = Image.new("L", (self.style.width, 12), WHITE)
        top = (12 - thickness) // 2
        ImageDraw.Draw(image).rectangle(
            (self.style.margin, top, self.style.width - self.style.margin, top + thickness - 1),
            fill=BLACK,
        )
        self.pieces.append(image)

    def mark(self, text: str) -> None:
        size = self.style.large
        image, draw = self._line_image(size)
        padded = Image.new("L", (self.style.width, image.height + 8), BLACK)
        draw = ImageDraw.Draw(padded)
        width = self.measure(text, size, True)
        draw.text(
            (self.x_for(Align.CENTER, width), 5),
            visual(text, right_to_left=self.right_to_left),
            font=font(size, True),
            fill=WHITE,
        )
        self.pieces.append(padded)
        self.gap(1)

    def picture(self, picture: Image.Image) -> None:
        strip = Image.new("L", (self.style.width, picture.height), WHITE)
        strip.paste(picture, ((self.style.width - picture.width) // 2, 0))
        self.pieces.append(strip)

    def gap(self, lines: int) -> None:
        self.pieces.append(Image.new("L", (self.style.width, lines * self.style.body // 2), WHITE))

    def image(self) -> Image.Image:
        height = sum(piece.height for piece in self.pieces) or 1
        result = Image.new("L", (self.style.width, height), WHITE)
        top = 0
        for piece in self.pieces:
            result.paste(piece, (0, top))
            top += piece.height
        return result


def wrap(text: str, measure: Callable[[str], float], width: float) -> list[str]:
    """Break a logical text into logical lines no wider than ``width``.

    Wrapping comes before reordering: a whole Arabic paragraph reordered first
    would put its last words on the first line.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if measure(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = word
            while measure(current) > width and len(current) > 1:
                cut = len(current) - 1
                while cut > 1 and measure(current[:cut]) > width:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        lines.append(current)
    return lines


def qr_image(data: str, target_width: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    modules = code.modules_count + 4
    box = max(2, target_width // modules)
    code.box_size = box
    picture = code.make_image(fill_color="black", back_color="white").get_image()
    return picture.convert("L")


def logo_image(png: bytes, max_width: int) -> Image.Image:
    picture: Image.Image = Image.open(io.BytesIO(png))
    picture.load()
    if picture.mode in ("RGBA", "LA", "P"):
        picture = picture.convert("RGBA")
        background = Image.new("RGBA", picture.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(background, picture)
    picture = picture.convert("L")
    if picture.width > max_width:
        height = round(picture.height * max_width / picture.width)
        picture = picture.resize((max_width, max(1, height)), Image.Resampling.LANCZOS)
    return picture


def draw_blocks(canvas: Canvas, blocks: Sequence[Block]) -> None:
    style = canvas.style
    for block in blocks:
        if isinstance(block, Text):
            size = style.large if block.large else style.body
            canvas.text(block.text, block.align, size, block.bold)
        elif isinstance(block, Pair):
            size = style.large if block.large else style.body
            canvas.pair(block.label, block.value, size, block.bold)
        elif isinstance(block, Rule):
            canvas.rule(block.heavy)
        elif isinstance(block, Mark):
            canvas.mark(block.text)
        elif isinstance(block, QRCode):
            canvas.picture(qr_image(block.data, style.width * 5 // 12))
        elif isinstance(block, Logo):
            canvas.picture(logo_image(block.png, style.width // 2))
        elif isinstance(block, Gap):
            canvas.gap(block.lines)


def blocks_image(blocks: Sequence[Block], width: int, right_to_left: bool) -> Image.Image:
    canvas = Canvas(RasterStyle.for_width(width), right_to_left)
    draw_blocks(canvas, blocks)
    return canvas.image()


def slip_image(slip: Slip, width: int = 576) -> Image.Image:
    """The whole slip as the printer would print it (grey levels kept for the screen)."""
    return blocks_image(slip.blocks, width, slip.right_to_left)


def slip_png(slip: Slip, width: int = 576) -> bytes:
    buffer = io.BytesIO()
    slip_image(slip, width).save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
