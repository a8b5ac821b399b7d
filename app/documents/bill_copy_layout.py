"""Drawing a :class:`~app.documents.bill_copy.BillCopy` on one A5 portrait page.

Coordinates along a line are offsets from the start edge (see
:mod:`app.documents.page`), so the same code lays out the French page left to
right and the Arabic page right to left.

A copy is one sheet, whatever the length of the names and the address: the page
is drawn in the regular style and, if it runs into the footer, drawn again in a
more compact one.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reportlab.graphics.barcode.code128 import Code128Auto
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.documents.arabic import visual
from app.documents.fonts import Fonts, document_fonts
from app.documents.page import Align, Page

if TYPE_CHECKING:  # the content module imports this one to render
    from app.documents.bill_copy import BillCopy, Field, Section

MARGIN = 14 * mm
INK = HexColor("#1a1a1a")
MUTED = HexColor("#5a5a5a")
RULE = HexColor("#b8b8b8")
ACCENT = HexColor("#1f4e79")
MARK = HexColor("#b3261e")
WATERMARK = Color(0.7, 0.15, 0.12, alpha=0.07)
SHADE = HexColor("#eef2f6")

GAP = 10.0  # between the label column and the values
BAR_WIDTH = 0.9  # points per module: read at once by the counter's scanners
MIN_BAR_WIDTH = 0.6  # below this, a 300 dpi printer blurs the bars
FOOTER = MARGIN + 8  # the hotline sits below this line


@dataclass(frozen=True)
class Style:
    name_size: float
    label_size: float
    value_size: float
    line: float  # baseline to baseline inside a section
    section_gap: float
    mark_size: float
    bar_height: float


STYLES = (
    Style(13, 8.5, 9.5, 12.5, 8, 20, 34),
    Style(12, 8, 9, 11.2, 5, 17, 30),
    Style(11, 7.5, 8.5, 10.2, 3, 15, 26),
)


def render_bill_copy(content: BillCopy) -> bytes:
    fonts = document_fonts()
    for style in STYLES[:-1]:
        pdf, bottom = _render(content, fonts, style)
        if bottom >= FOOTER:
            return pdf
    return _render(content, fonts, STYLES[-1])[0]


def _render(content: BillCopy, fonts: Fonts, style: Style) -> tuple[bytes, float]:
    """The PDF, and the lowest point the body reached (to see whether it fits)."""
    buffer = io.BytesIO()
    # invariant: no creation time or random id in the file, so the same copy
    # printed twice (same ``now``) gives the same bytes, which tests can compare.
    canvas = Canvas(
        buffer,
        pagesize=A5,
        invariant=True,
        pageCompression=1,
        lang=content.language,
        initialFontName=fonts.regular,  # else the file also names Helvetica, never drawn
    )
    canvas.setTitle(content.title)
    canvas.setAuthor(content.operator_name)
    canvas.setCreator("Guichet")
    width, height = A5
    page = Page(canvas, content.right_to_left, MARGIN, width - MARGIN)

    _watermark(canvas, content.mark, fonts, width, height, content.right_to_left)
    y = _header(page, content, fonts, style, height - MARGIN)
    y = _mark(page, content.mark, fonts, style, y - style.section_gap - 2)
    label_column = _label_column(page, content.sections, fonts, style)
    for section in content.sections:
        y = _section(page, section, fonts, style, y - style.section_gap, label_column)
    bottom = _barcode(page, content.barcode, fonts, style, y - style.section_gap - 6)
    if content.hotline:
        page.draw(
            content.hotline,
            offset=page.width / 2,
            y=MARGIN - 2,
            font=fonts.regular,
            size=style.label_size,
            align="center",
            color=MUTED,
        )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue(), bottom


def _watermark(
    canvas: Canvas, mark: str, fonts: Fonts, width: float, height: float, rtl: bool
) -> None:
    # Across the whole page, faint: a copy cut down to its amounts still says what it is.
    text = visual(mark, right_to_left=rtl)
    angle = math.degrees(math.atan2(height, width))
    room = 0.7 * math.hypot(width, height)
    size = min(54.0, 54.0 * room / max(canvas.stringWidth(text, fonts.bold, 54), 1.0))
    canvas.saveState()
    canvas.translate(width / 2, height / 2)
    canvas.rotate(angle)
    canvas.setFillColor(WATERMARK)
    canvas.setFont(fonts.bold, size)
    canvas.drawCentredString(0, -size / 3, text)
    canvas.restoreState()


def _header(page: Page, content: BillCopy, fonts: Fonts, style: Style, top: float) -> float:
    """Operator names, agency and print time; returns the y of the rule under them."""
    # Each name on the side its script starts from (Latin left, Arabic right)
    # whichever the language of the page; one under the other if they do not fit.
    latin, arabic = content.operator_name, content.operator_name_ar
    first, second = (arabic, latin) if content.right_to_left and arabic else (latin, arabic)
    size = style.name_size
    y = top - size
    page.draw(first, offset=0, y=y, font=fonts.bold, size=size, color=ACCENT)
    if second:
        room = page.width - page.text_width(first, fonts.bold, size) - 16
        if page.text_width(second, fonts.bold, size) > room:
            y -= size + 3
            page.draw(second, offset=0, y=y, font=fonts.bold, size=size, color=ACCENT)
        else:
            page.draw(
                second,
                offset=page.width,
                y=y,
                font=fonts.bold,
                size=size,
                align="end",
                color=ACCENT,
            )
    y -= style.line + 3
    page.draw(content.agency, offset=0, y=y, font=fonts.regular, size=style.value_size, color=INK)
    room = page.width - page.text_width(content.agency, fonts.regular, style.value_size) - 16
    if page.text_width(content.printed, fonts.regular, style.label_size) > room:
        y -= style.line
        page.draw(
            content.printed, offset=0, y=y, font=fonts.regular, size=style.label_size, color=MUTED
        )
    else:
        page.draw(
            content.printed,
            offset=page.width,
            y=y,
            font=fonts.regular,
            size=style.label_size,
            align="end",
            color=MUTED,
        )
    y -= 7
    page.rule(y, color=RULE)
    return y


def _mark(page: Page, mark: str, fonts: Fonts, style: Style, top: float) -> float:
    """The DUPLICATE mark, framed and centred; returns the y of the frame's bottom."""
    size = style.mark_size
    box_width = page.text_width(mark, fonts.bold, size) + 28
    box_height = size + 12
    bottom = top - box_height
    canvas = page.canvas
    canvas.saveState()
    canvas.setStrokeColor(MARK)
    canvas.setLineWidth(1.6)
    canvas.roundRect(
        page.left + (page.width - box_width) / 2, bottom, box_width, box_height, 4, stroke=1
    )
    canvas.restoreState()
    page.draw(
        mark,
        offset=page.width / 2,
        y=bottom + (box_height - size * 0.72) / 2,  # 0.72: DejaVu's cap height
        font=fonts.bold,
        size=size,
        align="center",
        color=MARK,
    )
    return bottom


