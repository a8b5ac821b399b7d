"""What a void reverses, shown before the supervisor approves; top-ups and the cash drawer.

The preview names the receipt, the subscriber, the amount, the tenders, the bills
and the top-ups; a receipt that cannot be voided is refused by name. A payment
that sold a top-up is voided only with the supervisor's explicit confirmation
that the top-up cannot be taken back (the rule is the service's, not the
screen's). The CANCELLATION slip of a cash void opens the drawer; one without
cash does not.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import ConflictError, NotFoundError, ValidationError
from app.payments.requests import PaymentRequest, TenderInput, TopUpInput
from app.payments.service import take_payment
from app.payments.summary import PaymentSummary
from app.payments.void import VoidRequest, void_payment
from app.payments.void_preview import void_preview
from app.printing.escpos_render import slip_escpos
from app.printing.receipt import load_receipt, receipt_slip
from app.printing.settings import save_printer_settings
from app.printing.worker import PrintWorker
from db.engine import Database
from db.models import JournalEvent, Payment, PrintJob, Subscriber, TenderKind
from tests.escpos_image import without_images
from tests.factories import PASSWORD, WORKSTATION, World, add_subscriber, build_world
from tests.fake_printer import FakePrinter

ACCOUNT = "1000000001"
DRAWER = b"\x1bp"  # ESC p: python-escpos cashdraw, the drawer's pulse


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(
        world.db,
        ACCOUNT,
        phone="+213555123456",
        invoices=[("F1", 100000, date(2026, 10, 1)), ("F2", 50000, date(2026, 11, 1))],
    )
    return world


def pay(world: World, *tenders: TenderInput, key: str = "k1", **options: object) -> PaymentSummary:
    request = PaymentRequest(key, ACCOUNT, WORKSTATION, tuple(tenders), **options)  # type: ignore[arg-type]
    return take_payment(world.ctx, world.agent, request)


def cash(amount: str) -> TenderInput:
    return TenderInput(TenderKind.CASH, Decimal(amount))


def void(
    world: World, receipt_no: str, *, key: str = "v1", confirmed: bool = False
) -> PaymentSummary:
    return void_payment(
        world.ctx,
        world.agent,
        VoidRequest(
            key,
            receipt_no,
            WORKSTATION,
            "Wrong account",
            "karim",
            PASSWORD,
            topups_delivered_confirmed=confirmed,
        ),
    )


def test_preview_shows_what_the_void_reverses(world: World) -> None:
    paid = pay(
        world,
        cash("1000"),
        TenderInput(TenderKind.CARD, Decimal("1200"), authorisation_code="A77"),
        topups=(TopUpInput("MOB500", "0555123456"),),
    )
    preview = void_preview(world.ctx, world.agent, paid.receipt_no.lower())
    assert preview.receipt_no == paid.receipt_no == "ALG01-G01-000001"
    assert preview.created_at == paid.created_at and preview.timezone == "Africa/Algiers"
    assert (preview.account_number, preview.subscriber_name) == (ACCOUNT, "Hélène Benali")
    assert preview.subscriber_name_ar == "هيلين بن علي"
    assert preview.workstation == WORKSTATION and preview.agent_name == "Amina Kaci"
    # 1 500 of bills and 500 of top-up, paid 1 000 cash + 1 200 card: 200 change.
    assert preview.amount == Decimal("2000.00") and preview.change == Decimal("200.00")
    assert [(t.kind, t.amount, t.reference) for t in preview.tenders] == [
        ("cash", Decimal("1000.00"), None),
        ("card", Decimal("1200.00"), "A77"),
    ]
    assert [(b.invoice_number, b.amount) for b in preview.bills] == [
        ("F1", Decimal("1000.00")),
        ("F2", Decimal("500.00")),
    ]
    assert [(t.product_code, t.target_number) for t in preview.topups] == [("MOB500", "0555123456")]
    assert preview.topups_delivered and preview.topup_numbers == ("0555123456",)
    assert preview.opens_drawer and preview.cash_back == Decimal("800.00")
    assert preview.slip_language == "fr"  # no language of their own: the operator's
    # A read: nothing was written.
    with world.db.read() as session:
        assert len(session.scalars(select(Payment)).all()) == 1
        assert not session.scalars(
            select(JournalEvent).where(JournalEvent.kind.like("payment.void%"))
        ).all()


def test_preview_refuses_by_name_what_cannot_be_voided(world: World) -> None:
    with pytest.raises(NotFoundError) as missing:
        void_preview(world.ctx, world.agent, "ALG01-G01-000999")
    assert missing.value.field == "receipt_no"
    assert missing.value.translated("en") == "No receipt ALG01-G01-000999."
    paid = pay(world, cash("1500"))
    cancelled = void(world, paid.receipt_no)
    with pytest.raises(ConflictError) as already:
        void_preview(world.ctx, world.agent, paid.receipt_no)
    assert already.value.translated("en") == (
        f"{paid.receipt_no} was already voided by {cancelled.receipt_no}."
    )
    with pytest.raises(ConflictError, match="is itself a void"):
        void_preview(world.ctx, world.agent, cancelled.receipt_no)


def test_a_void_of_a_top_up_needs_the_supervisor_to_confirm_it_was_delivered(
    world: World,
) -> None:
    paid = pay(world, cash("2000"), topups=(TopUpInput("MOB500", "0555123456"),))
    with pytest.raises(ValidationError) as unconfirmed:
        void(world, paid.receipt_no)
    assert unconfirmed.value.field == "topups_delivered_confirmed"
    message = unconfirmed.value.translated("en")
    assert paid.receipt_no in message and "0555123456" in message
    with world.db.read() as session:
        assert len(session.scalars(select(Payment)).all()) == 1  # nothing voided
        # Refused before the credentials were looked at: no login attempt spent.
        assert not session.scalars(
            select(JournalEvent).where(JournalEvent.kind == "payment.void_refused")
        ).all()
    # The same request, the box ticked, goes through (the key is still unused).
    voided = void(world, paid.receipt_no, confirmed=True)
    assert voided.topups == Decimal("-500.00") and voided.voids_receipt_no == paid.receipt_no


def test_a_payment_without_top_ups_needs_no_confirmation(world: World) -> None:
    paid = pay(world, cash("1500"))
    assert void(world, paid.receipt_no).kind == "void"


def _slip_bytes(world: World, receipt_no: str, copy_number: int = 0) -> bytes:
    document = load_receipt(world.db, world.ctx.signer, receipt_no=receipt_no)
    return without_images(slip_escpos(receipt_slip(document, "fr", copy_number)))


def test_a_cash_void_opens_the_drawer_and_a_card_void_does_not(world: World) -> None:
    by_cash = void(world, pay(world, cash("1500"), key="k1").receipt_no, key="v1")
    by_card = void(
        world,
        pay(
            world,
            TenderInput(TenderKind.CARD, Decimal("1500"), authorisation_code="A1"),
            key="k2",
        ).receipt_no,
        key="v2",
    )
    cash_slip = _slip_bytes(world, by_cash.receipt_no)
    assert b"ANNULATION" in cash_slip and cash_slip.endswith(DRAWER + b"\x0022")
    card_slip = _slip_bytes(world, by_card.receipt_no)
    assert b"ANNULATION" in card_slip and DRAWER not in card_slip
    assert DRAWER not in _slip_bytes(world, by_cash.receipt_no, copy_number=1)  # a copy never


def test_the_cash_void_slip_is_queued_and_printed_with_the_drawer_pulse(world: World) -> None:
    paid = pay(world, cash("1500"))
    with FakePrinter("refuse") as printer:
        save_printer_settings(
            world.ctx,
            world.supervisor,
            WORKSTATION,
            printer_uri=printer.uri,
            profile="TM-T20II",
            paper_width_mm=80,
        )
        # The printer is off: the void is saved all the same, its slip waits in the queue.
        voided = void(world, paid.receipt_no)
        with world.db.read() as session:
            jobs = session.scalars(select(PrintJob).order_by(PrintJob.id)).all()
            assert [(j.document_ref, j.copy_number) for j in jobs] == [
                (paid.receipt_no, 0),
                (voided.receipt_no, 0),
            ]
        worker = PrintWorker(world.ctx, WORKSTATION)
        worker.run_once()  # fails: stays queued
        printer.mode = "online"
        world.ctx.clock.now += timedelta(minutes=5)  # type: ignore[attr-defined]
        while worker.run_once():
            pass
        original, cancellation = printer.wait_for_jobs(2)
    assert DRAWER in original  # cash taken in
    assert b"ANNULATION" in cancellation and voided.receipt_no.encode() in cancellation
    assert DRAWER in without_images(cancellation)  # cash handed back


def test_the_void_preview_follows_the_subscriber_language(world: World) -> None:
    with world.db.write() as session:
        subscriber = session.scalars(
            select(Subscriber).where(Subscriber.account_number == ACCOUNT)
        ).one()
        subscriber.language = "ar"
    paid = pay(world, cash("1500"))
    assert void_preview(world.ctx, world.agent, paid.receipt_no).slip_language == "ar"
