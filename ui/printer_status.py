"""The receipt printer's state, always in sight at the counter.

Two sources, both cheap for the GUI thread: the print worker's snapshot (in
memory, read every second) and the number of jobs still waiting (a query, run
by the task runner every few seconds). Green only for a printer that said it is
ready with nothing waiting; amber when it may not print (paper low, a printer
that cannot tell its state, jobs waiting); red when it cannot print or the last
attempt failed. Clicking it, or F9, opens the print queue.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from app.auth import Actor
from app.context import AppContext
from app.errors import GuichetError
from app.i18n import N_, current_language, gettext
from app.printing.queue import JobView, pending_jobs
from app.printing.status import STATUS_LABELS, PrinterStatus
from app.printing.worker import PrintWorker, WorkerSnapshot
from ui.qt import (
    QFrame,
    QHBoxLayout,
    QHideEvent,
    QLabel,
    QMouseEvent,
    QShowEvent,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    named,
)
from ui.tasks import Runner

_ = gettext

# What the agent must fix before anything prints.
STOPPED = frozenset(
    {
        PrinterStatus.PAPER_OUT,
        PrinterStatus.COVER_OPEN,
        PrinterStatus.OFFLINE,
        PrinterStatus.UNREACHABLE,
    }
)


class Level(StrEnum):
    READY = "ready"
    WARNING = "warning"
    STOPPED = "stopped"


# (text, background, border): dark text on a light tint reads under counter lighting.
COLOURS = {
    Level.READY: ("#0a6b2d", "#e6f4ea", "#0a6b2d"),
    Level.WARNING: ("#6b4700", "#fff1cc", "#b56a00"),
    Level.STOPPED: ("#b00020", "#fde7ea", "#b00020"),
}


def assess(status: PrinterStatus, failing: bool, waiting: int) -> Level:
    """The colour of the printer's state; "unknown" is never "ready"."""
    if status in STOPPED or failing:
        return Level.STOPPED
    if status != PrinterStatus.ONLINE or waiting:
        return Level.WARNING
    return Level.READY


class PrinterStatusWidget(QFrame):
    clicked = Signal()

    def __init__(
        self,
        ctx: AppContext,
        workstation: str,
        runner: Runner,
        worker: PrintWorker | None,
        parent: QWidget | None = None,
        *,
        actor: Callable[[], Actor | None] = lambda: None,
        poll_ms: int = 1000,
        count_every: int = 4,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("printer_status")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search box keeps the keyboard
        self._ctx = ctx
        self._workstation = workstation
        self._actor = actor  # who is signed in: the queue is theirs to see
        self._runner = runner
        self.worker = worker
        self.waiting: int | None = None  # None until first counted
        self.jobs: list[JobView] = []
        self.level = Level.WARNING
        self._counting = False
        self._ticks = 0
        self._count_every = count_every

        self.dot = named(QLabel("●"), "printer_status_dot")
        self.headline = named(QLabel(), "printer_status_text")
        self.detail = named(QLabel(), "printer_status_detail")
        self.detail.setWordWrap(True)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        texts.addWidget(self.headline)
        texts.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(self.dot, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(texts, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self._tick)
        self.update_view()

    # --- polling ------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.timer.start()
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        # Nothing to watch behind the lock screen or once the window is gone.
        self.timer.stop()
        super().hideEvent(event)

    def _tick(self) -> None:
        self._ticks += 1
        if self._ticks % self._count_every == 0:
            self.refresh()
        else:
            self.update_view()

    def refresh(self) -> None:
        """Count the waiting jobs again (in the background), then redraw."""
        self.update_view()
        actor = self._actor()
        if self._counting or actor is None:
            return  # nobody signed in: the counter is behind the sign-in screen
        self._counting = True
        db, ref, language = self._ctx.db, self._workstation, current_language()
        self._runner.submit(
            lambda: pending_jobs(db, actor, ref, language=language),
            self._counted,
            self._not_counted,
        )

    def _counted(self, jobs: list[JobView]) -> None:
        self._counting = False
        self.jobs = jobs
        self.waiting = len(jobs)
        self.update_view()

    def _not_counted(self, _error: BaseException) -> None:
        self._counting = False  # the database was away a moment: the next tick tries again

    # --- showing ------------------------------------------------------------------------

    def snapshot(self) -> WorkerSnapshot | None:
        return self.worker.snapshot() if self.worker is not None else None

    def reason(self, snapshot: WorkerSnapshot | None) -> str | None:
        """Why the last attempt failed, in the reader's language; None when it did not."""
        error: GuichetError | None = snapshot.last_error if snapshot is not None else None
        if error is not None:
            return error.translated()
        # A job that failed before this worker started (an earlier run of the application).
        return next((job.error for job in self.jobs if job.error), None)

    def update_view(self) -> None:
        snapshot = self.snapshot()
        status = snapshot.status if snapshot is not None else PrinterStatus.UNKNOWN
        reason = self.reason(snapshot)
        waiting = self.waiting or 0
        self.level = assess(status, reason is not None, waiting)
        headline = _(STATUS_LABELS[status])
        if waiting:
            headline += " · " + _(N_("Waiting to print: {count}")).format(count=waiting)
        self.headline.setText(headline)
        self.detail.setText(reason or "")
        self.detail.setVisible(bool(reason))
        text, background, border = COLOURS[self.level]
        style = (
            f"QFrame#printer_status {{ background: {background}; border: 2px solid {border};"
            f" border-radius: 6px; }}"
            f" QLabel {{ color: {text}; }}"
            f" QLabel#printer_status_text {{ font-weight: 600; }}"
            f" QLabel#printer_status_dot {{ font-size: 16pt; }}"
            f" QLabel#printer_status_detail {{ font-size: 10pt; }}"
        )
        if style != self.styleSheet():  # restyling every second would cost a re-polish
            self.setStyleSheet(style)
        hint = _(N_("F9: print queue"))
        full = "\n".join(part for part in (headline, reason, hint) if part)
        self.setToolTip(full)
        self.setAccessibleName(headline)
        self.setAccessibleDescription(full)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def retranslate(self) -> None:
        self.refresh()  # the failure reasons of waiting jobs come translated from the query
