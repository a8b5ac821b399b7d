"""Closed vocabularies of the domain, stored as short strings."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class WorkstationKind(StrEnum):
    COUNTER = "counter"
    KIOSK = "kiosk"


class ServiceType(StrEnum):
    FIXED_LINE = "fixed_line"
    ADSL = "adsl"
    FTTH = "ftth"
    LTE = "lte"
    MOBILE = "mobile"
    ELECTRICITY = "electricity"
    GAS = "gas"
    WATER = "water"


class ContractStatus(StrEnum):
    PENDING_ACTIVATION = "pending_activation"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    CANCELLED = "cancelled"


class TenderKind(StrEnum):
    CASH = "cash"
    CHEQUE = "cheque"
    CARD = "card"
    POSTAL_TRANSFER = "postal_transfer"


class PaymentKind(StrEnum):
    PAYMENT = "payment"
    VOID = "void"


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    FIXED = "fixed"
