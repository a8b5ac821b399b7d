"""A slip as the ESC/POS bytes a thermal printer prints, through python-escpos.

Latin text goes as text in the printer's own font, in a code page the printer's
capability profile has and that holds French (CP858 first: it has the euro sign),
so it prints crisp and fast. Text the code page cannot hold, and every line of a
right-to-left slip, goes as a raster image drawn by :mod:`app.printing.raster`
(shaped, right to left, bundled font). The QR code is drawn by the printer when
its profile can, else as an image. A partial cut ends the slip and the original
of a cash payment, or of a cash void (the refund leaves the drawer), kicks the
cash drawer.

Rendering never touches a printer: python-escpos's ``Dummy`` collects the bytes,
which :mod:`app.printing.devices` sends, and tests read.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

# Only the constants here: python-escpos's printers and capabilities load at the first
# rendering, through app.printing.escpos_capabilities.
from escpos.constants import QR_ECLEVEL_M
from PIL import Image

from app.documents.arabic import has_right_to_left
from app.errors import ValidationError
from app.i18n import N_
from app.printing.escpos_capabilities import dummy_printer, get_profile
from app.printing.raster import blocks_image
from app.printing.slip import (
    Align,
    Block,
    Gap,
    Logo,
    Mark,
    Pair,
    QRCode,
    Rule,
    Slip,
    Text,
    pair_lines,
    wrap_words,
)

if TYPE_CHECKING:
    from escpos.printer import Dummy

DEFAULT_PROFILE = "TM-T20II"
PAPER_WIDTHS_MM = (58, 80)
# Code pages that hold every letter of French, best first; CP858 is CP850 with €.
LATIN_CODE_PAGES = ("CP858", "CP1252", "ISO_8859-15", "CP850", "CP437")

# Characters the code pages lack but that Babel and translators use, and what prints instead.
_PRINTABLE = str.maketrans(
    {
        "\u00a0": " ",  # no-break space (French amounts)
        "\u202f": " ",  # narrow no-break space (French thousands)
        "\u2009": " ",
        "\u2019": "'",
        "\u2018": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u200e": None,  # direction marks: meaningless in a left-to-right code page
        "\u200f": None,
        "\u202a": None,
        "\u202b": None,
        "\u202c": None,
    }
)


@dataclass(frozen=True)
class PrinterModel:
    """What a printer can do: its python-escpos profile and its paper."""

    profile: str = DEFAULT_PROFILE
    paper_width_mm: int = 80

    @property
    def dots(self) -> int:
        """Printable dots across: the profile's own figure when it is for this paper."""
        if self.paper_width_mm == 58:
            return 384
        pixels = get_profile(self.profile).profile_data["media"]["width"]["pixels"]
        return pixels if isinstance(pixels, int) and pixels >= 500 else 576

    @property
    def columns(self) -> int:
        """Characters per line in font A (12 dots wide)."""
        return self.dots // 12


def check_printer_model(profile: str | None, paper_width_mm: int | None) -> PrinterModel:
    """A model from settings, refusing an unknown profile or paper width by name."""
    name = (profile or DEFAULT_PROFILE).strip()
    try:
        get_profile(name)
    except Exception:
        raise ValidationError(
            N_("Unknown printer profile {profile}."), field="printer_profile", profile=name
        ) from None
    width = paper_width_mm or 80
    if width not in PAPER_WIDTHS_MM:
        raise ValidationError(
            N_("Paper is 58 or 80 mm wide, not {width}."), field="paper_width_mm", width=width
        )
    return PrinterModel(name, width)


def _printer(model: PrinterModel) -> Dummy:
    printer = dummy_printer(model.profile)
    # The profile object is shared by python-escpos; give this one its own copy with the
    # paper's real width, so images are checked and centred against the paper in use.
    printer.profile.profile_data = copy.deepcopy(printer.profile.profile_data)
    printer.profile.profile_data["media"]["width"]["pixels"] = model.dots
    return printer


def _code_page(model: PrinterModel) -> str | None:
    pages = set(get_profile(model.profile).profile_data["codePages"].values())
    return next((page for page in LATIN_CODE_PAGES if page in pages), None)


def _encodable(text: str, code_page: str | None) -> bool:
    if code_page is None:
        return text.isascii()
    python_name = code_page.replace("_", "-").lower()
    try:
        text.encode(python_name)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


