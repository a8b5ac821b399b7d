"""Demo logins shown on the sign-in screen of a demo database only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

A demo database records the logins it printed, so the sign-in screen can show
them; a real database leaves the column empty and shows nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("operator_settings") as batch:
        batch.add_column(sa.Column("demo_logins", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("operator_settings") as batch:
        batch.drop_column("demo_logins")
