"""Drawing on a reportlab canvas in the reading direction of the document.

Layout code speaks of *start* and *end* (where a line begins and ends when read)
and of offsets measured from the start edge; this class turns them into
left/right coordinates. An Arabic page is then the mirror of a French one without
a second layout: labels start at the right margin, values sit to their left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.documents.arabic import visual

Align = Literal["start", "end", "center"]

_NO_BREAK_SPACES = frozenset("\u00a0\u2007\u202f")
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO
_POP = "\u202c"


@dataclass
class Page:
    canvas: Canvas
    right_to_left: bool
    left: float  # left margin, in points from the page's left edge
    right: float  # right margin, in points from the page's left edge

    @property
    def width(self) -> float:
        return self.right - self.left

    def x(self, offset: float) -> float:
        """The page coordinate of a point ``offset`` points from the start edge."""
        return self.right - offset if self.right_to_left else self.left + offset

    def text_width(self, text: str, font: str, size: float) -> float:
        # Shaped Arabic is narrower than its isolated letters: measure what is drawn.
        width = stringWidth(visual(text, right_to_left=self.right_to_left), font, size)
        return float(width)  # ok: points on the page, not money

    def draw(
        self,
        text: str,
        *,
        offset: float,
        y: float,
        font: str,
        size: float,
        align: Align = "start",
        color: Color | None = None,
    ) -> None:
        """Draw one logical line. ``start``: the line begins at ``offset`` and runs
        in reading direction; ``end``: it ends there; ``center``: centred on it."""
        line = visual(text, right_to_left=self.right_to_left)
        x = self.x(offset)
        canvas = self.canvas
        canvas.saveState()
        canvas.setFont(font, size)
        if color is not None:
            canvas.setFillColor(color)
        if align == "center":
            canvas.drawCentredString(x, y, line)
        elif (align == "start") != self.right_to_left:  # left-aligned on the page
            canvas.drawString(x, y, line)
        else:
            canvas.drawRightString(x, y, line)
        canvas.restoreState()

    def wrap(
        self, text: str, font: str, size: float, width: float, *, keep_values: bool = False
    ) -> list[str]:
        """Break a logical text into logical lines no wider than ``width``.

        Wrapping happens before reordering (see app.documents.arabic): reordering a
        whole paragraph first would put its last words on the first line.

        ``keep_values``: break only at ordinary spaces outside values marked with
        :func:`~app.documents.arabic.isolate`, so "12 345,67 DA" (no-break spaces)
        or an isolated phone number stays on one line unless wider than ``width``.
        """
        lines: list[str] = []
        current = ""
        for word in _breakable_words(text) if keep_values else text.split():
            candidate = f"{current} {word}" if current else word
            if self.text_width(candidate, font, size) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = word
            while self.text_width(current, font, size) > width and len(current) > 1:
                # One word wider than the column (a long reference): cut it.
                cut = len(current) - 1
                while cut > 1 and self.text_width(current[:cut], font, size) > width:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        if current:
            lines.append(current)
        return lines or [""]

    def rule(self, y: float, *, color: Color, thickness: float = 0.5) -> None:
        canvas = self.canvas
        canvas.saveState()
        canvas.setStrokeColor(color)
        canvas.setLineWidth(thickness)
        canvas.line(self.left, y, self.right, y)
        canvas.restoreState()


def _breakable_words(text: str) -> list[str]:
    """The pieces of ``text`` between its ordinary spaces, values kept whole."""
    words: list[str] = []
    current = ""
    depth = 0  # inside how many isolated values
    for char in text:
        if char in _EMBEDDINGS:
            depth += 1
        elif char == _POP:
            depth = max(depth - 1, 0)
        elif char.isspace() and depth == 0 and char not in _NO_BREAK_SPACES:
            if current:
                words.append(current)
            current = ""
            continue
        current += char
    if current:
        words.append(current)
    return words
