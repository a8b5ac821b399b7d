"""What is waiting to print, and the two things an agent can do about it.

"Retry now" asks the worker to try at once rather than at its next attempt (after
the paper was changed, say); "Send to another printer…" moves the jobs to the
printer next door while this one is broken. Both act on the selected jobs, or on
all of them when none is selected. Agents see their own workstation's queue and
send it only to a printer of their agency (listed under the address); supervisors
may look at every workstation's and send anywhere. The services check all of it.
Every query runs in the background.
"""

from __future__ import annotations

from app.auth import Actor
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, current_language, gettext, join_list
from app.printing.queue import JobView, agency_printers, pending_jobs, redirect, retry_now
from app.printing.receipt import COPY_MARK
from app.printing.worker import PrintWorker
from db.models import PrintJobKind, Role
from ui.focus import KeyboardDialog
from ui.formatting import ltr, moment
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QHideEvent,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    QShowEvent,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    named,
)
from ui.table_model import Column, RowsModel
from ui.tasks import Runner, error_text

_ = gettext

JOB_KINDS = {
    PrintJobKind.RECEIPT: N_("Receipt"),
    PrintJobKind.BILL_COPY: N_("Bill copy"),
    PrintJobKind.TEST_PAGE: N_("Test page"),
    PrintJobKind.TILL_REPORT: N_("Till report"),
    PrintJobKind.COMPLAINT_SLIP: N_("Complaint acknowledgment"),
    PrintJobKind.COMPENSATION_NOTICE: N_("Compensation notice"),
}
REDIRECT_EXAMPLE = "tcp://10.0.0.12:9100"


def document_label(job: JobView) -> str:
    kind = JOB_KINDS.get(job.kind)  # type: ignore[call-overload]
    name = _(kind) if kind else job.kind
    return f"{name} {ltr(job.document_ref)}"


def copy_label(job: JobView) -> str:
    if not job.copy_number:
        return _(N_("Original"))
    return _(COPY_MARK).format(number=job.copy_number)


class JobsModel(RowsModel[JobView]):
    """The jobs, with each cell's whole text as its tooltip: errors are long."""

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            return super().data(index, Qt.ItemDataRole.DisplayRole) or None
        return super().data(index, role)


def fit_height(dialog: QWidget) -> None:
    """Grow a dialog to its wrapped labels' height: Qt does not for a shown window."""
    layout = dialog.layout()
    if layout is None:
        return
    needed = (
        layout.totalHeightForWidth(dialog.width())
        if layout.hasHeightForWidth()
        else layout.totalSizeHint().height()
    )
    if needed > dialog.height():
        dialog.resize(dialog.width(), needed)


