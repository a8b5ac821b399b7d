"""Till counts by denomination, cash movements, supervisor reviews.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A till is now counted when it opens (the float, by denomination) and when it
closes (the agent's blind count: cash by denomination, cheques one by one, card
slips and postal transfers as totals); a recount is a new count beside the
first. Drops to the safe, bank deposits and float top-ups are cash movements.
The supervisor's review freezes what the till should have held against a count.

These four tables are append-only in the database itself, as the ledger is
(migration 0002); ``cash_sessions`` gains how it closed and why (a forced close
names its reason), and the operator the difference above which a review needs a
reason. Tills closed before this revision keep ``closed_how`` empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ("till_counts", "till_count_lines", "cash_movements", "till_reviews")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _create_tables() -> None:
    op.create_table(
        "till_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cash_session_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("counted_by_id", sa.Integer(), nullable=False),
        sa.Column("counted_at", sa.DateTime(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cash_minor", sa.BigInteger(), nullable=False),
        sa.Column("cheque_minor", sa.BigInteger(), nullable=False),
        sa.Column("card_minor", sa.BigInteger(), nullable=False),
        sa.Column("postal_transfer_minor", sa.BigInteger(), nullable=False),
        sa.Column("card_slips", sa.Integer(), nullable=False),
        sa.Column("postal_transfers", sa.Integer(), nullable=False),
        _fk("till_counts", "cash_session_id", "cash_sessions"),
        _fk("till_counts", "counted_by_id", "staff"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_till_counts")),
        sa.UniqueConstraint("cash_session_id", "seq", name=op.f("uq_till_counts_cash_session_id")),
    )
    op.create_index(
        op.f("ix_till_counts_cash_session_id"), "till_counts", ["cash_session_id"], unique=False
    )

    op.create_table(
        "till_count_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("denomination_minor", sa.BigInteger(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("cheque_number", sa.String(length=32), nullable=True),
        sa.Column("bank", sa.String(length=100), nullable=True),
        sa.Column("tender_id", sa.Integer(), nullable=True),
        _fk("till_count_lines", "count_id", "till_counts"),
        _fk("till_count_lines", "tender_id", "tenders"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_till_count_lines")),
    )
    op.create_index(
        op.f("ix_till_count_lines_count_id"), "till_count_lines", ["count_id"], unique=False
    )

    op.create_table(
        "cash_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cash_session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        _fk("cash_movements", "cash_session_id", "cash_sessions"),
        _fk("cash_movements", "recorded_by_id", "staff"),
        _fk("cash_movements", "approved_by_id", "staff"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_movements")),
    )
    op.create_index(
        op.f("ix_cash_movements_cash_session_id"),
        "cash_movements",
        ["cash_session_id"],
        unique=False,
    )

    op.create_table(
        "till_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cash_session_id", sa.Integer(), nullable=False),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("expected_cash_minor", sa.BigInteger(), nullable=False),
        sa.Column("expected_cheque_minor", sa.BigInteger(), nullable=False),
        sa.Column("expected_card_minor", sa.BigInteger(), nullable=False),
        sa.Column("expected_postal_transfer_minor", sa.BigInteger(), nullable=False),
        sa.Column("difference_minor", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _fk("till_reviews", "cash_session_id", "cash_sessions"),
        _fk("till_reviews", "count_id", "till_counts"),
        _fk("till_reviews", "reviewed_by_id", "staff"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_till_reviews")),
        sa.UniqueConstraint("cash_session_id", name=op.f("uq_till_reviews_cash_session_id")),
    )


def _append_only() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        if dialect == "sqlite":
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
        else:
            # guichet_append_only() comes from migration 0002.
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION guichet_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION guichet_append_only()"
            )


def upgrade() -> None:
    with op.batch_alter_table("cash_sessions") as batch:
        batch.add_column(sa.Column("closed_how", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("close_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("operator_settings") as batch:
        batch.add_column(
            sa.Column("count_difference_threshold_minor", sa.BigInteger(), nullable=True)
        )
    _create_tables()
    _append_only()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        if dialect == "sqlite":
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    for table in ("till_reviews", "cash_movements", "till_count_lines", "till_counts"):
        op.drop_table(table)
    with op.batch_alter_table("operator_settings") as batch:
        batch.drop_column("count_difference_threshold_minor")
    with op.batch_alter_table("cash_sessions") as batch:
        batch.drop_column("close_reason")
        batch.drop_column("closed_how")
