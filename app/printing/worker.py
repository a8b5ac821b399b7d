"""The print worker of one workstation: a background thread that empties its queue.

The counter never waits for paper. A payment commits with its print job; this
worker prints the job when it can, retries with backoff while the printer is
off, out of paper or unplugged, and keeps the printer's status fresh for the
screen. It holds no state of its own that matters: everything is in the
queue, so killing the application loses nothing and a new worker carries on.

Plain Python threads (``app/`` never imports Qt); the screen polls
:meth:`PrintWorker.snapshot`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.context import AppContext
from app.errors import ConfigurationError, GuichetError
from app.i18n import N_
from app.printing import devices
from app.printing.documents import job_slip
from app.printing.escpos_render import check_printer_model, slip_escpos
from app.printing.queue import (
    ClaimedJob,
    claim_next,
    mark_failed,
    mark_printed,
    recover_interrupted,
)
from app.printing.settings import load_printer_settings
from app.printing.status import PrinterStatus

log = logging.getLogger(__name__)

Send = Callable[[devices.PrinterAddress, bytes], object]
Query = Callable[[devices.PrinterAddress], PrinterStatus]


@dataclass(frozen=True)
class WorkerSnapshot:
    """What the counter shows: the printer's state and the last thing that went wrong."""

    printer_uri: str | None
    status: PrinterStatus
    checked_at: datetime | None
    last_error: GuichetError | None
    printed: int  # jobs printed by this worker since it started


def render_job(
    ctx: AppContext, job: ClaimedJob, now: datetime
) -> tuple[devices.PrinterAddress, bytes]:
    """The printer a job goes to and the bytes to send it; errors name what is wrong.

    Lowest role: system (the print worker; no actor).
    """
    if not job.printer_uri:
        raise ConfigurationError(
            N_("No receipt printer is set up for counter {workstation}."),
            field="printer_uri",
            workstation=job.workstation,
        )
    address = devices.parse_printer_uri(job.printer_uri)
    model = check_printer_model(job.printer_profile, job.paper_width_mm)
    slip = job_slip(ctx, job, model, now)
    return address, slip_escpos(slip, model)


def print_claimed(
    ctx: AppContext, job: ClaimedJob, send: Send, *, final: bool = False
) -> GuichetError | None:
    """Render, send and record one claimed job; returns the failure, if any.

    Lowest role: system (the print worker; no actor).
    """
    now = ctx.now()
    try:
        address, data = render_job(ctx, job, now)
        send(address, data)
    except GuichetError as error:
        mark_failed(ctx.db, job.id, error, ctx.now(), final=final)
        return error
    except Exception as error:  # a bug or an OS surprise must not kill the worker
        log.exception("print job %s failed", job.id)
        failure = GuichetError(N_("Printing failed: {reason}"), field="printer", reason=str(error))
        mark_failed(ctx.db, job.id, failure, ctx.now(), final=final)
        return failure
    mark_printed(ctx.db, job.id, address.uri, ctx.now())
    return None


class PrintWorker:
    def __init__(
        self,
        ctx: AppContext,
        workstation: str,
        *,
        send: Send | None = None,
        query: Query | None = None,
        idle_seconds: float = 1.0,
        status_seconds: float = 15.0,
        send_timeout: float = 5.0,
    ) -> None:
        self.ctx = ctx
        self.workstation = workstation
        self._send: Send = send or (
            lambda address, data: devices.send(address, data, timeout=send_timeout)
        )
        self._query: Query = query or (
            lambda address: devices.query_status(address, timeout=min(2.0, send_timeout))
        )
        self._idle = idle_seconds
        self._status_every = status_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._status = PrinterStatus.UNKNOWN
        self._checked_at: datetime | None = None
        self._last_error: GuichetError | None = None
        self._printed = 0
        self._next_status_check = 0.0
        self._printer: str | None = None

    # -- control -------------------------------------------------------------------
    def start(self) -> None:
        recovered = recover_interrupted(self.ctx.db, self.workstation)
        if recovered:
            log.info(
                "%s: %d interrupted print job(s) back in the queue", self.workstation, recovered
            )
        self._thread = threading.Thread(
            target=self._run, name=f"print-worker-{self.workstation}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """A job was queued or retried: look now rather than at the next tick."""
        self._next_status_check = 0.0
        self._wake.set()

    def snapshot(self) -> WorkerSnapshot:
        with self._lock:
            return WorkerSnapshot(
                printer_uri=self._printer,
                status=self._status,
                checked_at=self._checked_at,
                last_error=self._last_error,
                printed=self._printed,
            )

    # -- work ------------------------------------------------------------------------
    def run_once(self) -> bool:
        """Print the next due job if there is one; True if a job was attempted."""
        job = claim_next(self.ctx.db, self.workstation, self.ctx.now())
        if job is None:
            return False
        error = print_claimed(self.ctx, job, self._send)
        with self._lock:
            self._last_error = error
            if error is None:
                self._printed += 1
                self._status = (
                    PrinterStatus.ONLINE
                    if self._status
                    in (
                        PrinterStatus.UNREACHABLE,
                        PrinterStatus.OFFLINE,
                        PrinterStatus.PAPER_OUT,
                        PrinterStatus.COVER_OPEN,
                    )
                    else self._status
                )
            else:
                self._next_status_check = 0.0  # find out why, for the screen
        return True

    def check_status(self) -> PrinterStatus:
        # Read each time: a supervisor may have changed the printer in the settings.
        uri = load_printer_settings(self.ctx.db, self.workstation).printer_uri
        status = PrinterStatus.UNREACHABLE
        if uri:
            try:
                status = self._query(devices.parse_printer_uri(uri))
            except GuichetError:
                status = PrinterStatus.UNREACHABLE
        with self._lock:
            self._printer = uri
            self._status = status
            self._checked_at = self.ctx.now()
        return status

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if time.monotonic() >= self._next_status_check:
                    self.check_status()
                    self._next_status_check = time.monotonic() + self._status_every
                if self.run_once():
                    continue  # the queue may hold more: no pause between receipts
            except Exception:  # the database was unreachable a moment: try again later
                log.exception("print worker of %s", self.workstation)
            self._wake.wait(self._idle)
            self._wake.clear()
