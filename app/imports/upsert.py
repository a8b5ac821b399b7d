"""Create or update by natural key, a chunk of records at a time.

No ORM object per row: the chunk's existing rows are read with one Core SELECT ...
IN, new rows go in with one executemany INSERT, changed rows with one executemany
UPDATE per shape, both straight through the driver's cursor (in the same
transaction): SQLAlchemy's per-row parameter processing cost more than SQLite
spends storing a bill. A record whose values equal the stored ones is unchanged: the
same batch imported twice writes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Column, Connection, Date, Row, Table, select

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
    creates: bool = False,
) -> dict[Any, Row[Any]]:
    """Write the chunk; ``wanted(record, stored_row)`` gives the columns to store
    (a whole row for a new record), or None after refusing the record.

    ``changed_extra`` says whether something beside the row changes (a subscriber's
    phones), for the counts. ``creates``: the caller is the kind that creates the
    table's rows, whose keys :meth:`Batch.first_seen` checked; on a table empty when
    the batch began, no stored row is looked for. Returns the rows that existed
    before, by key.
    """
    live = [record for record in records if not record.refused]
    if creates and table.name in batch.empty_tables:
        existing: dict[Any, Row[Any]] = {}
    else:
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
        insert_rows(connection, table, inserts)
    for shape, rows in updates.items():
        update_rows(connection, table, shape, rows)
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


def _driver_rows(
    connection: Connection, table: Table, names: Sequence[str], rows: Iterable[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    if connection.dialect.name != "sqlite":
        return [tuple([row[n] for n in names]) for row in rows]
    # What SQLAlchemy's Date type would store on SQLite: ISO text.
    dates = [i for i, n in enumerate(names) if n in table.c and isinstance(table.c[n].type, Date)]
    out: list[tuple[Any, ...]] = []
    for row in rows:
        values = [row[n] for n in names]
        for i in dates:
            value = values[i]
            if value is not None:
                values[i] = _iso(value)
        out.append(tuple(values))
    return out


@functools.lru_cache(maxsize=8192)
def _iso(day: date) -> str:
    return day.isoformat()


def _mark(connection: Connection) -> str:
    return "?" if connection.dialect.name == "sqlite" else "%s"


def _cursor(connection: Connection) -> Any:
    driver = connection.connection.driver_connection
    assert driver is not None
    return driver.cursor()


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany INSERT of ``rows`` (dicts with the same keys) into ``table``."""
    names = list(rows[0])
    mark = _mark(connection)
    statement = (
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"
    )
    _cursor(connection).executemany(statement, _driver_rows(connection, table, names, rows))


def update_rows(
    connection: Connection, table: Table, shape: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    """One executemany UPDATE of the columns ``shape`` of the rows whose id is ``_id``."""
    mark = _mark(connection)
    names = [*shape, "_id"]
    statement = (
        f"UPDATE {table.name} SET {', '.join(f'{name} = {mark}' for name in shape)} "
        f"WHERE id = {mark}"
    )
    _cursor(connection).executemany(statement, _driver_rows(connection, table, names, rows))
