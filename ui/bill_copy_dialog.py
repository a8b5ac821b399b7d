"""F7: the copy of a bill that never arrived, on the receipt printer or as a PDF.

The agent picks with one key: 1 (or Enter) prints it on this counter's receipt
printer through the print queue; 2 saves it as an A5 PDF and opens it in the
computer's PDF viewer. A counter without a receipt printer offers the PDF only,
and says why. Where no PDF viewer opens the file (none installed, or it failed
to start), the dialog stays open on the file's full path (a status line at
1024 pixels would cut a long path short) until Enter or Esc, and the counter's
status line says it too: an agent never waits for a window that will not come.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from app.auth import Actor
from app.context import AppContext
from app.documents.issue import issue_bill_copy
from app.i18n import N_, gettext, is_right_to_left
from app.printing.copies import print_bill_copy
from app.printing.settings import PrinterSettings, load_printer_settings
from ui.focus import KeyboardDialog
from ui.formatting import ltr
from ui.qt import (
    QDesktopServices,
    QKeyEvent,
    QLabel,
    QPushButton,
    Qt,
    QUrl,
    QVBoxLayout,
    QWidget,
    named,
)
from ui.tasks import Runner, error_text

_ = gettext

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

# The choice Enter takes is the blue one; the other is grey. The theme draws every
# button alike, which would leave the agent guessing what Enter does.
CHOICE_STYLE = """
QPushButton#print_copy, QPushButton#pdf_copy { background: #e3e3e0; color: #111; }
QPushButton#print_copy:focus, QPushButton#pdf_copy:focus { background: #0b5cad; color: white; }
QPushButton#print_copy:disabled { background: #f0f0ee; color: #77776f; }
"""


def pdf_viewer_available() -> bool:
    """Whether this computer has an application for PDF files.

    On Linux ``QDesktopServices.openUrl`` only says whether ``xdg-open`` started,
    not whether anything opened the file, so the desktop's PDF handler is asked
    first. Windows and macOS report a missing application through ``openUrl``.
    Runs a program: call it off the GUI thread.
    """
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    if shutil.which("xdg-open") is None:
        return False
    query = shutil.which("xdg-mime")
    if query is None:
        return True  # cannot tell: let xdg-open try
    try:
        answer = subprocess.run(
            [query, "query", "default", "application/pdf"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return True
    return bool(answer.stdout.strip())


def open_in_viewer(path: Path) -> bool:
    """Open ``path`` in the system's viewer; False when nothing could."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


def _hint(pieces: tuple[str, ...]) -> str:
    # Each piece isolated: in Arabic "1" or "Esc" would otherwise run into the next piece.
    isolate = "\u2067" if is_right_to_left() else "\u2066"
    return " · ".join(f"{isolate}{_(piece)}\u2069" for piece in pieces)


