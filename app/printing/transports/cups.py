"""A CUPS queue, fed the ESC/POS bytes raw: through pycups, else the ``lp`` command.

CUPS takes the job and prints it later, so "sent" is the most it can tell: the
job is CUPS's to deliver once it has a job ID. Its queue attributes give a status
for the counter screen.

pycups is optional (``pip install guichet[cups]``): it builds from source against
the CUPS headers, which a counter PC (or Windows) may not have. Without it the
CUPS client's own commands do the same work, ``lp -d QUEUE -o raw`` for a job and
``lpstat -l -p QUEUE`` for the state. With neither, printing to a CUPS queue fails
with a message naming both ways to enable it.

pycups raises ``RuntimeError("failed to connect to server")`` when no CUPS server
answers and ``cups.IPPError(status, message)`` for a refusal such as an unknown
queue; both are turned into :class:`PrinterError` here, as are lp's refusals.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from types import ModuleType
from typing import Any

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
# lp hands the job to the local scheduler and returns: seconds mean it is stuck.
LP_TIMEOUT = 30.0
LPSTAT_TIMEOUT = 5.0  # the counter screen asks often; a stuck scheduler is "not reachable"
_LP_JOB_ID = re.compile(r"request id is .*-(\d+)")


def _pycups() -> ModuleType | None:
    try:
        import cups
    except ImportError:
        return None
    return cups


def _command(name: str) -> str | None:
    return shutil.which(name)


def _no_cups(printer: str) -> PrinterError:
    return PrinterError(
        N_(
            "Printing to {printer} needs CUPS support: install the CUPS client "
            "(apt install cups-client, which gives the lp command) or pycups "
            "(pip install guichet[cups])."
        ),
        printer=printer,
    )


def _connect(printer: str) -> Any:
    cups = _pycups()
    assert cups is not None
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
    cups = _pycups()
    if cups is None:
        return _submit_with_lp(address, data)
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


def _refusal(address: PrinterAddress, error: Any) -> PrinterError:
    cups = _pycups()
    status, message = (*error.args, None, "")[:2]
    if cups is not None and status == cups.IPP_NOT_FOUND:
        return _no_queue(address)
    return PrinterError(
        N_("CUPS refused the job for the printer {printer} ({detail})."),
        printer=address.uri,
        detail=message or str(status),
    )


def _no_queue(address: PrinterAddress) -> PrinterError:
    return PrinterError(
        N_("CUPS has no print queue named {queue} (printer {printer})."),
        queue=address.queue,
        printer=address.uri,
    )


def _c_locale() -> dict[str, str]:
    """lp and lpstat in English whatever the counter's language: their words are parsed."""
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}


def _submit_with_lp(address: PrinterAddress, data: bytes) -> int:
    lp = _command("lp")
    if lp is None:
        raise _no_cups(address.uri)
    assert address.queue is not None
    try:
        done = subprocess.run(
            [lp, "-d", address.queue, "-o", "raw", "-t", "Guichet"],
            input=data,
            capture_output=True,
            timeout=LP_TIMEOUT,
            env=_c_locale(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _no_server(address.uri) from None
    except OSError as error:
        raise PrinterError(
            N_("CUPS refused the job for the printer {printer} ({detail})."),
            printer=address.uri,
            detail=error.strerror or str(error),
        ) from None
    said = (done.stderr or b"").decode(errors="replace").strip()
    if done.returncode != 0:
        lowered = said.lower()
        if "does not exist" in lowered or "not found" in lowered:
            raise _no_queue(address)
        if "scheduler" in lowered or "connect" in lowered:
            raise _no_server(address.uri)
        raise PrinterError(
            N_("CUPS refused the job for the printer {printer} ({detail})."),
            printer=address.uri,
            detail=said.splitlines()[0] if said else f"lp exit {done.returncode}",
        )
    found = _LP_JOB_ID.search((done.stdout or b"").decode(errors="replace"))
    if found is None:
        raise PrinterError(
            N_("CUPS refused the job for the printer {printer} ({detail})."),
            printer=address.uri,
            detail="no job ID",
        )
    return int(found.group(1))


def _status_with_lpstat(address: PrinterAddress) -> PrinterStatus:
    lpstat = _command("lpstat")
    if lpstat is None:
        return PrinterStatus.UNREACHABLE
    assert address.queue is not None
    try:
        done = subprocess.run(
            [lpstat, "-l", "-p", address.queue],
            capture_output=True,
            timeout=LPSTAT_TIMEOUT,
            env=_c_locale(),
            check=False,
            text=True,
            errors="replace",
        )
    except (subprocess.TimeoutExpired, OSError):
        return PrinterStatus.UNREACHABLE
    if done.returncode != 0:
        return PrinterStatus.UNREACHABLE
    return status_from_lpstat(done.stdout)


def status_from_lpstat(output: str) -> PrinterStatus:
    """The status told by ``lpstat -l -p QUEUE`` (C locale)."""
    state: int | None = None
    reasons: list[str] = []
    for line in output.splitlines():
        if line.startswith("printer "):
            if " is idle" in line:
                state = _IDLE
            elif " now printing" in line:
                state = _PROCESSING
            elif " disabled" in line:
                state = _STOPPED
        elif line.strip().startswith("Alerts:"):
            reasons = [r for r in line.split(":", 1)[1].split() if r != "none"]
    return status_from_queue(state, reasons)


def queue_status(address: PrinterAddress) -> PrinterStatus:
    assert address.queue is not None
    cups = _pycups()
    if cups is None:
        return _status_with_lpstat(address)
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
