"""Importing a batch of billing-system files: all of it in one transaction, or nothing.

Every file is opened and its header checked first; then, in ONE write transaction,
the files are read in the order their kinds depend on each other (offers and
products, subscribers, contracts, invoices, then delivery dates, status changes,
outside payments and outages), a chunk of lines at a time, each chunk checked against the
database as it stands inside the transaction (so a bill for a contract created by
another file of the same batch resolves) and written with Core executemany. Any
refusal, a ``--check`` or an interruption (Ctrl+C) rolls the whole transaction back:
the database is unchanged. Memory holds one chunk, not the file.
"""

from __future__ import annotations

import codecs
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.compensation.late_activation import late_activations
from app.context import AppContext
from app.errors import ConfigurationError
from app.i18n import N_
from app.imports import lock
from app.imports.accounts import apply_contracts, apply_status_changes, apply_subscribers
from app.imports.batch import Batch, FileInfo, Record
from app.imports.bills import apply_deliveries, apply_invoices
from app.imports.catalogue import apply_offers, apply_products
from app.imports.kinds import (
    CONTRACTS,
    KINDS,
    STATUS_CHANGES,
    Kind,
    Terms,
    column_name,
    recognise,
)
from app.imports.outages import apply_outages, close_pending
from app.imports.outside import apply_payments
from app.imports.reader import Layout, Parsed, read_chunks
from app.imports.refusals import ImportResult
from app.imports.sources import Source, SourceError, separator_of
from app.journal import record_event
from app.money import currency
from db.models import Agency, OperatorSettings

IMPORT_APPLIED = "import.applied"
# The SQLite page caches of the import's connection (KiB): the indexes a batch
# touches, and the batch's keys (temporary table); fixed ceilings, whatever the size
# of the files, so that memory stays flat.
SQLITE_IMPORT_CACHE_KIB = 64 * 1024
SQLITE_KEYS_CACHE_KIB = 16 * 1024

# Tables whose rows a first load creates by the million: when one is empty as the batch
# begins, its writer need not look for rows already stored (see Batch.note_empty_tables).
EMPTY_TABLE_SHORTCUT = ("subscribers", "contracts", "invoices")

Writer = Callable[[Batch, FileInfo, Sequence[Record]], None]
WRITERS: dict[str, Writer] = {
    "offers": apply_offers,
    "products": apply_products,
    "subscribers": apply_subscribers,
    "contracts": apply_contracts,
    "invoices": apply_invoices,
    "deliveries": apply_deliveries,
    "statuses": apply_status_changes,
    "payments": apply_payments,
    "outages": apply_outages,
}

#: progress(file name, done, total): bytes of a CSV file or rows of a workbook.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ImportOptions:
    check: bool = False  # read and check everything, write nothing
    kind: str | None = None  # force the kind of every file
    encoding: str | None = None  # force the encoding of every CSV file
    separator: str | None = None  # force the separator: "," ";" or "tab"


class _Discard(Exception):
    """Leaves the write transaction by rolling it back (a check, or refusals)."""


@dataclass
class _Opened:
    source: Source
    info: FileInfo
    layout: Layout
    where: dict[str, int]  # column -> cell index (shared by the file's records)


def import_files(
    ctx: AppContext,
    paths: Sequence[Path],
    options: ImportOptions = ImportOptions(),
    *,
    progress: Progress | None = None,
    who: str | None = None,
) -> ImportResult:
    """Import ``paths`` as one batch; return what was (or would be) created, updated,
    left unchanged and refused. Nothing is written unless every line is accepted and
    ``options.check`` is off.

    Lowest role: system (the operator's IT, from the command line; no staff actor).
    """
    started = perf_counter()
    result = ImportResult(str(uuid.uuid4()), [path.name for path in paths], options.check)
    if options.kind is not None and options.kind not in KINDS:
        raise ConfigurationError(
            N_("{value} is not a kind of file: give one of {kinds}"),
            field="kind",
            value=options.kind,
            kinds=", ".join(KINDS),
        )
    _check_options(options)
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
        terms = Terms(currency(settings.currency).minor_units, settings.country, settings.timezone)
        currency_code = settings.currency
    result.effects.currency = currency_code
    me = who or lock.who_am_i(ctx.now())
    with ExitStack() as stack:
        opened = [_open(result, path, options) for path in paths]
        for item in opened:
            if item is not None:
                stack.callback(item.source.close)
        if not result.ok:
            result.seconds = perf_counter() - started
            return result
        ready = sorted(
            (item for item in opened if item is not None), key=lambda item: item.info.kind.order
        )
        if ctx.db.is_sqlite:
            stack.enter_context(lock.lock_sqlite_file(ctx.db.engine.url.database, me))
        try:
            with ctx.db.write() as session:
                batch = _begin(ctx, session, result, terms, currency_code, me)
                for item in ready:
                    _read_file(batch, item, progress)
                if not result.ok or options.check:
                    raise _Discard
                _finish(ctx, batch, me)
                if any(item.info.kind in (CONTRACTS, STATUS_CHANGES) for item in ready):
                    # A line activated late, or still pending past its deadline, gets the
                    # charter's compensation with the import that says so: all or nothing.
                    result.effects.late = late_activations(session, ctx, ctx.now())
                # An outage the batch brings with its end is closed with it: its
                # contracts (those of this batch included) compensated once.
                result.effects.outages_closed = close_pending(batch, ctx)
            result.applied = True
        except _Discard:
            pass
    result.seconds = perf_counter() - started
    return result