class PrintQueueDialog(KeyboardDialog):
    settings_wanted = Signal()  # a supervisor asked for the printer settings

    def __init__(
        self,
        ctx: AppContext,
        actor: Actor,
        workstation: str,
        timezone: str,
        runner: Runner,
        worker: PrintWorker | None,
        parent: QWidget | None = None,
        *,
        every_workstation: bool = False,
        refresh_ms: int = 3000,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("print_queue_dialog")
        self.resize(1100, 480)
        self._ctx, self._actor, self._workstation = ctx, actor, workstation
        self._runner, self._worker = runner, worker
        self._supervisor = actor.has_role(Role.SUPERVISOR)
        self._loading = False
        self._generation = 0
        self.busy = False

        self.model = JobsModel(
            [
                Column("workstation", N_("Workstation"), lambda j: j.workstation),
                Column("document", N_("Document"), document_label),
                Column("copy", N_("Copy"), copy_label),
                Column("queued", N_("Queued at"), lambda j: moment(j.created_at, timezone)),
                Column("attempts", N_("Attempts"), lambda j: j.attempts, align_end=True),
                Column("printer", N_("Printer"), lambda j: ltr(j.printer_uri) or "—"),
                Column(
                    "error",
                    N_("Last error"),
                    lambda j: j.error or "",
                    colour=lambda j: "#b00020" if j.error else None,
                ),
            ]
        )
        self.view = named(QTableView(), "print_jobs")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        self.every_workstation = named(QCheckBox(), "every_workstation")
        self.every_workstation.setChecked(every_workstation)
        self.every_workstation.setVisible(self._supervisor)
        self.summary = named(QLabel(), "title")
        self.hint = named(QLabel(), "muted")
        self.hint.setWordWrap(True)
        self.message = named(QLabel(), "muted")
        self.message.setWordWrap(True)
        self.detail = named(QLabel(), "job_error")  # the current job's whole error
        self.detail.setStyleSheet("color: #b00020;")
        self.detail.setWordWrap(True)
        self.detail.setVisible(False)

        self.retry_button = named(QPushButton(), "retry")
        self.redirect_button = named(QPushButton(), "secondary")
        self.settings_button = named(QPushButton(), "secondary")
        self.settings_button.setVisible(self._supervisor)
        self.close_button = named(QPushButton(), "secondary")
        for button in (
            self.retry_button,
            self.redirect_button,
            self.settings_button,
            self.close_button,
        ):
            button.setAutoDefault(False)

        # "Send to another printer…" opens this row: the address, and why it is refused.
        self.redirect_box = named(QWidget(), "redirect_box")
        self.redirect_label = QLabel()
        self.printer_uri = named(QLineEdit(), "redirect_uri")
        self.printer_uri.setPlaceholderText(REDIRECT_EXAMPLE)
        self.redirect_send = named(QPushButton(), "redirect_send")
        self.redirect_send.setAutoDefault(False)
        self.printer_uri_error = named(QLabel(), "error")
        self.printer_uri_error.setWordWrap(True)
        self.agency_printers = named(QLabel(), "agency_printers")  # where an agent may send
        self.agency_printers.setWordWrap(True)
        self.agency_printers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._printers: list[tuple[str, str]] = []
        redirect_row = QHBoxLayout()
        redirect_row.setContentsMargins(0, 0, 0, 0)
        redirect_row.addWidget(self.redirect_label)
        redirect_row.addWidget(self.printer_uri, 1)
        redirect_row.addWidget(self.redirect_send)
        redirect_layout = QVBoxLayout(self.redirect_box)
        redirect_layout.setContentsMargins(0, 0, 0, 0)
        redirect_layout.addLayout(redirect_row)
        redirect_layout.addWidget(self.agency_printers)
        redirect_layout.addWidget(self.printer_uri_error)
        self.redirect_box.setVisible(False)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.every_workstation)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.redirect_button)
        buttons.addStretch()
        buttons.addWidget(self.settings_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.hint)
        layout.addWidget(self.redirect_box)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.every_workstation.toggled.connect(lambda _checked: self._scope_changed())
        self.retry_button.clicked.connect(self.retry)
        self.redirect_button.clicked.connect(self.ask_printer)
        self.redirect_send.clicked.connect(self.send_elsewhere)
        self.printer_uri.returnPressed.connect(self.send_elsewhere)
        self.settings_button.clicked.connect(self.settings_wanted.emit)
        self.close_button.clicked.connect(self.accept)
        self.view.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self._show_detail()
        )

        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self._tick)
        self.retranslate()
        self.reload()
        self.view.setFocus()

    # --- the list -----------------------------------------------------------------------

    @property
    def showing_every_workstation(self) -> bool:
        return self._supervisor and self.every_workstation.isChecked()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def _tick(self) -> None:
        if not self._loading:
            self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        self._loading = True
        db, actor, ref, language = self._ctx.db, self._actor, self._workstation, current_language()
        every = self.showing_every_workstation
        self._runner.submit(
            lambda: pending_jobs(db, actor, ref, every_workstation=every, language=language),
            lambda jobs: self._loaded(generation, jobs),
            lambda error: self._load_failed(generation, error),
        )

    def _scope_changed(self) -> None:
        self.retranslate()
        self.reload()

    def _loaded(self, generation: int, jobs: list[JobView]) -> None:
        if generation != self._generation:
            return  # an older list (another scope, say) came back after a newer request
        self._loading = False
        chosen = set(self.selected_ids())
        self.model.set_rows(jobs)
        for row, job in enumerate(jobs):  # keep the agent's selection across refreshes
            if job.id in chosen:
                self.view.selectionModel().select(
                    self.model.index(row, 0),
                    self.view.selectionModel().SelectionFlag.Select
                    | self.view.selectionModel().SelectionFlag.Rows,
                )
        self._show_counts()
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.view.currentIndex().row()
        job = self.model.rows[row] if 0 <= row < len(self.model.rows) else None
        error = job.error if job is not None else None
        self.detail.setText(
            _(N_("Last error of the selected job: {error}")).format(error=error) if error else ""
        )
        if self.detail.isVisible() != bool(error):
            self.detail.setVisible(bool(error))
            fit_height(self)

    def _load_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.message.setText(error_text(error))

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.row_at(row).id for row in rows if row < len(self.model.rows)]

    def target_ids(self) -> list[int]:
        """The selected jobs, or every job listed when none is selected."""
        return self.selected_ids() or [job.id for job in self.model.rows]

    # --- acting -------------------------------------------------------------------------

    def retry(self) -> None:
        ids = self.target_ids()
        if self.busy or not ids:
            return
        self.busy = True
        actor, ref = self._actor, self._workstation
        self._runner.submit(
            lambda: retry_now(self._ctx, actor, ids, workstation=ref),
            lambda count: self._acted(
                _(N_("Sent to the printer again: {count}.")).format(count=count)
            ),
            self._failed,
        )

    def ask_printer(self) -> None:
        self.redirect_box.setVisible(True)
        fit_height(self)
        self.printer_uri_error.clear()
        self.printer_uri.setFocus()
        self.printer_uri.selectAll()
        db, ref = self._ctx.db, self._workstation
        self._runner.submit(
            lambda: agency_printers(db, ref), self._show_printers, lambda _error: None
        )

    def _show_printers(self, printers: list[tuple[str, str]]) -> None:
        self._printers = printers
        self._show_printers_text()
        fit_height(self)

    def send_elsewhere(self) -> None:
        ids = self.target_ids()
        if self.busy or not ids:
            return
        self.busy = True
        actor, uri, ref = self._actor, self.printer_uri.text(), self._workstation
        self.printer_uri_error.clear()
        self._runner.submit(
            lambda: redirect(self._ctx, actor, ids, uri, workstation=ref),
            lambda count: self._redirected(count),
            self._failed,
        )

    def _redirected(self, count: int) -> None:
        self.redirect_box.setVisible(False)
        self._acted(
            _(N_("Sent to {printer}: {count}.")).format(
                printer=ltr(self.printer_uri.text().strip()), count=count
            )
        )

    def _acted(self, message: str) -> None:
        self.busy = False
        self.message.setText(message)
        if self._worker is not None:
            self._worker.wake()
        self.reload()
        # The worker prints within a second or two: show the list without what it printed.
        QTimer.singleShot(2000, self._reload_if_open)

    def _reload_if_open(self) -> None:
        if self.isVisible():
            self.reload()

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        text = error_text(error)
        if isinstance(error, GuichetError) and error.field == "printer_uri":
            self.redirect_box.setVisible(True)
            self.printer_uri_error.setText(text)
            fit_height(self)
            self.printer_uri.setFocus()
            self.printer_uri.selectAll()
            return
        self.message.setText(text)
        self.reload()  # "already printed": show what is left

    # --- words --------------------------------------------------------------------------

    def _show_counts(self) -> None:
        self.view.setColumnHidden(
            self.model.column_index("workstation"), not self.showing_every_workstation
        )
        count = len(self.model.rows)
        self.summary.setText(
            _(N_("Waiting to print: {count}")).format(count=count)
            if count
            else _(N_("Nothing is waiting to print."))
        )
        self.retry_button.setEnabled(count > 0)
        self.redirect_button.setEnabled(count > 0)
        self.redirect_send.setEnabled(count > 0)

    def retranslate(self) -> None:
        self.setWindowTitle(
            _(N_("Print queues of every workstation"))
            if self.showing_every_workstation
            else _(N_("Print queue of {workstation}")).format(workstation=self._workstation)
        )
        self.every_workstation.setText(_(N_("Every workstation")))
        self.hint.setText(
            _(
                N_(
                    "Retry now and Send to another printer act on the selected jobs, "
                    "or on all of them when none is selected."
                )
            )
        )
        self.retry_button.setText(_(N_("Retry now")))
        self.redirect_button.setText(_(N_("Send to another printer…")))
        self.redirect_label.setText(_(N_("Printer address")))
        self.redirect_send.setText(_(N_("Send")))
        self._show_printers_text()
        self.settings_button.setText(_(N_("Printer settings…")))
        self.close_button.setText(_(N_("Close (Esc)")))
        self.model.retranslate()
        self._show_counts()

    def _show_printers_text(self) -> None:
        others = [(ref, uri) for ref, uri in self._printers if ref != self._workstation]
        if self._supervisor:
            text = _(N_("Printers of this agency: {printers}. A supervisor may give any address."))
        elif others:
            text = _(N_("Printers of this agency: {printers}."))
        else:
            text = _(N_("No other printer is set up in this agency; ask a supervisor."))
        listed = join_list(f"{ltr(uri)} ({ref})" for ref, uri in others) or "—"
        self.agency_printers.setText(text.format(printers=listed))
