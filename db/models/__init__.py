"""All models, imported here so that metadata and Alembic see every table."""

from db.models.base import Base
from db.models.billing import Invoice, PrepaidProduct
from db.models.charter import (
    Charter,
    CharterCommitment,
    CommitmentClock,
    CompensationRuleKind,
    HolidayDecision,
)
from db.models.closings import Closing, ClosingKind
from db.models.compensation import (
    COMPENSATION_CHAIN,
    ClaimStatus,
    Compensation,
    CompensationClaim,
    CompensationKind,
    CompensationSource,
    Outage,
    OutageScope,
)
from db.models.complaints import (
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintStatus,
)
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
from db.models.outside_payments import (
    OUTSIDE_PAYMENT_CHAIN,
    OutsidePayment,
    OutsidePaymentChannel,
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
    "COMPENSATION_CHAIN",
    "JOURNAL_CHAIN",
    "OUTSIDE_PAYMENT_CHAIN",
    "Agency",
    "AgencyDayException",
    "Allocation",
    "Base",
    "CashMovement",
    "CashSession",
    "ChainHead",
    "Charter",
    "CharterCommitment",
    "ClaimStatus",
    "Closing",
    "ClosingKind",
    "CommitmentClock",
    "Compensation",
    "CompensationClaim",
    "CompensationKind",
    "CompensationRuleKind",
    "CompensationSource",
    "Complaint",
    "ComplaintCategory",
    "ComplaintChannel",
    "ComplaintEvent",
    "ComplaintStatus",
    "Contract",
    "ContractStatus",
    "HolidayDecision",
    "Invoice",
    "InvoiceStatus",
    "JournalEvent",
    "Offer",
    "OpeningHours",
    "OperatorSettings",
    "Outage",
    "OutageScope",
    "OutsidePayment",
    "OutsidePaymentChannel",
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
