"""Database and file faults, told as one line that says what is wrong and what to do.

A database that cannot be reached, opened or written surfaces as a driver
exception (SQLAlchemy wrapping psycopg or sqlite3) or an ``OSError``, whose text
is an English sentence from deep inside a library. :func:`explain` turns each
into a translated :class:`DatabaseFaultError`: the command line prints it as its
one error line, and the counter shows it instead of a traceback.

psycopg gives no SQLSTATE for a refused connection (libpq reports the server's
FATAL message as text), so those are recognised by their wording, with a
generic "cannot connect" that still quotes the driver's reason as the fallback.
SQLite errors carry their result code, which is used instead of the wording.
"""

from __future__ import annotations

import errno
import getpass
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app.errors import GuichetError
from app.i18n import N_
from db.engine import DatabaseFileMissingError, DatabaseURLError


class DatabaseFaultError(GuichetError):
    """The database (or a file) cannot be used as asked; nothing was written."""


# What explain() knows how to tell. Other SQLAlchemy errors (a bad query, a
# mapping mistake) are bugs and keep their traceback.
FAULTS: Final[tuple[type[BaseException], ...]] = (
    DBAPIError,
    DatabaseURLError,
    PoolTimeoutError,
    psycopg.Error,
    sqlite3.Error,
    OSError,
)

# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_NOTADB = 26

_URL_HELP: Final = "sqlite:///PATH/TO/guichet.db, postgresql://USER@HOST/DATABASE"

# Messages said for more than one cause.
_LOST = N_(
    "The connection to the database server {server} was lost: check the server and the "
    "network, then try again."
)
_NOT_NOW = N_(
    "The database server {server} takes no connection for now ({detail}): try again in a "
    "moment, or ask its administrator."
)
_REFUSED = N_("The database refused the operation ({detail}); nothing was written.")
_DISK_FULL = N_("The disk holding {path} is full: free some space, then try again.")

# libpq's wording for a refused connection, lower case.
_AUTH_FAILED = (
    "password authentication failed",
    "no password supplied",
    "authentication failed",
    "does not exist",  # role "x" does not exist (checked after "database ... does not exist")
    "no pg_hba.conf entry",
    "permission denied for database",
)
_UNKNOWN_HOST = (
    "failed to resolve host",
    "could not translate host name",
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
)
_BUSY_SERVER = (
    "too many connections",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "remaining connection slots are reserved",
)
_SERVER_GONE = (
    "server closed the connection",
    "terminating connection",
    "connection is lost",
    "consuming input failed",
    "the connection is closed",
)


def is_fault(error: BaseException) -> bool:
    return isinstance(error, FAULTS)


@contextmanager
def faults_explained(url: str | None = None) -> Iterator[None]:
    """Re-raise the faults of the body as :class:`DatabaseFaultError`."""
    try:
        yield
    except GuichetError:
        raise
    except FAULTS as error:
        raise explain(error, url) from error


def explain(error: BaseException, url: str | None = None) -> GuichetError:
    """The one translated line for ``error``, met while using the database at ``url``."""
    if isinstance(error, GuichetError):
        return error
    if isinstance(error, DatabaseURLError):
        return _bad_url(error)
    if isinstance(error, DBAPIError) and error.orig is not None:
        driver: BaseException = error.orig
        if error.connection_invalidated and not isinstance(driver, sqlite3.Error):
            return _fault(_LOST, server=_server(url))
    else:
        driver = error
    if isinstance(driver, sqlite3.Error):
        return _sqlite(driver, url)
    if isinstance(driver, psycopg.Error):
        return _postgres(driver, url)
    if isinstance(error, PoolTimeoutError):
        return _fault(_NOT_NOW, server=_server(url), detail=_first_line(error))
    if isinstance(driver, OSError):
        return _file(driver)
    return _fault(_REFUSED, detail=_first_line(driver))


def _fault(message: str, **params: Any) -> DatabaseFaultError:
    return DatabaseFaultError(message, field="database", **params)


def _bad_url(error: DatabaseURLError) -> DatabaseFaultError:
    if not error.url.strip():
        return _fault(
            N_("The database URL is empty: give one such as {examples}, or leave the option out."),
            examples=_URL_HELP,
        )
    if error.reason.startswith("unsupported"):
        return _fault(
            N_(
                "Guichet runs on SQLite or PostgreSQL, not on {url}: give a URL such as {examples}."
            ),
            url=_masked(error.url),
            examples=_URL_HELP,
        )
    return _fault(
        N_(
            "The database URL {url} is not valid: give one such as {examples} "
            "(--database or GUICHET_DATABASE_URL)."
        ),
        url=_masked(error.url),
        examples=_URL_HELP,
    )


def _sqlite(error: sqlite3.Error, url: str | None) -> DatabaseFaultError:
    path = _sqlite_path(url)
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return _fault(
            N_(
                "The database {path} is held by another program for more than {seconds} s: "
                "finish or close what is writing to it, then try again."
            ),
            path=path,
            seconds=_busy_seconds(),
        )
    if code in (_SQLITE_READONLY, _SQLITE_PERM):
        return _fault(
            N_(
                "The database {path} cannot be written (read-only file, folder or disk): give "
                "this user write access to the file and to its folder."
            ),
            path=path,
        )
    if code == _SQLITE_CANTOPEN:
        return _fault(
            N_(
                "The database file {path} cannot be opened: check that it and its folder exist "
                "and that this user may read and write both."
            ),
            path=path,
        )
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return _fault(
            N_(
                "The file {path} is not a Guichet database or is damaged ({detail}): check the "
                "path, or restore the database from its last backup."
            ),
            path=path,
            detail=_first_line(error),
        )
    if code == _SQLITE_FULL:
        return _fault(_DISK_FULL, path=path)
    if code == _SQLITE_IOERR:
        return _fault(
            N_(
                "Reading or writing the database {path} failed ({detail}): check the disk, "
                "then try again."
            ),
            path=path,
            detail=_first_line(error),
        )
    return _fault(_REFUSED, detail=_first_line(error))


