"""The accounting export of a period: one CSV file per table, written to a folder.

All tables are read in one snapshot of the database (REPEATABLE READ on
PostgreSQL, one read transaction on SQLite's WAL), so payments, their
allocations and the closings agree even while counters keep taking payments.
Files are written as ``NAME.part`` and renamed once every one is written and the
export is journaled: a failed export leaves no file that looks finished.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection

from app.auth import Actor, require_role
from app.context import AppContext
from app.db_faults import faults_explained
from app.errors import ValidationError
from app.exports.csv_writer import TableWriter
from app.exports.scope import ExportScope, check_period, load_scope
from app.exports.tables import TABLES
from app.i18n import N_
from app.jet import jet_code, jet_details
from app.journal import EventKind, record_action
from app.transactions import write_transaction
from db.engine import Database
from db.models import Role

OpenStream = Callable[[str], AbstractContextManager[IO[bytes]]]


@dataclass(frozen=True)
class ExportedFile:
    name: str
    rows: int
    sha256: str
    size: int  # bytes

    def record(self) -> dict[str, Any]:
        return {"name": self.name, "rows": self.rows, "sha256": self.sha256, "bytes": self.size}


@dataclass(frozen=True)
class ExportResult:
    start: date
    end: date
    agency: str | None
    directory: Path
    files: tuple[ExportedFile, ...]
    not_closed: dict[str, str | None]  # agency -> last closed day, for those with open days


@contextmanager
def snapshot(db: Database) -> Iterator[Connection]:
    """One read transaction that sees the database as it was when it began.

    Lowest role: system (the export and the archive, once they checked the supervisor).
    """
    with faults_explained(db.url), db.engine.connect() as connection:
        if not db.is_sqlite:
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def read_scope(db: Database, start: date, end: date, agency: str | None) -> ExportScope:
    """The agencies and the operator an export of ``start`` to ``end`` covers.

    Lowest role: system (the export and the archive, once they checked the supervisor).
    """
    check_period(start, end)
    with faults_explained(db.url), db.read() as session:
        return load_scope(session, start, end, agency)


def write_tables(
    db: Database, scope: ExportScope, open_stream: OpenStream, *, bom: bool = False
) -> tuple[ExportedFile, ...]:
    """Write every table of ``scope`` to the streams ``open_stream(file name)`` gives.

    Lowest role: system (the export and the archive, once they checked the supervisor).
    """
    written = []
    with snapshot(db) as connection:
        for table in TABLES:
            with open_stream(table.file) as stream:
                writer = TableWriter(stream, table.header, bom=bom)
                writer.write_rows(table.rows(connection, scope))
                writer.close()
            written.append(ExportedFile(table.file, writer.rows, writer.sha256, writer.size))
    return tuple(written)


def period_details(scope: ExportScope, files: tuple[ExportedFile, ...]) -> dict[str, Any]:
    """What the journal keeps of an export or an archive: the period and each file."""
    return {
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "agency": scope.agency,
        "files": [file.record() for file in files],
    }


def cannot_write(path: Path, error: OSError) -> ValidationError:
    return ValidationError(
        N_("Cannot write {path}: {reason}. Check the path and its permissions."),
        field="out",
        path=str(path),
        reason=error.strerror or type(error).__name__,
    )


def export_period(
    ctx: AppContext,
    actor: Actor,
    start: date,
    end: date,
    out_dir: str | Path,
    *,
    agency: str | None = None,
    bom: bool = False,
) -> ExportResult:
    """Write the accounting export of the business days ``start`` to ``end`` (at one
    agency, or all) into the folder ``out_dir``, and journal it.

    Lowest role: supervisor.
    """
    require_role(actor, Role.SUPERVISOR)
    scope = read_scope(ctx.db, start, end, agency)
    directory = Path(out_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise cannot_write(directory, error) from error
    parts: list[Path] = []

    @contextmanager
    def part(name: str) -> Iterator[IO[bytes]]:
        path = directory / f"{name}.part"
        try:
            handle = path.open("wb")
        except OSError as error:
            raise cannot_write(path, error) from error
        parts.append(path)
        with handle:
            yield handle

    try:
        files = write_tables(ctx.db, scope, part, bom=bom)
        details = {
            **period_details(scope, files),
            "directory": str(directory.resolve()),
            "bom": bom,
            **jet_details(jet_code(EventKind.EXPORT_WRITTEN)),
        }
        write_transaction(
            ctx.db,
            lambda session: record_action(
                session,
                ctx,
                EventKind.EXPORT_WRITTEN,
                actor,
                subject=f"{scope.agency or '*'} {start.isoformat()} {end.isoformat()}",
                details=details,
            ),
        )
        for path in parts:
            os.replace(path, path.with_suffix(""))
    except BaseException:
        for path in parts:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return ExportResult(start, end, scope.agency, directory, files, scope.not_closed)
