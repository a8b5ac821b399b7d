"""The administrators' import screen, seen from the services: preview, check, import.

The core (:func:`app.imports.apply.import_files`) is the command line's and takes no
actor; the screen goes through here, where the actor's role is checked first. Each
file is previewed as the core will read it (kind, encoding and separator detected or
forced, the first rows under the kind's documented columns, each cell checked by
the column's own rule); a check or an import runs the core with a progress callback
that a :class:`Pace` turns into a fraction, a rate and a time left, and that a
cancel request turns into :class:`ImportCancelled`, raised inside the core's one
write transaction, which it rolls back: the database is unchanged.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import select

from app.auth import Actor, require_role
from app.context import AppContext
from app.errors import ConfigurationError, GuichetError
from app.i18n import N_, gettext
from app.imports.apply import ImportOptions, Progress, import_files
from app.imports.kinds import KINDS, Kind, Terms, column_name, recognise
from app.imports.refusals import SHOWN_VALUE_LENGTH, ImportResult, Refusal
from app.imports.report import report_lines, save_reports
from app.imports.sources import Source, SourceError
from app.imports.values import ValueProblem
from app.money import currency
from db.models import OperatorSettings, Role

PREVIEW_ROWS = 10
SEPARATOR_NAMES = {",": N_("comma (,)"), ";": N_("semicolon (;)"), "\t": N_("tab")}
DEFAULT_OPTIONS = ImportOptions()


class ImportCancelled(GuichetError):
    """Cancel was pressed: raised inside the import's transaction, which rolls back."""

    def __init__(self) -> None:
        super().__init__(N_("Import cancelled: everything was rolled back, nothing was written."))


@dataclass(frozen=True)
class Problem:
    """A rule broken, as a msgid and its values; translated when shown."""

    rule: str
    params: dict[str, Any] = field(default_factory=dict)
    translate: tuple[str, ...] = ()

    def translated(self, language: str | None = None) -> str:
        params = {
            key: gettext(value, language) if key in self.translate else value
            for key, value in self.params.items()
        }
        return gettext(self.rule, language).format(**params)


@dataclass(frozen=True)
class PreviewRow:
    line: int
    cells: tuple[str, ...]  # under FilePreview.columns
    problems: dict[int, Problem]  # by index in cells


@dataclass(frozen=True)
class FilePreview:
    path: Path
    size: int
    kind: str | None  # the kind read (recognised or forced); None when none fits
    closest: str  # the kind it is closest to, whose columns are shown
    forced: bool
    encoding: str | None  # None for a workbook
    separator: str | None
    columns: tuple[str, ...]  # the kind's documented columns
    rows: tuple[PreviewRow, ...]
    problems: tuple[Problem, ...]  # the file's own: unreadable, columns missing or unknown

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def encoding_text(self) -> str:
        if self.encoding is None:
            return "XLSX"
        return {"utf-8-sig": "UTF-8 BOM", "utf-8": "UTF-8", "cp1256": "Windows-1256"}.get(
            self.encoding, self.encoding.upper()
        )

    @property
    def separator_text(self) -> str:
        if self.separator is None:
            return ""
        return gettext(SEPARATOR_NAMES.get(self.separator, self.separator))


def _terms(ctx: AppContext) -> Terms:
    with ctx.db.read() as session:
        settings = session.scalars(select(OperatorSettings).limit(1)).first()
        if settings is None:
            raise ConfigurationError(
                N_(
                    "The database has no operator yet: imports fill an operator's database "
                    "(build one with: python main.py demo)"
                ),
                field="database",
            )
        return Terms(currency(settings.currency).minor_units, settings.country, settings.timezone)


def preview_files(
    ctx: AppContext,
    actor: Actor,
    paths: Sequence[Path],
    options: ImportOptions = DEFAULT_OPTIONS,
    *,
    rows: int = PREVIEW_ROWS,
) -> list[FilePreview]:
    """Each file as the import will read it: its kind, encoding and separator, and its
    first ``rows`` records under the kind's columns, each cell checked. Reads the
    files; writes nothing.

    Lowest role: admin.
    """
    require_role(actor, Role.ADMIN)
    terms = _terms(ctx)
    return [_preview(path, options, terms, rows) for path in paths]


def _preview(path: Path, options: ImportOptions, terms: Terms, limit: int) -> FilePreview:
    try:
        size = path.stat().st_size
    except OSError as error:
        return _unreadable(
            path, Problem(N_("the file cannot be read ({reason})"), {"reason": error.strerror})
        )
    try:
        source = Source(path, encoding=options.encoding, separator=options.separator)
    except SourceError as error:
        return _unreadable(path, Problem(error.message, dict(error.params)), size)
    try:
        source.open()
    except SourceError as error:
        source.close()
        return _unreadable(path, Problem(error.message, dict(error.params)), size)
    except OSError as error:
        source.close()
        return _unreadable(
            path,
            Problem(N_("the file cannot be read ({reason})"), {"reason": error.strerror}),
            size,
        )
    try:
        names = [column_name(cell) for cell in source.header]
        forced = options.kind is not None and options.kind in KINDS
        kind: Kind | None
        if forced:
            kind = closest = KINDS[options.kind or ""]
        else:
            kind, closest = recognise(source.header)
        target = kind or closest
        problems = _header_problems(target, names, source.header)
        shown: list[PreviewRow] = []
        where = {name: index for index, name in reversed(list(enumerate(names)))}
        try:
            for row in source.rows():
                if len(shown) >= limit:
                    break
                shown.append(_preview_row(target, where, row.line, row.cells, terms))
        except SourceError as error:
            problems.append(Problem(error.message, {**error.params}))
        return FilePreview(
            path=path,
            size=size,
            kind=kind.name if kind is not None else None,
            closest=closest.name,
            forced=forced,
            encoding=None if source.is_xlsx else source.encoding,
            separator=None if source.is_xlsx else source.separator,
            columns=tuple(column.name for column in target.columns),
            rows=tuple(shown),
            problems=tuple(problems),
        )
    finally:
        source.close()


