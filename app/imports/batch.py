"""What the kinds' writers share while one batch is applied: the connection, the
operator's terms, the refusals and counts, and the keys the batch has seen.

The keys seen are kept in a temporary table of the import's own connection, not in
memory: a national batch has millions of them, and the database finds a duplicate
(and the line that first held the key) as fast as a dict would.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from app.i18n import N_
from app.imports.kinds import Kind, Terms
from app.imports.refusals import ImportResult, Refusal
from app.integrity.keys import Signer

SEEN_TABLE = "guichet_import_keys"
# Keys of refused records remembered to name their line when another line refers to
# them; past this many, such a reference says only that the record is missing.
MAX_REMEMBERED_REFUSED = 100_000


@dataclass(slots=True)
class Record:
    """One parsed line: the values of the columns the file has (None: blank)."""

    line: int
    values: dict[str, Any]
    cells: list[str]  # as read, for the refusals' words
    where: dict[str, int]  # column -> index in cells (the file's, shared)
    refused: bool = False
    key: Any = None  # the natural key's value, once parsed


@dataclass
class FileInfo:
    name: str  # as shown in the report: the file's name
    kind: Kind
    columns: tuple[str, ...]  # the kind's columns present in the header


@dataclass
class Batch:
    session: Session
    connection: Connection
    signer: Signer
    terms: Terms
    currency: str
    now: datetime
    batch_id: str
    result: ImportResult
    agencies: dict[str, int] = field(default_factory=dict)
    refused_keys: dict[tuple[str, str], str] = field(default_factory=dict)
    chain_locked: bool = False
    # Outages of the batch with an end, not closed yet: id -> line (app.imports.outages).
    outages_to_close: dict[int, int] = field(default_factory=dict)
    # Tables that held no row when the batch began (see note_empty_tables).
    empty_tables: frozenset[str] = frozenset()

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def dialect(self) -> str:
        return self.connection.dialect.name

    # -- refusals and counts -------------------------------------------------------------
    def refuse(
        self,
        file: FileInfo,
        record: Record,
        column: str,
        rule: str,
        *,
        translate: tuple[str, ...] = (),
        **params: Any,
    ) -> None:
        index = record.where.get(column) if column else None
        value = record.cells[index] if index is not None and index < len(record.cells) else ""
        self.result.refuse(Refusal(file.name, record.line, column, value, rule, params, translate))
        if not record.refused:
            record.refused = True
            self.result.counts_of(file.kind.name).refused += 1
            self.remember_refused(file, record)

    def remember_refused(self, file: FileInfo, record: Record) -> None:
        """So that a line referring to this record names its line."""
        key = record.key
        if key is not None and len(self.refused_keys) < MAX_REMEMBERED_REFUSED:
            self.refused_keys.setdefault((file.kind.name, str(key)), place(file.name, record.line))

    def missing(self, file: FileInfo, record: Record, column: str, target: Kind, key: str) -> None:
        """``record`` refers (in ``column``) to a ``target`` record that is not there."""
        where = self.refused_keys.get((target.name, key))
        if where is not None:
            self.refuse(
                file,
                record,
                column,
                N_("refers to a record of {kind} that was refused ({place})"),
                translate=("kind",),
                kind=target.label,
                place=where,
            )
        else:
            self.refuse(
                file,
                record,
                column,
                N_(
                    "refers to a record of {kind} that is neither in the database nor in this batch"
                ),
                translate=("kind",),
                kind=target.label,
            )

    def count(self, kind: Kind, created: int = 0, updated: int = 0, unchanged: int = 0) -> None:
        counts = self.result.counts_of(kind.name)
        counts.created += created
        counts.updated += updated
        counts.unchanged += unchanged

    def note_empty_tables(self, names: Iterable[str]) -> None:
        """Remember which of these tables hold no row yet, as the batch begins.

        A first load then skips looking up, chunk after chunk, rows that cannot be
        there: a table empty at the start holds only what this batch wrote, and a key
        this batch already wrote is refused as a duplicate (:meth:`first_seen`) before
        its writer runs. Only a kind's own creating writer may take the shortcut; a
        kind that updates another's rows (delivery dates, status changes) still looks.
        """
        self.empty_tables = frozenset(
            name
            for name in names
            if self.connection.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first() is None
        )

    # -- keys seen in this batch ---------------------------------------------------------
    def start_seen(self) -> None:
        # SQLite: WITHOUT ROWID keeps the keys in one B-tree instead of a table and its
        # primary key's index, which halves what each key costs to remember.
        tail = " ON COMMIT DROP" if self.dialect == "postgresql" else " WITHOUT ROWID"
        temp = "TEMPORARY" if self.dialect == "postgresql" else "TEMP"
        self.connection.execute(
            text(
                f"CREATE {temp} TABLE IF NOT EXISTS {SEEN_TABLE} (kind VARCHAR(24) NOT NULL, "
                "key VARCHAR(64) NOT NULL, place VARCHAR(400) NOT NULL, "
                f"PRIMARY KEY (kind, key)){tail}"
            )
        )
        self.connection.execute(text(f"DELETE FROM {SEEN_TABLE}"))

    def end_seen(self) -> None:
        self.connection.execute(text(f"DROP TABLE IF EXISTS {SEEN_TABLE}"))

    def first_seen(
        self,
        family: str,
        file: FileInfo,
        records: Sequence[Record],
        key_of: Any,
        column: str | None = None,
    ) -> None:
        """Refuse the records whose key (``key_of(record)``) an earlier line of the
        batch already had; remember the others' keys."""
        fresh: dict[str, Record] = {}
        for record in records:
            key = key_of(record)
            if key is None:
                continue
            earlier = fresh.get(key)
            if earlier is not None:
                self._duplicate(file, record, place(file.name, earlier.line), column)
                continue
            # A refused line's key counts too: the line after it is no less a duplicate.
            fresh[key] = record
        if not fresh:
            return
        mark = "?" if self.dialect == "sqlite" else "%s"
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        rows = [(family, key, place(file.name, record.line)) for key, record in fresh.items()]
        # The usual case in one statement: every key is new. Only when some were not
        # are the earlier places read back, to name them.
        cursor.executemany(
            f"INSERT INTO {SEEN_TABLE} (kind, key, place) VALUES ({mark}, {mark}, {mark}) "
            "ON CONFLICT DO NOTHING",
            rows,
        )
        if cursor.rowcount == len(rows):
            return
        mine = {key: where for _family, key, where in rows}
        for key, where in _chunks_select(
            self.connection,
            f"SELECT key, place FROM {SEEN_TABLE} WHERE kind = :kind AND key IN ",
            {"kind": family},
            list(fresh),
        ):
            if where != mine[key]:
                again = fresh[key]
                if not again.refused:
                    self._duplicate(file, again, where, column)

    def _duplicate(self, file: FileInfo, record: Record, where: str, column: str | None) -> None:
        self.refuse(
            file,
            record,
            column or file.kind.key,
            N_("the same key is already in this batch ({place})"),
            place=where,
        )


def place(file: str, line: int) -> str:
    """Where a line is, as a refusal names it (``invoices.csv:12``); fits the keys table."""
    return f"{file[-380:]}:{line}"


def _chunks_select(
    connection: Connection, head: str, params: dict[str, Any], keys: list[str], size: int = 500
) -> Iterable[tuple[Any, ...]]:
    for start in range(0, len(keys), size):
        part = keys[start : start + size]
        names = {f"k{i}": key for i, key in enumerate(part)}
        statement = text(head + "(" + ", ".join(f":{name}" for name in names) + ")")
        yield from connection.execute(statement, {**params, **names}).tuples()
