"""Name search index and append-only guards.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Names are searched through a real full-text index so that a national subscriber
base never costs a table scan: FTS5 with prefix indexes on SQLite, a GIN index
on a 'simple' tsvector on PostgreSQL. Both index the pre-folded
``subscribers.search_name`` (accents and tashkeel removed, lower case), so word
prefixes match the same way on both backends.

The ledger tables refuse UPDATE and DELETE in the database itself, so a bug or
a hand-typed query cannot rewrite history; `verify` still catches anyone who
drops these triggers first.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = (
    "payments",
    "tenders",
    "allocations",
    "topup_sales",
    "reconnection_requests",
    "journal_events",
)


def _sqlite_upgrade() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE subscriber_search USING fts5("
        "search_name, content='subscribers', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"
    )
    op.execute(
        "CREATE TRIGGER subscribers_search_insert AFTER INSERT ON subscribers BEGIN "
        "INSERT INTO subscriber_search(rowid, search_name) VALUES (new.id, new.search_name); END"
    )
    op.execute(
        "CREATE TRIGGER subscribers_search_delete AFTER DELETE ON subscribers BEGIN "
        "INSERT INTO subscriber_search(subscriber_search, rowid, search_name) "
        "VALUES ('delete', old.id, old.search_name); END"
    )
    op.execute(
        "CREATE TRIGGER subscribers_search_update AFTER UPDATE OF search_name ON subscribers "
        "BEGIN "
        "INSERT INTO subscriber_search(subscriber_search, rowid, search_name) "
        "VALUES ('delete', old.id, old.search_name); "
        "INSERT INTO subscriber_search(rowid, search_name) VALUES (new.id, new.search_name); END"
    )
    for table in APPEND_ONLY_TABLES:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _postgresql_upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_subscribers_search_name_fts ON subscribers "
        "USING gin (to_tsvector('simple', search_name))"
    )
    op.execute(
        "CREATE FUNCTION guichet_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
    )
    for table in APPEND_ONLY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION guichet_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION guichet_append_only()"
        )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgresql_upgrade()
    else:
        raise NotImplementedError(f"Guichet does not support {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS subscribers_search_{name}")
        op.execute("DROP TABLE IF EXISTS subscriber_search")
    else:
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS guichet_append_only()")
        op.execute("DROP INDEX IF EXISTS ix_subscribers_search_name_fts")
