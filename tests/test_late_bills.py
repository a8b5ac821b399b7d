"""Bills delivered late: the operator's N, the extended date, the late fee waived once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.billing.late_delivery import (
    LATE_BILL_CODE,
    delivered_late,
    late_fee_due_date,
    late_fees_to_waive,
    waivable_late_fee,
)
from app.i18n import gettext
from app.integrity.verify import verify_database
from app.payments.preview import preview_payment
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.summary import PaymentSummary
from app.payments.void import VoidRequest, void_payment
from app.printing.receipt import load_receipt, receipt_slip
from app.printing.slip import Text
from app.subscribers import load_subscriber_view
from db.engine import Database
from db.models import (
    ClaimStatus,
    Compensation,
    CompensationClaim,
    CompensationKind,
    CompensationSource,
    Invoice,
    InvoiceStatus,
    OperatorSettings,
    TenderKind,
)
from tests.factories import PASSWORD, TODAY, WORKSTATION, World, add_subscriber, build_world

ACCOUNT = "1000000001"
AMOUNT, FEE = 100_000, 5_000  # 1,000.00 DZD and its 50.00 late fee


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path / "keys")


def late_bill(
    world: World,
    *,
    delivered: date,
    due: date,
    fee: int = FEE,
    number: str = "F1",
    account: str = ACCOUNT,
) -> None:
    add_subscriber(world.db, account, invoices=[(number, AMOUNT, due)])
    with world.db.write() as session:
        bill = session.scalars(select(Invoice).where(Invoice.number == number)).one()
        bill.delivery_date = delivered
        bill.late_fee_minor = fee


def set_days(world: World, days: int | None) -> None:
    with world.db.write() as session:
        session.scalars(select(OperatorSettings)).one().late_delivery_days = days


def pay(world: World, key: str, cash: str, account: str = ACCOUNT, **options: object):
    request = PaymentRequest(
        idempotency_key=key,
        account_number=account,
        workstation=WORKSTATION,
        tenders=(TenderInput(TenderKind.CASH, Decimal(cash)),),
        **options,  # type: ignore[arg-type]
    )
    return take_payment(world.ctx, world.agent, request)


def bill(world: World, number: str = "F1") -> Invoice:
    with world.db.read() as session:
        return session.scalars(select(Invoice).where(Invoice.number == number)).one()


def claims(world: World) -> list[CompensationClaim]:
    with world.db.read() as session:
        return list(session.scalars(select(CompensationClaim).order_by(CompensationClaim.id)))


def entries(world: World) -> list[Compensation]:
    with world.db.read() as session:
        return list(session.scalars(select(Compensation).order_by(Compensation.id)))


# --- the rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_before_due", "days", "late"),
    [
        *[(9, 10, True), (10, 10, False), (11, 10, False), (0, 10, True), (-3, 10, True)],
        *[(6, 7, True), (7, 7, False), (14, 15, True), (15, 15, False)],
    ],
)
def test_delivered_late_is_fewer_than_n_days_before_due(
    days_before_due: int, days: int, late: bool
) -> None:
    due = date(2026, 11, 30)
    delivered = due - timedelta(days=days_before_due)
    assert delivered_late(delivered, due, days) is late
    extended = late_fee_due_date(delivered, due, days)
    assert extended == (delivered + timedelta(days=days) if late else due)
    assert not delivered_late(None, due, days) and late_fee_due_date(None, due, days) == due


def test_waivable_only_by_the_extended_date_and_never_beyond_what_is_left() -> None:
    def waivable(fee: int, outstanding: int, today: date) -> int:
        # Due 11-10, delivered 11-05: its late fee is not owed before 11-15.
        return waivable_late_fee(
            late_fee_minor=fee,
            outstanding_minor=outstanding,
            delivery_date=date(2026, 11, 5),
            due_date=date(2026, 11, 10),
            days=10,
            today=today,
        )

    assert waivable(FEE, AMOUNT + FEE, date(2026, 11, 15)) == FEE
    assert waivable(FEE, AMOUNT + FEE, date(2026, 11, 16)) == 0
    assert waivable(FEE, 2_000, date(2026, 11, 15)) == 2_000
    assert waivable(0, AMOUNT, date(2026, 11, 15)) == 0


def test_the_invoice_property_follows_the_operators_n(world: World) -> None:
    late_bill(world, delivered=TODAY, due=TODAY + timedelta(days=7))

    def late() -> bool:
        with world.db.read() as session:
            return session.scalars(select(Invoice)).one().delivered_late

    assert late()  # 7 days before due, N = 10 by default
    set_days(world, 7)
    assert not late()  # exactly N: in time
    set_days(world, 8)
    assert late()


# --- paying at the counter -----------------------------------------------------------


def test_paid_by_the_extended_date_waives_the_late_fee_once_and_signed(world: World) -> None:
    # Due on 11-15, delivered on 11-12: late; its late fee is not owed before 11-22.
    late_bill(world, delivered=date(2026, 11, 12), due=date(2026, 11, 15))
    subscriber_id = bill(world).subscriber_id
    shown = late_fees_to_waive(world.db, subscriber_id, today=TODAY, currency_code="DZD")
    assert shown["F1"].amount == Decimal("50.00")
    assert shown["F1"].late_fee_due_date == date(2026, 11, 22)

    receipt = pay(world, "k1", "1000")  # the bill without its late fee
    assert receipt.allocated == Decimal("1000.00") and receipt.change == 0
    assert receipt.allocations[0].left_after == 0
    paid = bill(world)
    assert paid.status == InvoiceStatus.PAID
    assert (paid.paid_minor, paid.waived_minor) == (AMOUNT + FEE, FEE)
    [claim] = claims(world)
    assert (claim.source, claim.source_id, claim.commitment_code) == (
        CompensationSource.LATE_DELIVERY,
        paid.id,
        LATE_BILL_CODE,
    )
    assert (claim.status, claim.kind, claim.invoice_id, claim.amount_minor) == (
        ClaimStatus.APPLIED,
        CompensationKind.WAIVER,
        paid.id,
        FEE,
    )
    [entry] = entries(world)
    assert entry.signature and entry.amount_minor == FEE and entry.invoice_id == paid.id
    assert entry.business_day == TODAY
    # A retry of the same request replays the receipt: nothing waived twice.
    again = pay(world, "k1", "1000")
    assert again.replayed and again.receipt_no == receipt.receipt_no
    assert len(claims(world)) == 1 and len(entries(world)) == 1
    assert late_fees_to_waive(world.db, subscriber_id, today=TODAY, currency_code="DZD") == {}
    assert verify_database(world.db, world.ctx.signer.verifier).ok


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_the_receipt_says_the_late_fee_was_waived(world: World, language: str) -> None:
    late_bill(world, delivered=date(2026, 11, 12), due=date(2026, 11, 15))
    receipt = pay(world, "k1", "1000")
    document = load_receipt(world.db, world.ctx.signer, receipt_no=receipt.receipt_no)
    assert len(document.late_fees_waived) == 1
    slip = receipt_slip(document, language)
    texts = [block.text for block in slip.blocks if isinstance(block, Text)]
    wanted = gettext("Late fee of {amount} waived: bill delivered late on {date}", language)
    head = wanted.split("{", 1)[0]
    line = next(text for text in texts if text.startswith(head))
    assert "50" in line and ("12" in line or "١٢" in line)


def test_paid_after_the_extended_date_pays_the_late_fee(world: World) -> None:
    # Delivered 11-05, due 11-10: late, but the extended date 11-15 has passed.
    late_bill(world, delivered=date(2026, 11, 5), due=date(2026, 11, 10))
    receipt = pay(world, "k1", "1050")
    assert receipt.allocated == Decimal("1050.00")
    assert bill(world).waived_minor == 0 and bill(world).status == InvoiceStatus.PAID
    assert claims(world) == [] and entries(world) == []
    document = load_receipt(world.db, world.ctx.signer, receipt_no=receipt.receipt_no)
    assert document.late_fees_waived == ()


def test_paid_on_the_extended_date_itself_is_in_time(world: World) -> None:
    late_bill(world, delivered=TODAY - timedelta(days=10), due=TODAY - timedelta(days=5))
    pay(world, "k1", "1000")
    assert bill(world).waived_minor == FEE


def test_a_bill_delivered_in_time_keeps_its_late_fee(world: World) -> None:
    late_bill(world, delivered=date(2026, 10, 20), due=date(2026, 11, 10))
    pay(world, "k1", "1050")
    assert bill(world).waived_minor == 0 and claims(world) == []


def test_the_operators_n_decides(world: World) -> None:
    # Delivered 6 days before due (11-09 for 11-15): late under N = 10, not under N = 5.
    late_bill(world, delivered=date(2026, 11, 9), due=date(2026, 11, 15))
    set_days(world, 5)
    receipt = pay(world, "k1", "1050")
    assert receipt.allocated == Decimal("1050.00") and claims(world) == []


def test_a_partial_payment_waives_nothing_yet(world: World) -> None:
    late_bill(world, delivered=date(2026, 11, 12), due=date(2026, 11, 15))
    pay(world, "k1", "400", amount=Decimal("400"))
    assert bill(world).waived_minor == 0 and claims(world) == []
    pay(world, "k2", "600")  # the rest, still in time: now the fee goes
    assert bill(world).status == InvoiceStatus.PAID and bill(world).waived_minor == FEE
    assert len(claims(world)) == 1


def test_the_preview_shows_the_waiver_before_the_agent_confirms(world: World) -> None:
    late_bill(world, delivered=date(2026, 11, 12), due=date(2026, 11, 15))
    view = load_subscriber_view(world.db, account_number=ACCOUNT, now=world.ctx.now())
    fees = late_fees_to_waive(world.db, view.subscriber_id, today=TODAY, currency_code="DZD")
    preview = preview_payment(
        view,
        invoice_numbers=["F1"],
        tenders=[(TenderKind.CASH, Decimal("1000"))],
        late_fees={number: fee.amount for number, fee in fees.items()},
    )
    assert preview.due == Decimal("1000.00") and preview.paid_in_full
    assert preview.late_fees_waived == Decimal("50.00") and preview.change == 0
    short = preview_payment(
        view,
        invoice_numbers=["F1"],
        tenders=[(TenderKind.CASH, Decimal("400"))],
        amount=Decimal("400"),
        late_fees={number: fee.amount for number, fee in fees.items()},
    )
    assert short.late_fees_waived == 0  # a part payment waives nothing


def void_of(world: World, receipt: PaymentSummary) -> PaymentSummary:
    return void_payment(
        world.ctx,
        world.agent,
        VoidRequest("v1", receipt.receipt_no, WORKSTATION, "Wrong amount", "karim", PASSWORD),
    )


def test_a_void_reverses_the_payment_and_the_waiver_stays(world: World) -> None:
    """The decision in app.billing.late_delivery.WAIVER_SURVIVES_VOID."""
    late_bill(world, delivered=date(2026, 11, 12), due=date(2026, 11, 15))
    receipt = pay(world, "k1", "1000")
    void_of(world, receipt)
    after_void = bill(world)
    assert (after_void.paid_minor, after_void.waived_minor) == (FEE, FEE)
    assert after_void.outstanding_minor == AMOUNT  # the fee is not asked again
    assert len(entries(world)) == 1
    # Paid again, even after the extended date: the bill without its fee, no second waiver.
    world.ctx.clock.now += timedelta(days=5)  # type: ignore[attr-defined]
    second = pay(world, "k2", "1000")
    assert second.allocated == Decimal("1000.00")
    assert bill(world).status == InvoiceStatus.PAID and bill(world).waived_minor == FEE
    assert len(claims(world)) == 1 and len(entries(world)) == 1
    assert verify_database(world.db, world.ctx.signer.verifier).ok
