"""The receipt on screen, drawn by the very code that feeds the thermal printer.

The preview is the printer's picture of the slip (:func:`app.printing.raster.slip_image`),
at the workstation's paper width, so what the agent sees is what the customer
gets: Arabic shaped and right to left, DUPLICATE n and CANCELLATION marks, the QR
proof. Reading and drawing take a few tens of milliseconds, so they run off the
GUI thread (:func:`render_receipt`); the widget only turns the grey pixels into a
pixmap. The slip's plain text goes along as the accessible description, for
screen readers and for tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.context import AppContext
from app.i18n import N_, gettext
from app.printing.raster import slip_image
from app.printing.receipt import load_receipt, printed_language, receipt_slip
from app.printing.settings import load_printer_settings
from app.printing.slip import Slip, plain_text
from ui.qt import QFrame, QImage, QLabel, QPixmap, QResizeEvent, QScrollArea, Qt, QWidget, named

_ = gettext


@dataclass(frozen=True)
class RenderedSlip:
    """A slip drawn as the printer prints it: 8-bit grey pixels, row after row."""

    title: str
    text: str  # the same slip as plain text: the accessible alternative
    width: int
    height: int
    pixels: bytes
    right_to_left: bool
    receipt_no: str | None = None
    copy_number: int = 0


def render_slip(
    slip: Slip, width: int, *, receipt_no: str | None = None, copy_number: int = 0
) -> RenderedSlip:
    image = slip_image(slip, width).convert("L")
    return RenderedSlip(
        title=slip.title,
        text=plain_text(slip),
        width=image.width,
        height=image.height,
        pixels=image.tobytes(),
        right_to_left=slip.right_to_left,
        receipt_no=receipt_no,
        copy_number=copy_number,
    )


def render_receipt(
    ctx: AppContext,
    workstation: str,
    language: str,
    *,
    receipt_no: str,
    copy_number: int = 0,
) -> RenderedSlip:
    """Read a receipt and draw it as ``workstation``'s printer prints it (not on the GUI thread).

    In the language it was queued to print in (the customer's); ``language`` is for a
    receipt that was never queued.
    """
    document = load_receipt(ctx.db, ctx.signer, receipt_no=receipt_no)
    dots = load_printer_settings(ctx.db, workstation).model.dots
    printed = printed_language(ctx.db, receipt_no, copy_number) or language
    return render_slip(
        receipt_slip(document, printed, copy_number),
        dots,
        receipt_no=document.summary.receipt_no,
        copy_number=copy_number,
    )


class ReceiptPreview(QScrollArea):
    """The last receipt as a picture, scaled down to the panel's width, scrolled lengthwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receipt_preview")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidgetResizable(True)
        self.setMinimumWidth(250)  # beside the bills on a 1024 px screen
        self.image_label = named(QLabel(), "receipt_image")
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.image_label.setWordWrap(True)
        self.image_label.setMargin(8)
        self.setWidget(self.image_label)
        self.slip: RenderedSlip | None = None
        self._image: QImage | None = None
        self.retranslate()

    def show_slip(self, slip: RenderedSlip) -> None:
        self.slip = slip
        # copy(): the QImage would otherwise point into the bytes object's buffer.
        self._image = QImage(
            slip.pixels, slip.width, slip.height, slip.width, QImage.Format.Format_Grayscale8
        ).copy()
        self.image_label.setText("")
        self.image_label.setStyleSheet("")
        self._scale()
        self.image_label.setToolTip(slip.text)
        self.image_label.setAccessibleName(slip.title)
        self.image_label.setAccessibleDescription(slip.text)
        self.setAccessibleName(slip.title)
        self.setAccessibleDescription(slip.text)
        self.verticalScrollBar().setValue(0)

    def clear_slip(self) -> None:
        self.slip = None
        self._image = None
        self.image_label.clear()
        self.image_label.setToolTip("")
        # The slip's title names its receipt: it leaves with the picture.
        self.image_label.setAccessibleName("")
        self.image_label.setAccessibleDescription("")
        self.setAccessibleDescription("")
        self.retranslate()

    def pixmap(self) -> QPixmap:
        return self.image_label.pixmap()

    def text(self) -> str:
        """The receipt as text (what a screen reader reads), empty when none is shown."""
        return self.slip.text if self.slip is not None else ""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._scale()

    def _scale(self) -> None:
        if self._image is None:
            return
        # Keep room for the vertical scroll bar, which a receipt nearly always needs:
        # otherwise its appearance would cut the end of every line.
        room = (
            self.width()
            - 2 * self.frameWidth()
            - 2 * self.image_label.margin()
            - self.verticalScrollBar().sizeHint().width()
        )
        width = max(120, min(self._image.width(), room))
        image = (
            self._image
            if width >= self._image.width()
            else self._image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        )
        self.image_label.setPixmap(QPixmap.fromImage(image))

    def retranslate(self) -> None:
        if self.slip is None:
            self.image_label.setStyleSheet("color: #555;")
            self.image_label.setText(_(N_("The receipt of the next payment shows here.")))
            self.setAccessibleName(_(N_("Last receipt")))
