"""Business days and signed closings: the day of a payment, closing a day, a month, a year."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.cash import close_cash_session, open_cash_session
from app.closing.closings import close_day, close_month, close_year, closing_status
from app.closing.days import business_day, day_bounds, local_date
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.integrity.verify import verify_database
from app.payments.requests import PaymentRequest, TenderInput, TopUpInput
from app.payments.service import take_payment
from app.payments.summary import receipt_summary
from app.payments.void import VoidRequest, void_payment
from app.printing.receipt import load_receipt, receipt_slip
from app.printing.slip import Pair
from db.engine import Database
from db.models import Closing, ClosingKind, JournalEvent, TenderKind
from tests.factories import PASSWORD, WORKSTATION, FrozenClock, World, add_subscriber, build_world

ALGIERS = ZoneInfo("Africa/Algiers")
PARIS = ZoneInfo("Europe/Paris")
SATURDAY = date(2026, 11, 21)


# -- the business day, pure ---------------------------------------------------------------


def test_a_payment_at_23_59_local_belongs_to_that_day() -> None:
    late = datetime(2026, 11, 21, 23, 59, 30, tzinfo=ALGIERS)
    assert local_date(late.astimezone(UTC), ALGIERS) == SATURDAY  # 22:59 UTC
    assert local_date(datetime(2026, 11, 21, 23, 30, tzinfo=UTC), ALGIERS) == date(2026, 11, 22)


def test_paris_days_last_23_or_25_hours_when_the_clocks_change() -> None:
    spring = day_bounds(date(2026, 3, 29), PARIS)
    autumn = day_bounds(date(2026, 10, 25), PARIS)
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert autumn[1] - autumn[0] == timedelta(hours=25)
    assert autumn[0] == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # CEST midnight
    assert autumn[1] == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # CET midnight
    # 23:30 local on the long day is still that day, one hour later in UTC than in summer
    assert local_date(datetime(2026, 10, 25, 22, 30, tzinfo=UTC), PARIS) == date(2026, 10, 25)


def test_after_its_day_closed_a_payment_belongs_to_the_next_day() -> None:
    evening = datetime(2026, 11, 21, 19, 0, tzinfo=UTC)
    assert business_day(evening, ALGIERS, None) == SATURDAY
    assert business_day(evening, ALGIERS, date(2026, 11, 20)) == SATURDAY
    assert business_day(evening, ALGIERS, SATURDAY) == date(2026, 11, 22)


# -- closing a day --------------------------------------------------------------------------


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    add_subscriber(
        world.db,
        "1000000001",
        invoices=[(f"F{i}", 100000, date(2026, 10, i)) for i in range(1, 9)],
        phone="+213555123456",
    )
    return world


def _at(world: World, local: datetime) -> None:
    clock = world.ctx.clock
    assert isinstance(clock, FrozenClock)
    clock.now = local.astimezone(UTC)


def _pay(world: World, key: str, cash: str, **options: object) -> str:
    request = PaymentRequest(
        key,
        "1000000001",
        options.pop("workstation", WORKSTATION),  # type: ignore[arg-type]
        (TenderInput(TenderKind.CASH, Decimal(cash)),),
        **options,  # type: ignore[arg-type]
    )
    return take_payment(world.ctx, world.agent, request).receipt_no


def _pairs(world: World, receipt_no: str, language: str) -> dict[str, str]:
    slip = receipt_slip(load_receipt(world.db, world.ctx.signer, receipt_no=receipt_no), language)
    return {block.label: block.value for block in slip.blocks if isinstance(block, Pair)}


def _close_tills(world: World) -> None:
    for station in (WORKSTATION, "ALG01-G02"):
        close_cash_session(world.ctx, world.supervisor, station)


def _open_tills(world: World) -> None:
    open_cash_session(world.ctx, world.agent, WORKSTATION, Decimal("5000"))
    open_cash_session(world.ctx, world.other_agent, "ALG01-G02", Decimal("5000"))


def _closings(world: World) -> list[Closing]:
    with world.db.read() as session:
        return list(session.scalars(select(Closing).order_by(Closing.seq)))


def test_a_day_is_not_closed_while_a_till_is_open(world: World) -> None:
    _at(world, datetime(2026, 11, 21, 18, 0, tzinfo=ALGIERS))
    with pytest.raises(ConflictError) as refused:
        close_day(world.ctx, world.supervisor, "ALG01", SATURDAY)
    message = refused.value.translated()
    assert "ALG01-G01 (amina)" in message and "ALG01-G02 (yacine)" in message
    assert _closings(world) == []


def test_an_agent_cannot_close_the_day(world: World) -> None:
    _close_tills(world)
    with pytest.raises(PermissionDeniedError):
        close_day(world.ctx, world.agent, "ALG01", SATURDAY)


def test_the_closing_records_the_days_figures(world: World) -> None:
    _at(world, datetime(2026, 11, 21, 9, 0, tzinfo=ALGIERS))
    _pay(world, "p1", "1500", invoice_numbers=("F1",))  # 1000 paid, 500 change
    take_payment(
        world.ctx,
        world.other_agent,
        PaymentRequest(
            "p2",
            "1000000001",
            "ALG01-G02",
            (
                TenderInput(TenderKind.CARD, Decimal("1000"), authorisation_code="A1"),
                TenderInput(TenderKind.CASH, Decimal("500")),
            ),
            invoice_numbers=("F2",),
            topups=(TopUpInput("MOB500", "+213555123456"),),
        ),
    )
    _at(world, datetime(2026, 11, 21, 23, 59, tzinfo=ALGIERS))
    late = _pay(world, "p3", "1000", invoice_numbers=("F3",))
    _close_tills(world)
    info = close_day(world.ctx, world.supervisor, "ALG01", SATURDAY)

    assert (info.payments, info.payments_total) == (3, Decimal("3500"))
    assert (info.voids, info.voids_total) == (0, Decimal("0"))
    assert info.period_total == info.perpetual_total == info.perpetual_absolute == Decimal("3500")
    assert info.gap_days == ()
    assert receipt_summary(world.db, late).business_day == SATURDAY
    (closing,) = _closings(world)
    assert (closing.bills_minor, closing.topups_minor, closing.credit_minor) == (300000, 50000, 0)
    figures = closing.breakdown
    assert '"tenders":{"card":100000,"cash":250000}' in figures
    tills = json.loads(figures)["tills"]
    assert [(t["workstation"], t["payments"], t["total"]) for t in tills] == [
        ("ALG01-G01", 2, 200000),
        ("ALG01-G02", 1, 150000),
    ]
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_a_payment_after_the_close_belongs_to_the_next_day(world: World) -> None:
    _at(world, datetime(2026, 11, 21, 10, 0, tzinfo=ALGIERS))
    _pay(world, "p1", "1000", invoice_numbers=("F1",))
    _close_tills(world)
    _at(world, datetime(2026, 11, 21, 18, 0, tzinfo=ALGIERS))
    close_day(world.ctx, world.supervisor, "ALG01", SATURDAY)

    _open_tills(world)
    _at(world, datetime(2026, 11, 21, 19, 0, tzinfo=ALGIERS))  # still Saturday, locally
    after = _pay(world, "p2", "1000", invoice_numbers=("F2",))
    summary = receipt_summary(world.db, after)
    assert summary.business_day == date(2026, 11, 22)
    # the receipt says which day it belongs to; a receipt of its own day does not
    lines = _pairs(world, after, "en")
    assert lines["Date"] == "21/11/2026, 19:00"
    assert lines["Business day"] == "Sunday, 22 November 2026"
    assert "Business day" not in _pairs(world, "ALG01-G01-000001", "en")
    # the void of the morning's payment, now: the next day too
    voided = void_payment(
        world.ctx,
        world.agent,
        VoidRequest("v1", "ALG01-G01-000001", WORKSTATION, "wrong account", "karim", PASSWORD),
    )
    assert receipt_summary(world.db, voided.receipt_no).business_day == date(2026, 11, 22)

    _close_tills(world)
    with pytest.raises(ValidationError, match="has not begun"):
        close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, 22))
    _at(world, datetime(2026, 11, 22, 17, 0, tzinfo=ALGIERS))
    sunday = close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, 22))
    assert (sunday.payments, sunday.payments_total) == (1, Decimal("1000"))
    assert (sunday.voids, sunday.voids_total) == (1, Decimal("-1000"))
    assert sunday.period_total == Decimal("0")
    assert sunday.perpetual_total == Decimal("1000")
    assert sunday.perpetual_absolute == Decimal("3000")
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_two_closings_of_one_day_the_second_is_told_who_closed_it(world: World) -> None:
    _close_tills(world)
    _at(world, datetime(2026, 11, 21, 18, 5, tzinfo=ALGIERS))
    close_day(world.ctx, world.supervisor, "ALG01", SATURDAY)
    with pytest.raises(ConflictError) as refused:
        close_day(world.ctx, world.supervisor, "ALG01", SATURDAY)
    assert refused.value.translated() == (
        "The business day 2026-11-21 of ALG01 was already closed by karim at 2026-11-21 18:05."
    )
    assert len(_closings(world)) == 1


def test_empty_days_before_are_closed_with_the_day_and_busy_ones_refuse(world: World) -> None:
    _at(world, datetime(2026, 11, 19, 10, 0, tzinfo=ALGIERS))  # Thursday
    _pay(world, "p1", "1000", invoice_numbers=("F1",))
    _at(world, datetime(2026, 11, 21, 10, 0, tzinfo=ALGIERS))  # Saturday
    _pay(world, "p2", "1000", invoice_numbers=("F2",))
    _close_tills(world)
    _at(world, datetime(2026, 11, 21, 18, 0, tzinfo=ALGIERS))
    with pytest.raises(ConflictError, match="2026-11-19 of ALG01 has payments"):
        close_day(world.ctx, world.supervisor, "ALG01", SATURDAY)
    thursday = close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, 19))
    assert thursday.payments == 1
    saturday = close_day(world.ctx, world.supervisor, "ALG01", SATURDAY)
    assert saturday.gap_days == (date(2026, 11, 20),)  # the Friday, closed empty
    days = [(c.period_start, c.automatic, c.payments_count) for c in _closings(world)]
    assert days == [
        (date(2026, 11, 19), False, 1),
        (date(2026, 11, 20), True, 0),
        (SATURDAY, False, 1),
    ]
    assert saturday.perpetual_total == Decimal("2000")
    with pytest.raises(ConflictError, match="already closed"):
        close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, 20))
    with pytest.raises(ConflictError, match="before its first closed day"):
        close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, 10))
    status = closing_status(world.db, "ALG01")
    assert status.last_closed_day == SATURDAY
    assert [c.period_start for c in status.closings] == [
        SATURDAY,
        date(2026, 11, 20),
        date(2026, 11, 19),
    ]


def test_months_and_years_close_from_the_dailies(world: World) -> None:
    _at(world, datetime(2026, 11, 29, 10, 0, tzinfo=ALGIERS))
    _pay(world, "p1", "1000", invoice_numbers=("F1",))
    _at(world, datetime(2026, 12, 2, 10, 0, tzinfo=ALGIERS))
    _pay(world, "p2", "700", invoice_numbers=("F2",))
    _close_tills(world)
    _at(world, datetime(2026, 12, 2, 18, 0, tzinfo=ALGIERS))
    with pytest.raises(ConflictError, match="No business day of ALG01 is closed yet"):
        close_month(world.ctx, world.supervisor, "ALG01", 2026, 11)
    close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, 29))
    with pytest.raises(ConflictError, match="2026-11-30 is not closed"):
        close_month(world.ctx, world.supervisor, "ALG01", 2026, 11)
    with pytest.raises(ConflictError, match="before its first closed day"):
        close_month(world.ctx, world.supervisor, "ALG01", 2026, 10)
    close_day(world.ctx, world.supervisor, "ALG01", date(2026, 12, 2))  # 30 Nov, 1 Dec empty
    november = close_month(world.ctx, world.supervisor, "ALG01", 2026, 11)
    assert (november.period_start, november.period_end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert (november.payments, november.period_total) == (1, Decimal("1000"))
    assert november.perpetual_total == Decimal("1000")
    with pytest.raises(ConflictError, match="already closed by karim"):
        close_month(world.ctx, world.supervisor, "ALG01", 2026, 11)
    with pytest.raises(ConflictError, match="2026-12 is not closed"):
        close_year(world.ctx, world.supervisor, "ALG01", 2026)
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_a_whole_year_adds_up(world: World) -> None:
    _close_tills(world)
    _at(world, datetime(2026, 12, 31, 20, 0, tzinfo=ALGIERS))
    _open_tills(world)
    _pay(world, "p1", "1000", invoice_numbers=("F1",))
    _close_tills(world)
    day = close_day(world.ctx, world.supervisor, "ALG01", date(2026, 12, 31))
    assert day.gap_days == ()  # the first activity starts the sequence
    close_month(world.ctx, world.supervisor, "ALG01", 2026, 12)
    year = close_year(world.ctx, world.supervisor, "ALG01", 2026)
    assert (year.period_start, year.period_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert year.period_total == year.perpetual_total == Decimal("1000")
    kinds = [c.kind for c in _closings(world)]
    assert kinds == [ClosingKind.DAILY, ClosingKind.MONTHLY, ClosingKind.YEARLY]
    with world.db.read() as session:  # journaled with their NF525 JET codes
        events = session.execute(
            select(JournalEvent.kind, JournalEvent.details).where(
                JournalEvent.kind.like("closing.%")
            )
        ).all()
    jet = {kind: json.loads(details).get("jet") for kind, details in events}
    assert jet == {"closing.day_closed": 50, "closing.month_closed": 50, "closing.year_closed": 60}
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_a_fresh_demo_has_its_past_days_and_a_month_closed(
    sqlite_database: Database, tmp_path: Path
) -> None:
    from app.demo import build_demo
    from app.integrity.keys import create_signer

    signer = create_signer(tmp_path / "demo-key.pem")
    with sqlite_database.write() as session:
        signer.register(session)
    build_demo(sqlite_database, signer, profile="dz", subscribers=200, today=date(2026, 11, 21))
    with sqlite_database.read() as session:
        closings = list(session.scalars(select(Closing).order_by(Closing.seq)))
    days = [c.period_start for c in closings if c.kind == ClosingKind.DAILY]
    assert days == [days[0] + timedelta(days=n) for n in range(len(days))]  # no gap
    assert days[-1] == date(2026, 11, 20)  # up to yesterday
    assert any(c.automatic for c in closings)  # Fridays, closed empty with the Saturday
    months = [c for c in closings if c.kind == ClosingKind.MONTHLY]
    assert [m.period_start for m in months] == [date(2026, 10, 1)]
    assert sum(c.payments_count for c in closings if c.kind == ClosingKind.DAILY) == 20
    assert verify_database(sqlite_database, signer.verifier).ok


@pytest.mark.parametrize(
    "statement", ["UPDATE closings SET period_minor = 1", "DELETE FROM closings"]
)
def test_closings_refuse_update_and_delete(world: World, statement: str) -> None:
    _close_tills(world)
    close_day(world.ctx, world.supervisor, "ALG01", SATURDAY)
    with pytest.raises(DBAPIError, match="append-only"), world.db.write() as session:
        session.execute(text(statement))
    assert len(_closings(world)) == 1


def test_payments_from_before_closings_are_placed_by_their_local_date(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Payments signed before migration 0008 have no business day: their local date counts,
    in the closing and in verify's recomputation alike."""
    import app.payments.service as service

    record, insert = service.payment_record_of, service.insert_ledger_rows
    monkeypatch.setattr(
        service,
        "payment_record_of",
        lambda values, *rest: record(values._replace(business_day=None), *rest),
    )
    monkeypatch.setattr(
        service,
        "insert_ledger_rows",
        lambda session, row, **lines: insert(session, {**row, "business_day": None}, **lines),
    )
    _at(world, datetime(2026, 11, 20, 23, 30, tzinfo=ALGIERS))  # 22:30 UTC
    friday = _pay(world, "p1", "1000", invoice_numbers=("F1",))
    _at(world, datetime(2026, 11, 21, 0, 30, tzinfo=ALGIERS))  # 23:30 UTC, the day before
    _pay(world, "p2", "700", invoice_numbers=("F2",))
    monkeypatch.undo()
    assert receipt_summary(world.db, friday).business_day is None
    _close_tills(world)
    _at(world, datetime(2026, 11, 21, 18, 0, tzinfo=ALGIERS))
    assert close_day(world.ctx, world.supervisor, "ALG01", date(2026, 11, 20)).payments == 1
    saturday = close_day(world.ctx, world.supervisor, "ALG01", SATURDAY)
    assert (saturday.payments, saturday.payments_total) == (1, Decimal("700"))
    assert verify_database(world.db, world.ctx.signer.verifier).ok
