"""Keeping this workstation's lease while the counter runs (see :mod:`app.station_lease`).

The heartbeat runs off the GUI thread through the task runner, so a slow
database never freezes the screen. A beat that fails because the database is
away is simply tried again at the next one; a beat refused because another
counter took the workstation meanwhile (this one was stopped longer than the
lease) is shown once, in words, since two counters on one drawer mislead both
agents about the cash.

Each beat also carries the printer's state as the print worker last read it,
for the supervisor's dashboard (a printer on this computer's own port can be
read from here only). The keeper looks at the worker's snapshot, in memory,
every few seconds and beats at once when the state changed, so a printer out of
paper shows on the dashboard within seconds rather than at the next beat.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress

from app.auth import Actor
from app.context import AppContext
from app.i18n import N_, gettext
from app.printing.status import PrinterStatus
from app.printing.worker import PrintWorker
from app.station_lease import (
    HEARTBEAT_SECONDS,
    Lease,
    PrinterState,
    WorkstationInUseError,
    release,
    renew,
)
from ui.qt import QMessageBox, QObject, QTimer, QWidget
from ui.tasks import Runner

_ = gettext

# How often the keeper looks whether the print worker's reading changed.
PRINTER_LOOK_MS = 2000
# After a beat that failed, a changed printer state waits this long before another
# early beat: a database that is away is not asked every two seconds.
RETRY_SECONDS = 10.0


def printer_state_of(worker: PrintWorker) -> Callable[[], PrinterState | None]:
    """The worker's last reading of its printer, once it has read it."""

    def state() -> PrinterState | None:
        snapshot = worker.snapshot()
        if snapshot.checked_at is None:
            return None
        return PrinterState(snapshot.status, snapshot.checked_at)

    return state


class LeaseKeeper(QObject):
    def __init__(
        self,
        ctx: AppContext,
        lease: Lease,
        runner: Runner,
        agent: Callable[[], Actor | None],
        parent: QWidget,
        *,
        printer: Callable[[], PrinterState | None] = lambda: None,
        interval_ms: int = HEARTBEAT_SECONDS * 1000,
        printer_look_ms: int = PRINTER_LOOK_MS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``printer``: this counter's printer as its print worker last read it."""
        super().__init__(parent)
        self._ctx = ctx
        self.lease = lease
        self._runner = runner
        self._agent = agent
        self._printer = printer
        self._parent = parent
        self._clock = clock
        self._beating = False
        self.reported: PrinterStatus | None = None  # the state the last beat wrote
        self._failed_at: float | None = None
        self.warning: QMessageBox | None = None  # shown once while the lease is lost
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.renew_now)
        self._printer_timer = QTimer(self)
        self._printer_timer.setInterval(printer_look_ms)
        self._printer_timer.timeout.connect(self.look_at_printer)

    def start(self) -> None:
        self._timer.start()
        self._printer_timer.start()

    def look_at_printer(self) -> None:
        """Beat now if the printer's state changed since the last beat wrote it."""
        state = self._printer()
        if state is None or state.status == self.reported:
            return
        if self._failed_at is not None and self._clock() - self._failed_at < RETRY_SECONDS:
            return
        self.renew_now()

    def renew_now(self) -> None:
        """A beat now (also at sign-in and sign-out: the lease names the agent)."""
        if self._beating:
            return  # the last beat still waits on the database: one at a time
        self._beating = True
        ctx, lease, agent, printer = self._ctx, self.lease, self._agent(), self._printer()
        self._runner.submit(
            lambda: renew(ctx, lease, agent=agent, printer=printer),
            lambda renewed: self._renewed(renewed, printer),
            self._failed,
        )

    def _renewed(self, lease: Lease, printer: PrinterState | None) -> None:
        self._beating = False
        self._failed_at = None
        self.lease = lease
        if printer is not None:
            self.reported = printer.status
        if self.warning is not None:
            self.warning.close()
            self.warning = None

    def _failed(self, error: BaseException) -> None:
        self._beating = False
        self._failed_at = self._clock()
        if isinstance(error, WorkstationInUseError) and self.warning is None:
            self.warning = QMessageBox(
                QMessageBox.Icon.Warning,
                _(N_("Workstation in use")),
                error.translated(),
                QMessageBox.StandardButton.Ok,
                self._parent,
            )
            self.warning.open()
        # Anything else (the database away) is tried again at the next beat.


def release_quietly(ctx: AppContext, lease: Lease) -> None:
    """Free the workstation at exit; with the database away, the lease simply expires."""
    with suppress(Exception):  # an exit must not fail on it: the lease expires anyway
        release(ctx, lease)


def refuse_in_window(error: BaseException, parent: QWidget | None) -> None:
    """A start refused because the workstation is in use: say so in the window the
    agent is looking at (started from an icon, nobody reads the terminal).

    The command line prints the same line on the terminal (``app.cli.main``); any
    other error is left to it alone.
    """
    if not isinstance(error, WorkstationInUseError):
        return
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        _(N_("Workstation in use")),
        error.translated(),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.exec()
