"""A workstation's receipt printer, for supervisors and administrators.

The address says where the printer is (five kinds, with an example of each on
screen), the model which ESC/POS dialect it speaks, the paper how wide the
receipt is. The service checks everything and refuses anyone below supervisor;
its message shows under the field it names. "Print a test page" saves first
when something changed, so the page tests what is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth import Actor
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, current_language, gettext
from app.printing.queue import JobView, pending_jobs
from app.printing.settings import (
    PrinterSettings,
    load_printer_settings,
    profile_names,
    queue_test_page,
    save_printer_settings,
)
from app.printing.status import STATUS_LABELS, PrinterStatus
from app.printing.worker import PrintWorker
from ui.focus import KeyboardDialog
from ui.print_queue_dialog import fit_height
from ui.printer_status import COLOURS, assess
from ui.qt import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTimer,
    QVBoxLayout,
    QWidget,
    named,
)
from ui.tasks import Runner, error_text

_ = gettext

# (example, msgid of what it is): the five kinds of address the workstation knows.
ADDRESS_EXAMPLES = (
    ("tcp://192.168.1.50:9100", N_("network printer")),
    ("usb://04b8:0202", N_("USB printer, vendor and product IDs")),
    ("serial:///dev/ttyS0", N_("serial port")),
    ("file:///dev/usb/lp0", N_("device file")),
    ("cups://Receipts", N_("CUPS queue")),
)
PAPER_WIDTHS = (80, 58)
CHECK_AFTER_MS = 2000  # the worker looks at once when woken; a page takes a second


@dataclass(frozen=True)
class _Loaded:
    settings: PrinterSettings
    profiles: list[tuple[str, str]]


class PrinterSettingsDialog(KeyboardDialog):
    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        workstation: str,
        runner: Runner,
        worker: PrintWorker | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("printer_settings_dialog")
        self.resize(760, 0)
        self._ctx, self._actor, self._workstation = ctx, actor, workstation
        self._runner, self._worker = runner, worker
        self.settings: PrinterSettings | None = None  # as saved
        self.test_job: int | None = None
        self.busy = False

        self.printer_uri = named(QLineEdit(), "printer_uri")
        self.printer_uri.setPlaceholderText("tcp://192.168.1.50:9100")
        self.examples = named(QLabel(), "muted")  # one short line per example: no wrapping
        self.profile = named(QComboBox(), "printer_profile")
        self.paper_width = named(QComboBox(), "paper_width_mm")
        for width in PAPER_WIDTHS:
            self.paper_width.addItem("", width)
        self.errors = {
            name: named(QLabel(), "error")
            for name in ("printer_uri", "printer_profile", "paper_width_mm")
        }
        for label in self.errors.values():
            label.setWordWrap(True)
            label.setVisible(False)
        self.error = named(QLabel(), "error")  # what names no field (the role, say)
        self.error.setWordWrap(True)
        self.note = named(QLabel(), "muted")
        self.note.setWordWrap(True)
        self.printer_state = QLabel()
        self.printer_state.setWordWrap(True)

        self.test_button = named(QPushButton(), "secondary")
        self.save_button = named(QPushButton(), "save")
        self.close_button = named(QPushButton(), "secondary")
        for button in (self.test_button, self.save_button, self.close_button):
            button.setAutoDefault(False)

        self._labels = [QLabel() for _ in range(3)]
        form = QFormLayout()
        form.addRow(self._labels[0], self._column(self.printer_uri, self.errors["printer_uri"]))
        form.addRow("", self.examples)
        form.addRow(self._labels[1], self._column(self.profile, self.errors["printer_profile"]))
        form.addRow(self._labels[2], self._column(self.paper_width, self.errors["paper_width_mm"]))
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        self.title = named(QLabel(), "title")
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.printer_state)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addStretch()
        layout.addLayout(buttons)

        self.save_button.clicked.connect(self.save)
        self.test_button.clicked.connect(self.print_test_page)
        self.close_button.clicked.connect(self.reject)
        self.printer_uri.returnPressed.connect(self.save)
        self.retranslate()
        self._set_enabled(False)
        self._runner.submit(self._load, self._loaded, self._failed)
        self.printer_uri.setFocus()

    @staticmethod
    def _column(field: QWidget, error: QLabel) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(error)
        return box

    # --- loading ------------------------------------------------------------------------

    def _load(self) -> _Loaded:
        return _Loaded(load_printer_settings(self._ctx.db, self._workstation), profile_names())

    def _loaded(self, loaded: _Loaded) -> None:
        self.profile.clear()
        for profile, name in loaded.profiles:
            self.profile.addItem(name if name == profile else f"{name} ({profile})", profile)
        self._show(loaded.settings)
        self._set_enabled(True)
        self.show_printer_state()

    def _show(self, settings: PrinterSettings) -> None:
        self.settings = settings
        self.printer_uri.setText(settings.printer_uri or "")
        index = self.profile.findData(settings.profile)
        if index < 0:  # set elsewhere to a profile the list does not suggest: keep it
            self.profile.addItem(settings.profile, settings.profile)
            index = self.profile.count() - 1
        self.profile.setCurrentIndex(index)
        self.paper_width.setCurrentIndex(max(0, self.paper_width.findData(settings.paper_width_mm)))

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.printer_uri,
            self.profile,
            self.paper_width,
            self.save_button,
            self.test_button,
        ):
            widget.setEnabled(enabled)

    # --- saving -------------------------------------------------------------------------

    def values(self) -> tuple[str | None, str, int]:
        uri = self.printer_uri.text().strip() or None
        return uri, str(self.profile.currentData()), int(self.paper_width.currentData())

    def changed(self) -> bool:
        saved = self.settings
        if saved is None:
            return True
        return self.values() != (saved.printer_uri, saved.profile, saved.paper_width_mm)

    def _save_now(self) -> PrinterSettings:
        uri, profile, width = self.values()
        return save_printer_settings(
            self._ctx,
            self._actor,
            self._workstation,
            printer_uri=uri,
            profile=profile,
            paper_width_mm=width,
        )

    def save(self) -> None:
        if self.busy:
            return
        self._start()
        self._runner.submit(self._save_now, self._saved, self._failed)

    def _saved(self, settings: PrinterSettings) -> None:
        self._finish()
        self._show(settings)
        self.note.setText(_(N_("Printer settings saved.")))
        if self._worker is not None:
            self._worker.wake()  # it reads the address again at its next status check

    def print_test_page(self) -> None:
        if self.busy:
            return
        self._start()
        save_first = self.changed()
        language = current_language()

        def work() -> tuple[PrinterSettings | None, int]:
            settings = self._save_now() if save_first else None
            return settings, queue_test_page(
                self._ctx, self._actor, self._workstation, language=language
            )

        self._runner.submit(work, self._test_queued, self._failed)

    def _test_queued(self, outcome: tuple[PrinterSettings | None, int]) -> None:
        settings, job_id = outcome
        self._finish()
        if settings is not None:
            self._show(settings)
        self.test_job = job_id
        self.note.setText(_(N_("Test page queued; checking the printer…")))
        if self._worker is not None:
            self._worker.wake()
        QTimer.singleShot(CHECK_AFTER_MS, self._check_if_open)

    def _start(self) -> None:
        self.busy = True
        self._set_enabled(False)
        self.error.clear()
        self.note.clear()
        for label in self.errors.values():
            label.clear()
            label.setVisible(False)

    def _finish(self) -> None:
        self.busy = False
        self._set_enabled(True)

    def _failed(self, error: BaseException) -> None:
        self._finish()
        text = error_text(error)
        field = error.field if isinstance(error, GuichetError) else None
        label = self.errors.get(field or "")
        if label is None:
            self.error.setText(text)
            return
        label.setText(text)
        label.setVisible(True)
        fit_height(self)
        target = {
            "printer_uri": self.printer_uri,
            "printer_profile": self.profile,
            "paper_width_mm": self.paper_width,
        }[field or ""]
        target.setFocus()
        if target is self.printer_uri:
            self.printer_uri.selectAll()

    # --- the printer's answer -------------------------------------------------------------

    def _check_if_open(self) -> None:
        if self.isVisible():
            self.show_printer_state()

    def show_printer_state(self) -> None:
        """The printer's state from the worker, and what became of the test page."""
        snapshot = self._worker.snapshot() if self._worker is not None else None
        status = snapshot.status if snapshot is not None else PrinterStatus.UNKNOWN
        failing = snapshot is not None and snapshot.last_error is not None
        self.printer_state.setText(
            _(N_("Printer now: {status}")).format(status=_(STATUS_LABELS[status]))
        )
        colour = COLOURS[assess(status, failing, 0)][0]
        self.printer_state.setStyleSheet(f"color: {colour}; font-weight: 600;")
        if self.test_job is None:
            return
        db, actor, ref, job_id = self._ctx.db, self._actor, self._workstation, self.test_job
        language = current_language()
        self._runner.submit(
            lambda: pending_jobs(db, actor, ref, language=language),
            lambda jobs: self._test_outcome(job_id, jobs),
            lambda _error: None,
        )

    def _test_outcome(self, job_id: int, jobs: list[JobView]) -> None:
        waiting = next((job for job in jobs if job.id == job_id), None)
        if waiting is None:
            self.note.setText(_(N_("The test page went to the printer.")))
        elif waiting.error:
            self.note.setText(
                _(N_("The test page did not print: {reason}")).format(reason=waiting.error)
            )
        else:
            self.note.setText(_(N_("The test page is waiting for its turn in the queue.")))

    def retranslate(self) -> None:
        self.setWindowTitle(_(N_("Printer settings")))
        self.title.setText(
            _(N_("Receipt printer of {workstation}")).format(workstation=self._workstation)
        )
        self._labels[0].setText(_(N_("Printer address")))
        self._labels[1].setText(_(N_("Printer model")))
        self._labels[2].setText(_(N_("Paper width")))
        self.examples.setText(
            _(N_("Empty: no printer. For example:"))
            + "\n"
            + "\n".join(f"\u2066{uri}\u2069 — {_(what)}" for uri, what in ADDRESS_EXAMPLES)
        )
        for index, width in enumerate(PAPER_WIDTHS):
            self.paper_width.setItemText(index, _(N_("{width} mm")).format(width=width))
        self.test_button.setText(_(N_("Print a test page")))
        self.save_button.setText(_(N_("Save")))
        self.close_button.setText(_(N_("Close (Esc)")))
