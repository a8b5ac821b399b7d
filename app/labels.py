"""Human names of the domain's closed vocabularies, for screens, receipts and the CLI."""

from __future__ import annotations

from typing import Any

from app.i18n import N_, gettext
from db.models import ContractStatus, InvoiceStatus, PaymentKind, Role, ServiceType, TenderKind

TENDER_KINDS = {
    TenderKind.CASH: N_("Cash"),
    TenderKind.CHEQUE: N_("Cheque"),
    TenderKind.CARD: N_("Card"),
    TenderKind.POSTAL_TRANSFER: N_("Postal transfer"),
}
PAYMENT_KINDS = {PaymentKind.PAYMENT: N_("Payment"), PaymentKind.VOID: N_("Void")}
CONTRACT_STATUSES = {
    ContractStatus.PENDING_ACTIVATION: N_("Pending activation"),
    ContractStatus.ACTIVE: N_("Active"),
    ContractStatus.SUSPENDED: N_("Suspended"),
    ContractStatus.TERMINATED: N_("Terminated"),
}
INVOICE_STATUSES = {
    InvoiceStatus.OPEN: N_("Open"),
    InvoiceStatus.PARTLY_PAID: N_("Partly paid"),
    InvoiceStatus.PAID: N_("Paid"),
    InvoiceStatus.CANCELLED: N_("Cancelled"),
}
SERVICES = {
    ServiceType.FIXED_LINE: N_("Fixed line"),
    ServiceType.ADSL: N_("ADSL"),
    ServiceType.FTTH: N_("Fibre (FTTH)"),
    ServiceType.LTE: N_("4G LTE"),
    ServiceType.MOBILE: N_("Mobile"),
    ServiceType.ELECTRICITY: N_("Electricity"),
    ServiceType.GAS: N_("Gas"),
    ServiceType.WATER: N_("Water"),
}
ROLES = {
    Role.AGENT: N_("Agent"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.ADMIN: N_("Administrator"),
}


def label(vocabulary: dict[Any, str], value: object) -> str:
    """The translated name of ``value``, or the value itself if it is not in the vocabulary."""
    message = vocabulary.get(value)
    return gettext(message) if message else str(value)
