"""The compensation core: rules, claims once per cause, the signed ledger, approvals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.compensation.claims import (
    ClaimProposal,
    approve_claim,
    propose_claims,
    refuse_claim,
)
from app.compensation.ledger import credit_compensated_minor
from app.compensation.rules import compute_amount, credited_days, days_of_subscription
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.summary import credit_balance_minor
from db.engine import Database
from db.models import (
    ClaimStatus,
    Compensation,
    CompensationClaim,
    CompensationKind,
    CompensationSource,
    Contract,
    Invoice,
    InvoiceStatus,
    TenderKind,
)
from tests.factories import NOW, TODAY, WORKSTATION, World, add_subscriber, build_world


@dataclass(frozen=True)
class Commitment:
    """A commitment as the claims see it (the charter's view has these fields)."""

    code: str = "OUTAGE"
    charter_id: int | None = None
    rule_kind: str = "days_credit"
    rule: dict[str, Any] = field(
        default_factory=lambda: {"days": 1, "per_hours": 24, "threshold_hours": 24, "cap_days": 30}
    )
    automatic: bool = True
    approval_above_minor: int | None = None


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path)


def _contract(
    world: World, account: str, invoices: Sequence[tuple[str, int, date]] = ()
) -> tuple[int, int]:
    subscriber_id = add_subscriber(world.db, account, invoices=list(invoices))
    with world.db.read() as session:
        contract_id = session.scalars(
            select(Contract.id).where(Contract.subscriber_id == subscriber_id)
        ).one()
    return subscriber_id, contract_id


def _propose(world: World, commitment: Commitment, proposals: list[ClaimProposal]) -> Any:
    with world.db.write() as session:
        return propose_claims(session, world.ctx.signer, commitment, proposals, now=NOW)


def _credit(source_id: int, subscriber_id: int, contract_id: int, amount: int) -> ClaimProposal:
    return ClaimProposal(
        source=CompensationSource.OUTAGE,
        source_id=source_id,
        subscriber_id=subscriber_id,
        contract_id=contract_id,
        amount_minor=amount,
        currency="DZD",
        kind=CompensationKind.CREDIT,
        basis={"downtime_minutes": 3000},
    )


# --- the rules -------------------------------------------------------------------


def test_days_credit_counts_started_periods_beyond_the_threshold_and_caps() -> None:
    rule = {"days": 1, "per_hours": 24, "threshold_hours": 24, "cap_days": 5}
    assert credited_days(rule, 24 * 60) == 0  # at the threshold: nothing yet
    assert credited_days(rule, 24 * 60 + 1) == 1  # one started period
    assert credited_days(rule, 48 * 60) == 1
    assert credited_days(rule, 48 * 60 + 1) == 2
    assert credited_days(rule, 30 * 24 * 60) == 5  # capped
    # 3 days of a 1,600.00 DZD month: 160.00 DZD.
    assert days_of_subscription(160000, 3) == 16000
    assert (
        compute_amount(Commitment(), monthly_fee_minor=160000, downtime_minutes=50 * 60) == 10667
    )  # 2 days, rounded up


def test_other_rules() -> None:
    assert (
        compute_amount(Commitment(rule_kind="waive_first_month", rule={}), monthly_fee_minor=3999)
        == 3999
    )
    refund = Commitment(rule_kind="refund_on_proof", rule={"cap_minor": 9900})
    assert compute_amount(refund, monthly_fee_minor=0, proof_minor=12000) == 9900
    assert compute_amount(refund, monthly_fee_minor=0, proof_minor=4550) == 4550
    fixed = Commitment(rule_kind="fixed_amount", rule={"amount_minor": 500})
    assert compute_amount(fixed, monthly_fee_minor=0) == 500
    assert compute_amount(Commitment(rule_kind="none", rule={}), monthly_fee_minor=100) == 0


@given(
    downtime=st.integers(min_value=0, max_value=90 * 24 * 60),
    days=st.integers(min_value=0, max_value=5),
    per_hours=st.integers(min_value=1, max_value=72),
    threshold=st.integers(min_value=0, max_value=72),
    cap=st.integers(min_value=0, max_value=60),
    fee=st.integers(min_value=0, max_value=10**9),
)
def test_days_credit_never_exceeds_its_cap_and_grows_with_downtime(
    downtime: int, days: int, per_hours: int, threshold: int, cap: int, fee: int
) -> None:
    rule = {"days": days, "per_hours": per_hours, "threshold_hours": threshold, "cap_days": cap}
    credited = credited_days(rule, downtime)
    assert 0 <= credited <= cap
    assert credited <= credited_days(rule, downtime + 60)
    assert days_of_subscription(fee, credited) <= days_of_subscription(fee, cap)


# --- claims and the ledger ---------------------------------------------------------


