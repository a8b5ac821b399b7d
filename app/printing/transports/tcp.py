"""A network printer's raw port (9100), over a plain socket.

python-escpos's ``Network`` printer hides what matters here: it waits 60 s, sends
with ``sendall`` (a slow printer and a dead one look the same) and turns a
connection closed mid-job into a log line. This link bounds every wait and says
which failure happened.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import time

from app.i18n import N_
from app.printing.devices import PrinterAddress, PrinterError, stopped_taking_data

# Small kernel buffers keep "the printer stopped taking bytes" visible: with the
# default (several MB on Linux) a whole receipt vanishes into the buffer of a
# printer that is long dead, and the failure shows only as a missing confirmation.
_SEND_BUFFER = 32 * 1024
_CHUNK = 16 * 1024


class TcpLink:
    def __init__(self, address: PrinterAddress, timeout: float) -> None:
        assert address.host is not None and address.port is not None
        self._printer = address.uri
        try:
            self._socket = socket.create_connection((address.host, address.port), timeout=timeout)
        except ConnectionRefusedError:
            raise PrinterError(
                N_(
                    "The printer {printer} refused the connection: check that it is switched on "
                    "and that this is its address."
                ),
                printer=self._printer,
            ) from None
        except TimeoutError:
            raise PrinterError(
                N_("The printer {printer} did not answer within {seconds} seconds."),
                printer=self._printer,
                seconds=f"{timeout:g}",
            ) from None
        except socket.gaierror:
            raise PrinterError(
                N_("The network does not know the printer name in {printer}."),
                printer=self._printer,
            ) from None
        except OSError as error:
            raise PrinterError(
                N_("The printer {printer} cannot be reached ({detail})."),
                printer=self._printer,
                detail=error.strerror or str(error),
            ) from None
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SEND_BUFFER)
        # A status request must leave at once, not wait for the ACK of the job.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, data: bytes, timeout: float) -> None:
        view = memoryview(data)
        self._socket.settimeout(timeout)
        try:
            while view:
                # send() waits at most `timeout` for room, then takes what fits:
                # the timeout is for a printer that takes nothing, not for a long job.
                sent = self._socket.send(view[:_CHUNK])
                view = view[sent:]
        except TimeoutError:
            raise stopped_taking_data(self._printer, timeout) from None
        except OSError as error:
            raise self._failure(error) from None

    def read_byte(self, timeout: float) -> int | None:
        self._socket.settimeout(timeout)
        try:
            reply = self._socket.recv(1)
        except TimeoutError:
            return None
        except OSError as error:
            raise self._failure(error) from None
        if not reply:
            raise self._closed()
        return reply[0]

    def discard_input(self) -> None:
        self._socket.setblocking(False)
        try:
            while True:
                if not self._socket.recv(4096):
                    raise self._closed()
        except BlockingIOError:
            pass
        except OSError as error:
            raise self._failure(error) from None

    def finish(self, timeout: float) -> None:
        """Half-close, then wait for the printer to close its side.

        A printer that closes with bytes unread resets the connection: those bytes
        are lost, which is the one failure a silent printer lets us see.
        """
        deadline = time.monotonic() + timeout
        try:
            self._socket.shutdown(socket.SHUT_WR)
            while (left := deadline - time.monotonic()) > 0:
                self._socket.settimeout(left)
                if not self._socket.recv(4096):
                    return
        except TimeoutError:
            # It keeps the connection open: many do until they have printed.
            return
        except OSError as error:
            raise self._failure(error) from None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._socket.close()

    def _closed(self) -> PrinterError:
        return PrinterError(
            N_(
                "The printer {printer} closed the connection in the middle of the job; "
                "the receipt may be incomplete."
            ),
            printer=self._printer,
        )

    def _failure(self, error: OSError) -> PrinterError:
        if isinstance(error, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            return self._closed()
        if error.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ENETDOWN):
            return PrinterError(
                N_("The printer {printer} cannot be reached ({detail})."),
                printer=self._printer,
                detail=error.strerror or str(error),
            )
        return PrinterError(
            N_("Sending to the printer {printer} failed ({detail})."),
            printer=self._printer,
            detail=error.strerror or str(error),
        )
