"""Reading a file's lines into parsed values, in this process or in a second one.

Reading and parsing (the CSV reader, dates, amounts, phones) are about a third of an
import's CPU, and they need nothing from the database. On a machine with two cores
a big file is therefore read and parsed by a second process while this one checks
and writes the chunk before: the two cores work at once, and the import goes about
half again as fast. Small files are read here, where starting a process would cost
more than it saves.

Both ways give the same :data:`Parsed` lines, from the same :class:`LineParser`, so
an import's result and report do not depend on which way a file was read. The second
process only reads: it opens the file itself, never the database, and sends chunks
through a bounded queue (memory stays flat whatever the file's size). It ignores
Ctrl+C: this process handles it, and stops the reader whenever it leaves the file,
by an interruption, a refusal, a cancel or the end.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.i18n import N_
from app.imports.kinds import KINDS, Terms
from app.imports.sources import Source, SourceError
from app.imports.values import ValueProblem

# A CSV or workbook this big or bigger is read by a second process (on 2 cores or more).
SECOND_PROCESS_FROM_BYTES = 4 * 2**20
CHUNK_ROWS = 2000
# Chunks read ahead of the writer at most: the second process waits beyond this.
QUEUE_CHUNKS = 4
# How often the writer looks whether a silent reader is still alive (seconds).
READER_PATIENCE_S = 0.5

#: A problem found in a cell: (column, rule msgid, rule parameters).
Problem = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class Layout:
    """Where a kind's columns are in a file's lines, and how each cell is read."""

    kind: str
    names: tuple[str, ...]  # the header's columns, as the kind names them

    @property
    def width(self) -> int:
        return len(self.names)

    @property
    def where(self) -> dict[str, int]:
        """Column -> cell index."""
        return {name: index for index, name in enumerate(self.names)}

    def positions(self) -> list[tuple[int, str, Any, bool]]:
        """(cell index, column, parser, required) of each column."""
        kind = KINDS[self.kind]
        out = []
        for index, name in enumerate(self.names):
            column = kind.column(name)
            assert column is not None  # the header was checked before reading
            out.append((index, name, column.parse, column.required))
        return out


#: One line as read: (line number, its values by column or None when the line has the
#: wrong number of fields, its cells, its natural key, its problems or None). A plain
#: tuple, not an object: the second process sends these by the million, and a tuple
#: crosses the pipe at least twice as cheaply as any object.
Parsed = tuple[int, dict[str, Any] | None, list[str], Any, list[Problem] | None]


@dataclass
class Chunk:
    lines: list[Parsed]
    progress: int  # bytes (CSV) or rows (workbook) read so far
    error: SourceError | None = None  # the file cannot be read past these lines


class LineParser:
    """Reads one line's cells as the layout says; its positions worked out once."""

    def __init__(self, layout: Layout, terms: Terms) -> None:
        self.positions = layout.positions()
        self.width = layout.width
        self.terms = terms
        self.key = KINDS[layout.kind].key

    def __call__(self, line: int, cells: list[str]) -> Parsed:
        width = self.width
        if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
            cells = cells[:width]  # trailing empty cells (a workbook's, a trailing separator)
        if len(cells) != width:
            problem = (
                "",
                N_("the line has {count} field(s), the header {width}"),
                {"count": len(cells), "width": width},
            )
            return (line, None, cells, None, [problem])
        terms = self.terms
        problems: list[Problem] | None = None
        values: dict[str, Any] = {}
        for index, column, parse, required in self.positions:
            cell = cells[index]
            if not cell or cell.isspace():
                if required:
                    problems = problems or []
                    problems.append((column, N_("empty, but the column is required"), {}))
                values[column] = None
                continue
            try:
                values[column] = parse(cell, terms)
            except ValueProblem as problem:
                problems = problems or []
                problems.append((column, problem.rule, dict(problem.params)))
                values[column] = None
        return (line, values, cells, values.get(self.key), problems)


