"""All models, imported here so that metadata and Alembic see every table."""

from db.models.base import Base
from db.models.billing import Invoice, PrepaidProduct
from db.models.closings import Closing, ClosingKind
from db.models.enums import (
    ContractStatus,
    InvoiceStatus,
    PaymentKind,
    PhoneKind,
    Role,
    ServiceType,
    TenderKind,
    WorkstationKind,
)
from db.models.journal import JOURNAL_CHAIN, ChainHead, JournalEvent
from db.models.leases import WorkstationLease
from db.models.organisation import (
    Agency,
    AgencyDayException,
    OpeningHours,
    OperatorSettings,
    ReceiptSeries,
    SigningKey,
    Workstation,
)
from db.models.payments import (
    Allocation,
    CashSession,
    Payment,
    ReconnectionRequest,
    Tender,
    TopUpSale,
)
from db.models.printing import PrintJob, PrintJobKind, PrintJobStatus, ReceiptCopy
from db.models.staff import Staff
from db.models.subscribers import Contract, Offer, Subscriber, SubscriberPhone
from db.models.tills import CashMovement, TillCount, TillCountLine, TillReview

__all__ = [
    "JOURNAL_CHAIN",
    "Agency",
    "AgencyDayException",
    "Allocation",
    "Base",
    "CashMovement",
    "CashSession",
    "ChainHead",
    "Closing",
    "ClosingKind",
    "Contract",
    "ContractStatus",
    "Invoice",
    "InvoiceStatus",
    "JournalEvent",
    "Offer",
    "OpeningHours",
    "OperatorSettings",
    "Payment",
    "PaymentKind",
    "PhoneKind",
    "PrepaidProduct",
    "PrintJob",
    "PrintJobKind",
    "PrintJobStatus",
    "ReceiptCopy",
    "ReceiptSeries",
    "ReconnectionRequest",
    "Role",
    "ServiceType",
    "SigningKey",
    "Staff",
    "Subscriber",
    "SubscriberPhone",
    "Tender",
    "TenderKind",
    "TillCount",
    "TillCountLine",
    "TillReview",
    "TopUpSale",
    "Workstation",
    "WorkstationKind",
    "WorkstationLease",
]
