"""Keeping this workstation's lease while the counter runs (see :mod:`app.station_lease`).

The heartbeat runs off the GUI thread through the task runner, so a slow
database never freezes the screen. A beat that fails because the database is
away is simply tried again at the next one; a beat refused because another
counter took the workstation meanwhile (this one was stopped longer than the
lease) is shown once, in words, since two counters on one drawer mislead both
agents about the cash.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from app.auth import Actor
from app.context import AppContext
from app.i18n import N_, gettext
from app.station_lease import HEARTBEAT_SECONDS, Lease, WorkstationInUseError, release, renew
from ui.qt import QMessageBox, QObject, QTimer, QWidget
from ui.tasks import Runner

_ = gettext


class LeaseKeeper(QObject):
    def __init__(
        self,
        ctx: AppContext,
        lease: Lease,
        runner: Runner,
        agent: Callable[[], Actor | None],
        parent: QWidget,
        *,
        interval_ms: int = HEARTBEAT_SECONDS * 1000,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.lease = lease
        self._runner = runner
        self._agent = agent
        self._parent = parent
        self._beating = False
        self.warning: QMessageBox | None = None  # shown once while the lease is lost
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.renew_now)

    def start(self) -> None:
        self._timer.start()

    def renew_now(self) -> None:
        """A beat now (also at sign-in and sign-out: the lease names the agent)."""
        if self._beating:
            return  # the last beat still waits on the database: one at a time
        self._beating = True
        ctx, lease, agent = self._ctx, self.lease, self._agent()
        self._runner.submit(lambda: renew(ctx, lease, agent=agent), self._renewed, self._failed)

    def _renewed(self, lease: Lease) -> None:
        self._beating = False
        self.lease = lease
        if self.warning is not None:
            self.warning.close()
            self.warning = None

    def _failed(self, error: BaseException) -> None:
        self._beating = False
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
