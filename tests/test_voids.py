"""Voids: a reversing entry approved by a supervisor typing their credentials then."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import AuthenticationError, ConflictError, PermissionDeniedError, ValidationError
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from db.engine import Database
from db.models import Invoice, InvoiceStatus, JournalEvent, Payment, TenderKind
from tests.factories import PASSWORD, WORKSTATION, World, add_subscriber, build_world


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(world.db, "1000000001", invoices=[("F1", 100000, date(2026, 10, 1))])
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "pay1",
            "1000000001",
            WORKSTATION,
            (TenderInput(TenderKind.CASH, Decimal("1500")),),
        ),
    )
    return world


def void_request(key: str = "void1", login: str = "karim", password: str = PASSWORD) -> VoidRequest:
    return VoidRequest(key, "ALG01-G01-000001", WORKSTATION, "Wrong account", login, password)


def journal_kinds(world: World) -> list[str]:
    with world.db.read() as session:
        return list(session.scalars(select(JournalEvent.kind).order_by(JournalEvent.seq)))


def test_void_with_supervisor_reverses_and_reopens_the_invoice(world: World) -> None:
    void = void_payment(world.ctx, world.agent, void_request())
    assert void.kind == "void"
    assert void.voids_receipt_no == "ALG01-G01-000001"
    assert void.receipt_no == "ALG01-G01-000002"  # gapless in the same series
    assert void.allocated == Decimal("-1000.00") and void.tendered == Decimal("-1500.00")
    assert void.approved_by_login == "karim"
    with world.db.read() as session:
        invoice = session.scalars(select(Invoice).where(Invoice.number == "F1")).one()
        assert invoice.status == InvoiceStatus.OPEN and invoice.paid_minor == 0
        assert len(session.scalars(select(Payment)).all()) == 2  # the original is untouched
    assert "payment.voided" in journal_kinds(world)
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_void_without_supervisor_credentials_is_refused_and_journaled(world: World) -> None:
    with pytest.raises(AuthenticationError):
        void_payment(world.ctx, world.agent, void_request(password="not the password"))
    with pytest.raises(PermissionDeniedError, match="not a supervisor"):
        void_payment(world.ctx, world.agent, void_request(login="yacine"))
    kinds = journal_kinds(world)
    assert kinds.count("payment.void_refused") == 2
    with world.db.read() as session:
        assert len(session.scalars(select(Payment)).all()) == 1


def test_supervisor_cannot_approve_their_own_void(world: World) -> None:
    with pytest.raises(PermissionDeniedError, match="other than the person asking"):
        void_payment(world.ctx, world.supervisor, void_request())


def test_void_needs_a_reason(world: World) -> None:
    request = VoidRequest("v", "ALG01-G01-000001", WORKSTATION, "  ", "karim", PASSWORD)
    with pytest.raises(ValidationError) as error:
        void_payment(world.ctx, world.agent, request)
    assert error.value.field == "reason"


def test_a_payment_is_voided_once_and_a_void_never(world: World) -> None:
    void_payment(world.ctx, world.agent, void_request())
    again = void_payment(world.ctx, world.agent, void_request())  # retry: same receipt back
    assert again.replayed and again.receipt_no == "ALG01-G01-000002"
    with pytest.raises(ConflictError, match="already voided"):
        void_payment(world.ctx, world.agent, void_request(key="void2"))
    request = VoidRequest("void3", "ALG01-G01-000002", WORKSTATION, "x", "karim", PASSWORD)
    with pytest.raises(ConflictError, match="itself a void"):
        void_payment(world.ctx, world.agent, request)


def test_credit_already_spent_blocks_the_void(world: World) -> None:
    add_subscriber(world.db, "1000000002", invoices=[("F2", 100000, date(2026, 10, 1))])
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "pay2",
            "1000000002",
            WORKSTATION,
            (TenderInput(TenderKind.CASH, Decimal("1500")),),
            keep_change_as_credit=True,
        ),
    )
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "pay3",
            "1000000002",
            WORKSTATION,
            (TenderInput(TenderKind.CASH, Decimal("100")),),
            keep_change_as_credit=True,
        ),
    )  # a deposit on the account, no bill
    # Spend the credit on a top-up-free zero-cash payment of a new bill.
    with world.db.write() as session:
        inv = session.scalars(select(Invoice).where(Invoice.number == "F2")).one()
        session.add(
            Invoice(
                number="F3",
                contract_id=inv.contract_id,
                subscriber_id=inv.subscriber_id,
                period_start=date(2026, 11, 1),
                period_end=date(2026, 11, 30),
                issue_date=date(2026, 11, 1),
                due_date=date(2026, 12, 1),
                amount_minor=60000,
                late_fee_minor=0,
                paid_minor=0,
                status=InvoiceStatus.OPEN,
                barcode="BCF3",
            )
        )
    spent = take_payment(
        world.ctx, world.agent, PaymentRequest("pay4", "1000000002", WORKSTATION, ())
    )
    assert spent.credit_used == Decimal("600.00")
    with pytest.raises(ConflictError, match="already been used"):
        void_payment(
            world.ctx,
            world.agent,
            VoidRequest("void4", "ALG01-G01-000002", WORKSTATION, "x", "karim", PASSWORD),
        )
