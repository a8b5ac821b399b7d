"""A CUPS queue, fed the ESC/POS bytes raw, through pycups.

CUPS takes the job and prints it later, so "sent" is the most it can tell: the
job is CUPS's to deliver once it has a job ID. Its queue attributes give a status
for the counter screen.

pycups raises ``RuntimeError("failed to connect to server")`` when no CUPS server
answers and ``cups.IPPError(status, message)`` for a refusal such as an unknown
queue; both are turned into :class:`PrinterError` here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import Any

import cups

from app.i18n import N_
from app.printing.devices import PrinterAddress, PrinterError
from app.printing.status import PrinterStatus

_IDLE, _PROCESSING, _STOPPED = 3, 4, 5  # IPP printer-state

# printer-state-reasons keywords (less their -error/-warning/-report suffix), in
# the order an agent must deal with them.
_REASONS: tuple[tuple[frozenset[str], PrinterStatus], ...] = (
    (frozenset({"cover-open", "door-open", "interlock-open"}), PrinterStatus.COVER_OPEN),
    (frozenset({"media-empty", "media-needed"}), PrinterStatus.PAPER_OUT),
    (frozenset({"offline", "shutdown", "media-jam", "paused"}), PrinterStatus.OFFLINE),
    (frozenset({"media-low"}), PrinterStatus.PAPER_LOW),
)
_SUFFIXES = ("-error", "-warning", "-report")


def _connect(printer: str) -> Any:
    try:
        return cups.Connection()
    except (RuntimeError, cups.HTTPError):
        raise _no_server(printer) from None


def _no_server(printer: str) -> PrinterError:
    return PrinterError(
        N_("The CUPS print service does not answer, so the printer {printer} cannot be used."),
        printer=printer,
    )


def submit(address: PrinterAddress, data: bytes) -> int:
    """Queue the job; the job ID once CUPS accepted it."""
    assert address.queue is not None
    connection = _connect(address.uri)
    # pycups takes a file name only; CUPS reads the file before printFile returns.
    with tempfile.NamedTemporaryFile(prefix="guichet-", suffix=".escpos") as spool:
        spool.write(data)
        spool.flush()
        try:
            # "raw": CUPS passes the bytes to the printer untouched, no filter.
            job_id = connection.printFile(address.queue, spool.name, "Guichet", {"raw": "true"})
        except cups.IPPError as error:
            raise _refusal(address, error) from None
        except (RuntimeError, cups.HTTPError):
            raise _no_server(address.uri) from None
    if not job_id:
        raise PrinterError(
            N_("CUPS refused the job for the printer {printer} ({detail})."),
            printer=address.uri,
            detail="no job ID",
        )
    return int(job_id)


def _refusal(address: PrinterAddress, error: cups.IPPError) -> PrinterError:
    status, message = (*error.args, None, "")[:2]
    if status == cups.IPP_NOT_FOUND:
        return PrinterError(
            N_("CUPS has no print queue named {queue} (printer {printer})."),
            queue=address.queue,
            printer=address.uri,
        )
    return PrinterError(
        N_("CUPS refused the job for the printer {printer} ({detail})."),
        printer=address.uri,
        detail=message or str(status),
    )


def queue_status(address: PrinterAddress) -> PrinterStatus:
    assert address.queue is not None
    try:
        connection = _connect(address.uri)
        attributes = connection.getPrinterAttributes(
            address.queue, requested_attributes=["printer-state", "printer-state-reasons"]
        )
    except (PrinterError, cups.IPPError, cups.HTTPError, RuntimeError):
        return PrinterStatus.UNREACHABLE
    reasons = attributes.get("printer-state-reasons") or []
    if isinstance(reasons, str):  # pycups gives a lone value without its list
        reasons = [reasons]
    return status_from_queue(attributes.get("printer-state"), reasons)


def status_from_queue(state: int | None, reasons: Iterable[str]) -> PrinterStatus:
    """The status told by a queue's ``printer-state`` and ``printer-state-reasons``."""
    keywords = set()
    for reason in reasons:
        for suffix in _SUFFIXES:
            if reason.endswith(suffix):
                reason = reason.removesuffix(suffix)
                break
        keywords.add(reason)
    for known, status in _REASONS:
        if keywords & known:
            return status
    if state in (_IDLE, _PROCESSING):
        return PrinterStatus.ONLINE
    if state == _STOPPED:
        return PrinterStatus.OFFLINE
    return PrinterStatus.UNKNOWN
