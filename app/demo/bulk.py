"""Writing many rows fast: multi-row INSERTs on SQLite, COPY on PostgreSQL.

The ORM, and even Core ``insert()``, spend more time per row in Python than the
database spends storing it; a national subscriber base has tens of millions of
invoice rows. Rows arrive as tuples of plain values (dates as ISO strings, which
both SQLite and PostgreSQL's COPY read as dates) and go straight to the driver,
inside the caller's SQLAlchemy transaction.

Measured on a million DZ subscribers (7.6 million bills), SQLite: one-row
``executemany`` cost 44 us per subscriber row (the full-text trigger) and 7 us
per invoice row; 1000-row INSERT statements without foreign-key checks cost
12 us and 4 us.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

from sqlalchemy import Connection

# SQLite's page cache for the bulk connection. The default (2 MB) thrashes once
# the scattered indexes (phone and line numbers, the FTS index) outgrow it.
SQLITE_BULK_CACHE_KIB = 256 * 1024
SQLITE_ROWS_PER_STATEMENT = 1000


class BulkWriter:
    """Inserts row tuples into a table through the connection's DBAPI driver."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.dialect = connection.dialect.name
        if self.dialect not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"Guichet does not support {self.dialect}")
        self._saved: tuple[int, int] | None = None

    def _driver(self) -> Any:
        return self._connection.connection.driver_connection

    def tune(self) -> None:
        """Set the bulk connection up for loading; :meth:`untune` restores it.

        SQLite: a larger page cache, and no foreign-key checks: every row's
        parents are written by the same generator, in the same or an earlier
        transaction, with ids it assigned itself, so the checks (two index
        probes per invoice) would only re-prove that. Tests run
        ``PRAGMA foreign_key_check`` on a built demo, and PostgreSQL keeps
        checking. Must be called outside a transaction (SQLite ignores a
        foreign_keys change inside one).
        """
        if self.dialect == "sqlite":
            driver = self._driver()
            self._saved = (
                driver.execute("PRAGMA cache_size").fetchone()[0],
                driver.execute("PRAGMA foreign_keys").fetchone()[0],
            )
            driver.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
            driver.execute("PRAGMA foreign_keys = OFF")

    def untune(self) -> None:
        if self.dialect == "sqlite" and self._saved is not None:
            cache_size, foreign_keys = self._saved
            driver = self._driver()
            driver.execute(f"PRAGMA cache_size = {int(cache_size)}")
            driver.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
            self._saved = None

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
    ) -> None:
        if not rows:
            return
        names = ", ".join(columns)
        cursor = self._driver().cursor()
        try:
            if self.dialect == "sqlite":
                self._sqlite_insert(cursor, table, names, len(columns), rows)
            else:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        finally:
            cursor.close()

    def _sqlite_insert(
        self,
        cursor: Any,
        table: str,
        names: str,
        width: int,
        rows: Sequence[tuple[object, ...]],
    ) -> None:
        """Many rows per INSERT statement rather than one statement per row.

        Each statement execution also sets up the statement's triggers: with
        one row per execution, the full-text trigger on ``subscribers`` cost
        three times the insert itself.
        """
        limit = self._driver().getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        per_statement = max(1, min(SQLITE_ROWS_PER_STATEMENT, limit // width))
        placeholder = "(" + ", ".join("?" * width) + ")"
        full = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([placeholder] * per_statement)
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql = full
            if len(chunk) < per_statement:
                sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join(
                    [placeholder] * len(chunk)
                )
            cursor.execute(sql, list(chain.from_iterable(chunk)))

    def after_load(self, tables: Sequence[str]) -> None:
        """Bring the database up to date with what was loaded behind its back.

        PostgreSQL: the id sequences still stand at 1 (ids were given
        explicitly), and the planner has no statistics yet. SQLite: a quick,
        bounded ANALYZE, so that the first searches use the right indexes.
        """
        if self.dialect == "postgresql":
            for table in tables:
                self._connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
            self._connection.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
        else:
            self._connection.exec_driver_sql("PRAGMA analysis_limit = 1000")
            self._connection.exec_driver_sql("ANALYZE")
