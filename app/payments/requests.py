"""What the counter asks the payment service for, and its validation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from app.errors import ValidationError
from app.i18n import N_
from app.integrity.canonical import canonical_bytes
from app.money import Currency, to_minor
from db.models import TenderKind


@dataclass(frozen=True)
class TenderInput:
    kind: TenderKind
    amount: Decimal
    cheque_number: str | None = None
    bank: str | None = None
    authorisation_code: str | None = None
    transfer_reference: str | None = None


@dataclass(frozen=True)
class TopUpInput:
    product_code: str
    target_number: str
    quantity: int = 1


@dataclass(frozen=True)
class PaymentRequest:
    """One customer's payment at one workstation.

    ``idempotency_key`` is made by the caller before the first attempt (when the
    payment dialog opens) and sent again on every retry. ``invoice_numbers``
    None means every open invoice, oldest due first; ``amount`` None means
    everything due, as far as the tenders go.
    """

    idempotency_key: str
    account_number: str
    workstation: str
    tenders: tuple[TenderInput, ...]
    invoice_numbers: tuple[str, ...] | None = None
    amount: Decimal | None = None
    topups: tuple[TopUpInput, ...] = field(default=())
    use_credit: bool = True
    keep_change_as_credit: bool = False
    # The language the customer reads; None: the subscriber's, else the operator's.
    # Not part of the fingerprint: a retry in another language is the same payment.
    receipt_language: str | None = None

    def fingerprint(self) -> str:
        """A hash of everything but the key: the same key must come with the same request."""
        content = {
            "account": self.account_number.strip().upper(),
            "workstation": self.workstation.strip().upper(),
            "tenders": [
                {
                    "kind": str(t.kind),
                    "amount": str(Decimal(t.amount).normalize()),
                    "cheque": t.cheque_number,
                    "bank": t.bank,
                    "authorisation": t.authorisation_code,
                    "transfer": t.transfer_reference,
                }
                for t in self.tenders
            ],
            "invoices": list(self.invoice_numbers) if self.invoice_numbers is not None else None,
            "amount": str(Decimal(self.amount).normalize()) if self.amount is not None else None,
            "topups": [[t.product_code, t.target_number, t.quantity] for t in self.topups],
            "use_credit": self.use_credit,
            "keep_change_as_credit": self.keep_change_as_credit,
        }
        return hashlib.sha256(canonical_bytes(content)).hexdigest()


def _required(value: str | None, field_name: str, message: str, index: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(message, field=field_name, index=index)
    return text


@dataclass(frozen=True)
class CheckedTender:
    kind: TenderKind
    amount_minor: int
    cheque_number: str | None
    bank: str | None
    authorisation_code: str | None
    transfer_reference: str | None


def check_tenders(tenders: tuple[TenderInput, ...], cur: Currency) -> list[CheckedTender]:
    """Validate each tender and convert it to minor units; errors name the tender."""
    checked = []
    for index, tender in enumerate(tenders, start=1):
        prefix = f"tenders[{index}]"
        try:
            kind = TenderKind(tender.kind)
        except ValueError:
            raise ValidationError(
                N_("Tender {index}: unknown kind {kind}."),
                field=f"{prefix}.kind",
                index=index,
                kind=tender.kind,
            ) from None
        amount = to_minor(tender.amount, cur, field=f"{prefix}.amount")
        cheque_number = bank = authorisation = transfer = None
        if kind == TenderKind.CHEQUE:
            cheque_number = _required(
                tender.cheque_number,
                f"{prefix}.cheque_number",
                N_("Tender {index}: enter the cheque number."),
                index,
            )
            bank = _required(
                tender.bank, f"{prefix}.bank", N_("Tender {index}: enter the cheque's bank."), index
            )
        elif kind == TenderKind.CARD:
            authorisation = _required(
                tender.authorisation_code,
                f"{prefix}.authorisation_code",
                N_("Tender {index}: enter the card authorisation code."),
                index,
            )
        elif kind == TenderKind.POSTAL_TRANSFER:
            transfer = _required(
                tender.transfer_reference,
                f"{prefix}.transfer_reference",
                N_("Tender {index}: enter the postal transfer reference."),
                index,
            )
        checked.append(CheckedTender(kind, amount, cheque_number, bank, authorisation, transfer))
    return checked


def check_request_shape(request: PaymentRequest) -> None:
    key = request.idempotency_key.strip()
    if not key or len(key) > 80:
        raise ValidationError(
            N_("The payment has no valid idempotency key."), field="idempotency_key"
        )
    if not request.account_number.strip():
        raise ValidationError(N_("Enter the account number."), field="account_number")
    for index, topup in enumerate(request.topups, start=1):
        if topup.quantity < 1:
            raise ValidationError(
                N_("Top-up {index}: the quantity must be at least 1."),
                field=f"topups[{index}].quantity",
                index=index,
            )
        if not topup.target_number.strip():
            raise ValidationError(
                N_("Top-up {index}: enter the number to top up."),
                field=f"topups[{index}].target_number",
                index=index,
            )
