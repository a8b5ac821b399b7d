"""The demo builder: a believable operator per profile, the same data for the same seed,
and never mixed into a database that already holds data."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
from sqlalchemy import func, select, text

from app.auth import authenticate
from app.charter.calendar_store import load_agency_calendar
from app.context import AppContext
from app.demo import PROFILES, DemoSummary, build_demo
from app.demo.population import Batch, batches_in_background
from app.errors import ConflictError, ValidationError
from app.integrity.keys import Signer, create_signer
from app.integrity.verify import verify_database
from app.lookup import find_subscribers
from db.engine import Database
from db.models import (
    Agency,
    AgencyDayException,
    CashSession,
    Contract,
    ContractStatus,
    Invoice,
    InvoiceStatus,
    OpeningHours,
    OperatorSettings,
    Payment,
    PrintJob,
    PrintJobKind,
    ReceiptSeries,
    Subscriber,
    SubscriberPhone,
    Tender,
    Workstation,
    WorkstationKind,
)
from tests.conftest import make_sqlite_database

TODAY = date(2026, 11, 21)
SUBSCRIBERS = 200
CURRENCIES = {"dz": "DZD", "tn": "TND", "fr": "EUR"}
# Weekdays (0 = Monday) each profile's agencies open, Saturday included.
OPEN_WEEKDAYS = {"dz": {0, 1, 2, 3, 5, 6}, "tn": {0, 1, 2, 3, 4, 5}, "fr": {1, 2, 3, 4, 5}}


def _signer(database: Database, path: Path) -> Signer:
    signer = create_signer(path)
    with database.write() as session:
        signer.register(session)
    return signer


def _build(database: Database, tmp_path: Path, profile: str, **options: object) -> DemoSummary:
    signer = _signer(database, tmp_path / f"key-{profile}-{id(database)}.pem")
    return build_demo(database, signer, profile=profile, today=TODAY, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_demo_builds_a_believable_operator(
    database: Database, tmp_path: Path, profile: str
) -> None:
    stages: list[tuple[str, int, int]] = []
    signer = _signer(database, tmp_path / "key.pem")
    summary = build_demo(
        database,
        signer,
        profile=profile,
        subscribers=SUBSCRIBERS,
        seed=7,
        today=TODAY,
        progress=lambda stage, done, total: stages.append((stage, done, total)),
    )
    spec = PROFILES[profile]

    assert summary.profile == profile
    assert summary.currency == CURRENCIES[profile]
    assert summary.subscribers == SUBSCRIBERS
    assert summary.payments == 20  # min(max(200 // 100, 20), 10 000)
    assert ("Subscribers, contracts and invoices", SUBSCRIBERS, SUBSCRIBERS) in stages
    first = spec.agencies[0].code
    assert f"{first}-G01" in summary.workstations and f"{first}-K01" in summary.workstations

    _check_operator_and_agencies(database, profile, summary)
    _check_logins(database, signer, summary)
    _check_subscribers_and_contracts(database, profile)
    _check_invoices(database, profile)
    _check_payments(database, summary)
    _check_printers(database, summary)
    _check_tills_counted(database)
    assert verify_database(database, signer.verifier).ok
    if database.is_sqlite:
        # The bulk load skips SQLite's foreign-key checks; prove it lost nothing,
        # and that the pooled connection got its checks back.
        with database.read() as session:
            assert session.execute(text("PRAGMA foreign_key_check")).all() == []
            assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def _check_printers(database: Database, summary: DemoSummary) -> None:
    """Demo counters print into files, with a logo; the past month's receipts are
    already printed and do not come out again when the counter starts."""
    with database.read() as session:
        assert session.scalars(select(OperatorSettings.logo_png)).one().startswith(b"\x89PNG")
        uris = session.scalars(select(Workstation.printer_uri)).all()
        statuses = session.scalars(
            select(PrintJob.status).where(PrintJob.kind == PrintJobKind.RECEIPT)
        ).all()
        others = session.scalars(
            select(PrintJob.status).where(PrintJob.kind != PrintJobKind.RECEIPT)
        ).all()
    assert uris and all(uri and uri.startswith("file:///") for uri in uris)
    assert len(statuses) == summary.payments and set(statuses) == {"printed"}
    # Z reports of the past tills, complaint slips: printed at the time too.
    assert set(others) <= {"printed"}


def _check_operator_and_agencies(database: Database, profile: str, summary: DemoSummary) -> None:
    spec = PROFILES[profile]
    with database.read() as session:
        operator = session.scalars(select(OperatorSettings)).one()
        assert (operator.currency, operator.timezone) == (CURRENCIES[profile], spec.timezone)
        assert operator.name == summary.operator_name
        agencies = session.scalars(select(Agency)).all()
        assert len(agencies) == summary.agencies >= 5
        for agency in agencies:
            hours = session.scalars(
                select(OpeningHours).where(OpeningHours.agency_id == agency.id)
            ).all()
            assert {h.weekday for h in hours} == OPEN_WEEKDAYS[profile]
            assert any(h.weekday == 5 for h in hours), "agencies open on Saturdays"
            if profile == "tn":  # morning and afternoon on weekdays
                assert len([h for h in hours if h.weekday == 0]) == 2
            kinds = Counter(
                session.scalars(select(Workstation.kind).where(Workstation.agency_id == agency.id))
            )
            assert 2 <= kinds[WorkstationKind.COUNTER] <= 4 and kinds[WorkstationKind.KIOSK] == 1

        # Every workstation, kiosks included, prints from its own series.
        refs = {
            f"{code}-{ws}": series
            for code, ws, series in session.execute(
                select(Agency.code, Workstation.code, ReceiptSeries.code)
                .join(Workstation, Workstation.agency_id == Agency.id)
                .join(ReceiptSeries, ReceiptSeries.id == Workstation.series_id)
            )
        }
        assert all(ref == series for ref, series in refs.items())
        assert set(refs) == set(summary.workstations)

        exceptions = session.scalars(
            select(AgencyDayException).where(AgencyDayException.agency_id == agencies[0].id)
        ).all()
        # Public holidays come live from the holidays package (lunar ones estimated).
        calendar = load_agency_calendar(session, agencies[0].id)
        expected = {
            day
            for day in holidays.country_holidays(spec.country, years=[2026, 2027])
            if TODAY <= day <= TODAY + timedelta(days=365)
        }
        assert all(calendar.holiday_on(d) and not calendar.open_intervals(d) for d in expected), (
            "public holidays, lunar ones included, are closed days"
        )
        if profile != "fr":  # Eid and the other lunar holidays are estimated ahead
            ahead = calendar.holidays_between(TODAY, TODAY + timedelta(days=365))
            assert any(h.estimated for h in ahead)
        assert not {e.day for e in exceptions} & expected
        assert any(e.is_open and e.opens_at and e.closes_at for e in exceptions)


def _check_logins(database: Database, signer: Signer, summary: DemoSummary) -> None:
    ctx = AppContext(database, signer)
    roles = Counter(login.role for login in summary.logins)
    assert roles["supervisor"] == 1 and roles["admin"] == 1 and roles["agent"] >= 2
    for login in summary.logins:
        assert len(login.password) >= 8
        actor = authenticate(ctx, login.login, login.password, journal_success=False)
        assert actor.role == login.role
        assert actor.full_name == login.full_name


def _check_subscribers_and_contracts(database: Database, profile: str) -> None:
    spec = PROFILES[profile]
    with database.read() as session:
        subscribers = session.scalars(select(Subscriber)).all()
        assert len(subscribers) == SUBSCRIBERS
        assert len({s.account_number for s in subscribers}) == SUBSCRIBERS
        assert all(s.account_number.isdigit() for s in subscribers)
        without_contract = session.scalar(
            select(func.count())
            .select_from(Subscriber)
            .where(~select(Contract.id).where(Contract.subscriber_id == Subscriber.id).exists())
        )
        assert without_contract == 0
        with_arabic = sum(1 for s in subscribers if s.name_ar)
        if profile == "fr":
            assert 0 < with_arabic < SUBSCRIBERS * 0.2
            assert any(ch in "éèêëïîôœç" for s in subscribers for ch in s.display_name)
        else:
            assert with_arabic > SUBSCRIBERS * 0.8
        assert len({s.last_name for s in subscribers}) > 50, "names spread for the search"
        phones = session.scalars(select(SubscriberPhone.number_e164)).all()
        assert phones and all(p.startswith(spec.calling_code) for p in phones)

        contracts = session.scalars(select(Contract)).all()
        statuses = Counter(c.status for c in contracts)
        assert statuses[ContractStatus.ACTIVE] > 0.7 * len(contracts)
        assert statuses[ContractStatus.SUSPENDED] > 0
        assert statuses[ContractStatus.TERMINATED] > 0
        pending = [c for c in contracts if c.status == ContractStatus.PENDING_ACTIVATION]
        assert pending
        for contract in pending:
            assert contract.activated_on is None
            assert TODAY - timedelta(days=30) <= contract.requested_on <= TODAY
        for contract in contracts:
            if profile == "tn":
                assert contract.meter_number and contract.line_e164 is None
            else:
                assert contract.line_e164 and contract.meter_number is None

        overdue_suspended = 0
        for contract in contracts:
            if contract.status != ContractStatus.SUSPENDED:
                continue
            assert contract.suspended_on is not None and contract.suspended_on <= TODAY
            invoices = session.scalars(
                select(Invoice).where(Invoice.contract_id == contract.id)
            ).all()
            if any(i.is_overdue(TODAY) and i.late_fee_minor > 0 for i in invoices):
                overdue_suspended += 1
            else:  # only a counter payment in the demo's history may have cleared it
                assert contract.reconnection_requested_at is not None
        assert overdue_suspended > 0


def _check_invoices(database: Database, profile: str) -> None:
    with database.read() as session:
        invoices = session.scalars(select(Invoice)).all()
        accounts: dict[int, str] = {
            row.id: row.account_number
            for row in session.execute(select(Subscriber.id, Subscriber.account_number))
        }
    statuses = Counter(i.status for i in invoices)
    assert {InvoiceStatus.OPEN, InvoiceStatus.PARTLY_PAID, InvoiceStatus.PAID} <= set(statuses)
    assert statuses[InvoiceStatus.PAID] > statuses[InvoiceStatus.OPEN]
    per_contract = Counter(i.contract_id for i in invoices)
    assert max(per_contract.values()) == (12 if profile == "fr" else 6)  # a year of bills
    for invoice in invoices:
        assert invoice.amount_minor > 0
        assert invoice.barcode.isdigit()
        assert invoice.barcode.startswith(accounts[invoice.subscriber_id])
        assert invoice.issue_date <= TODAY
        assert 20 <= (invoice.due_date - invoice.issue_date).days <= 30
        if invoice.status == InvoiceStatus.PAID:
            assert invoice.paid_minor >= invoice.total_minor
        elif invoice.status == InvoiceStatus.PARTLY_PAID:
            assert 0 < invoice.paid_minor < invoice.total_minor
        else:
            assert invoice.paid_minor == 0
    late = [i for i in invoices if i.delivered_late]
    assert 0 < len(late) < 0.15 * len(invoices)
    if profile == "tn":
        assert any(i.amount_minor % 10 for i in invoices), "millimes, not only centimes"


def _check_payments(database: Database, summary: DemoSummary) -> None:
    with database.read() as session:
        payments = session.scalars(select(Payment)).all()
        assert len(payments) == summary.payments
        by_series: dict[int, list[int]] = defaultdict(list)
        for payment in payments:
            by_series[payment.series_id].append(payment.seq)
            local_day = payment.created_at.date()
            assert TODAY - timedelta(days=31) <= local_day < TODAY
            assert payment.receipt_no.endswith(f"-{payment.seq:06d}")
        for seqs in by_series.values():
            assert sorted(seqs) == list(range(1, len(seqs) + 1)), "receipts are gapless"
        tender_kinds = set(session.scalars(select(Tender.kind)))
        assert "cash" in tender_kinds and len(tender_kinds) >= 2
        assert (
            session.scalar(
                select(func.count()).select_from(CashSession).where(CashSession.closed_at.is_(None))
            )
            == 0
        )


def test_the_same_seed_gives_the_same_demo(
    database: Database, sqlite_template: Path, tmp_path: Path
) -> None:
    """Same seed and date, two databases (of either backend): the same data."""
    other = make_sqlite_database(sqlite_template, tmp_path)
    try:
        first = _build(database, tmp_path, "tn", subscribers=120, seed=3)
        second = _build(other, tmp_path, "tn", subscribers=120, seed=3)
        assert (first.contracts, first.invoices, first.payments) == (
            second.contracts,
            second.invoices,
            second.payments,
        )
        assert first.logins == second.logins
        assert _fingerprint(database) == _fingerprint(other)
    finally:
        other.dispose()


def test_another_seed_gives_other_subscribers(sqlite_template: Path, tmp_path: Path) -> None:
    one = make_sqlite_database(sqlite_template, tmp_path)
    two = make_sqlite_database(sqlite_template, tmp_path)
    try:
        _build(one, tmp_path, "dz", subscribers=30, seed=1)
        _build(two, tmp_path, "dz", subscribers=30, seed=2)
        assert _fingerprint(one)[0] != _fingerprint(two)[0]
    finally:
        one.dispose()
        two.dispose()


def test_a_bigger_demo_starts_with_the_smaller_one(sqlite_template: Path, tmp_path: Path) -> None:
    """Subscribers are drawn one after another from the seed: growing N only appends."""
    small = make_sqlite_database(sqlite_template, tmp_path)
    big = make_sqlite_database(sqlite_template, tmp_path)
    try:
        _build(small, tmp_path, "fr", subscribers=20, seed=4)
        _build(big, tmp_path, "fr", subscribers=40, seed=4)
        small_subscribers, small_contracts, small_invoices, _ = _fingerprint(small)
        big_subscribers, big_contracts, big_invoices, _ = _fingerprint(big)
        assert big_subscribers[:20] == small_subscribers
        assert big_contracts[: len(small_contracts)] == small_contracts
        # Number, barcode and amount; what is paid differs, since who pays at
        # the counter is drawn among all N subscribers.
        assert [row[:3] for row in big_invoices[: len(small_invoices)]] == [
            row[:3] for row in small_invoices
        ]
    finally:
        small.dispose()
        big.dispose()


def _fingerprint(database: Database) -> tuple[list[tuple[object, ...]], ...]:
    with database.read() as session:
        subscribers = session.execute(
            select(
                Subscriber.account_number,
                Subscriber.first_name,
                Subscriber.last_name,
                Subscriber.name_ar,
                Subscriber.city,
                Subscriber.created_on,
            ).order_by(Subscriber.id)
        ).all()
        contracts = session.execute(
            select(Contract.number, Contract.status, Contract.meter_number).order_by(Contract.id)
        ).all()
        invoices = session.execute(
            select(
                Invoice.number,
                Invoice.barcode,
                Invoice.amount_minor,
                Invoice.paid_minor,
                Invoice.status,
            ).order_by(Invoice.id)
        ).all()
        payments = session.execute(
            select(
                Payment.receipt_no,
                Payment.created_at,
                Payment.tendered_minor,
                Payment.allocated_minor,
                Payment.credit_added_minor,
            ).order_by(Payment.receipt_no)
        ).all()
    return tuple(
        [tuple(row) for row in rows] for rows in (subscribers, contracts, invoices, payments)
    )


def test_demo_subscribers_are_found_by_the_counter_search(
    database: Database, tmp_path: Path
) -> None:
    _build(database, tmp_path, "dz", subscribers=60, seed=5)
    with database.read() as session:
        subscriber = session.scalars(
            select(Subscriber)
            .where(Subscriber.name_ar.is_not(None), Subscriber.first_name.is_not(None))
            .order_by(Subscriber.id)
        ).first()
        assert subscriber is not None
        invoice = session.scalars(
            select(Invoice).where(Invoice.subscriber_id == subscriber.id)
        ).first()
        line = session.scalars(
            select(Contract.line_e164).where(Contract.subscriber_id == subscriber.id)
        ).first()
    assert subscriber.name_ar is not None and invoice is not None and line is not None
    for query in (
        subscriber.account_number,
        invoice.number,
        invoice.barcode,
        line,
        subscriber.display_name,
        subscriber.name_ar,
    ):
        hits = find_subscribers(database, query, country="DZ").hits
        assert subscriber.id in {hit.subscriber_id for hit in hits}, query


def test_refuses_a_database_that_already_has_an_operator(
    database: Database, tmp_path: Path
) -> None:
    _build(database, tmp_path, "fr", subscribers=20, seed=1)
    with database.read() as session:
        before = session.scalar(select(func.count()).select_from(Subscriber))
    with pytest.raises(ConflictError) as error:
        _build(database, tmp_path, "dz", subscribers=20, seed=1)
    assert error.value.field == "database"
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Subscriber)) == before
        assert session.scalar(select(func.count()).select_from(OperatorSettings)) == 1
        assert session.scalar(select(func.count()).select_from(Agency)) == len(
            PROFILES["fr"].agencies
        )


def test_refuses_an_unknown_profile_or_no_subscribers(database: Database, tmp_path: Path) -> None:
    signer = _signer(database, tmp_path / "key.pem")
    with pytest.raises(ValidationError) as error:
        build_demo(database, signer, profile="xx", subscribers=10, today=TODAY)
    assert error.value.field == "profile"
    with pytest.raises(ValidationError) as error:
        build_demo(database, signer, profile="dz", subscribers=0, today=TODAY)
    assert error.value.field == "subscribers"
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(OperatorSettings)) == 0


def test_background_drawing_hands_its_errors_to_the_writer() -> None:
    class Failing:
        def batches(self, total: int, size: int) -> Iterator[Batch]:
            yield Batch(subscribers=[(1,)])
            raise RuntimeError("drawing failed")

    batches = batches_in_background(Failing(), 10, 5)  # type: ignore[arg-type]
    assert next(batches).subscribers == [(1,)]
    with pytest.raises(RuntimeError, match="drawing failed"):
        next(batches)


def test_background_drawing_stops_when_the_writer_stops() -> None:
    class Endless:
        def batches(self, total: int, size: int) -> Iterator[Batch]:
            while True:
                yield Batch()

    batches = batches_in_background(Endless(), 10, 5)  # type: ignore[arg-type]
    next(batches)
    batches.close()  # joins the drawing thread; a hang here fails the test run
    assert not any(t.name == "demo-population" for t in threading.enumerate())


def _check_tills_counted(database: Database) -> None:
    """Every past till was counted out by its agent and reviewed by the supervisor; a
    till that was off carries the supervisor's reason."""
    from db.models import CashSession, TillCount, TillReview

    with database.read() as session:
        tills = session.scalars(select(CashSession)).all()
        assert tills and all(till.closed_at is not None for till in tills)
        counted = set(session.scalars(select(TillCount.cash_session_id)))
        reviews = session.scalars(select(TillReview)).all()
        assert counted == {till.id for till in tills}
        assert {review.cash_session_id for review in reviews} == counted
        assert all(review.reason for review in reviews if review.difference_minor)
