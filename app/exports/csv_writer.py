"""Writing one CSV table to a byte stream: UTF-8, hashed as it goes, formulas disarmed.

Values are written by their Python type, so the reader gets one form for each:
amounts (Decimal) as plain decimals with the currency's minor units (1234.500
TND, -50.00 DZD), dates as 2026-11-21, instants as 2026-11-21T10:30:00.000000Z
(UTC), booleans as true/false, None as an empty field. Only text values are
neutralised: a spreadsheet runs a cell starting with = + - @ (or a tab or a
carriage return) as a formula, so such text gets a leading apostrophe, which
spreadsheets show as text. Numbers are never touched: -50.00 stays a number.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from app.integrity.canonical import instant

BOM = "\ufeff".encode()
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BUFFER = 64 * 1024


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def field_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: a bool is an int
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


class _HashingSink:
    """What csv.writer writes to: encodes, hashes and buffers on the way to ``stream``."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()
        self._pending: list[bytes] = []
        self._pending_size = 0
        self.size = 0

    def write(self, text: str) -> int:
        self.write_bytes(text.encode("utf-8"))
        return len(text)

    def write_bytes(self, data: bytes) -> None:
        self._hash.update(data)
        self.size += len(data)
        self._pending.append(data)
        self._pending_size += len(data)
        if self._pending_size >= _BUFFER:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._stream.write(b"".join(self._pending))
            self._pending, self._pending_size = [], 0

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


class TableWriter:
    """One CSV table: the header, then rows, counted and hashed."""

    def __init__(self, stream: IO[bytes], header: Sequence[str], *, bom: bool = False) -> None:
        self._sink = _HashingSink(stream)
        if bom:  # Excel reads UTF-8 only when the file starts with it
            self._sink.write_bytes(BOM)
        # CRLF, as RFC 4180 says and every spreadsheet expects.
        self._writer = csv.writer(self._sink, lineterminator="\r\n")
        self._writer.writerow(header)
        self.rows = 0

    def write_rows(self, rows: Iterable[Sequence[object]]) -> None:
        for row in rows:
            self._writer.writerow([field_text(value) for value in row])
            self.rows += 1

    def close(self) -> None:
        self._sink.flush()

    @property
    def sha256(self) -> str:
        return self._sink.sha256

    @property
    def size(self) -> int:
        return self._sink.size
