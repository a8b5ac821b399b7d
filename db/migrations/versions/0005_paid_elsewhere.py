"""What a bill had been paid outside the counters, kept apart from the ledger.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

`verify` recomputes every bill's paid amount as what the billing system says
was paid elsewhere (post office, online) plus the bill's allocations in the
signed ledger. Existing bills take as "paid elsewhere" whatever their paid
amount holds beyond the ledger's allocations today.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(
            sa.Column("paid_elsewhere_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE invoices SET paid_elsewhere_minor = paid_minor - COALESCE("
        "(SELECT SUM(allocations.amount_minor) FROM allocations "
        "WHERE allocations.invoice_id = invoices.id), 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("paid_elsewhere_minor")
