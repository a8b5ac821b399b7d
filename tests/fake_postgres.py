"""A PostgreSQL server that asks for a password and refuses every one, as a real server
does with a wrong password.

The test server trusts every local connection (pg_hba "trust"), so it cannot show
what libpq says for a wrong password; this fake speaks just enough of the wire
protocol (v3) to do that: it declines SSL and GSS encryption, asks for a
clear-text password, and answers it with FATAL 28P01.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from types import TracebackType

_SSL_REQUEST = 80877103
_GSSENC_REQUEST = 80877104
_AUTH_CLEARTEXT = 3


class RefusingPostgres:
    """``with RefusingPostgres() as server:`` then connect to 127.0.0.1:``server.port``."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.passwords_seen: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> RefusingPostgres:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._socket.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while True:
            try:
                client, _address = self._socket.accept()
            except OSError:  # closed by __exit__
                return
            with client, contextlib.suppress(OSError, ValueError):  # a client that gave up
                self._refuse(client)

    def _refuse(self, client: socket.socket) -> None:
        client.settimeout(10)
        while True:
            length, code = struct.unpack("!ii", _read(client, 8))
            body = _read(client, length - 8)
            if code in (_SSL_REQUEST, _GSSENC_REQUEST):
                client.sendall(b"N")  # no encryption here; the client goes on in clear
                continue
            user = _startup_user(body)
            break
        client.sendall(b"R" + struct.pack("!ii", 8, _AUTH_CLEARTEXT))
        kind = _read(client, 1)
        if kind != b"p":
            return
        (length,) = struct.unpack("!i", _read(client, 4))
        self.passwords_seen.append(_read(client, length - 4).rstrip(b"\0").decode())
        fields = b"".join(
            tag + value.encode() + b"\0"
            for tag, value in (
                (b"S", "FATAL"),
                (b"V", "FATAL"),
                (b"C", "28P01"),
                (b"M", f'password authentication failed for user "{user}"'),
            )
        )
        message = fields + b"\0"
        client.sendall(b"E" + struct.pack("!i", len(message) + 4) + message)


def _read(client: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = client.recv(size - len(data))
        if not chunk:
            raise OSError("client went away")
        data += chunk
    return data


def _startup_user(body: bytes) -> str:
    parts = body.split(b"\0")
    pairs = dict(zip(parts[0::2], parts[1::2], strict=False))
    return pairs.get(b"user", b"?").decode()
