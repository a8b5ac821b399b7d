"""Subscribers, their phones, offers and contracts (lines and meters)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base
from db.models.enums import ContractStatus, PhoneKind, ServiceType


class Subscriber(Base):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_number: Mapped[str] = mapped_column(String(32), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(150))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    # Latin and Arabic names folded for search (no accents, no tashkeel, lower case).
    search_name: Mapped[str] = mapped_column(String(400))
    address: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(5))
    created_on: Mapped[date] = mapped_column(Date)

    phones: Mapped[list[SubscriberPhone]] = relationship(
        back_populates="subscriber", order_by="SubscriberPhone.id"
    )
    contracts: Mapped[list[Contract]] = relationship(
        back_populates="subscriber", order_by="Contract.id"
    )

    @property
    def display_name(self) -> str:
        return self.display_name_of(self.first_name, self.last_name)

    @staticmethod
    def display_name_of(first_name: str | None, last_name: str | None) -> str:
        return " ".join(part for part in (first_name, last_name) if part)


class SubscriberPhone(Base):
    __tablename__ = "subscriber_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    number_e164: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[PhoneKind] = mapped_column(String(8))

    subscriber: Mapped[Subscriber] = relationship(back_populates="phones")


class Offer(Base):
    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    service: Mapped[ServiceType] = mapped_column(String(16))
    monthly_fee_minor: Mapped[int] = mapped_column(BigInteger)


class Contract(Base):
    """A line (telephone, internet) or a meter (electricity, gas, water)."""

    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    service: Mapped[ServiceType] = mapped_column(String(16))
    line_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    meter_number: Mapped[str | None] = mapped_column(String(32), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"))
    status: Mapped[ContractStatus] = mapped_column(String(24))
    requested_on: Mapped[date] = mapped_column(Date)
    # The day the line was confirmed (order accepted, technically feasible): the
    # charter's activation deadline runs from here.
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    activated_on: Mapped[date | None] = mapped_column(Date)
    suspended_on: Mapped[date | None] = mapped_column(Date)
    terminated_on: Mapped[date | None] = mapped_column(Date)
    reconnection_requested_at: Mapped[datetime | None]
    # Where the line is: the agency serving it, its commune and its exchange (an
    # outage is recorded against any of these, or a list of lines).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    commune: Mapped[str | None] = mapped_column(String(100), index=True)
    exchange_code: Mapped[str | None] = mapped_column(String(32), index=True)

    subscriber: Mapped[Subscriber] = relationship(back_populates="contracts")
    offer: Mapped[Offer] = relationship()