def _unreadable(path: Path, problem: Problem, size: int = 0) -> FilePreview:
    return FilePreview(path, size, None, next(iter(KINDS)), False, None, None, (), (), (problem,))


def _header_problems(target: Kind, names: list[str], header: list[str]) -> list[Problem]:
    problems = [
        Problem(
            N_("the column {column} is missing: a file of {kind} has {required}"),
            {"column": column, "kind": target.label, "required": ", ".join(target.required)},
            ("kind",),
        )
        for column in target.required
        if column not in names
    ]
    known = {column.name for column in target.columns}
    for cell, name in zip(header, names, strict=True):
        if name not in known:
            problems.append(
                Problem(
                    N_("unknown column {column}: a file of {kind} has the columns {columns}"),
                    {
                        "column": cell or "\u2014",
                        "kind": target.label,
                        "columns": ", ".join(c.name for c in target.columns),
                    },
                    ("kind",),
                )
            )
    return problems


def _preview_row(
    target: Kind, where: dict[str, int], line: int, cells: list[str], terms: Terms
) -> PreviewRow:
    shown: list[str] = []
    problems: dict[int, Problem] = {}
    for index, column in enumerate(target.columns):
        position = where.get(column.name)
        cell = cells[position] if position is not None and position < len(cells) else ""
        shown.append(_cut(cell))
        if not cell or cell.isspace():
            if column.required and position is not None:
                problems[index] = Problem(N_("empty, but the column is required"))
            continue
        try:
            column.parse(cell, terms)
        except ValueProblem as problem:
            problems[index] = Problem(problem.rule, dict(problem.params))
    return PreviewRow(line, tuple(shown), problems)


def _cut(value: str) -> str:
    shown = value if len(value) <= SHOWN_VALUE_LENGTH else value[:SHOWN_VALUE_LENGTH] + "…"
    return " ".join(shown.split())


# --- checking and importing ------------------------------------------------------------


@dataclass(frozen=True)
class ScreenImport:
    """What the screen shows after a check or an import."""

    result: ImportResult
    saved: tuple[Path, ...]  # the reports written next to the files (none for a check)


def run_import(
    ctx: AppContext,
    actor: Actor,
    paths: Sequence[Path],
    options: ImportOptions = DEFAULT_OPTIONS,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ScreenImport:
    """Check (``options.check``) or import ``paths`` as one batch, all or nothing, for
    an administrator; an import's report is saved next to each file. ``cancel`` set
    while it runs raises :class:`ImportCancelled` and nothing is written.

    Lowest role: admin.
    """
    require_role(actor, Role.ADMIN)

    def tracked(name: str, done: int, total: int) -> None:
        if cancel is not None and cancel.is_set():
            raise ImportCancelled
        if progress is not None:
            progress(name, done, total)

    if cancel is not None and cancel.is_set():
        raise ImportCancelled
    who = (
        f"{actor.login}@{socket.gethostname()} pid {os.getpid()} "
        f"since {ctx.now():%Y-%m-%d %H:%M:%S}"
    )
    result = import_files(ctx, list(paths), options, progress=tracked, who=who)
    saved: list[Path] = []
    if not options.check:
        saved = save_reports(list(paths), report_lines(result))
    return ScreenImport(result, tuple(saved))


@dataclass(frozen=True)
class RefusalRow:
    """A refusal cut into the screen's columns."""

    file: str
    line: int
    column: str
    value: str
    rule: str  # translated


def refusal_row(refusal: Refusal, language: str | None = None) -> RefusalRow:
    rule = Problem(refusal.rule, dict(refusal.params), refusal.translate).translated(language)
    return RefusalRow(refusal.file, refusal.line, refusal.column, _cut(refusal.value), rule)


# --- where it stands -------------------------------------------------------------------


@dataclass(frozen=True)
class PaceSnapshot:
    fraction: float  # 0..1 of the whole batch
    done_bytes: int
    total_bytes: int
    rate: float | None  # bytes per second, once it can be told
    seconds_left: float | None
    file: str  # the file being read


class Pace:
    """The core's progress calls (from the worker thread) as one figure for the batch.

    Each file weighs its size in bytes; a CSV file reports bytes read, a workbook rows,
    so both become a fraction of the file's weight. The screen reads :meth:`snapshot`
    from its own thread, a few times a second.
    """

    def __init__(self, paths: Sequence[Path], clock: Callable[[], float] = perf_counter) -> None:
        self._weights: dict[str, int] = {}
        for path in paths:
            try:
                size = path.stat().st_size
            except OSError:
                size = 0
            self._weights[path.name] = self._weights.get(path.name, 0) + max(size, 1)
        self._fractions: dict[str, float] = {}
        self._clock = clock
        self._started = clock()
        self._file = ""
        self._lock = threading.Lock()

    def __call__(self, name: str, done: int, total: int) -> None:
        with self._lock:
            self._fractions[name] = min(1.0, done / total) if total else 1.0
            self._file = name

    def snapshot(self) -> PaceSnapshot:
        with self._lock:
            fractions = dict(self._fractions)
            current = self._file
        total = sum(self._weights.values())
        done = sum(
            int(self._weights.get(name, 0) * fraction) for name, fraction in fractions.items()
        )
        elapsed = self._clock() - self._started
        rate = done / elapsed if done > 0 and elapsed > 0.2 else None
        left = (total - done) / rate if rate else None
        return PaceSnapshot(done / total if total else 0.0, done, total, rate, left, current)
