"""The fonts of every PDF, registered with reportlab once per process.

DejaVu Sans is bundled in ``resources/fonts`` (with its licence) rather than
taken from the system: a counter PC may lack it, and one font covering Latin and
Arabic keeps French, Arabic and English documents identical everywhere.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONTS_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"

REGULAR = "GuichetSans"
BOLD = "GuichetSans-Bold"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str


_lock = threading.Lock()
_registered: Fonts | None = None


def document_fonts() -> Fonts:
    """Register the bundled fonts (first call only) and return their reportlab names.

    Documents may be built off the GUI thread, hence the lock: reportlab's font
    registry is a plain global dictionary.
    """
    global _registered
    with _lock:
        if _registered is None:
            for name, filename in _FILES.items():
                pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / filename)))
            pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)
            _registered = Fonts(regular=REGULAR, bold=BOLD)
        return _registered
