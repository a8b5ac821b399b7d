"""Small builders for subscribers, contracts and invoices in lookup tests.

Only the columns a lookup reads get meaningful values; the rest are plausible
constants so that each test states just what it is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from app.lookup.normalize import search_name_for
from db.models import (
    Contract,
    ContractStatus,
    Invoice,
    InvoiceStatus,
    Offer,
    PhoneKind,
    ServiceType,
    Subscriber,
    SubscriberPhone,
)


def add_offer(
    session: Session, code: str = "FTTH-100", service: ServiceType = ServiceType.FTTH
) -> Offer:
    offer = Offer(code=code, name=f"Offer {code}", service=service, monthly_fee_minor=250_000)
    session.add(offer)
    session.flush()
    return offer


def add_subscriber(
    session: Session,
    account_number: str,
    *,
    first_name: str | None,
    last_name: str,
    name_ar: str | None = None,
    city: str | None = None,
    phones: Iterable[str] = (),
) -> Subscriber:
    subscriber = Subscriber(
        account_number=account_number,
        first_name=first_name,
        last_name=last_name,
        name_ar=name_ar,
        search_name=search_name_for(first_name, last_name, name_ar),
        city=city,
        created_on=date(2024, 1, 15),
    )
    session.add(subscriber)
    session.flush()
    for number in phones:
        kind = PhoneKind.MOBILE if number[4:5] in "5679" else PhoneKind.FIXED
        session.add(SubscriberPhone(subscriber_id=subscriber.id, number_e164=number, kind=kind))
    session.flush()
    return subscriber


def add_contract(
    session: Session,
    subscriber: Subscriber,
    offer: Offer,
    number: str,
    *,
    line_e164: str | None = None,
    meter_number: str | None = None,
    status: ContractStatus = ContractStatus.ACTIVE,
) -> Contract:
    contract = Contract(
        number=number,
        subscriber_id=subscriber.id,
        service=offer.service,
        line_e164=line_e164,
        meter_number=meter_number,
        offer_id=offer.id,
        status=status,
        requested_on=date(2024, 1, 15),
        activated_on=date(2024, 1, 20),
    )
    session.add(contract)
    session.flush()
    return contract


def add_invoice(session: Session, contract: Contract, number: str, *, barcode: str) -> Invoice:
    invoice = Invoice(
        number=number,
        contract_id=contract.id,
        subscriber_id=contract.subscriber_id,
        period_start=date(2024, 9, 1),
        period_end=date(2024, 9, 30),
        issue_date=date(2024, 10, 2),
        due_date=date(2024, 10, 31),
        amount_minor=345_000,
        late_fee_minor=0,
        paid_minor=0,
        status=InvoiceStatus.OPEN,
        barcode=barcode,
    )
    session.add(invoice)
    session.flush()
    return invoice