class BillCopyDialog(KeyboardDialog):
    """Choose how to hand over the copy of ``invoice_number``; does it, then closes.

    After Accepted: ``job_id`` (printed) or ``path`` (saved), and ``outcome``, which
    writes the line for the counter's status in the language of the moment (a
    language switch rewrites the status line).
    """

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        workstation: str,
        invoice_number: str,
        language: str,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        open_documents: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bill_copy_dialog")
        self._ctx, self._actor, self._workstation = ctx, actor, workstation
        self._language, self._runner = language, runner
        self.invoice_number = invoice_number
        self.open_documents = open_documents  # tests turn it off: no viewer on a build machine
        self.busy = False
        self.job_id: int | None = None
        self.path: Path | None = None
        self.outcome: Callable[[], str] = lambda: ""
        self.not_opened = False  # saved, but no viewer opened it: the path is on show
        title = _(N_("Copy of invoice {number}")).format(number=ltr(invoice_number))
        self.setWindowTitle(title)

        self.title = named(QLabel(title), "title")
        self.print_button = named(QPushButton(), "print_copy")
        self.pdf_button = named(QPushButton(), "pdf_copy")
        for button in (self.print_button, self.pdf_button):
            button.setMinimumHeight(44)  # a large target: the counter is used standing too
            button.setAutoDefault(False)  # Enter is ours: it takes the focused choice
        self.print_button.setText(_(N_("1 · Print on the receipt printer")))
        self.pdf_button.setText(_(N_("2 · Save as PDF and open it")))
        self.note = named(QLabel(), "muted")
        self.note.setWordWrap(True)
        self.note.hide()
        self.where = named(QLabel(), "where")
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where.hide()
        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.hint = named(QLabel(), "muted")
        self.hint.setText(
            _hint((N_("1 or Enter: print"), N_("2: PDF"), N_("↑↓: choose"), N_("Esc: cancel")))
        )
        self.print_button.clicked.connect(self.print_copy)
        self.pdf_button.clicked.connect(self.save_pdf)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.print_button)
        layout.addWidget(self.pdf_button)
        layout.addWidget(self.note)
        layout.addWidget(self.where)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        self.setMinimumWidth(420)
        self.setStyleSheet(CHOICE_STYLE)
        self.print_button.setFocus()

        # Whether this counter has a receipt printer at all: a small read, off the GUI thread.
        self._runner.submit(
            lambda: load_printer_settings(ctx.db, workstation), self._printer_known, lambda _e: None
        )

    # --- choosing -------------------------------------------------------------------------

    def _printer_known(self, settings: PrinterSettings) -> None:
        if settings.printer_uri:
            return
        self.print_button.setEnabled(False)
        self.note.setText(_(N_("No receipt printer is set for this counter: save the PDF.")))
        self.note.show()
        self.hint.setText(_hint((N_("2 or Enter: PDF"), N_("Esc: cancel"))))
        self.pdf_button.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if self.not_opened:
            if key in (*_ENTER_KEYS, Qt.Key.Key_Escape):
                self.accept()
            return
        if self.busy:
            # One copy per choice, however long the key is held; and no Esc either: the
            # copy is being made, and the status line must say how it ended.
            return
        if key == Qt.Key.Key_1:
            self.print_copy()
        elif key == Qt.Key.Key_2:
            self.save_pdf()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._move_focus()
        elif key in _ENTER_KEYS:
            if self.pdf_button.hasFocus() or not self.print_button.isEnabled():
                self.save_pdf()
            else:
                self.print_copy()
        else:
            super().keyPressEvent(event)

    def _move_focus(self) -> None:
        if self.print_button.hasFocus() or not self.print_button.isEnabled():
            self.pdf_button.setFocus()
        else:
            self.print_button.setFocus()

    def _start(self) -> bool:
        if self.busy:
            return False
        self.busy = True
        self.error.hide()
        self.print_button.setEnabled(False)
        self.pdf_button.setEnabled(False)
        return True

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.error.setText(error_text(error))
        self.error.show()
        self.pdf_button.setEnabled(True)
        self._runner.submit(
            lambda: load_printer_settings(self._ctx.db, self._workstation),
            self._printer_again,
            lambda _e: None,
        )
        self.pdf_button.setFocus()

    def _printer_again(self, settings: PrinterSettings) -> None:
        self.print_button.setEnabled(bool(settings.printer_uri))

    # --- doing ------------------------------------------------------------------------------

    def print_copy(self) -> None:
        if not self.print_button.isEnabled() or not self._start():
            return
        ctx, actor, number = self._ctx, self._actor, self.invoice_number
        workstation, language = self._workstation, self._language
        self._runner.submit(
            lambda: print_bill_copy(ctx, actor, number, workstation=workstation, language=language),
            self._printed,
            self._failed,
        )

    def _printed(self, job_id: int) -> None:
        self.job_id = job_id
        number = ltr(self.invoice_number)
        self.outcome = lambda: _(
            N_("Copy of invoice {number} queued on the receipt printer.")
        ).format(number=number)
        self.accept()

    def save_pdf(self) -> None:
        if not self._start():
            return
        ctx, actor, number = self._ctx, self._actor, self.invoice_number
        workstation, language = self._workstation, self._language
        look_for_viewer = self.open_documents

        def work() -> tuple[Path, bool]:
            path = issue_bill_copy(ctx, actor, number, language=language, workstation=workstation)
            return path, look_for_viewer and pdf_viewer_available()

        self._runner.submit(work, self._saved, self._failed)

    def _saved(self, saved: tuple[Path, bool]) -> None:
        path, viewer = saved
        self.path = path
        number, where = ltr(self.invoice_number), ltr(str(path))
        settled = False  # the copy is where the agent expects it: nothing more to show
        if not self.open_documents:
            said = N_("Copy of invoice {number} saved as {path}")
            settled = True
        elif viewer and open_in_viewer(path):
            said = N_("Copy of invoice {number} opened in the PDF viewer: {path}")
            settled = True
        else:
            # Nothing opened it: the agent must know where the file is, or the copy is lost.
            said = N_("No PDF viewer could open the copy of invoice {number}; the file is {path}")
        self.outcome = lambda: _(said).format(number=number, path=where)
        if settled:
            self.accept()
        else:
            self._show_where(path)

    def _show_where(self, path: Path) -> None:
        self.busy = False
        self.not_opened = True
        for widget in (self.print_button, self.pdf_button, self.error):
            widget.hide()
        self.note.setText(
            _(N_("No PDF viewer could open the copy of invoice {number}. It is saved as:")).format(
                number=ltr(self.invoice_number)
            )
        )
        self.note.show()
        self.where.setText(ltr(str(path)))
        self.where.show()
        self.hint.setText(_hint((N_("Enter or Esc: close"),)))
        self.setFocus()
        self.adjustSize()

    def reject(self) -> None:
        if self.busy:
            return  # closed mid-copy, its outcome would be lost (see keyPressEvent)
        if self.not_opened:
            self.accept()  # the copy exists: the status line must say where, however it closes
            return
        super().reject()