def _check_options(options: ImportOptions) -> None:
    try:
        separator_of(options.separator)
    except SourceError as error:
        raise ConfigurationError(error.message, field="separator", **error.params) from None
    if options.encoding is not None:
        try:
            codecs.lookup(options.encoding)
        except LookupError:
            raise ConfigurationError(
                N_("{value} is not an encoding: give utf-8, cp1256 or latin-1"),
                field="encoding",
                value=options.encoding,
            ) from None


def _begin(
    ctx: AppContext,
    session: Session,
    result: ImportResult,
    terms: Terms,
    currency_code: str,
    me: str,
) -> Batch:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        lock.lock_postgres(connection, me)
    else:
        connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        connection.exec_driver_sql(f"PRAGMA temp.cache_size = -{SQLITE_KEYS_CACHE_KIB}")
    batch = Batch(
        session=session,
        connection=connection,
        signer=ctx.signer,
        terms=terms,
        currency=currency_code,
        now=ctx.now(),
        batch_id=result.batch_id,
        result=result,
    )
    batch.note_empty_tables(EMPTY_TABLE_SHORTCUT)
    agencies = Agency.__table__.c
    batch.agencies = {
        code: agency_id
        for code, agency_id in connection.execute(select(agencies.code, agencies.id))
    }
    batch.start_seen()
    return batch


def _finish(ctx: AppContext, batch: Batch, me: str) -> None:
    batch.end_seen()
    if batch.dialect == "sqlite":
        batch.connection.exec_driver_sql("PRAGMA cache_size = -2000")
    counts = {
        kind: {
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
        }
        for kind, counts in sorted(batch.result.counts.items())
    }
    record_event(
        batch.session,
        ctx.signer,
        IMPORT_APPLIED,
        actor_login=me[:64],
        subject=batch.batch_id,
        details={"files": list(batch.result.files), "counts": counts, "rows": batch.result.rows},
        occurred_at=batch.now,
    )


def _open(result: ImportResult, path: Path, options: ImportOptions) -> _Opened | None:
    name = path.name
    source = Source(path, encoding=options.encoding, separator=options.separator)
    try:
        source.open()
    except SourceError as error:
        source.close()
        result.refuse_file_error(name, error)
        return None
    except OSError as error:
        source.close()
        result.refuse_file(name, 0, N_("the file cannot be read ({reason})"), reason=error.strerror)
        return None
    names = [column_name(cell) for cell in source.header]
    if options.kind is not None:
        kind: Kind | None = KINDS[options.kind]
        closest = KINDS[options.kind]
    else:
        kind, closest = recognise(source.header)
    target = kind or closest
    problems = False
    missing = [column for column in target.required if column not in names]
    for column in missing:
        problems = True
        result.refuse_file(
            name,
            1,
            N_("the column {column} is missing: a file of {kind} has {required}"),
            column=column,
            kind=target.label,
            required=", ".join(target.required),
            translate=("kind",),
        )
    known = {column.name for column in target.columns}
    seen: set[str] = set()
    for cell, column in zip(source.header, names, strict=True):
        if column in seen:
            problems = True
            result.refuse_file(name, 1, N_("the column {column} is there twice"), column=cell)
        elif column not in known:
            problems = True
            result.refuse_file(
                name,
                1,
                N_("unknown column {column}: a file of {kind} has the columns {columns}"),
                column=cell or "\u2014",
                kind=target.label,
                columns=", ".join(c.name for c in target.columns),
                translate=("kind",),
            )
        seen.add(column)
    if problems:
        source.close()
        return None
    info = FileInfo(name, target, tuple(names))
    result.counts_of(target.name)
    layout = Layout(target.name, tuple(names))
    return _Opened(source, info, layout, layout.where)


def _read_file(batch: Batch, item: _Opened, progress: Progress | None) -> None:
    info = item.info
    writer = WRITERS[info.kind.name]
    total = item.source.progress_total
    # closing(): a refusal, a cancel or Ctrl+C leaving the loop stops a second process
    # reading the file at once, not whenever the generator is collected.
    with closing(read_chunks(item.source, item.layout, batch.terms)) as chunks:
        for chunk in chunks:
            if chunk.error is not None:
                batch.result.refuse_file_error(info.name, chunk.error)
            if chunk.lines:
                records = [_record(batch, item, parsed) for parsed in chunk.lines]
                _write_chunk(batch, info, writer, records)
            if progress is not None and chunk.error is None:
                progress(info.name, min(chunk.progress, total), total)
    if progress is not None:
        progress(info.name, total, total)


def _write_chunk(batch: Batch, info: FileInfo, writer: Writer, chunk: list[Record]) -> None:
    batch.result.rows += len(chunk)
    batch.first_seen(info.kind.name, info, chunk, lambda record: record.key)
    if any(not record.refused for record in chunk):
        writer(batch, info, chunk)


def _record(batch: Batch, item: _Opened, parsed: Parsed) -> Record:
    """A parsed line as the writers take it; its problems refused in the batch."""
    line, values, cells, key, problems = parsed
    if values is None:
        record = Record(line, {}, cells, item.where)
    else:
        record = Record(line, values, cells, item.where)
        record.key = key
    if problems:
        for column, rule, params in problems:
            batch.refuse(item.info, record, column, rule, **params)
    return record
