"""Compensation credit is account credit: shown, used by a payment, on the receipt, voided back."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.compensation.claims import ClaimProposal, propose_claims
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.summary import credit_balance_minor, receipt_summary
from app.payments.void import VoidRequest, void_payment
from app.printing.receipt import load_receipt, receipt_slip
from app.printing.slip import plain_text
from app.subscribers import load_subscriber_view
from db.engine import Database
from db.models import CompensationSource, Contract, Invoice, Payment, TenderKind
from tests.factories import NOW, PASSWORD, WORKSTATION, World, add_subscriber, build_world
from tests.race_workers import Counter, _context, _outcome, pay_in_child, result, start


class _Commitment:
    code = "OUTAGE"
    charter_id = None
    rule_kind = "days_credit"
    automatic = True
    approval_above_minor = None


def credit(world: World, account: str, amount: int, source_id: int) -> None:
    """A compensation credit of ``amount`` minor units on ``account``'s contract."""
    _credit(world.db, world.ctx.signer, account, amount, source_id, world.ctx.now())


def _credit(
    database: Database,
    signer: Any,
    account: str,
    amount: int,
    source_id: int,
    now: datetime = NOW,
) -> None:
    with database.write() as session:
        contract = session.scalars(select(Contract).where(Contract.number == f"C{account}")).one()
        proposal = ClaimProposal(
            CompensationSource.OUTAGE,
            source_id,
            contract.subscriber_id,
            contract.id,
            amount,
            "DZD",
            "credit",
        )
        propose_claims(session, signer, _Commitment(), [proposal], now=now)


def _subscriber(world: World, account: str) -> int:
    with world.db.read() as session:
        return session.scalars(
            select(Contract.subscriber_id).where(Contract.number == f"C{account}")
        ).one()


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path / "keys")


def test_a_payment_uses_compensation_credit_and_the_receipt_says_so(world: World) -> None:
    add_subscriber(world.db, "500001", invoices=[("FK1", 100000, date(2026, 11, 30))])
    credit(world, "500001", 30000, 1)
    view = load_subscriber_view(world.db, account_number="500001", now=NOW)
    assert view.credit == Decimal("300.00")
    assert [(c.amount, c.status, c.kind) for c in view.compensations] == [
        (Decimal("300.00"), "applied", "credit")
    ]
    paid = take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "k1", "500001", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("700")),)
        ),
    )
    assert (paid.credit_used, paid.credit_balance_after) == (Decimal("300.00"), Decimal("0.00"))
    # A later compensation: the reprint still says what was left right after the payment.
    world.ctx.clock.now = NOW + timedelta(minutes=5)  # type: ignore[attr-defined]
    credit(world, "500001", 5000, 2)
    assert receipt_summary(world.db, paid.receipt_no).credit_balance_after == Decimal("0.00")
    # The next receipt shows the credit on the account, compensation included.
    add_subscriber(world.db, "500002")
    nxt = take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "k2",
            "500001",
            WORKSTATION,
            (TenderInput(TenderKind.CASH, Decimal("10")),),
            keep_change_as_credit=True,
        ),
    )
    assert nxt.credit_balance_after == Decimal("60.00")
    document = load_receipt(world.db, world.ctx.signer, payment_id=nxt.payment_id)
    assert "60,00" in plain_text(receipt_slip(document, "fr")).replace("\u202f", " ")
    # Voiding the payment that used it gives the compensation credit back.
    void_payment(
        world.ctx,
        world.agent,
        VoidRequest("v1", paid.receipt_no, WORKSTATION, "wrong bill", "karim", PASSWORD),
    )
    with world.db.read() as session:
        assert credit_balance_minor(session, _subscriber(world, "500001")) == 36000
    report = verify_database(world.db, world.ctx.signer.verifier)
    assert report.ok, [p.translated() for p in report.problems]


# -- concurrent counters on PostgreSQL ---------------------------------------------------


def credit_in_child(counter: Counter, account: str, amount: int, source: int, out: Any) -> None:
    """Write one compensation credit in a process of its own (an outage's close)."""
    ctx = _context(counter)

    def act() -> str:
        _credit(ctx.db, ctx.signer, account, amount, source)
        return "credited"

    out.put(_outcome(act))
    ctx.db.dispose()


@pytest.mark.postgres
def test_a_payment_and_a_compensation_credit_at_the_same_time_keep_the_credit_right(
    postgres_database: Database, tmp_path: Path
) -> None:
    world = build_world(postgres_database, tmp_path / "keys")
    add_subscriber(world.db, "510001", invoices=[("FR1", 100000, date(2026, 11, 30))])
    credit(world, "510001", 50000, 1)
    key_file = str(tmp_path / "keys" / "signing-key.pem")
    url = world.db.url
    # Several counters spend the credit while several compensations are written.
    workers = []
    for n in range(3):
        request = PaymentRequest(f"race-{n}", "510001", WORKSTATION, (), use_credit=True)
        workers.append(start(pay_in_child, Counter(url, key_file, world.agent), request))
        writer = Counter(url, key_file, world.supervisor)
        workers.append(start(credit_in_child, writer, "510001", 10000 + n, 10 + n))
    outcomes = [result(process, out, timeout=120) for process, out in workers]
    assert not [o for o in outcomes if o[0] == "crash"], outcomes
    subscriber_id = _subscriber(world, "510001")
    with world.db.read() as session:
        balance = credit_balance_minor(session, subscriber_id)
    # Compensations: 500.00 + 100.00 + 100.01 + 100.02; at most the bill (1,000.00) used.
    assert balance >= 0
    report = verify_database(world.db, world.ctx.signer.verifier)
    assert report.ok, [p.translated() for p in report.problems]
    with world.db.read() as session:
        used = sum(p.credit_used_minor for p in session.scalars(select(Payment)))
        bill = session.scalars(select(Invoice).where(Invoice.number == "FR1")).one()
    assert balance == 50000 + 10000 + 10001 + 10002 - used
    assert bill.paid_minor == used <= 100000