def _postgres(error: psycopg.Error, url: str | None) -> DatabaseFaultError:
    server = _server(url)
    state = error.sqlstate or ""
    text = str(error).lower()
    if state == "3D000" or re.search(r'database "[^"]*" does not exist', text):
        name = _url_part(url, "database") or _url_part(url, "username") or getpass.getuser()
        return _fault(
            N_(
                "There is no database {database} on the server {server}: check its name in the "
                "URL, or create it (createdb {database}) and run: python main.py db upgrade"
            ),
            database=name,
            server=server,
        )
    if state in ("28P01", "28000") or (
        state == "" and "connection" in text and any(m in text for m in _AUTH_FAILED)
    ):
        return _fault(
            N_(
                "The database server {server} refused the user {user}: check the user name and "
                "password in the database URL, and that the server lets this user connect "
                "from here."
            ),
            server=server,
            user=_url_part(url, "username") or getpass.getuser(),
        )
    if any(m in text for m in _UNKNOWN_HOST):
        return _fault(
            N_(
                "The database server name {host} is not known: check the host in the database "
                "URL and this computer's network."
            ),
            host=_url_part(url, "host") or server,
        )
    if state in ("53300", "57P03") or any(m in text for m in _BUSY_SERVER):
        return _fault(_NOT_NOW, server=server, detail=_first_line(error))
    if (
        state.startswith("08")
        or state in ("57P01", "57P02")
        or any(m in text for m in _SERVER_GONE)
    ):
        return _fault(_LOST, server=server)
    if isinstance(error, psycopg.OperationalError) and not state:
        return _fault(
            N_(
                "The database server {server} does not answer ({detail}): check that PostgreSQL "
                "runs there and accepts connections, and the host and port in the database URL."
            ),
            server=server,
            detail=_first_line(error),
        )
    if state in ("40001", "40P01"):
        return _fault(
            N_(
                "Another workstation changed the same records at the same moment; nothing was "
                "written. Try again."
            )
        )
    if state == "25006":
        return _fault(
            N_(
                "The database server {server} only allows reading (a standby server?): point "
                "Guichet at the primary server."
            ),
            server=server,
        )
    if state == "42501":
        return _fault(
            N_(
                "The database user {user} lacks a right on the server {server} ({detail}): ask "
                "the database administrator to grant it."
            ),
            user=_url_part(url, "username") or getpass.getuser(),
            server=server,
            detail=_first_line(error),
        )
    if state == "53100":
        return _fault(_DISK_FULL, path=server)
    return _fault(_REFUSED, detail=_first_line(error))


def _file(error: OSError) -> DatabaseFaultError:
    path = str(error.filename) if error.filename is not None else "?"
    if isinstance(error, DatabaseFileMissingError):
        return _fault(
            N_(
                "There is no database {path}: check the path, or create the database with: "
                "python main.py db upgrade (or build a demo with: python main.py demo)"
            ),
            path=path,
        )
    if isinstance(error, IsADirectoryError):
        return _fault(N_("{path} is a folder: give the path of a file."), path=path)
    if isinstance(error, PermissionError) or error.errno == errno.EROFS:
        return _fault(
            N_(
                "This user may not use {path} (read-only, or no permission): check the "
                "permissions of the file and of its folder, or choose another path."
            ),
            path=path,
        )
    if isinstance(error, FileNotFoundError):
        return _fault(
            N_("{path} does not exist, or its folder does not: check the path."), path=path
        )
    if error.errno == errno.ENOSPC:
        return _fault(_DISK_FULL, path=path)
    return _fault(
        N_("{path} cannot be used ({detail}): check the path and the disk."),
        path=path,
        detail=error.strerror or _first_line(error),
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    if isinstance(error, DBAPIError) and error.orig is not None:
        text = str(error.orig).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    # libpq prefixes "connection failed: connection to server at ... failed: FATAL:  "
    return re.sub(r"^(.*failed:\s+)?((FATAL|ERROR):\s+)?", "", line) or line


def _busy_seconds() -> str:
    from app import config  # late: config reads the environment each time

    try:
        milliseconds = config.sqlite_busy_timeout_ms()
    except GuichetError:
        return "?"
    return f"{milliseconds / 1000:g}"


def _url_part(url: str | None, part: str) -> str | None:
    if not url:
        return None
    try:
        value = getattr(make_url(url), part)
    except Exception:  # an unparsable URL has no parts to name
        return None
    return str(value) if value else None


def _server(url: str | None) -> str:
    host = _url_part(url, "host") or "localhost"
    return f"{host}:{_url_part(url, 'port') or 5432}"


def _sqlite_path(url: str | None) -> str:
    return _url_part(url, "database") or url or "?"


def _masked(url: str) -> str:
    """The URL as typed, less its password."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)
