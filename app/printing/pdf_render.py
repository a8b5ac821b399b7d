"""A :class:`~app.printing.slip.Slip` as a PDF: an 80 mm roll or an A5 sheet.

The roll PDF looks like the thermal print (receipt type sizes, inverted marks) on
one page exactly as long as the receipt: the blocks are laid out first, measured,
then drawn on a page of that height. The A5 PDF is the same column, wider and in
larger type, centred on as many sheets as it takes.

Each block becomes *items*, each a strip of known height that draws itself under
a given top; pages are filled with whole items, so a line is never cut in half.
Along a line everything is placed from the start edge with
:class:`~app.documents.page.Page`, so an Arabic slip is the mirror of a French
one; :meth:`Page.draw` shapes and orders each line as it draws it.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing, Group
from reportlab.lib.colors import Color, white
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from app.documents.bill_copy_layout import INK, RULE
from app.documents.fonts import Fonts, document_fonts
from app.documents.page import Align as PageAlign
from app.documents.page import Page
from app.printing.slip import Align, Block, Gap, Logo, Mark, Pair, QRCode, Rule, Slip, Text


class PdfPaper(StrEnum):
    ROLL_80 = "roll80"
    A5 = "a5"


@dataclass(frozen=True)
class _Format:
    page_width: float
    column: float  # the printed width, centred on the page
    top: float  # margins above and below the content
    bottom: float
    body: float  # type size of ordinary text
    large: float  # Text(large=True): double size on the thermal printer
    mark: float
    leading: float  # line height over type size
    qr: float  # side of the code itself, without its quiet zone
    logo_width: float  # the logo fits this box
    logo_height: float


# 72 mm printable on 80 mm paper, as a thermal printer's print head.
ROLL = _Format(
    page_width=80 * mm,
    column=72 * mm,
    top=5 * mm,
    bottom=8 * mm,  # the printer feeds past the cutter
    body=8.5,
    large=13,
    mark=15,
    leading=1.25,
    qr=30 * mm,
    logo_width=40 * mm,
    logo_height=20 * mm,
)
A5_REGULAR = _Format(
    page_width=A5[0],
    column=104 * mm,
    top=14 * mm,
    bottom=14 * mm,
    body=10.5,
    large=15,
    mark=18,
    leading=1.25,
    qr=30 * mm,
    logo_width=50 * mm,
    logo_height=22 * mm,
)
# A receipt with a logo, a mark and a QR code runs past one A5 sheet in the regular
# type; one sheet in smaller type (still larger than the roll's) beats two.
A5_COMPACT = _Format(
    page_width=A5[0],
    column=104 * mm,
    top=10 * mm,
    bottom=10 * mm,
    body=9.5,
    large=13,
    mark=15,
    leading=1.2,
    qr=26 * mm,
    logo_width=40 * mm,
    logo_height=16 * mm,
)

# A long receipt (several bills and top-ups) still fits one sheet in denser type.
A5_DENSE = _Format(
    page_width=A5[0],
    column=108 * mm,
    top=8 * mm,
    bottom=8 * mm,
    body=8.5,
    large=12,
    mark=13,
    leading=1.15,
    qr=22 * mm,
    logo_width=36 * mm,
    logo_height=13 * mm,
)
A5_STYLES = (A5_REGULAR, A5_COMPACT, A5_DENSE)

ASCENT = 0.76  # DejaVu Sans, over type size
DESCENT = 0.24
PAIR_GAP = 8.0  # least room between a label and its value, points
QR_LEVEL = "M"  # error correction: a crumpled receipt still scans
QUIET_ZONE = 4  # modules of white around a QR code, as the standard asks
QR_NOMINAL = 1000.0  # points: drawn this big then scaled, so rounding moves no module
SLACK = 0.01  # points: sums of heights in floating point are not exact
ROLL_DRAFT_HEIGHT = 100 * mm  # page size until the roll is measured

_ALIGN: dict[Align, PageAlign] = {Align.START: "start", Align.CENTER: "center", Align.END: "end"}


@dataclass(frozen=True)
class _Item:
    """A horizontal strip: its height and how to draw it below a given top."""

    height: float
    draw: Callable[[float], None]
    blank: bool = False  # a gap: dropped rather than carried to a new sheet


@dataclass(frozen=True)
class _Group:
    items: list[_Item]
    together: bool = False  # moved whole to the next sheet rather than split

    @property
    def height(self) -> float:
        return sum(item.height for item in self.items)


def slip_pdf(slip: Slip, paper: PdfPaper = PdfPaper.ROLL_80) -> bytes:
    """The slip as a PDF; the same slip always gives the same bytes."""
    paper = PdfPaper(paper)
    fonts = document_fonts()
    buffer = io.BytesIO()
    # invariant: no creation time or random id in the file (see bill_copy_layout).
    canvas = Canvas(
        buffer,
        pagesize=(ROLL.page_width, ROLL_DRAFT_HEIGHT) if paper == PdfPaper.ROLL_80 else A5,
        invariant=True,
        pageCompression=1,
        lang=slip.language,
        initialFontName=fonts.regular,  # else the file also names Helvetica, never drawn
    )
    canvas.setTitle(slip.title)
    canvas.setCreator("Guichet")

    if paper == PdfPaper.ROLL_80:
        # One sheet as long as the receipt, like the paper out of the printer.
        groups = _layout(slip, canvas, ROLL, fonts)
        height = ROLL.top + sum(group.height for group in groups) + ROLL.bottom
        canvas.setPageSize((ROLL.page_width, height))
        _paginate(canvas, groups, top=height - ROLL.top, bottom=ROLL.bottom)
    else:
        # The first style that fits one sheet; a receipt too long for any of them
        # goes on several sheets in the regular type.
        fmt, groups = A5_REGULAR, _layout(slip, canvas, A5_REGULAR, fonts)
        for style in A5_STYLES:
            laid_out = groups if style is A5_REGULAR else _layout(slip, canvas, style, fonts)
            if _fits(laid_out, style):
                fmt, groups = style, laid_out
                break
        _paginate(canvas, groups, top=A5[1] - fmt.top, bottom=fmt.bottom)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _layout(slip: Slip, canvas: Canvas, fmt: _Format, fonts: Fonts) -> list[_Group]:
    left = (fmt.page_width - fmt.column) / 2
    layout = _Layout(Page(canvas, slip.right_to_left, left, left + fmt.column), fmt, fonts)
    return [layout.block(block) for block in slip.blocks]


def _fits(groups: list[_Group], fmt: _Format) -> bool:
    """Whether the items fit on one A5 sheet."""
    return sum(group.height for group in groups) <= A5[1] - fmt.top - fmt.bottom + SLACK


def _paginate(canvas: Canvas, groups: list[_Group], *, top: float, bottom: float) -> None:
    """Draws the items on as many sheets as needed, whole items on each."""
    y = top
    for group in groups:
        too_low = y - group.height < bottom - SLACK
        fits_a_sheet = group.height <= top - bottom + SLACK
        if group.together and too_low and fits_a_sheet and y < top:
            canvas.showPage()
            y = top
        for item in group.items:
            if y - item.height < bottom - SLACK and y < top:
                if item.blank:
                    continue
                canvas.showPage()
                y = top
            item.draw(y)
            y -= item.height


class _Layout:
    """Turns blocks into items for one page geometry and one format."""

    def __init__(self, page: Page, fmt: _Format, fonts: Fonts) -> None:
        self.page = page
        self.fmt = fmt
        self.fonts = fonts

    def block(self, block: Block) -> _Group:
        if isinstance(block, Text):
            return self.text(block)
        if isinstance(block, Pair):
            return self.pair(block)
        if isinstance(block, Rule):
            return self.rule(block)
        if isinstance(block, Mark):
            return self.mark(block)
        if isinstance(block, QRCode):
            return self.qr_code(block)
        if isinstance(block, Logo):
            return self.logo(block)
        return self.gap(block)

    def _lines(self, text: str, font: str, size: float, width: float) -> list[str]:
        # Page.wrap takes one paragraph; an explicit line break starts another.
        return [
            line
            for paragraph in text.split("\n")
            for line in self.page.wrap(paragraph, font, size, width, keep_values=True)
        ]

    def _line(
        self, size: float, parts: list[tuple[str, str, float, Align]], color: Color = INK
    ) -> _Item:
        """One line of text: (text, font, offset from the start edge, alignment) each."""
        height = size * self.fmt.leading
        baseline_drop = (height - (ASCENT + DESCENT) * size) / 2 + ASCENT * size

        def draw(top: float) -> None:
            for text, font, offset, align in parts:
                self.page.draw(
                    text,
                    offset=offset,
                    y=top - baseline_drop,
                    font=font,
                    size=size,
                    align=_ALIGN[align],
                    color=color,
                )

        return _Item(height, draw)

    def text(self, block: Text) -> _Group:
        font = self.fonts.bold if block.bold else self.fonts.regular
        size = self.fmt.large if block.large else self.fmt.body
        width = self.page.width
        offset = {Align.START: 0.0, Align.CENTER: width / 2, Align.END: width}[block.align]
        lines = self._lines(block.text, font, size, width)
        return _Group([self._line(size, [(line, font, offset, block.align)]) for line in lines])

    def pair(self, block: Pair) -> _Group:
        font = self.fonts.bold if block.bold else self.fonts.regular
        size = self.fmt.large if block.large else self.fmt.body
        page = self.page
        width = page.width
        label_width = page.text_width(block.label, font, size)
        value_width = page.text_width(block.value, font, size)
        if label_width + PAIR_GAP + value_width <= width:
            parts = [(block.label, font, 0.0, Align.START), (block.value, font, width, Align.END)]
            return _Group([self._line(size, parts)])
        # Too long for one line: the label wraps, the value follows at the end edge.
        items = [
            self._line(size, [(line, font, 0.0, Align.START)])
            for line in self._lines(block.label, font, size, width)
        ]
        items += [
            self._line(size, [(line, font, width, Align.END)])
            for line in self._lines(block.value, font, size, width)
        ]
        return _Group(items, together=True)

    def rule(self, block: Rule) -> _Group:
        height = self.fmt.body * 0.9

        def draw(top: float) -> None:
            if block.heavy:
                self.page.rule(top - height / 2, color=INK, thickness=1.2)
            else:
                self.page.rule(top - height / 2, color=RULE, thickness=0.5)

        return _Group([_Item(height, draw)])

    def mark(self, block: Mark) -> _Group:
        """White bold text on a black band across the column, as printed inverted."""
        size = self.fmt.mark
        font = self.fonts.bold
        page = self.page
        padding = size * 0.35
        margin = self.fmt.body * 0.5  # white between the band and the lines around it
        lines = self._lines(block.text, font, size, page.width - 2 * padding)
        line_items = [
            self._line(size, [(line, font, page.width / 2, Align.CENTER)], white) for line in lines
        ]
        band = sum(item.height for item in line_items) + 2 * padding

        def draw(top: float) -> None:
            canvas = page.canvas
            canvas.saveState()
            canvas.setFillColor(INK)
            canvas.rect(page.left, top - margin - band, page.width, band, stroke=0, fill=1)
            canvas.restoreState()
            y = top - margin - padding
            for item in line_items:
                item.draw(y)
                y -= item.height

        return _Group([_Item(band + 2 * margin, draw)])

    def qr_code(self, block: QRCode) -> _Group:
        code, modules = _qr_code(block.data)
        # The quiet zone is part of the drawing: it is the white above and below.
        side = self.fmt.qr * (modules + 2 * QUIET_ZONE) / modules
        scaled = Group(code)
        scaled.scale(side / QR_NOMINAL, side / QR_NOMINAL)
        drawing = Drawing(side, side)
        drawing.add(scaled)
        page = self.page

        def draw(top: float) -> None:
            renderPDF.draw(drawing, page.canvas, page.left + (page.width - side) / 2, top - side)

        return _Group([_Item(side, draw)])

    def logo(self, block: Logo) -> _Group:
        try:
            image = ImageReader(io.BytesIO(block.png))
            pixels_wide, pixels_high = image.getSize()
            image.getRGBData()  # decodes it all now: a truncated file fails here, not mid-page
        except Exception:  # a receipt without its logo beats no receipt
            return _Group([])
        scale = min(self.fmt.logo_width / pixels_wide, self.fmt.logo_height / pixels_high)
        width, height = pixels_wide * scale, pixels_high * scale
        margin = self.fmt.body * 0.5
        page = self.page

        def draw(top: float) -> None:
            x = page.left + (page.width - width) / 2
            page.canvas.drawImage(image, x, top - margin - height, width, height, mask="auto")

        return _Group([_Item(height + 2 * margin, draw)])

    def gap(self, block: Gap) -> _Group:
        height = self.fmt.body * self.fmt.leading
        return _Group([_Item(height, _nothing, blank=True) for _ in range(max(block.lines, 0))])


@functools.lru_cache(maxsize=32)
def _qr_code(data: str) -> tuple[Group, int]:
    """The vector drawing of the code, QR_NOMINAL points square with its quiet zone,
    and how many modules it has across (to size it).

    Cached: encoding tries eight masks and the drawing has a shape per run of dark
    modules (30 ms for a receipt's proof); a reprint, or the A5 layout measured
    twice, reuses them. The shapes are only read when drawn.
    """
    widget = QrCodeWidget(
        data, barLevel=QR_LEVEL, barBorder=QUIET_ZONE, barWidth=QR_NOMINAL, barHeight=QR_NOMINAL
    )
    code = widget.draw()
    return code, int(widget.qr.getModuleCount())


def _nothing(_top: float) -> None:
    pass
