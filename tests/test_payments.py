"""Taking payments: allocation, tenders, credit, top-ups, reconnection, exactly once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import (
    ConflictError,
    IdempotencyConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from app.payments.requests import PaymentRequest, TenderInput, TopUpInput
from app.payments.service import take_payment
from db.engine import Database
from db.models import Contract, ContractStatus, Invoice, InvoiceStatus, Payment, TenderKind
from tests.factories import WORKSTATION, World, add_subscriber, build_world

CASH = TenderKind.CASH


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path / "keys")


def cash(amount: str) -> TenderInput:
    return TenderInput(CASH, Decimal(amount))


def pay(world: World, key: str, account: str, *tenders: TenderInput, **options: object):
    request = PaymentRequest(
        idempotency_key=key,
        account_number=account,
        workstation=WORKSTATION,
        tenders=tuple(tenders),
        **options,  # type: ignore[arg-type]
    )
    return take_payment(world.ctx, world.agent, request)


def invoice(world: World, number: str) -> Invoice:
    with world.db.read() as session:
        return session.scalars(select(Invoice).where(Invoice.number == number)).one()


def test_exact_cash_payment_pays_every_open_invoice_oldest_first(world: World) -> None:
    add_subscriber(
        world.db,
        "1000000001",
        invoices=[
            ("F2", 250000, date(2026, 11, 15)),
            ("F1", 180000, date(2026, 9, 15)),
        ],
    )
    receipt = pay(world, "k1", "1000000001", cash("4300"))
    assert receipt.receipt_no == "ALG01-G01-000001"
    assert [a.invoice_number for a in receipt.allocations] == ["F1", "F2"]
    assert receipt.allocated == Decimal("4300.00")
    assert receipt.change == Decimal("0.00")
    assert invoice(world, "F1").status == InvoiceStatus.PAID
    assert invoice(world, "F2").status == InvoiceStatus.PAID


def test_cash_change_is_computed_and_recorded(world: World) -> None:
    add_subscriber(world.db, "1000000002", invoices=[("F3", 420000, date(2026, 11, 30))])
    receipt = pay(world, "k2", "1000000002", cash("5000"))
    assert receipt.tendered == Decimal("5000.00")
    assert receipt.change == Decimal("800.00")
    assert receipt.credit_added == Decimal("0.00")


def test_partial_payment_leaves_the_rest_on_the_oldest_invoice(world: World) -> None:
    add_subscriber(
        world.db,
        "1000000003",
        invoices=[
            ("F4", 100000, date(2026, 8, 1)),
            ("F5", 100000, date(2026, 10, 1)),
        ],
    )
    receipt = pay(world, "k3", "1000000003", cash("1500"))
    assert [(a.invoice_number, a.amount) for a in receipt.allocations] == [
        ("F4", Decimal("1000.00")),
        ("F5", Decimal("500.00")),
    ]
    assert invoice(world, "F5").status == InvoiceStatus.PARTLY_PAID
    assert invoice(world, "F5").outstanding_minor == 50000
    assert receipt.allocations[1].left_after == Decimal("500.00")


def test_selected_invoices_only(world: World) -> None:
    add_subscriber(
        world.db,
        "1000000004",
        invoices=[
            ("F6", 100000, date(2026, 8, 1)),
            ("F7", 200000, date(2026, 10, 1)),
        ],
    )
    receipt = pay(world, "k4", "1000000004", cash("2000"), invoice_numbers=("F7",))
    assert [a.invoice_number for a in receipt.allocations] == ["F7"]
    assert invoice(world, "F6").status == InvoiceStatus.OPEN


def test_overpayment_becomes_credit_used_by_the_next_payment(world: World) -> None:
    add_subscriber(world.db, "1000000005", invoices=[("F8", 100000, date(2026, 10, 1))])
    first = pay(world, "k5", "1000000005", cash("1500"), keep_change_as_credit=True)
    assert first.credit_added == Decimal("500.00")
    assert first.credit_balance_after == Decimal("500.00")
    with world.db.write() as session:
        contract = session.scalars(select(Contract).where(Contract.number == "C1000000005")).one()
        session.add(
            Invoice(
                number="F9",
                contract=contract,
                subscriber_id=contract.subscriber_id,
                period_start=date(2026, 11, 1),
                period_end=date(2026, 11, 30),
                issue_date=date(2026, 11, 1),
                due_date=date(2026, 12, 15),
                amount_minor=120000,
                late_fee_minor=0,
                paid_minor=0,
                status=InvoiceStatus.OPEN,
                barcode="BCF9",
            )
        )
    second = pay(world, "k6", "1000000005", cash("700"))
    assert second.credit_used == Decimal("500.00")
    assert second.allocated == Decimal("1200.00")
    assert second.change == Decimal("0.00")
    assert second.credit_balance_after == Decimal("0.00")


def test_explicit_amount_above_due_goes_to_credit(world: World) -> None:
    add_subscriber(world.db, "1000000006", invoices=[("F10", 100000, date(2026, 10, 1))])
    receipt = pay(
        world,
        "k7",
        "1000000006",
        TenderInput(TenderKind.CHEQUE, Decimal("3000"), cheque_number="0012345", bank="BNA"),
        amount=Decimal("3000"),
    )
    assert receipt.allocated == Decimal("1000.00")
    assert receipt.credit_added == Decimal("2000.00")
    assert receipt.tenders[0].reference == "0012345 (BNA)"


def test_mixed_tenders_with_change_from_cash_only(world: World) -> None:
    add_subscriber(world.db, "1000000007", invoices=[("F11", 1000000, date(2026, 10, 1))])
    receipt = pay(
        world,
        "k8",
        "1000000007",
        TenderInput(TenderKind.CARD, Decimal("6000"), authorisation_code="A1B2C3"),
        TenderInput(TenderKind.POSTAL_TRANSFER, Decimal("2000"), transfer_reference="CCP-778899"),
        cash("2500"),
    )
    assert receipt.change == Decimal("500.00")
    assert [t.kind for t in receipt.tenders] == ["card", "postal_transfer", "cash"]


def test_change_without_cash_is_refused(world: World) -> None:
    add_subscriber(world.db, "1000000008", invoices=[("F12", 100000, date(2026, 10, 1))])
    with pytest.raises(ValidationError) as error:
        pay(
            world,
            "k9",
            "1000000008",
            TenderInput(TenderKind.CARD, Decimal("1200"), authorisation_code="X1"),
        )
    assert "Change can only be given from cash" in str(error.value)
    assert "200" in str(error.value)
    assert invoice(world, "F12").paid_minor == 0


@pytest.mark.parametrize(
    ("amount", "message", "field"),
    [
        ("-10", "cannot be negative", "tenders[1].amount"),
        ("0", "more than zero", "tenders[1].amount"),
        ("10.005", "at most 2 decimals", "tenders[1].amount"),
    ],
)
def test_bad_tender_amounts_name_the_field(
    world: World, amount: str, message: str, field: str
) -> None:
    add_subscriber(world.db, "1000000009", invoices=[("F13", 100000, date(2026, 10, 1))])
    with pytest.raises(ValidationError, match=message) as error:
        pay(world, "k10", "1000000009", cash(amount))
    assert error.value.field == field


def test_tender_short_of_the_amount(world: World) -> None:
    add_subscriber(world.db, "1000000010", invoices=[("F14", 100000, date(2026, 10, 1))])
    with pytest.raises(ValidationError, match="short of the amount") as error:
        pay(world, "k11", "1000000010", cash("500"), amount=Decimal("1000"))
    assert "500" in str(error.value)


def test_cheque_without_number_is_refused_in_french(world: World) -> None:
    from app.i18n import set_language

    add_subscriber(world.db, "1000000011", invoices=[("F15", 100000, date(2026, 10, 1))])
    with pytest.raises(ValidationError) as error:
        pay(world, "k12", "1000000011", TenderInput(TenderKind.CHEQUE, Decimal("1000"), bank="BNA"))
    assert error.value.field == "tenders[1].cheque_number"
    set_language("fr")
    assert "chèque" in str(error.value)


def test_topups_sold_in_the_same_payment(world: World) -> None:
    add_subscriber(world.db, "1000000012", invoices=[("F16", 100000, date(2026, 10, 1))])
    receipt = pay(
        world, "k13", "1000000012", cash("3000"), topups=(TopUpInput("MOB500", "0555123456", 2),)
    )
    assert receipt.topups == Decimal("1000.00")
    assert receipt.allocated == Decimal("1000.00")
    assert receipt.change == Decimal("1000.00")
    assert receipt.topup_lines[0].quantity == 2


def test_tnd_has_three_decimals(database: Database, tmp_path: Path) -> None:
    world = build_world(database, tmp_path / "keys", currency="TND")
    add_subscriber(world.db, "2000000001", invoices=[("T1", 45250, date(2026, 10, 1))])
    receipt = pay(world, "t1", "2000000001", cash("50.000"))
    assert receipt.allocated == Decimal("45.250")
    assert receipt.change == Decimal("4.750")
    with pytest.raises(ValidationError, match="at most 3 decimals"):
        pay(world, "t2", "2000000001", cash("1.0005"))


def test_suspended_line_cleared_is_flagged_for_reconnection(world: World) -> None:
    add_subscriber(
        world.db,
        "1000000013",
        status=ContractStatus.SUSPENDED,
        invoices=[
            ("F17", 100000, date(2026, 8, 1)),
            ("F18", 100000, date(2026, 9, 1)),
            ("F19", 100000, date(2026, 12, 20)),  # not yet due: does not block reconnection
        ],
    )
    partial = pay(world, "k14", "1000000013", cash("1000"))
    assert partial.reconnections == ()
    cleared = pay(world, "k15", "1000000013", cash("1000"))
    assert cleared.reconnections == ("C1000000013",)
    with world.db.read() as session:
        contract = session.scalars(select(Contract).where(Contract.number == "C1000000013")).one()
        assert contract.reconnection_requested_at is not None


def test_paying_one_overdue_bill_of_a_suspended_line_does_not_reconnect_it(world: World) -> None:
    """Another overdue bill of the line stays unpaid: the line stays cut, whichever bill
    the customer chose to pay (the agent ticked only the newer one)."""
    add_subscriber(
        world.db,
        "1000000113",
        status=ContractStatus.SUSPENDED,
        invoices=[("F117", 100000, date(2026, 8, 1)), ("F118", 100000, date(2026, 9, 1))],
    )
    newer = pay(world, "k114", "1000000113", cash("1000"), invoice_numbers=("F118",))
    assert newer.allocations[0].invoice_number == "F118"
    assert newer.reconnections == ()
    older = pay(world, "k115", "1000000113", cash("1000"), invoice_numbers=("F117",))
    assert older.reconnections == ("C1000000113",)


def test_same_key_replays_the_same_receipt(world: World) -> None:
    add_subscriber(world.db, "1000000014", invoices=[("F20", 100000, date(2026, 10, 1))])
    first = pay(world, "same", "1000000014", cash("1000"))
    again = pay(world, "same", "1000000014", cash("1000"))
    assert again.receipt_no == first.receipt_no
    assert again.replayed and not first.replayed
    with world.db.read() as session:
        assert len(session.scalars(select(Payment)).all()) == 1


def test_same_key_with_different_content_is_refused(world: World) -> None:
    add_subscriber(world.db, "1000000015", invoices=[("F21", 100000, date(2026, 10, 1))])
    pay(world, "dup", "1000000015", cash("1000"))
    with pytest.raises(IdempotencyConflictError, match="ALG01-G01-000001"):
        pay(world, "dup", "1000000015", cash("2000"))


def test_receipt_numbers_are_gapless_even_after_refusals(world: World) -> None:
    add_subscriber(
        world.db, "1000000016", invoices=[(f"G{i}", 10000, date(2026, 10, i)) for i in range(1, 6)]
    )
    numbers = []
    for i in range(5):
        with pytest.raises(ValidationError):
            pay(world, f"bad{i}", "1000000016", cash("-1"))
        numbers.append(
            pay(
                world, f"ok{i}", "1000000016", cash("100"), invoice_numbers=(f"G{i + 1}",)
            ).receipt_no
        )
    assert numbers == [f"ALG01-G01-{n:06d}" for n in range(1, 6)]


def test_unknown_account_and_nothing_to_pay(world: World) -> None:
    with pytest.raises(NotFoundError):
        pay(world, "k16", "9999999999", cash("100"))
    add_subscriber(world.db, "1000000017")
    with pytest.raises(ValidationError, match="nothing to pay"):
        pay(world, "k17", "1000000017", cash("100"))


def test_payment_needs_an_open_cash_session(world: World) -> None:
    from app.cash import close_cash_session

    add_subscriber(world.db, "1000000018", invoices=[("F22", 100000, date(2026, 10, 1))])
    close_cash_session(world.ctx, world.agent, WORKSTATION)
    with pytest.raises(ConflictError, match="Open a cash session"):
        pay(world, "k18", "1000000018", cash("1000"))


def test_a_kiosk_role_cannot_be_faked(world: World) -> None:
    from dataclasses import replace

    from app.auth import Actor

    nobody = replace(world.agent, role="visitor")  # type: ignore[arg-type]
    assert isinstance(nobody, Actor)
    add_subscriber(world.db, "1000000019", invoices=[("F23", 100000, date(2026, 10, 1))])
    request = PaymentRequest("k19", "1000000019", WORKSTATION, (cash("1000"),))
    with pytest.raises((PermissionDeniedError, KeyError)):
        take_payment(world.ctx, nobody, request)


def test_a_payment_goes_into_the_till_of_the_agent_who_takes_it(world: World) -> None:
    """Yacine at Amina's counter cannot pay into her till: the count would carry her name."""
    add_subscriber(world.db, "1000000120", invoices=[("F120", 100000, date(2026, 10, 1))])
    request = PaymentRequest("other-till", "1000000120", WORKSTATION, (cash("1000"),))
    with pytest.raises(PermissionDeniedError, match="amina"):
        take_payment(world.ctx, world.other_agent, request)
    assert invoice(world, "F120").paid_minor == 0
    # A supervisor may take it there (helping out at a counter).
    receipt = take_payment(world.ctx, world.supervisor, request)
    assert receipt.agent_login == "karim" and receipt.allocated == Decimal("1000.00")
