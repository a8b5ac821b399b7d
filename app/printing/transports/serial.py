"""A serial (RS-232) printer, through pyserial.

Not python-escpos's ``Serial``: it sets no write timeout, so a printer that holds
the line (off, or out of paper with flow control) blocks the job forever, and it
folds every open failure into one message, losing "no such port" versus
"permission denied".
"""

from __future__ import annotations

import contextlib
import errno
import time

import serial

from app.i18n import N_
from app.printing.devices import PrinterAddress, PrinterError, stopped_taking_data


class SerialLink:
    def __init__(self, address: PrinterAddress, timeout: float) -> None:
        assert address.path is not None and address.baudrate is not None
        self._printer = address.uri
        # About a quarter of a second of bytes per write, so that the write
        # timeout measures the printer taking nothing rather than a long receipt.
        self._chunk = max(16, address.baudrate // 40)
        try:
            # exclusive: two programs writing to one port would interleave receipts.
            self._port = serial.Serial(
                port=address.path,
                baudrate=address.baudrate,
                timeout=timeout,
                write_timeout=timeout,
                exclusive=True,
            )
        except serial.SerialException as error:
            raise _open_failure(self._printer, address.path, error) from None
        except ValueError as error:
            raise PrinterError(
                N_("The serial port of the printer {printer} cannot be opened ({detail})."),
                printer=self._printer,
                detail=str(error),
            ) from None

    def write(self, data: bytes, timeout: float) -> None:
        self._port.write_timeout = timeout
        try:
            for start in range(0, len(data), self._chunk):
                self._port.write(data[start : start + self._chunk])
            self._drain(timeout)
        except serial.SerialTimeoutException:
            raise stopped_taking_data(self._printer, timeout) from None
        except (serial.SerialException, OSError) as error:
            raise self._failure(error) from None

    def _drain(self, timeout: float) -> None:
        """Wait until the port sent what it buffered, while it keeps sending.

        Without this, a reply awaited right after a write would also have to wait
        for seconds of buffered bytes at 9600 baud, and would look late.
        """
        waiting = self._port.out_waiting
        progress_at = time.monotonic()
        while waiting:
            time.sleep(0.01)
            now_waiting = self._port.out_waiting
            if now_waiting < waiting:
                waiting, progress_at = now_waiting, time.monotonic()
            elif time.monotonic() - progress_at > timeout:
                raise serial.SerialTimeoutException("output not draining")

    def read_byte(self, timeout: float) -> int | None:
        self._port.timeout = timeout
        try:
            reply = self._port.read(1)
        except (serial.SerialException, OSError) as error:
            raise self._failure(error) from None
        return reply[0] if reply else None

    def discard_input(self) -> None:
        try:
            self._port.reset_input_buffer()
        except (serial.SerialException, OSError) as error:
            raise self._failure(error) from None

    def finish(self, timeout: float) -> None:
        """:meth:`write` already waited until every byte left the port."""

    def close(self) -> None:
        with contextlib.suppress(serial.SerialException, OSError):
            self._port.close()

    def _failure(self, error: OSError) -> PrinterError:
        return PrinterError(
            N_("Sending to the printer {printer} failed ({detail})."),
            printer=self._printer,
            detail=error.strerror or str(error),
        )


def _open_failure(printer: str, path: str, error: serial.SerialException) -> PrinterError:
    if error.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return PrinterError(
            N_("The printer {printer} is not there: {path} does not exist."),
            printer=printer,
            path=path,
        )
    if error.errno == errno.EACCES:
        return PrinterError(
            N_(
                "This user may not use the serial port of the printer {printer}: add the user "
                "to the dialout group, then sign in again."
            ),
            printer=printer,
        )
    if error.errno in (errno.EAGAIN, errno.EBUSY):
        return PrinterError(
            N_("The serial port of the printer {printer} is in use by another program."),
            printer=printer,
        )
    return PrinterError(
        N_("The serial port of the printer {printer} cannot be opened ({detail})."),
        printer=printer,
        detail=error.strerror or str(error),
    )
