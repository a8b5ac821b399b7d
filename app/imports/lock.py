"""One import at a time across all workstations, and who holds it.

PostgreSQL: a transaction-level advisory lock (released by commit, rollback or a
lost connection), taken without waiting; the holder's session carries its name in
``application_name`` so that the refused one can say who imports. SQLite: its write
transaction already serialises writers; a lock file beside the database (an
``flock``, released when the process ends) says who imports, without waiting for
the other import's long transaction to end.
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, text

from app.errors import ConflictError
from app.i18n import N_

# The advisory lock of imports: a pair of int4 keys ("GUIC", "IMPT" in ASCII).
ADVISORY_KEYS = {"a": 0x47554943, "b": 0x494D5054}


def who_am_i(now: datetime) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"{user}@{socket.gethostname()} pid {os.getpid()} since {now:%Y-%m-%d %H:%M:%S}"


def _refused(holder: str) -> ConflictError:
    return ConflictError(
        N_("Another import is running ({holder}): try again when it has finished."),
        holder=holder,
    )


def lock_postgres(connection: Connection, me: str) -> None:
    got = connection.execute(
        text("SELECT pg_try_advisory_xact_lock(:a, :b)"), ADVISORY_KEYS
    ).scalar_one()
    if not got:
        holder = connection.execute(
            text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a "
                "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.classid::bigint = :a AND l.objid::bigint = :b AND l.objsubid = 2 "
                # Advisory locks belong to a database: another database's import on
                # the same server is not the one in the way.
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND a.pid <> pg_backend_pid() LIMIT 1"
            ),
            ADVISORY_KEYS,
        ).scalar()
        raise _refused(holder or "?")
    connection.execute(
        text("SELECT set_config('application_name', :name, true)"), {"name": me[:63]}
    )


@contextmanager
def lock_sqlite_file(database_path: str | None, me: str) -> Iterator[None]:
    """The lock file ``<database>.import.lock``; nothing for an in-memory database."""
    if not database_path or database_path == ":memory:":
        yield
        return
    import fcntl  # POSIX; on Windows the write transaction alone serialises imports

    path = Path(f"{database_path}.import.lock")
    handle: IO[str] = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            raise _refused(handle.read().strip() or "?") from None
        handle.seek(0)
        handle.truncate()
        handle.write(me)
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
