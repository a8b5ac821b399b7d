"""Opening the configured database and key, and refusing what would go wrong later.

Used by the application and every command that touches data: a database with
pending migrations, a missing key file or a key that is not this database's
stops here with a message that says which command to run.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, select

from app import config
from app.context import AppContext
from app.db_faults import faults_explained
from app.errors import ConfigurationError, SchemaOutOfDateError
from app.i18n import N_
from app.integrity.keys import Signer, create_signer, load_signer
from db import migrate
from db.engine import Database
from db.models import SigningKey


def open_database(url: str | None = None, *, create: bool = False) -> Database:
    """The configured database. Only ``db upgrade`` and ``demo`` pass ``create=True``:
    every other command refuses an SQLite path with no file rather than leave an empty
    database (and its folder) behind a typing mistake."""
    url = config.database_url(url)
    with faults_explained(url):
        return Database(url, create=create, busy_timeout_ms=config.sqlite_busy_timeout_ms())


def require_current_schema(database: Database) -> None:
    """Refuse a database that has migrations not applied yet.

    Lowest role: system (start-up and the command line; no actor).
    """
    with faults_explained(database.url):
        _require_current_schema(database)


def _require_current_schema(database: Database) -> None:
    pending = migrate.pending_revisions(database)
    if not pending:
        return
    if (
        migrate.current_revision(database) is None
        and not inspect(database.engine).get_table_names()
    ):
        raise SchemaOutOfDateError(
            N_(
                "The database is empty. Create it with: python main.py db upgrade "
                "(or build a demo with: python main.py demo)"
            ),
            field="database",
        )
    raise SchemaOutOfDateError(
        N_("The database needs {count} migration(s) ({revisions}). Run: python main.py db upgrade"),
        field="database",
        count=len(pending),
        revisions=", ".join(pending),
    )


def _registered_key_ids(database: Database) -> list[str]:
    with database.read() as session:
        return list(session.scalars(select(SigningKey.key_id)))


def load_database_signer(database: Database, key_file: Path, *, create: bool = False) -> Signer:
    """The signing key for this database: it must be the one whose public half is stored.

    Lowest role: system (start-up and the command line; no actor).
    """
    registered = _registered_key_ids(database)
    if not key_file.exists() and registered:
        raise ConfigurationError(
            N_(
                "The signing key {path} is missing; this database is signed with key {expected}. "
                "Copy that key file to this workstation."
            ),
            field="key_file",
            path=str(key_file),
            expected=", ".join(registered),
        )
    signer = create_signer(key_file) if create and not key_file.exists() else load_signer(key_file)
    if registered and signer.key_id not in registered:
        raise ConfigurationError(
            N_(
                "The key file {path} (key {key_id}) is not the signing key of this database "
                "(key {expected}). Copy the right key file to this workstation."
            ),
            field="key_file",
            path=str(key_file),
            key_id=signer.key_id,
            expected=", ".join(registered),
        )
    if not registered:
        with database.write() as session:
            signer.register(session)
    return signer


def open_context(
    url: str | None = None, key_file: str | None = None, *, create_key: bool = False
) -> AppContext:
    database = open_database(url)
    require_current_schema(database)
    with faults_explained(database.url):
        signer = load_database_signer(database, config.key_file(key_file), create=create_key)
    return AppContext(database, signer)
