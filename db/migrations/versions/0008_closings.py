"""Closings of business days, months and years; the business day of each payment.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

An agency's day is closed by a supervisor once its tills are closed; months and
years are closed from the dailies. Each closing is signed in the agency's own
chain and, like the ledger (migration 0002), the table refuses UPDATE and
DELETE in the database itself.

``payments.business_day`` says which business day a payment belongs to: a
payment made after its day was closed belongs to the next one. Payments made
before this revision keep it empty (their local date) and are signed without it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create_table() -> None:
    big = sa.BigInteger()
    op.create_table(
        "closings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payments_count", sa.Integer(), nullable=False),
        sa.Column("payments_minor", big, nullable=False),
        sa.Column("voids_count", sa.Integer(), nullable=False),
        sa.Column("voids_minor", big, nullable=False),
        sa.Column("bills_minor", big, nullable=False),
        sa.Column("topups_minor", big, nullable=False),
        sa.Column("credit_minor", big, nullable=False),
        sa.Column("period_minor", big, nullable=False),
        sa.Column("perpetual_minor", big, nullable=False),
        sa.Column("perpetual_absolute_minor", big, nullable=False),
        sa.Column("breakdown", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("prev_signature", sa.String(length=100), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_closings_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["staff.id"], name=op.f("fk_closings_closed_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closings")),
        sa.UniqueConstraint(
            "agency_id", "kind", "period_start", name=op.f("uq_closings_agency_id")
        ),
    )


def _append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER closings_no_{action.lower()} BEFORE {action} ON closings "
                "BEGIN SELECT RAISE(ABORT, 'closings is append-only'); END"
            )
        return
    # guichet_append_only() was created by migration 0002.
    op.execute(
        "CREATE TRIGGER closings_append_only BEFORE UPDATE OR DELETE ON closings "
        "FOR EACH ROW EXECUTE FUNCTION guichet_append_only()"
    )
    op.execute(
        "CREATE TRIGGER closings_no_truncate BEFORE TRUNCATE ON closings "
        "FOR EACH STATEMENT EXECUTE FUNCTION guichet_append_only()"
    )


def upgrade() -> None:
    _create_table()
    _append_only()
    op.add_column("payments", sa.Column("business_day", sa.Date(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of payments would lose its triggers.
    op.execute("ALTER TABLE payments DROP COLUMN business_day")
    if op.get_bind().dialect.name == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS closings_no_{action}")
    else:
        op.execute("DROP TRIGGER IF EXISTS closings_append_only ON closings")
        op.execute("DROP TRIGGER IF EXISTS closings_no_truncate ON closings")
    op.drop_table("closings")
