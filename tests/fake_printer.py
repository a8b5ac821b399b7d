"""A fake ESC/POS network printer on 127.0.0.1, for tests and for trying the UI.

It listens on an ephemeral port in a background thread, answers the real-time
status requests ``DLE EOT n`` (``10 04 n``) at once with the byte a real printer in
its mode would send, and records everything else as print data::

    with FakePrinter("online") as printer:
        send(parse_printer_uri(printer.uri), b"hello")
        assert printer.wait_for_jobs(1) == [b"hello"]

Modes (``printer.mode`` may change while it runs):

- ``online``, ``paper_low``, ``paper_out``, ``cover_open``, ``offline``: answers
  status requests as such a printer does (and takes the data anyway, as real ones do);
- ``silent``: takes the data, never answers a status request;
- ``refuse``: nothing listens on the port, connecting fails (the port stays reserved,
  so switching back to another mode makes the same URI work again);
- ``close_mid_job``: answers as ``online``, then closes the connection once it has read
  ``close_after`` bytes of print data;
- ``stall``: answers status requests until the print data starts, then reads nothing
  more and answers nothing.

Run ``python -m tests.fake_printer [mode] [port]`` to have one to point a workstation at.
"""

from __future__ import annotations

import contextlib
import queue
import selectors
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

MODES = frozenset(
    {
        "online",
        "paper_low",
        "paper_out",
        "cover_open",
        "offline",
        "silent",
        "refuse",
        "close_mid_job",
        "stall",
    }
)

_DLE, _EOT = 0x10, 0x04
_READY = 0x12  # the fixed bits of every reply (0xx1xx10) and nothing else set
_OFFLINE = _READY | 0x08  # n = 1
# Replies to n = 1 (printer), 2 (offline cause), 3 (error cause), 4 (paper sensor).
_ANSWERS: dict[str, dict[int, int]] = {
    "online": {1: _READY, 2: _READY, 3: _READY, 4: _READY},
    "paper_low": {1: _READY, 2: _READY, 3: _READY, 4: _READY | 0x0C},
    "paper_out": {1: _OFFLINE, 2: _READY | 0x20, 3: _READY, 4: _READY | 0x0C | 0x60},
    "cover_open": {1: _OFFLINE, 2: _READY | 0x04, 3: _READY, 4: _READY},
    "offline": {1: _OFFLINE, 2: _READY | 0x40, 3: _READY, 4: _READY},
}
_ANSWERS["close_mid_job"] = _ANSWERS["stall"] = _ANSWERS["online"]


@dataclass
class _Connection:
    sock: socket.socket
    data: bytearray = field(default_factory=bytearray)
    pending: bytes = b""  # the start of a request cut by the end of a read
    stalled: bool = False


