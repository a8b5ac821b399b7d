"""Reading one file of the billing system: its encoding, separator, header and rows.

CSV files are read as bytes, one physical line at a time, and decoded line by line:
a file of any size costs the memory of its longest record, and the bytes read so far
give the progress. The encoding is guessed from the first megabyte (UTF-8 strictly,
with or without BOM; else Windows-1256 or Latin-1, whichever reads the letters
plausibly) and the separator from the header line; both can be forced. XLSX
workbooks are read row by row through openpyxl's read-only mode (first sheet).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from app.i18n import N_

SAMPLE_BYTES = 1 << 20
SEPARATORS = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t"}
# csv's own limit on one field; a longer one is refused with its line, never read whole.
FIELD_SIZE_LIMIT = 131072
_UTF8_BOM = b"\xef\xbb\xbf"


class SourceError(Exception):
    """The file cannot be read as a table: ``message`` is a msgid, ``line`` its place."""

    def __init__(self, message: str, *, line: int = 0, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.params = params


@dataclass
class Row:
    line: int  # the first physical line of the record (1 = the header)
    cells: list[str]


def _score_arabic(text: str) -> int:
    """How many letters read as Arabic next to another Arabic letter."""
    score = 0
    previous = False
    for char in text:
        arabic = "\u0600" <= char <= "\u06ff"
        if arabic and previous:
            score += 1
        previous = arabic
    return score


def _score_latin(text: str) -> int:
    """How many accented Latin letters sit inside a Latin word."""
    score = 0
    for index, char in enumerate(text):
        if "\u00c0" <= char <= "\u00ff" and char not in "\u00d7\u00f7":
            before = text[index - 1] if index else " "
            after = text[index + 1] if index + 1 < len(text) else " "
            if (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
                score += 1
        elif "\u0080" <= char <= "\u009f":
            score -= 2  # C1 controls: never in a real Latin-1 text
    return score


def detect_encoding(sample: bytes) -> str:
    """utf-8-sig, utf-8, cp1256 or latin-1 for the first bytes of a file."""
    if sample.startswith(_UTF8_BOM):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        # A sample cut inside a character is still UTF-8.
        if error.start >= len(sample) - 3 and error.reason == "unexpected end of data":
            return "utf-8"
    arabic = sample.decode("cp1256", errors="replace")
    latin = sample.decode("latin-1")
    return "cp1256" if _score_arabic(arabic) > _score_latin(latin) else "latin-1"


def detect_separator(header: str) -> str:
    """The separator of a header line: the one of ``;``, tab and ``,`` it holds most."""
    counts = {sep: header.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def separator_of(option: str | None) -> str | None:
    if option is None:
        return None
    if option in SEPARATORS:
        return SEPARATORS[option]
    raise SourceError(N_("{value} is not a separator: give , or ; or tab"), value=option)


class CountingLines:
    """The physical lines of a binary file, decoded, counting the bytes read."""

    def __init__(self, handle: BinaryIO, encoding: str) -> None:
        self._handle = handle
        self.encoding = encoding
        self.bytes_read = 0
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        first = True
        for raw in self._handle:
            self.bytes_read += len(raw)
            self.line += 1
            if first and self.encoding == "utf-8-sig" and raw.startswith(_UTF8_BOM):
                raw = raw[len(_UTF8_BOM) :]
            first = False
            try:
                yield raw.decode("utf-8" if self.encoding == "utf-8-sig" else self.encoding)
            except UnicodeDecodeError:
                raise SourceError(
                    N_(
                        "the line is not valid {encoding}: give the file's encoding with "
                        "--encoding (utf-8, cp1256 or latin-1)"
                    ),
                    line=self.line,
                    encoding=self.encoding,
                ) from None


class Source:
    """A table file: ``header`` and :meth:`rows`, and how far reading has gone."""

    def __init__(
        self, path: Path, *, encoding: str | None = None, separator: str | None = None
    ) -> None:
        self.path = path
        self.size = os.path.getsize(path)
        self.is_xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
        self.encoding = encoding
        self.separator = separator_of(separator)
        self.header: list[str] = []
        self._handle: Any = None
        self._lines: CountingLines | None = None
        self._reader: Any = None
        self._xlsx_rows: Iterator[tuple[Any, ...]] | None = None
        self._xlsx_line = 0
        self.total_rows: int | None = None

    # -- opening ---------------------------------------------------------------------
    def open(self) -> Source:
        if self.is_xlsx:
            self._open_xlsx()
        else:
            self._open_csv()
        return self

    def _open_csv(self) -> None:
        self._handle = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        if self.encoding is None:
            sample = self._handle.read(SAMPLE_BYTES)
            self._handle.seek(0)
            self.encoding = detect_encoding(sample)
        else:
            try:
                "".encode(self.encoding)
            except LookupError:
                raise SourceError(
                    N_("{value} is not an encoding: give utf-8, cp1256 or latin-1"),
                    value=self.encoding,
                ) from None
        self._lines = CountingLines(self._handle, self.encoding)
        lines = iter(self._lines)
        try:
            first = next(lines)
        except StopIteration:
            raise SourceError(N_("the file is empty"), line=1) from None
        if self.separator is None:
            self.separator = detect_separator(first)

        def all_lines() -> Iterator[str]:
            yield first
            yield from lines

        csv.field_size_limit(FIELD_SIZE_LIMIT)
        self._reader = csv.reader(all_lines(), delimiter=self.separator)
        self.header = [cell.strip() for cell in self._next_csv() or []]

    def _next_csv(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as error:
            assert self._lines is not None
            if "field larger than field limit" in str(error):
                raise SourceError(
                    N_("a field is longer than {limit} characters: is this a table file?"),
                    line=self._lines.line,
                    limit=FIELD_SIZE_LIMIT,
                ) from None
            raise SourceError(
                N_("the line cannot be read as CSV ({reason})"),
                line=self._lines.line,
                reason=str(error),
            ) from None

    def _open_xlsx(self) -> None:
        from openpyxl import load_workbook  # only when an XLSX file comes

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except Exception:
            raise SourceError(N_("the file is not a readable XLSX workbook"), line=0) from None
        self._handle = book
        sheet = book.worksheets[0]
        self.total_rows = sheet.max_row
        self._xlsx_rows = sheet.iter_rows(values_only=True)
        first = next(self._xlsx_rows, None)
        if first is None:
            raise SourceError(N_("the file is empty"), line=1)
        self._xlsx_line = 1
        self.header = [_cell_text(value).strip() for value in first]
        while self.header and not self.header[-1]:
            self.header.pop()

    # -- reading ---------------------------------------------------------------------
    def rows(self) -> Iterator[Row]:
        """The records after the header; blank records are skipped."""
        if self.is_xlsx:
            assert self._xlsx_rows is not None
            for values in self._xlsx_rows:
                self._xlsx_line += 1
                cells = [_cell_text(value) for value in values]
                if any(cell.strip() for cell in cells):
                    yield Row(self._xlsx_line, cells)
            return
        assert self._lines is not None
        while True:
            start = self._lines.line + 1
            found = self._next_csv()
            if found is None:
                return
            if any(cell.strip() for cell in found):
                yield Row(start, found)

    @property
    def progress(self) -> int:
        """Bytes read so far (CSV) or rows (XLSX): measured against :attr:`progress_total`."""
        if self.is_xlsx:
            return self._xlsx_line
        return self._lines.bytes_read if self._lines is not None else 0

    @property
    def progress_total(self) -> int:
        if self.is_xlsx:
            return self.total_rows or 0
        return self.size

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> Source:
        return self.open()

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # repr is the shortest text giving the same float: 1234.5, not 1234.49999.
        text = format(Decimal(repr(value)), "f")
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
