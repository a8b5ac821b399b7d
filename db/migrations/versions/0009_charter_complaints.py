"""The service charter, holiday decisions, complaints, outages and compensation.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Charters are loaded from files and kept, version after version; a commitment's
clock and compensation rule are data. Complaints keep their state and clock on
their row and every step in ``complaint_events``. Outages and other breaches give
``compensation_claims`` (one per cause and contract: applying twice is refused by
a unique key), and each applied claim's money is a signed entry of the
``compensations`` ledger. Like the payments (migration 0002), the ledger, the
complaint history, the charters and the holiday decisions refuse UPDATE and
DELETE in the database itself.

Contracts learn where they are (agency, commune, exchange) for outages and when
they were confirmed for the activation deadline; invoices learn what of their
paid amount was waived; the operator's settings get the late-delivery term, the
cut-off grace and the time of the billing system's extract.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "charters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.DateTime(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("loaded_by", sa.String(length=64), nullable=True),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charters")),
        sa.UniqueConstraint("version", name=op.f("uq_charters_version")),
    )
    op.create_table(
        "charter_commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charter_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("texts", sa.Text(), nullable=False),
        sa.Column("services", sa.Text(), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("clock", sa.String(length=16), nullable=False),
        sa.Column("target_minutes", sa.Integer(), nullable=False),
        sa.Column("pauses_when_waiting", sa.Boolean(), nullable=False),
        sa.Column("needs_proof", sa.Boolean(), nullable=False),
        sa.Column("rule_kind", sa.String(length=24), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("approval_above_minor", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["charter_id"], ["charters.id"], name=op.f("fk_charter_commitments_charter_id_charters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_commitments")),
        sa.UniqueConstraint("charter_id", "code", name=op.f("uq_charter_commitments_charter_id")),
    )
    op.create_index(
        op.f("ix_charter_commitments_charter_id"),
        "charter_commitments",
        ["charter_id"],
        unique=False,
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("workstation_id", sa.Integer(), nullable=True),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("proof_reference", sa.String(length=100), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("charter_id", sa.Integer(), nullable=True),
        sa.Column("commitment_code", sa.String(length=32), nullable=True),
        sa.Column("clock", sa.String(length=16), nullable=True),
        sa.Column("target_minutes", sa.Integer(), nullable=True),
        sa.Column("used_minutes", sa.Integer(), nullable=False),
        sa.Column("running_since", sa.DateTime(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("breached_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_complaints_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["staff.id"], name=op.f("fk_complaints_assigned_to_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["charter_id"], ["charters.id"], name=op.f("fk_complaints_charter_id_charters")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_complaints_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["staff.id"], name=op.f("fk_complaints_opened_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_complaints_subscriber_id_subscribers"),
        ),
        sa.ForeignKeyConstraint(
            ["workstation_id"],
            ["workstations.id"],
            name=op.f("fk_complaints_workstation_id_workstations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("number", name=op.f("uq_complaints_number")),
    )
    op.create_index(op.f("ix_complaints_agency_id"), "complaints", ["agency_id"], unique=False)
    op.create_index(op.f("ix_complaints_contract_id"), "complaints", ["contract_id"], unique=False)
    op.create_index("ix_complaints_status_due", "complaints", ["status", "due_at"], unique=False)
    op.create_index(
        "ix_complaints_subscriber", "complaints", ["subscriber_id", "opened_at"], unique=False
    )
    op.create_table(
        "holiday_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("estimated_on", sa.Date(), nullable=False),
        sa.Column("actual_on", sa.Date(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_holiday_decisions_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["staff.id"], name=op.f("fk_holiday_decisions_decided_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_decisions")),
    )
    op.create_index(
        op.f("ix_holiday_decisions_agency_id"), "holiday_decisions", ["agency_id"], unique=False
    )
    op.create_table(
        "outages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("service", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_values", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("charter_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("affected_contracts", sa.Integer(), nullable=True),
        sa.Column("compensated_minor", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["charter_id"], ["charters.id"], name=op.f("fk_outages_charter_id_charters")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["staff.id"], name=op.f("fk_outages_closed_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_outages_recorded_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outages")),
        sa.UniqueConstraint("number", name=op.f("uq_outages_number")),
    )
    op.create_table(
        "compensation_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("charter_id", sa.Integer(), nullable=True),
        sa.Column("commitment_code", sa.String(length=32), nullable=False),
        sa.Column("rule_kind", sa.String(length=24), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["charter_id"], ["charters.id"], name=op.f("fk_compensation_claims_charter_id_charters")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_compensation_claims_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["staff.id"], name=op.f("fk_compensation_claims_decided_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_compensation_claims_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_compensation_claims_subscriber_id_subscribers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_claims")),
        sa.UniqueConstraint(
            "source",
            "source_id",
            "contract_id",
            "commitment_code",
            name=op.f("uq_compensation_claims_source"),
        ),
    )
    op.create_index(
        op.f("ix_compensation_claims_contract_id"),
        "compensation_claims",
        ["contract_id"],
        unique=False,
    )
    op.create_index(
        "ix_compensation_claims_status", "compensation_claims", ["status"], unique=False
    )
    op.create_index(
        op.f("ix_compensation_claims_subscriber_id"),
        "compensation_claims",
        ["subscriber_id"],
        unique=False,
    )
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status_from", sa.String(length=16), nullable=True),
        sa.Column("status_to", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["staff.id"], name=op.f("fk_complaint_events_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_events_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_events")),
    )
    op.create_index(
        op.f("ix_complaint_events_complaint_id"), "complaint_events", ["complaint_id"], unique=False
    )
    op.create_table(
        "compensations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("business_day", sa.Date(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("prev_signature", sa.String(length=100), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_compensations_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["compensation_claims.id"],
            name=op.f("fk_compensations_claim_id_compensation_claims"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_compensations_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_compensations_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_compensations_subscriber_id_subscribers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensations")),
        sa.UniqueConstraint("claim_id", name=op.f("uq_compensations_claim_id")),
        sa.UniqueConstraint("seq", name=op.f("uq_compensations_seq")),
        sa.UniqueConstraint("uid", name=op.f("uq_compensations_uid")),
    )
    op.create_index(
        op.f("ix_compensations_created_at"), "compensations", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_compensations_invoice_id"), "compensations", ["invoice_id"], unique=False
    )
    op.create_index(
        op.f("ix_compensations_subscriber_id"), "compensations", ["subscriber_id"], unique=False
    )
    # A batch copy on SQLite, which cannot add a foreign key to an existing table.
    with op.batch_alter_table("contracts") as batch:
        batch.add_column(sa.Column("confirmed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("commune", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("exchange_code", sa.String(length=32), nullable=True))
        batch.create_foreign_key(
            op.f("fk_contracts_agency_id_agencies"), "agencies", ["agency_id"], ["id"]
        )
        batch.create_index(op.f("ix_contracts_agency_id"), ["agency_id"], unique=False)
        batch.create_index(op.f("ix_contracts_commune"), ["commune"], unique=False)
        batch.create_index(op.f("ix_contracts_exchange_code"), ["exchange_code"], unique=False)
    op.add_column(
        "invoices", sa.Column("waived_minor", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column("operator_settings", sa.Column("late_delivery_days", sa.Integer(), nullable=True))
    op.add_column("operator_settings", sa.Column("cutoff_grace_days", sa.Integer(), nullable=True))
    op.add_column(
        "operator_settings", sa.Column("billing_extract_at", sa.DateTime(), nullable=True)
    )
    _append_only()


def downgrade() -> None:
    _drop_append_only()
    op.drop_column("operator_settings", "billing_extract_at")
    op.drop_column("operator_settings", "cutoff_grace_days")
    op.drop_column("operator_settings", "late_delivery_days")
    op.drop_column("invoices", "waived_minor")
    # A batch copy: SQLite cannot drop a column that a foreign key names.
    with op.batch_alter_table("contracts") as batch:
        batch.drop_index("ix_contracts_exchange_code")
        batch.drop_index("ix_contracts_commune")
        batch.drop_index("ix_contracts_agency_id")
        batch.drop_column("exchange_code")
        batch.drop_column("commune")
        batch.drop_column("agency_id")
        batch.drop_column("confirmed_on")
    op.drop_index(op.f("ix_compensations_subscriber_id"), table_name="compensations")
    op.drop_index(op.f("ix_compensations_invoice_id"), table_name="compensations")
    op.drop_index(op.f("ix_compensations_created_at"), table_name="compensations")
    op.drop_table("compensations")
    op.drop_index(op.f("ix_complaint_events_complaint_id"), table_name="complaint_events")
    op.drop_table("complaint_events")
    op.drop_index(op.f("ix_compensation_claims_subscriber_id"), table_name="compensation_claims")
    op.drop_index("ix_compensation_claims_status", table_name="compensation_claims")
    op.drop_index(op.f("ix_compensation_claims_contract_id"), table_name="compensation_claims")
    op.drop_table("compensation_claims")
    op.drop_table("outages")
    op.drop_index(op.f("ix_holiday_decisions_agency_id"), table_name="holiday_decisions")
    op.drop_table("holiday_decisions")
    op.drop_index("ix_complaints_subscriber", table_name="complaints")
    op.drop_index("ix_complaints_status_due", table_name="complaints")
    op.drop_index(op.f("ix_complaints_contract_id"), table_name="complaints")
    op.drop_index(op.f("ix_complaints_agency_id"), table_name="complaints")
    op.drop_table("complaints")
    op.drop_index(op.f("ix_charter_commitments_charter_id"), table_name="charter_commitments")
    op.drop_table("charter_commitments")
    op.drop_table("charters")


APPEND_ONLY = (
    "charters",
    "charter_commitments",
    "holiday_decisions",
    "complaint_events",
    "compensations",
)


def _append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
        return
    # guichet_append_only() was created by migration 0002.
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION guichet_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION guichet_append_only()"
        )


def _drop_append_only() -> None:
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "sqlite":
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