def test_a_claim_is_applied_once_and_its_credit_reaches_the_account(world: World) -> None:
    subscriber_id, contract_id = _contract(world, "900001")
    first = _propose(world, Commitment(), [_credit(7, subscriber_id, contract_id, 5333)])
    again = _propose(world, Commitment(), [_credit(7, subscriber_id, contract_id, 9999)])
    assert (first.created, first.applied, first.applied_minor) == (1, 1, 5333)
    assert (again.created, again.already_there, again.applied_minor) == (0, 1, 0)
    with world.db.read() as session:
        assert credit_compensated_minor(session, subscriber_id) == 5333
        entries = session.scalars(select(Compensation)).all()
        assert [(e.kind, e.amount_minor, e.seq) for e in entries] == [("credit", 5333, 1)]
        assert entries[0].signature


def test_above_the_approval_limit_a_claim_waits_for_a_supervisor(world: World) -> None:
    subscriber_id, contract_id = _contract(world, "900002")
    commitment = Commitment(approval_above_minor=5000)
    outcome = _propose(world, commitment, [_credit(8, subscriber_id, contract_id, 8000)])
    assert (outcome.awaiting_approval, outcome.applied_minor) == (1, 0)
    claim_id = outcome.claim_ids[0]
    with pytest.raises(PermissionDeniedError):
        approve_claim(world.ctx, world.agent, claim_id)
    assert approve_claim(world.ctx, world.supervisor, claim_id, note="panne confirmée") == 8000
    with pytest.raises(ConflictError):
        approve_claim(world.ctx, world.supervisor, claim_id)
    with world.db.read() as session:
        claim = session.get(CompensationClaim, claim_id)
        assert claim is not None and claim.status == ClaimStatus.APPLIED
        assert credit_compensated_minor(session, subscriber_id) == 8000


def test_a_refusal_needs_a_reason_and_pays_nothing(world: World) -> None:
    subscriber_id, contract_id = _contract(world, "900003")
    outcome = _propose(
        world, Commitment(automatic=False), [_credit(9, subscriber_id, contract_id, 100)]
    )
    claim_id = outcome.claim_ids[0]
    with pytest.raises(ValidationError):
        refuse_claim(world.ctx, world.supervisor, claim_id, reason="  ")
    refuse_claim(world.ctx, world.supervisor, claim_id, reason="justificatif illisible")
    with world.db.read() as session:
        assert credit_compensated_minor(session, subscriber_id) == 0


def test_a_waiver_settles_its_invoice(world: World) -> None:
    subscriber_id, contract_id = _contract(world, "900004", [("F-900004", 160000, TODAY)])
    with world.db.read() as session:
        invoice_id = session.scalars(select(Invoice.id).where(Invoice.number == "F-900004")).one()
    waiver = ClaimProposal(
        source=CompensationSource.LATE_ACTIVATION,
        source_id=contract_id,
        subscriber_id=subscriber_id,
        contract_id=contract_id,
        amount_minor=160000,
        currency="DZD",
        kind=CompensationKind.WAIVER,
        invoice_id=invoice_id,
    )
    _propose(world, Commitment(code="ACTIVATION", rule_kind="waive_first_month", rule={}), [waiver])
    with world.db.read() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        assert (invoice.paid_minor, invoice.waived_minor, invoice.status) == (
            160000,
            160000,
            InvoiceStatus.PAID,
        )
        # A waiver is not credit: the account gains nothing to spend.
        assert credit_balance_minor(session, subscriber_id) == 0


def test_a_rule_that_gives_nothing_is_recorded_without_money(world: World) -> None:
    subscriber_id, contract_id = _contract(world, "900005")
    outcome = _propose(
        world,
        Commitment(code="HOTLINE", rule_kind="none", rule={}),
        [_credit(3, subscriber_id, contract_id, 0)],
    )
    assert (outcome.recorded, outcome.applied) == (1, 0)
    with world.db.read() as session:
        assert session.scalars(select(Compensation)).all() == []


def test_the_ledger_refuses_update_and_delete(world: World) -> None:
    subscriber_id, contract_id = _contract(world, "900006")
    _propose(world, Commitment(), [_credit(4, subscriber_id, contract_id, 700)])
    for statement in ("UPDATE compensations SET amount_minor = 1", "DELETE FROM compensations"):
        with pytest.raises(DBAPIError, match="append-only"), world.db.write() as session:
            session.execute(text(statement))


def test_a_waiver_approved_after_its_bill_was_paid_becomes_credit(world: World) -> None:
    subscriber_id, contract_id = _contract(world, "900007", [("F-900007", 5000, TODAY)])
    with world.db.read() as session:
        invoice_id = session.scalars(select(Invoice.id).where(Invoice.number == "F-900007")).one()
    waiver = ClaimProposal(
        source=CompensationSource.COMPLAINT,
        source_id=77,
        subscriber_id=subscriber_id,
        contract_id=contract_id,
        amount_minor=3000,
        currency="DZD",
        kind=CompensationKind.WAIVER,
        invoice_id=invoice_id,
    )
    outcome = _propose(world, Commitment(code="BILLING", automatic=False), [waiver])
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "waiver-paid", "900007", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("50")),)
        ),
    )
    approve_claim(world.ctx, world.supervisor, outcome.claim_ids[0])
    with world.db.read() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None and (invoice.paid_minor, invoice.waived_minor) == (5000, 0)
        assert credit_compensated_minor(session, subscriber_id) == 3000
