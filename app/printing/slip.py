"""A slip: what a thermal printer, a PDF roll and the screen all print, as blocks.

Receipts, the duplicate bill slip and the printer test page are built as a
:class:`Slip`: a column of blocks holding translated text in *logical* order (as
it reads, with :func:`app.documents.arabic.isolate` around embedded values). The
renderers (:mod:`app.printing.escpos_render`, :mod:`app.printing.raster`,
:mod:`app.printing.pdf_render`) decide how to draw each block for their medium,
so the three renderings cannot disagree on content.

Alignment speaks of the *start* and *end* of a line: on an Arabic slip the start
is the right edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Align(StrEnum):
    START = "start"
    CENTER = "center"
    END = "end"


@dataclass(frozen=True)
class Text:
    """A paragraph; renderers wrap it to the paper width."""

    text: str
    align: Align = Align.START
    bold: bool = False
    large: bool = False  # double height and width on a thermal printer


@dataclass(frozen=True)
class Pair:
    """A label at the start edge and its value at the end edge (an amount, a number)."""

    label: str
    value: str
    bold: bool = False
    large: bool = False


@dataclass(frozen=True)
class Rule:
    """A horizontal line across the paper."""

    heavy: bool = False


@dataclass(frozen=True)
class Mark:
    """A big, inverted word the customer cannot miss: DUPLICATA 2, ANNULATION."""

    text: str


@dataclass(frozen=True)
class QRCode:
    data: str  # ASCII only: every renderer and every phone reads it the same way


@dataclass(frozen=True)
class Logo:
    png: bytes  # the operator's logo, drawn centred, scaled to the paper


@dataclass(frozen=True)
class Gap:
    lines: int = 1


Block = Text | Pair | Rule | Mark | QRCode | Logo | Gap


@dataclass(frozen=True)
class Slip:
    language: str
    right_to_left: bool
    title: str  # document title (PDF metadata, print job name)
    blocks: tuple[Block, ...]
    open_drawer: bool = False  # kick the cash drawer once printed (cash taken)
    tags: frozenset[str] = field(default_factory=frozenset)  # e.g. {"duplicate"}


def plain_text(slip: Slip, width: int = 42) -> str:
    """The slip as monospace text: the CLI, logs and a quick look in tests.

    Right-to-left text is left in logical order; a terminal or Qt reorders it.
    """
    lines: list[str] = []
    for block in slip.blocks:
        if isinstance(block, Text):
            for line in wrap_words(block.text, width):
                if block.align == Align.CENTER:
                    lines.append(line.center(width).rstrip())
                elif block.align == Align.END:
                    lines.append(line.rjust(width))
                else:
                    lines.append(line)
        elif isinstance(block, Pair):
            lines.extend(pair_lines(block.label, block.value, width))
        elif isinstance(block, Rule):
            lines.append(("=" if block.heavy else "-") * width)
        elif isinstance(block, Mark):
            lines.append(f"*** {block.text} ***".center(width).rstrip())
        elif isinstance(block, QRCode):
            lines.append(f"[QR] {block.data}")
        elif isinstance(block, Gap):
            lines.extend([""] * block.lines)
    return "\n".join(lines)


def wrap_words(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` characters, cutting long words."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            while len(word) > width:
                if current:
                    lines.append(current)
                    current = ""
                lines.append(word[:width])
                word = word[width:]
            candidate = f"{current} {word}" if current else word
            if len(candidate) <= width:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def pair_lines(label: str, value: str, width: int) -> list[str]:
    """``label ...... value`` on one line when both fit, else the value on its own line."""
    if len(label) + 1 + len(value) <= width:
        return [label + " " * (width - len(label) - len(value)) + value]
    lines = wrap_words(label, width)
    lines.extend(line.rjust(width) for line in wrap_words(value, width))
    return lines
