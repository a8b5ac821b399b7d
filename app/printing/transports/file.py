"""A printer behind a path: a device node (/dev/usb/lp0) or a plain file.

A plain file is appended to and synced, so a job "sent" there survives a power cut
(useful for a spool another program prints, and for tests). A device node is
written without blocking, so a printer that stopped taking data is noticed after
the timeout instead of hanging the print worker forever.
"""

from __future__ import annotations

import errno
import os
import select
import stat

from app.i18n import N_
from app.printing.devices import PrinterAddress, PrinterError, stopped_taking_data
from app.printing.status import PrinterStatus

_CHUNK = 4096


def write_file(address: PrinterAddress, data: bytes, timeout: float) -> None:
    assert address.path is not None
    path = address.path
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    try:
        if mode is not None and not stat.S_ISREG(mode):
            _write_device(path, data, timeout, address.uri)
        else:
            with open(path, "ab") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as error:
        raise _failure(address.uri, path, error) from None


def _write_device(path: str, data: bytes, timeout: float, printer: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        view = memoryview(data)
        while view:
            _, writable, _ = select.select([], [descriptor], [], timeout)
            if not writable:
                raise stopped_taking_data(printer, timeout)
            try:
                view = view[os.write(descriptor, view[:_CHUNK]) :]
            except BlockingIOError:
                continue
    finally:
        os.close(descriptor)


def _failure(printer: str, path: str, error: OSError) -> PrinterError:
    if error.errno in (errno.ENOENT, errno.ENODEV):
        return PrinterError(
            N_("The printer {printer} is not there: {path} does not exist."),
            printer=printer,
            path=path,
        )
    if error.errno == errno.ENXIO:  # a device without its printer, a pipe nobody reads
        return PrinterError(
            N_("Nothing answers at {path}: check that the printer {printer} is connected."),
            printer=printer,
            path=path,
        )
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return PrinterError(
            N_("This user may not write to {path} (printer {printer})."),
            printer=printer,
            path=path,
        )
    if error.errno == errno.EISDIR:
        return PrinterError(
            N_("The printer address {printer} names a folder, not a device or a file."),
            printer=printer,
        )
    return PrinterError(
        N_("Sending to the printer {printer} failed ({detail})."),
        printer=printer,
        detail=error.strerror or str(error),
    )


def file_status(address: PrinterAddress) -> PrinterStatus:
    """UNKNOWN where a job could be written (a path cannot tell more), else UNREACHABLE."""
    assert address.path is not None
    path = address.path
    if os.path.exists(path):
        writable = not os.path.isdir(path) and os.access(path, os.W_OK)
    else:
        folder = os.path.dirname(path) or "."
        writable = os.path.isdir(folder) and os.access(folder, os.W_OK)
    return PrinterStatus.UNKNOWN if writable else PrinterStatus.UNREACHABLE