def _label_column(page: Page, sections: tuple[Section, ...], fonts: Fonts, style: Style) -> float:
    """Width of the label column: the widest label, between a third and a half of the page."""
    widest = max(
        page.text_width(field.label, fonts.regular, style.label_size)
        for section in sections
        for field in section.fields
    )
    return min(max(widest + GAP, page.width / 3), page.width / 2)


def _section(
    page: Page, section: Section, fonts: Fonts, style: Style, top: float, label_column: float
) -> float:
    """A titled block of label/value rows; returns the y under its last row."""
    y = top - style.value_size - 1
    page.draw(
        section.title, offset=0, y=y, font=fonts.bold, size=style.value_size + 0.5, color=ACCENT
    )
    y -= 4
    page.rule(y, color=RULE, thickness=0.4)
    y -= 2
    amounts_width = max(
        (
            page.text_width(line, fonts.bold, style.value_size)
            for field in section.fields
            if field.amount
            for line in field.lines
        ),
        default=0.0,
    )
    for field in section.fields:
        y = _field(page, field, fonts, style, y, label_column, amounts_width)
    return y


def _field(
    page: Page,
    field: Field,
    fonts: Fonts,
    style: Style,
    top: float,
    label_column: float,
    amounts_width: float,
) -> float:
    font = fonts.bold if field.strong else fonts.regular
    size = style.value_size
    lines = [
        wrapped
        for line in field.lines
        for wrapped in page.wrap(line, font, size, page.width - label_column)
    ]
    y = top - style.line
    if field.strong:
        # A light band behind what the subscriber looks for first.
        band_height = style.line * (len(lines) - 1) + size + 5
        canvas = page.canvas
        canvas.saveState()
        canvas.setFillColor(SHADE)
        canvas.rect(
            page.left, y + size + 1 - band_height, page.width, band_height, stroke=0, fill=1
        )
        canvas.restoreState()
    page.draw(field.label, offset=4, y=y, font=fonts.regular, size=style.label_size, color=MUTED)
    offset: float = label_column
    align: Align = "start"
    if field.amount and not page.right_to_left:
        # Amounts line up on their last digit, which is their right end in every
        # language: the end of the amounts column here, its start on an Arabic page.
        offset, align = label_column + amounts_width, "end"
    for index, line in enumerate(lines):
        if index:
            y -= style.line
        page.draw(line, offset=offset, y=y, font=font, size=size, align=align, color=INK)
    return y - 2


def _barcode(page: Page, payload: str, fonts: Fonts, style: Style, top: float) -> float:
    """The bill's barcode, centred, its characters under it as on the original;
    returns the y of the lowest text."""
    bar_width = BAR_WIDTH
    barcode = Code128Auto(payload, barWidth=bar_width, barHeight=style.bar_height, quiet=True)
    if barcode.width > page.width:
        bar_width = max(MIN_BAR_WIDTH, bar_width * page.width / barcode.width)
        barcode = Code128Auto(payload, barWidth=bar_width, barHeight=style.bar_height, quiet=True)
    bottom = top - style.bar_height
    barcode.drawOn(page.canvas, page.left + (page.width - barcode.width) / 2, bottom)
    text_y = bottom - style.label_size - 1
    page.draw(
        payload,
        offset=page.width / 2,
        y=text_y,
        font=fonts.regular,
        size=style.label_size,
        align="center",
        color=INK,
    )
    return text_y - 2