class FakePrinter:
    def __init__(self, mode: str = "online", *, close_after: int = 16, port: int = 0) -> None:
        _check_mode(mode)
        self._mode = mode
        self.close_after = close_after  # print bytes read before "close_mid_job" hangs up
        self._wanted_port = port
        self.port = 0
        self._changes = threading.Condition()
        self._jobs: list[bytes] = []
        self._received = bytearray()
        self._open_connections = 0
        self._thread: threading.Thread | None = None
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    # ------------------------------------------------------------------ public

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        _check_mode(mode)
        if self._thread is None:
            self._mode = mode
            return

        def change() -> None:
            self._mode = mode
            self._listen_or_refuse()

        # Applied by the server thread, which owns the sockets; returns once in effect.
        self._in_server_thread(change)

    @property
    def jobs(self) -> list[bytes]:
        with self._changes:
            return list(self._jobs)

    @property
    def received(self) -> bytes:
        with self._changes:
            return bytes(self._received)

    def start(self) -> None:
        assert self._thread is None, "already started"
        self._selector = selectors.DefaultSelector()
        self._wakeup_receiver, self._wakeup_sender = socket.socketpair()
        self._wakeup_receiver.setblocking(False)
        self._selector.register(self._wakeup_receiver, selectors.EVENT_READ, "wakeup")
        self._listener: socket.socket | None = None
        self._listening = False
        self._connections: dict[socket.socket, _Connection] = {}
        self._stopping = False
        self._bind()
        self._listen_or_refuse()
        self._thread = threading.Thread(
            target=self._serve, name=f"fake-printer-{self.port}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return

        def stop() -> None:
            self._stopping = True

        self._in_server_thread(stop)
        self._thread.join(timeout=5)
        assert not self._thread.is_alive(), "the fake printer thread did not stop"
        self._thread = None

    def __enter__(self) -> FakePrinter:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_for_jobs(self, n: int, timeout: float = 2.0) -> list[bytes]:
        """The jobs, once at least ``n`` connections that brought print data ended."""
        with self._changes:
            if not self._changes.wait_for(lambda: len(self._jobs) >= n, timeout):
                raise AssertionError(f"expected {n} print job(s), got {len(self._jobs)}")
            return list(self._jobs)

    def wait_until_idle(self, timeout: float = 2.0) -> None:
        """Wait until every connection ended (a stalled one only ends at stop())."""
        with self._changes:
            if not self._changes.wait_for(lambda: self._open_connections == 0, timeout):
                raise AssertionError(f"{self._open_connections} connection(s) still open")

    # ------------------------------------------------------------------ server thread

    def _in_server_thread(self, call: Callable[[], None]) -> None:
        done = threading.Event()

        def wrapped() -> None:
            try:
                call()
            finally:
                done.set()

        self._calls.put(wrapped)
        self._wakeup_sender.send(b"\0")
        if not done.wait(timeout=5):
            raise AssertionError("the fake printer thread does not respond")

    def _bind(self) -> None:
        """A bound socket that does not listen yet: connecting to it is refused."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Rebinding the port while old connections sit in TIME_WAIT.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or self._wanted_port))
        listener.setblocking(False)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._listening = False

    def _listen_or_refuse(self) -> None:
        assert self._listener is not None
        if self._mode == "refuse" and self._listening:
            # A socket cannot stop listening: close it, keep the port with a new one.
            self._selector.unregister(self._listener)
            self._listener.close()
            self._bind()
        elif self._mode != "refuse" and not self._listening:
            self._listener.listen(8)
            self._selector.register(self._listener, selectors.EVENT_READ, "listener")
            self._listening = True

    def _serve(self) -> None:
        try:
            while not self._stopping:
                for key, _events in self._selector.select():
                    if key.data == "wakeup":
                        self._run_calls()
                    elif key.data == "listener":
                        self._accept()
                    elif isinstance(key.data, _Connection):
                        self._read(key.data)
        finally:
            self._shut_down()

    def _run_calls(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while self._wakeup_receiver.recv(64):
                pass
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return
            call()

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            sock, _ = self._listener.accept()
        except BlockingIOError:
            return
        sock.setblocking(False)
        connection = _Connection(sock)
        self._connections[sock] = connection
        self._selector.register(sock, selectors.EVENT_READ, connection)
        with self._changes:
            self._open_connections += 1

    def _read(self, connection: _Connection) -> None:
        limit = 65536
        if self._mode == "close_mid_job":
            limit = max(1, self.close_after - len(connection.data))
        try:
            chunk = connection.sock.recv(limit)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._end(connection)
            return
        with self._changes:
            self._received += chunk
        requests, data = _split(connection, chunk)
        connection.data += data
        if self._mode == "stall" and data:
            # From here on it reads nothing: the client's buffers fill up and its
            # writes, then its confirmation request, go unanswered.
            connection.stalled = True
            self._selector.unregister(connection.sock)
            return
        answers = _ANSWERS.get(self._mode, {})
        reply = bytes(answers[n] for n in requests if n in answers)
        try:
            if reply:
                connection.sock.sendall(reply)
        except OSError:
            self._end(connection)
            return
        if self._mode == "close_mid_job" and len(connection.data) >= self.close_after:
            self._end(connection)

    def _end(self, connection: _Connection) -> None:
        if not connection.stalled:
            self._selector.unregister(connection.sock)
        connection.sock.close()
        del self._connections[connection.sock]
        connection.data += connection.pending  # a trailing DLE was data after all
        with self._changes:
            if connection.data:
                self._jobs.append(bytes(connection.data))
            self._open_connections -= 1
            self._changes.notify_all()

    def _shut_down(self) -> None:
        for connection in list(self._connections.values()):
            self._end(connection)
        if self._listener is not None:
            if self._listening:
                self._selector.unregister(self._listener)
            self._listener.close()
            self._listener = None
        self._selector.unregister(self._wakeup_receiver)
        self._selector.close()
        self._wakeup_receiver.close()
        self._wakeup_sender.close()
        # Calls queued after the thread stopped would wait forever otherwise.
        self._run_pending_calls_after_stop()

    def _run_pending_calls_after_stop(self) -> None:
        while True:
            try:
                self._calls.get_nowait()()
            except queue.Empty:
                return


def _split(connection: _Connection, chunk: bytes) -> tuple[list[int], bytes]:
    """The status requests (their n) and the print data in ``chunk``, in order."""
    buffer = connection.pending + chunk
    connection.pending = b""
    requests: list[int] = []
    data = bytearray()
    start = 0
    while (at := buffer.find(_DLE, start)) != -1:
        data += buffer[start:at]
        if at + 2 >= len(buffer) and buffer[at + 1 : at + 2] in (b"", bytes([_EOT])):
            connection.pending = buffer[at:]  # maybe a request cut in two
            return requests, bytes(data)
        if buffer[at + 1] == _EOT and buffer[at + 2] in (1, 2, 3, 4):
            requests.append(buffer[at + 2])
            start = at + 3
        else:
            data.append(_DLE)
            start = at + 1
    data += buffer[start:]
    return requests, bytes(data)


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown fake printer mode {mode!r}; one of {sorted(MODES)}")


def main(argv: list[str] | None = None) -> None:
    import sys
    import time

    args = sys.argv[1:] if argv is None else argv
    mode = args[0] if args else "online"
    port = int(args[1]) if len(args) > 1 else 9100
    with FakePrinter(mode, port=port) as printer:
        print(f"fake printer ({mode}) at {printer.uri}; Ctrl+C stops it")
        seen = 0
        try:
            while True:
                time.sleep(0.5)
                for job in printer.jobs[seen:]:
                    print(f"job of {len(job)} bytes: {job[:80]!r}")
                seen = len(printer.jobs)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
