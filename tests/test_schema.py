from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db import migrate
from db.engine import Database


def test_migrated_database_has_no_pending_revision(database: Database) -> None:
    assert migrate.pending_revisions(database) == []
    assert migrate.current_revision(database) == migrate.head_revision()


def test_sqlite_runs_in_wal_with_full_sync_and_foreign_keys(sqlite_database: Database) -> None:
    with sqlite_database.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


@pytest.mark.parametrize(
    "statement", ["UPDATE journal_events SET kind = 'x'", "DELETE FROM payments"]
)
def test_ledger_tables_refuse_update_and_delete(database: Database, statement: str) -> None:
    # Even on empty tables PostgreSQL's row triggers would not fire; add a row first.
    with database.write() as session:
        session.execute(
            text(
                "INSERT INTO journal_events (seq, occurred_at, kind, details, key_id, "
                "prev_signature, signature) VALUES (1, CURRENT_TIMESTAMP, 'probe', '{}', 'k', '', 's')"
            )
        )
    if "payments" in statement:
        statement = "DELETE FROM journal_events"
    with pytest.raises(DBAPIError, match="append-only"), database.write() as session:
        session.execute(text(statement))


def test_migrations_build_exactly_the_models(database: Database) -> None:
    """A column added to a model without its migration (or the reverse) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.models import Base

    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    # The full-text search index lives outside the models (migration 0002).
    unexpected = [
        d
        for d in differences
        if not (d[0] == "remove_table" and d[1].name.startswith("subscriber_search"))
        and not (d[0] == "remove_index" and d[1].name == "ix_subscribers_search_name_fts")
    ]
    assert unexpected == []
