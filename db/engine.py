"""Engines and sessions for the embedded SQLite database and for PostgreSQL.

SQLite is tuned for a till: WAL so that searches never wait on a payment being
written, synchronous FULL so that a committed payment survives a power cut,
foreign keys on, and a busy timeout so that two writers queue instead of failing.
Write transactions start with BEGIN IMMEDIATE: a deferred transaction that
reads and then writes can deadlock against another writer, which SQLite
reports as "database is locked" no matter the timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

_WRITE_OPTION: Final = "guichet_write"
SQLITE_BUSY_TIMEOUT_MS = 15_000
# Without it libpq waits for the operating system's TCP timeout (minutes) on a dead server.
POSTGRES_CONNECT_TIMEOUT_S = 10
_PSYCOPG_DRIVERS: Final = ("postgresql", "postgres", "postgresql+psycopg")


class DatabaseURLError(ArgumentError):
    """The URL cannot be parsed, or names a database other than SQLite or PostgreSQL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(reason)
        self.url = url
        self.reason = reason


class DatabaseFileMissingError(FileNotFoundError):
    """An SQLite file opened without ``create=True`` does not exist."""

    def __init__(self, path: str) -> None:
        super().__init__(2, "no such database file", path)


def _parse_url(url: str) -> URL:
    if not url.strip():
        raise DatabaseURLError(url, "empty")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:  # ValueError: a port that is not a number
        raise DatabaseURLError(url, str(error)) from None
    if parsed.drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver we ship; "postgresql://" alone would pick psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", *_PSYCOPG_DRIVERS):
        raise DatabaseURLError(url, f"unsupported database {parsed.drivername}")
    return parsed


def _install_sqlite_pragmas(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


class Database:
    """One database: its engine, and sessions for reading and for writing."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        create: bool = True,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
        connect_timeout_s: int = POSTGRES_CONNECT_TIMEOUT_S,
    ) -> None:
        """Nothing connects yet. Raises :class:`DatabaseURLError` for a URL we cannot use.

        ``create=False`` refuses an SQLite file that does not exist
        (:class:`DatabaseFileMissingError`) instead of creating it and its folder on
        first use: a mistyped path must not leave an empty database behind.
        """
        parsed = _parse_url(url)
        self.url = parsed.render_as_string(hide_password=False)
        self.dialect = parsed.get_backend_name()
        self.busy_timeout_ms = busy_timeout_ms
        try:
            if self.dialect == "sqlite":
                if parsed.database and parsed.database != ":memory:":
                    path = Path(parsed.database)
                    if create:
                        path.parent.mkdir(parents=True, exist_ok=True)
                    elif not path.exists():
                        raise DatabaseFileMissingError(parsed.database)
                self.engine = create_engine(
                    self.url, echo=echo, connect_args={"check_same_thread": False}
                )
                _install_sqlite_pragmas(self.engine, busy_timeout_ms)
            else:
                connect_args = (
                    {}
                    if "connect_timeout" in parsed.query
                    else {"connect_timeout": connect_timeout_s}
                )
                self.engine = create_engine(
                    self.url, echo=echo, pool_pre_ping=True, connect_args=connect_args
                )
        except (NoSuchModuleError, ImportError) as error:  # e.g. postgresql+psycopg2://
            raise DatabaseURLError(url, str(error)) from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for looking things up; anything it changes is thrown away.

        Closing (rather than rolling back) ends the transaction without expiring
        the objects read, so callers can still use them afterwards.
        """
        session = self._sessions()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction for one user action: all of it is committed, or none."""
        session = self._sessions()
        try:
            session.connection(execution_options={_WRITE_OPTION: True})
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