class _EscposWriter:
    def __init__(self, model: PrinterModel, right_to_left: bool) -> None:
        self.model = model
        self.right_to_left = right_to_left
        self.printer = _printer(model)
        self.code_page = _code_page(model)
        self.pending_raster: list[Block] = []
        self.printer.hw("INIT")
        if self.code_page and not right_to_left:  # a right-to-left slip prints no text
            self.printer.charcode(self.code_page)

    # Raster blocks are gathered and sent as one image: fewer, larger GS v 0 commands.
    def raster(self, block: Block) -> None:
        self.pending_raster.append(block)

    def flush_raster(self) -> None:
        if not self.pending_raster:
            return
        image = blocks_image(self.pending_raster, self.model.dots, self.right_to_left)
        self.pending_raster = []
        self.image(image)

    def image(self, image: Image.Image) -> None:
        self.printer.set(align="left")
        # A threshold, not Pillow's default dithering: dithered letter edges print fuzzy.
        ink = image.convert("L").point(lambda value: 255 if value >= 128 else 0).convert("1")
        self.printer.image(ink, impl="bitImageRaster", center=False)

    def text_block(self, block: Block) -> bool:
        """Print ``block`` as text if the code page holds it; False when it must be raster."""
        printer, columns = self.printer, self.model.columns
        if isinstance(block, Text):
            text = block.text.translate(_PRINTABLE)
            if has_right_to_left(block.text) or not _encodable(text, self.code_page):
                return False
            self.flush_raster()
            width = columns // 2 if block.large else columns
            printer.set(
                align={Align.START: "left", Align.CENTER: "center", Align.END: "right"}[
                    block.align
                ],
                bold=block.bold,
                double_width=block.large,
                double_height=block.large,
                normal_textsize=not block.large,
            )
            for line in wrap_words(text, width):
                printer.textln(line)
            printer.set(align="left", bold=False, normal_textsize=True)
            return True
        if isinstance(block, Pair):
            label, value = block.label.translate(_PRINTABLE), block.value.translate(_PRINTABLE)
            both = label + value
            if has_right_to_left(block.label + block.value) or not _encodable(both, self.code_page):
                return False
            self.flush_raster()
            width = columns // 2 if block.large else columns
            printer.set(
                align="left",
                bold=block.bold,
                double_width=block.large,
                double_height=block.large,
                normal_textsize=not block.large,
            )
            for line in pair_lines(label, value, width):
                printer.textln(line)
            printer.set(bold=False, normal_textsize=True)
            return True
        if isinstance(block, Rule):
            self.flush_raster()
            printer.textln(("=" if block.heavy else "-") * columns)
            return True
        if isinstance(block, Mark):
            text = block.text.translate(_PRINTABLE)
            if has_right_to_left(block.text) or not _encodable(text, self.code_page):
                return False
            self.flush_raster()
            printer.set(
                align="center", bold=True, invert=True, double_width=True, double_height=True
            )
            printer.textln(f" {text} ")
            printer.set(align="left", bold=False, invert=False, normal_textsize=True)
            printer.ln()
            return True
        if isinstance(block, Gap):
            self.flush_raster()
            printer.ln(block.lines)
            return True
        return False

    def qr(self, block: QRCode) -> None:
        self.flush_raster()
        if self.printer.profile.supports("qrCode"):
            self.printer.set(align="center")
            self.printer.qr(block.data, ec=QR_ECLEVEL_M, size=6, native=True)
            self.printer.set(align="left")
        else:
            self.raster(block)
            self.flush_raster()

    def finish(self, open_drawer: bool) -> bytes:
        self.flush_raster()
        self.printer.cut(mode="PART")
        if open_drawer:
            self.printer.cashdraw(2)
        return bytes(self.printer.output)


def slip_escpos(slip: Slip, model: PrinterModel | None = None) -> bytes:
    """The bytes that print ``slip`` on a printer of ``model`` (default: 80 mm TM-T20II)."""
    writer = _EscposWriter(model or PrinterModel(), slip.right_to_left)
    _write_blocks(writer, slip.blocks, slip.right_to_left)
    return writer.finish(slip.open_drawer)


def _write_blocks(writer: _EscposWriter, blocks: Sequence[Block], right_to_left: bool) -> None:
    for block in blocks:
        if isinstance(block, QRCode):
            writer.qr(block)
        elif isinstance(block, Logo) or right_to_left:
            # A right-to-left slip is raster from top to bottom: mixing the printer's
            # left-to-right text in would break the mirrored layout.
            writer.raster(block)
        elif not writer.text_block(block):
            writer.raster(block)
