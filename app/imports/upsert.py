"""Create or update by natural key, a chunk of records at a time, with Core statements.

No ORM object per row: the chunk's existing rows are read with one SELECT ... IN,
new rows go in with one executemany INSERT, changed rows with one executemany
UPDATE per shape. A record whose values equal the stored ones is unchanged: the
same batch imported twice writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Row, Table, bindparam, insert, select, update

from app.imports.batch import Batch, FileInfo, Record

IN_CHUNK = 900


def rows_by(
    connection: Connection,
    table: Table,
    column: Column[Any],
    keys: Iterable[Any],
    columns: Sequence[Column[Any]] | None = None,
    *,
    lock: bool = False,
) -> dict[Any, Row[Any]]:
    """The rows of ``table`` whose ``column`` is one of ``keys``, by that column."""
    wanted = list(dict.fromkeys(keys))
    found: dict[Any, Row[Any]] = {}
    chosen = list(columns) if columns is not None else list(table.c)
    for start in range(0, len(wanted), IN_CHUNK):
        statement = select(*chosen).where(column.in_(wanted[start : start + IN_CHUNK]))
        if lock:
            statement = statement.order_by(table.c.id).with_for_update(key_share=True)
        for row in connection.execute(statement):
            found[row._mapping[column.name]] = row
    return found


Wanted = Callable[[Record, Row[Any] | None], dict[str, Any] | None]


def upsert(
    batch: Batch,
    file: FileInfo,
    records: Sequence[Record],
    table: Table,
    key_column: str,
    wanted: Wanted,
    *,
    changed_extra: Callable[[Record, Row[Any] | None], bool] | None = None,
) -> dict[Any, Row[Any]]:
    """Write the chunk; ``wanted(record, stored_row)`` gives the columns to store
    (a whole row for a new record), or None after refusing the record.

    ``changed_extra`` says whether something beside the row changes (a subscriber's
    phones), for the counts. Returns the rows that existed before, by key.
    """
    live = [record for record in records if not record.refused]
    existing = rows_by(batch.connection, table, table.c[key_column], (r.key for r in live))
    inserts: list[dict[str, Any]] = []
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    created = updated = unchanged = 0
    for record in live:
        row = existing.get(record.key)
        values = wanted(record, row)
        if values is None or record.refused:
            continue
        extra = changed_extra(record, row) if changed_extra is not None else False
        if row is None:
            inserts.append(values)
            created += 1
            continue
        stored = row._mapping
        changes = {name: value for name, value in values.items() if stored[name] != value}
        if changes:
            shape = tuple(sorted(changes))
            updates.setdefault(shape, []).append({**changes, "_id": stored["id"]})
            updated += 1
        elif extra:
            updated += 1
        else:
            unchanged += 1
    connection = batch.connection
    if inserts:
        connection.execute(insert(table), inserts)
    for shape, rows in updates.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in shape})
        )
        connection.execute(statement, rows)
    batch.count(file.kind, created=created, updated=updated, unchanged=unchanged)
    return existing


def present(
    file: FileInfo,
    record: Record,
    column: str,
    row: Row[Any] | None,
    stored: str,
    default: Any = None,
) -> Any:
    """The value to store in ``stored``: the file's ``column`` if the file has it, else
    what is stored (an update leaves alone what the file does not carry), else
    ``default``."""
    if column in file.columns:
        return record.values.get(column)
    if row is not None:
        return row._mapping[stored]
    return default


def kept(file: FileInfo, record: Record, column: str, row: Row[Any] | None, stored: str) -> Any:
    """As :func:`present`, but a blank cell keeps what is stored: a date the billing
    system does not repeat (a delivery, an activation) is not erased by its silence."""
    value = present(file, record, column, row, stored)
    if value is None and row is not None:
        return row._mapping[stored]
    return value
