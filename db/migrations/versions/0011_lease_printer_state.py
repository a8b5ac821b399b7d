"""The counter's printer state on its lease.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

A running counter's heartbeat writes what its print worker last read of its
printer and when: a printer on the counter's own USB or serial port, or behind
its CUPS queue, can only be read on that computer, and the supervisor's
dashboard shows it from here. Two nullable columns without foreign keys: a
plain ADD COLUMN, on SQLite too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "workstation_leases"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("printer_state", sa.String(length=24), nullable=True))
    op.add_column(TABLE, sa.Column("printer_state_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column(TABLE, "printer_state_at")
    op.drop_column(TABLE, "printer_state")
