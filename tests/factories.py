"""A small, fully known world for service tests: one operator, agency, workstation,
an agent and a supervisor, a subscriber with lines and invoices, top-up products."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from app.auth import Actor, add_user
from app.cash import open_cash_session
from app.context import AppContext
from app.integrity.keys import create_signer
from app.lookup.normalize import search_name_for
from db.engine import Database
from db.models import (
    Agency,
    Contract,
    ContractStatus,
    Invoice,
    InvoiceStatus,
    Offer,
    OpeningHours,
    OperatorSettings,
    PrepaidProduct,
    ReceiptSeries,
    ServiceType,
    Subscriber,
    SubscriberPhone,
    Workstation,
    WorkstationKind,
)

TODAY = date(2026, 11, 21)  # a Saturday: agencies open
NOW = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)
WORKSTATION = "ALG01-G01"
PASSWORD = "correct horse battery"


@dataclass
class World:
    ctx: AppContext
    agent: Actor
    supervisor: Actor
    other_agent: Actor
    currency: str

    @property
    def db(self) -> Database:
        return self.ctx.db


class FrozenClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def build_world(database: Database, key_dir: Path, currency: str = "DZD") -> World:
    signer = create_signer(key_dir / "signing-key.pem")
    ctx = AppContext(database, signer, FrozenClock())
    with database.write() as session:
        signer.register(session)
        session.add(
            OperatorSettings(
                code="AT",
                name="Algérie Télécom",
                name_ar="اتصالات الجزائر",
                country="DZ",
                currency=currency,
                default_language="fr",
                timezone="Africa/Algiers",
                hotline="12",
                receipt_footer="Merci de votre visite",
            )
        )
        agency = Agency(
            code="ALG01", name="Alger Centre", name_ar="الجزائر الوسطى", timezone="Africa/Algiers"
        )
        session.add(agency)
        for weekday in range(6):  # Sunday..Thursday in Algeria, plus Saturday mornings
            session.add(
                OpeningHours(agency=agency, weekday=weekday, opens_at=time(8), closes_at=time(16))
            )
        for code in ("G01", "G02"):
            series = ReceiptSeries(code=f"ALG01-{code}")
            session.add(
                Workstation(
                    agency=agency,
                    code=code,
                    name=f"Guichet {code}",
                    kind=WorkstationKind.COUNTER,
                    series=series,
                )
            )
        session.add_all(
            [
                PrepaidProduct(
                    code="MOB500",
                    name="Recharge mobile 500",
                    service=ServiceType.MOBILE,
                    face_value_minor=50000,
                ),
                PrepaidProduct(
                    code="LTE1000",
                    name="Recharge 4G 1000",
                    service=ServiceType.LTE,
                    face_value_minor=100000,
                ),
            ]
        )
    agent = add_user(ctx, "amina", role="agent", password=PASSWORD, full_name="Amina Kaci")
    supervisor = add_user(
        ctx, "karim", role="supervisor", password=PASSWORD, full_name="Karim Haddad"
    )
    other_agent = add_user(
        ctx, "yacine", role="agent", password=PASSWORD, full_name="Yacine Mansouri"
    )
    open_cash_session(ctx, agent, WORKSTATION, Decimal("5000"))
    open_cash_session(ctx, other_agent, "ALG01-G02", Decimal("5000"))
    return World(ctx, agent, supervisor, other_agent, currency)


def add_subscriber(
    database: Database,
    account: str,
    *,
    invoices: list[tuple[str, int, date]] = (),  # type: ignore[assignment]
    first_name: str = "Hélène",
    last_name: str = "Benali",
    name_ar: str | None = "هيلين بن علي",
    phone: str | None = None,
    status: ContractStatus = ContractStatus.ACTIVE,
    line: str | None = None,
) -> int:
    """A subscriber with one line and the given invoices (number, amount in minor units, due date)."""
    with database.write() as session:
        offer = session.query(Offer).filter_by(code="IDOOM").first()
        if offer is None:
            offer = Offer(
                code="IDOOM",
                name="Idoom ADSL 8 Mo",
                service=ServiceType.ADSL,
                monthly_fee_minor=160000,
            )
            session.add(offer)
        subscriber = Subscriber(
            account_number=account,
            first_name=first_name,
            last_name=last_name,
            name_ar=name_ar,
            search_name=search_name_for(first_name, last_name, name_ar),
            created_on=date(2020, 1, 1),
            city="Alger",
        )
        session.add(subscriber)
        if phone:
            session.add(SubscriberPhone(subscriber=subscriber, number_e164=phone, kind="mobile"))
        contract = Contract(
            number=f"C{account}",
            subscriber=subscriber,
            service=ServiceType.ADSL,
            line_e164=line,
            offer=offer,
            status=status,
            requested_on=date(2020, 1, 1),
            activated_on=date(2020, 1, 10),
            suspended_on=date(2026, 10, 1) if status == ContractStatus.SUSPENDED else None,
        )
        session.add(contract)
        for number, amount, due in invoices:
            session.add(
                Invoice(
                    number=number,
                    contract=contract,
                    subscriber=subscriber,
                    period_start=date(due.year, due.month, 1),
                    period_end=due,
                    issue_date=due.replace(day=1),
                    delivery_date=due.replace(day=2),
                    due_date=due,
                    amount_minor=amount,
                    late_fee_minor=0,
                    paid_minor=0,
                    status=InvoiceStatus.OPEN,
                    barcode=f"BC{number}",
                )
            )
        session.flush()
        return subscriber.id
