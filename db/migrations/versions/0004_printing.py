"""Printing: receipt printers per workstation, the print queue, receipt copies, the logo.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

``receipt_copies`` is append-only like the ledger: a copy number, once issued,
stays issued. ``print_jobs`` is working state and changes as jobs are printed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workstations") as batch:
        batch.add_column(sa.Column("printer_uri", sa.String(300), nullable=True))
        batch.add_column(sa.Column("printer_profile", sa.String(64), nullable=True))
        batch.add_column(sa.Column("paper_width_mm", sa.Integer(), nullable=True))
    with op.batch_alter_table("operator_settings") as batch:
        batch.add_column(sa.Column("logo_png", sa.LargeBinary(), nullable=True))

    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workstation_id",
            sa.Integer(),
            sa.ForeignKey("workstations.id", name="fk_print_jobs_workstation_id_workstations"),
            nullable=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column(
            "payment_id",
            sa.Integer(),
            sa.ForeignKey("payments.id", name="fk_print_jobs_payment_id_payments"),
            nullable=True,
        ),
        sa.Column("document_ref", sa.String(64), nullable=False),
        sa.Column("copy_number", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("printer_uri", sa.String(300), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column(
            "created_by_id",
            sa.Integer(),
            sa.ForeignKey("staff.id", name="fk_print_jobs_created_by_id_staff"),
            nullable=True,
        ),
        sa.Column("printed_at", sa.DateTime(), nullable=True),
        sa.Column("printed_on", sa.String(300), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_print_jobs"),
    )
    op.create_index("ix_print_jobs_queue", "print_jobs", ["workstation_id", "status", "id"])
    op.create_index("ix_print_jobs_payment_id", "print_jobs", ["payment_id"])

    op.create_table(
        "receipt_copies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "payment_id",
            sa.Integer(),
            sa.ForeignKey("payments.id", name="fk_receipt_copies_payment_id_payments"),
            nullable=False,
        ),
        sa.Column("copy_number", sa.Integer(), nullable=False),
        sa.Column("medium", sa.String(16), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column(
            "issued_by_id",
            sa.Integer(),
            sa.ForeignKey("staff.id", name="fk_receipt_copies_issued_by_id_staff"),
            nullable=True,
        ),
        sa.Column("workstation", sa.String(40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_receipt_copies"),
        sa.UniqueConstraint("payment_id", "copy_number", name="uq_receipt_copies_payment_id"),
    )
    op.create_index("ix_receipt_copies_payment_id", "receipt_copies", ["payment_id"])

    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER receipt_copies_no_{action.lower()} BEFORE {action} "
                "ON receipt_copies BEGIN SELECT RAISE(ABORT, 'receipt_copies is append-only'); END"
            )
    else:
        # guichet_append_only() comes from migration 0002.
        op.execute(
            "CREATE TRIGGER receipt_copies_append_only BEFORE UPDATE OR DELETE ON receipt_copies "
            "FOR EACH ROW EXECUTE FUNCTION guichet_append_only()"
        )
        op.execute(
            "CREATE TRIGGER receipt_copies_no_truncate BEFORE TRUNCATE ON receipt_copies "
            "FOR EACH STATEMENT EXECUTE FUNCTION guichet_append_only()"
        )


def downgrade() -> None:
    op.drop_table("receipt_copies")  # its triggers go with it
    op.drop_index("ix_print_jobs_payment_id", "print_jobs")
    op.drop_index("ix_print_jobs_queue", "print_jobs")
    op.drop_table("print_jobs")
    with op.batch_alter_table("operator_settings") as batch:
        batch.drop_column("logo_png")
    with op.batch_alter_table("workstations") as batch:
        batch.drop_column("paper_width_mm")
        batch.drop_column("printer_profile")
        batch.drop_column("printer_uri")
