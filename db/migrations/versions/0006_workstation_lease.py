"""One running counter per workstation: the lease its process holds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

A row per workstation held by a running counter (host, process, signed-in
agent, until when). Working state: taken at start, renewed by a heartbeat,
deleted at a clean exit; an expired row is taken over by the next start.
It moves no money, so ``verify`` has nothing to check in it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workstation_leases",
        sa.Column(
            "workstation_id",
            sa.Integer(),
            sa.ForeignKey(
                "workstations.id", name="fk_workstation_leases_workstation_id_workstations"
            ),
            nullable=False,
        ),
        sa.Column("token", sa.String(36), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("agent_login", sa.String(64), nullable=True),
        sa.Column("agent_name", sa.String(200), nullable=True),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("renewed_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("workstation_id", name="pk_workstation_leases"),
    )


def downgrade() -> None:
    op.drop_table("workstation_leases")