def read_chunks(source: Source, layout: Layout, terms: Terms) -> Generator[Chunk, None, None]:
    """The file's lines after its header (``source`` is open), a chunk at a time."""
    started = _start_reader(source, layout, terms) if _worth_a_second_process(source) else None
    if started is not None:
        yield from _read_elsewhere(*started)
    else:
        yield from _read_here(source, LineParser(layout, terms))


def _worth_a_second_process(source: Source) -> bool:
    return source.size >= SECOND_PROCESS_FROM_BYTES and (os.cpu_count() or 1) > 1


def _read_here(source: Source, parse: LineParser) -> Generator[Chunk, None, None]:
    lines: list[Parsed] = []
    try:
        for row in source.rows():
            lines.append(parse(row.line, row.cells))
            if len(lines) >= CHUNK_ROWS:
                yield Chunk(lines, source.progress)
                lines = []
    except SourceError as error:
        yield Chunk(lines, source.progress, error)
        return
    yield Chunk(lines, source.progress)


def _start_reader(source: Source, layout: Layout, terms: Terms) -> tuple[Any, Any] | None:
    """The second process and its queue, or None where no process can start (a
    sandbox, a frozen build without multiprocessing): the file is then read here."""
    context = multiprocessing.get_context("spawn")  # safe beside threads and open databases
    try:
        chunks: Any = context.Queue(maxsize=QUEUE_CHUNKS)
        reader = context.Process(
            target=_reader_process,
            args=(str(source.path), source.encoding, source.separator, layout, terms, chunks),
            daemon=True,
            name="guichet-import-reader",
        )
        reader.start()
    except (OSError, RuntimeError, ValueError):
        return None
    return reader, chunks


def _read_elsewhere(reader: Any, chunks: Any) -> Generator[Chunk, None, None]:
    try:
        while True:
            try:
                message = chunks.get(timeout=READER_PATIENCE_S)
            except queue.Empty:
                if reader.is_alive():
                    continue
                try:  # what it said just before it ended may still be in the pipe
                    message = chunks.get(timeout=READER_PATIENCE_S)
                except queue.Empty:
                    yield _stopped(reader.exitcode)
                    return
            yield _said(message)
            if message[0] != "rows":
                return
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join(5)
        chunks.close()
        chunks.cancel_join_thread()


def _said(message: tuple[Any, ...]) -> Chunk:
    what = message[0]
    if what == "rows" or what == "end":
        return Chunk(message[1], message[2])
    if what == "error":
        text, line, params = message[3]
        return Chunk(message[1], message[2], SourceError(text, line=line, **params))
    # "crash": what the reader could not say as a refusal
    return Chunk(
        [], 0, SourceError(N_("the file cannot be read ({reason})"), line=0, reason=message[1])
    )


def _stopped(exit_code: int | None) -> Chunk:
    return Chunk(
        [],
        0,
        SourceError(
            N_("the file cannot be read ({reason})"),
            line=0,
            reason=f"reader stopped, exit code {exit_code}",
        ),
    )


def _reader_process(
    path: str,
    encoding: str | None,
    separator: str | None,
    layout: Layout,
    terms: Terms,
    chunks: Any,
) -> None:
    """The second process: read and parse ``path``, send the chunks, then ``end``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the writer's process handles Ctrl+C
    source = Source(Path(path), encoding=encoding, separator=separator)
    try:
        source.open()
        for chunk in _read_here(source, LineParser(layout, terms)):
            if chunk.error is not None:
                error = chunk.error
                chunks.put(
                    (
                        "error",
                        chunk.lines,
                        chunk.progress,
                        (error.message, error.line, error.params),
                    )
                )
                return
            if chunk.lines:
                chunks.put(("rows", chunk.lines, chunk.progress))
        chunks.put(("end", [], source.progress_total))
    except SourceError as error:
        chunks.put(("error", [], 0, (error.message, error.line, error.params)))
    except Exception as error:  # anything else still reaches the writer, as one line
        chunks.put(("crash", f"{type(error).__name__}: {error}"))
    finally:
        source.close()
