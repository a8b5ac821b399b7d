"""The proof printed as a QR code on every receipt, checkable with the public key alone.

The ledger's own signature covers the whole payment record, which a customer
holding a paper receipt does not have. So the receipt carries a second, short
statement signed with the same key: receipt number, instant, amount paid and
currency. Anyone with the public key (``python main.py key show``) can check it,
without the database; with the database, ``verify-receipt`` also checks that the
ledger holds that receipt with those figures and says whether it was voided.

Ed25519 signatures are deterministic, so a duplicate printed a year later
carries exactly the QR code of the original.

The text is ASCII, ``|``-separated, and signed over everything before its last
``|``::

    GCH1|ALG01-G01-000123|20261122T091403Z|1234.56|DZD|ab12cd34ef56ab12|<signature>
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from app.errors import ValidationError
from app.i18n import N_
from app.integrity.keys import Signer, Verifier

PREFIX = "GCH1"
_INSTANT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class ReceiptProof:
    receipt_no: str
    issued_at: datetime  # to the second, UTC
    amount: Decimal  # what the customer paid, net of change; negative on a void
    currency: str
    key_id: str
    signature: str  # base64url without padding

    @property
    def statement(self) -> str:
        """The signed part of the text."""
        return "|".join(
            (
                PREFIX,
                self.receipt_no,
                self.issued_at.astimezone(UTC).strftime(_INSTANT),
                format(self.amount, "f"),
                self.currency,
                self.key_id,
            )
        )

    @property
    def text(self) -> str:
        return f"{self.statement}|{self.signature}"


def make_proof(
    signer: Signer, *, receipt_no: str, issued_at: datetime, amount: Decimal, currency: str
) -> ReceiptProof:
    unsigned = ReceiptProof(
        receipt_no=receipt_no,
        issued_at=issued_at.astimezone(UTC).replace(microsecond=0),
        amount=amount,
        currency=currency,
        key_id=signer.key_id,
        signature="",
    )
    raw = base64.b64decode(signer.sign(unsigned.statement.encode("ascii")))
    signature = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
    return ReceiptProof(**{**unsigned.__dict__, "signature": signature})


def parse_proof(text: str) -> ReceiptProof:
    """Read the text of a receipt's QR code; a malformed text names what is wrong."""
    parts = text.strip().split("|")
    if len(parts) != 7 or parts[0] != PREFIX:
        raise ValidationError(
            N_(
                "This is not a Guichet receipt code (it should start with {prefix}| and have 7 parts)."
            ),
            field="qr_text",
            prefix=PREFIX,
        )
    _prefix, receipt_no, instant, amount, currency, key_id, signature = parts
    try:
        issued_at = datetime.strptime(instant, _INSTANT).replace(tzinfo=UTC)
    except ValueError:
        raise ValidationError(
            N_("The receipt code's date {value} is not a date."), field="qr_text", value=instant
        ) from None
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise ValidationError(
            N_("The receipt code's amount {value} is not an amount."), field="qr_text", value=amount
        ) from None
    return ReceiptProof(receipt_no, issued_at, value, currency, key_id, signature)


def signature_holds(proof: ReceiptProof, verifier: Verifier) -> bool:
    if proof.key_id != verifier.key_id:
        return False
    padded = proof.signature + "=" * (-len(proof.signature) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded)
    except ValueError:
        return False
    standard = base64.b64encode(raw).decode("ascii")
    return verifier.verify(standard, proof.statement.encode("ascii"))
