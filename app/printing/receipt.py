"""The receipt of a payment or a void: what the customer keeps, as one :class:`Slip`.

:func:`load_receipt` reads everything a receipt shows (the payment as the ledger
holds it, the operator, agency and agent, the balance right after the payment,
the signed QR proof); :func:`receipt_slip` lays it out in the language asked
for. A copy says DUPLICATA with its number; a void says ANNULATION and names
the receipt it cancels. The same slip goes to the thermal printer, the PDF and
the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.billing.late_delivery import WaivedLateFee, waived_by_payment
from app.documents.arabic import isolate
from app.i18n import N_, babel_locale, gettext, is_right_to_left
from app.integrity.keys import Signer
from app.integrity.receipt_proof import ReceiptProof, make_proof
from app.labels import TENDER_KINDS
from app.money import currency, format_money, from_minor, to_minor
from app.payments.summary import PaymentSummary, load_payment, summarize
from app.printing.slip import Align, Block, Gap, Logo, Mark, Pair, QRCode, Rule, Slip, Text
from app.workstations import operator_settings, workstation_ref
from db.engine import Database
from db.models import (
    Allocation,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentKind,
    PrintJob,
    PrintJobKind,
    TenderKind,
)

# The marks across the top of a slip; French operators print them in French whatever
# the language, so they are msgids like any other and translated per slip.
COPY_MARK = N_("DUPLICATE {number}")
VOID_MARK = N_("CANCELLATION")

SIGNATURE_SHOWN = 16  # characters of the ledger signature printed under the QR code


@dataclass(frozen=True)
class ReceiptDocument:
    """Everything a receipt prints, read once; laid out per language by receipt_slip."""

    summary: PaymentSummary
    operator_name: str
    operator_name_ar: str | None
    logo_png: bytes | None
    hotline: str | None
    footer: str | None
    agency_name: str
    agency_name_ar: str | None
    agency_address: str | None
    workstation: str
    timezone: str
    country: str
    agent_name: str
    approved_by_name: str | None
    subscriber_name_ar: str | None
    void_reason: str | None
    voided_by: str | None  # the receipt number of a later void of this payment
    balance_after: Decimal  # left to pay on all the subscriber's bills, right after
    proof: ReceiptProof
    # Late fees this payment waived on bills delivered late (app.billing.late_delivery).
    late_fees_waived: tuple[WaivedLateFee, ...] = ()

    @property
    def is_void(self) -> bool:
        return self.summary.kind == PaymentKind.VOID

    @property
    def moves_cash(self) -> bool:
        """Cash goes into the drawer (a payment) or out of it (a void's refund)."""
        return any(t.kind == "cash" and t.amount for t in self.summary.tenders)


def load_receipt(
    db: Database, signer: Signer, *, receipt_no: str | None = None, payment_id: int | None = None
) -> ReceiptDocument:
    """A receipt as printed, read back from the database.

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        payment = load_payment(session, payment_id=payment_id, receipt_no=receipt_no)
        return receipt_document(session, signer, payment)


def printed_language(db: Database, receipt_no: str, copy_number: int = 0) -> str | None:
    """The language the receipt (or its copy n) was queued to print in, if it was.

    The screen shows a receipt as the customer got it: in the customer's language,
    which need not be the agent's.

    Lowest role: none (a read; no actor).
    """
    with db.read() as session:
        return session.scalars(
            select(PrintJob.language)
            .join(Payment, Payment.id == PrintJob.payment_id)
            .where(
                Payment.receipt_no == receipt_no.strip().upper(),
                PrintJob.kind == PrintJobKind.RECEIPT,
                PrintJob.copy_number == copy_number,
            )
            .order_by(PrintJob.id)
        ).first()


def receipt_document(session: Session, signer: Signer, payment: Payment) -> ReceiptDocument:
    """The document of ``payment``, inside the caller's transaction."""
    summary = summarize(session, payment)
    settings = operator_settings(session)
    agency = payment.workstation.agency
    cur = currency(payment.currency)
    net = summary.tendered - summary.change
    voided_by = session.scalar(
        select(Payment.receipt_no).where(Payment.voids_payment_id == payment.id)
    )
    address = ", ".join(part for part in (agency.address, agency.city) if part) or None
    return ReceiptDocument(
        summary=summary,
        operator_name=settings.name,
        operator_name_ar=settings.name_ar,
        logo_png=settings.logo_png,
        hotline=settings.hotline,
        footer=settings.receipt_footer,
        agency_name=agency.name,
        agency_name_ar=agency.name_ar,
        agency_address=address,
        workstation=workstation_ref(agency.code, payment.workstation.code),
        timezone=agency.timezone or settings.timezone,
        country=settings.country,
        agent_name=payment.agent.full_name,
        approved_by_name=payment.approved_by.full_name if payment.approved_by else None,
        subscriber_name_ar=payment.subscriber.name_ar,
        void_reason=payment.reason,
        voided_by=voided_by,
        balance_after=_balance_after(session, payment, cur.code),
        proof=make_proof(
            signer,
            receipt_no=payment.receipt_no,
            issued_at=payment.created_at,
            amount=net,
            currency=payment.currency,
        ),
        late_fees_waived=(
            waived_by_payment(
                session,
                payment.uid,
                [allocation.invoice_id for allocation in payment.allocations],
                payment.currency,
            )
            if payment.kind == PaymentKind.PAYMENT
            else ()
        ),
    )


def _balance_after(session: Session, payment: Payment, currency_code: str) -> Decimal:
    """What the subscriber still owed on all bills right after this payment.

    Today's balance plus what later payments (and voids, negatively) took off:
    the figure stays the one printed on the original when a copy is made later.
    """
    cur = currency(currency_code)
    invoices = session.scalars(
        select(Invoice).where(
            Invoice.subscriber_id == payment.subscriber_id,
            Invoice.status != InvoiceStatus.CANCELLED,
        )
    )
    outstanding = sum(invoice.outstanding_minor for invoice in invoices)
    later = session.scalar(
        select(func.coalesce(func.sum(Allocation.amount_minor), 0))
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(Payment.subscriber_id == payment.subscriber_id, Payment.id > payment.id)
    )
    return from_minor(outstanding + int(later or 0), cur)


def receipt_slip(document: ReceiptDocument, language: str, copy_number: int = 0) -> Slip:
    """The receipt laid out in ``language``; ``copy_number`` 0 is the original."""
    return _ReceiptLayout(document, language).slip(copy_number)


class _ReceiptLayout:
    def __init__(self, document: ReceiptDocument, language: str) -> None:
        self.doc = document
        self.language = language
        self.arabic = language == "ar"
        self.cur = currency(document.summary.currency)
        self.locale = babel_locale(language, self.cur.code)

    def _(self, message: str, **params: object) -> str:
        text = gettext(message, self.language)
        if params:
            text = text.format(**{k: isolate(str(v)) for k, v in params.items()})
        return text

    def money(self, amount: Decimal) -> str:
        return format_money(
            to_minor(amount, self.cur, allow_zero=True, allow_negative=True),
            self.cur,
            self.language,
        )

    def moment(self, value: datetime) -> str:
        local = value.astimezone(ZoneInfo(self.doc.timezone))
        return format_datetime(local, "short", locale=self.locale)

    def slip(self, copy_number: int) -> Slip:
        doc, s, _ = self.doc, self.doc.summary, self._
        blocks: list[Block] = []
        blocks += self.header()
        if copy_number:
            blocks.append(Mark(_(COPY_MARK, number=copy_number)))
        if doc.is_void:
            blocks.append(Mark(_(VOID_MARK)))
        title = _("Void receipt") if doc.is_void else _("Payment receipt")
        blocks += [
            Text(title, Align.CENTER, bold=True, large=True),
            Pair(_("Receipt no."), s.receipt_no, bold=True),
            Pair(_("Date"), self.moment(s.created_at)),
            *self.business_day(),
            Pair(_("Counter"), doc.workstation),
            Pair(_("Agent"), doc.agent_name),
            Rule(),
            Pair(_("Subscriber"), s.subscriber_name),
        ]
        if doc.subscriber_name_ar:
            blocks.append(Text(doc.subscriber_name_ar, Align.END))
        blocks.append(Pair(_("Account"), s.account_number))
        if doc.is_void:
            blocks += self.void_details()
        blocks += self.bills()
        blocks += self.topups()
        blocks += self.tenders()
        blocks += self.balances()
        for contract in s.reconnections:
            blocks += [
                Rule(),
                Text(
                    _(
                        "Line {contract} was suspended: its reconnection has been requested.",
                        contract=contract,
                    ),
                    bold=True,
                ),
            ]
        blocks += self.footer()
        return Slip(
            language=self.language,
            right_to_left=is_right_to_left(self.language),
            title=f"{title} {s.receipt_no}",
            blocks=tuple(blocks),
            # The drawer opens for the cash of an original, taken in or handed back by a
            # void, never for a copy.
            open_drawer=copy_number == 0 and doc.moves_cash,
            tags=frozenset({"copy"} if copy_number else set()),
        )

    def business_day(self) -> list[Block]:
        """The business day, when the payment was made after its own day was closed."""
        day = self.doc.summary.business_day
        made_on = self.doc.summary.created_at.astimezone(ZoneInfo(self.doc.timezone)).date()
        if day is None or day == made_on:
            return []
        return [Pair(self._("Business day"), format_date(day, "full", locale=self.locale))]

    def header(self) -> list[Block]:
        doc = self.doc
        blocks: list[Block] = []
        if doc.logo_png:
            blocks.append(Logo(doc.logo_png))
        names = [doc.operator_name, doc.operator_name_ar]
        if self.arabic:
            names.reverse()
        for index, name in enumerate(n for n in names if n):
            blocks.append(Text(name, Align.CENTER, bold=index == 0, large=index == 0))
        agency = (doc.agency_name_ar if self.arabic else None) or doc.agency_name
        blocks.append(Text(self._("Agency {agency}", agency=agency), Align.CENTER))
        if doc.agency_address:
            blocks.append(Text(doc.agency_address, Align.CENTER))
        blocks.append(Rule(heavy=True))
        return blocks

    def void_details(self) -> list[Block]:
        doc, _ = self.doc, self._
        blocks: list[Block] = [
            Rule(),
            Text(
                _(
                    "This receipt cancels receipt {receipt_no}.",
                    receipt_no=doc.summary.voids_receipt_no,
                ),
                bold=True,
            ),
        ]
        if doc.void_reason:
            blocks.append(Pair(_("Reason"), doc.void_reason))
        if doc.approved_by_name:
            blocks.append(Pair(_("Approved by"), doc.approved_by_name))
        return blocks

    def bills(self) -> list[Block]:
        s, _ = self.doc.summary, self._
        if not s.allocations:
            return []
        blocks: list[Block] = [Rule(), Text(_("Bills paid"), bold=True)]
        for line in s.allocations:
            period = _(
                "{start} to {end}",
                start=format_date(line.period_start, "short", locale=self.locale),
                end=format_date(line.period_end, "short", locale=self.locale),
            )
            blocks.append(Pair(line.invoice_number, self.money(line.amount)))
            blocks.append(Text(period))
            blocks += self.late_fee_waived(line.invoice_number)
            if line.left_after and not self.doc.is_void:
                blocks.append(Pair(_("Left to pay on this bill"), self.money(line.left_after)))
        return blocks

    def late_fee_waived(self, invoice_number: str) -> list[Block]:
        """The late fee waived on a bill delivered late, in the customer's language."""
        return [
            Text(
                self._(
                    "Late fee of {amount} waived: bill delivered late on {date}",
                    amount=self.money(waived.amount),
                    date=format_date(waived.delivered_on, "short", locale=self.locale),
                )
            )
            for waived in self.doc.late_fees_waived
            if waived.invoice_number == invoice_number
        ]

    def topups(self) -> list[Block]:
        s, _ = self.doc.summary, self._
        if not s.topup_lines:
            return []
        blocks: list[Block] = [Rule(), Text(_("Top-ups"), bold=True)]
        for line in s.topup_lines:
            name = line.product_name
            if line.quantity > 1:
                name = _("{product} × {quantity}", product=name, quantity=line.quantity)
            blocks.append(Pair(name, self.money(line.amount)))
            blocks.append(Text(_("For {number}", number=line.target_number)))
        return blocks

    def tenders(self) -> list[Block]:
        s, _ = self.doc.summary, self._
        total = s.allocated + s.topups
        blocks: list[Block] = [
            Rule(heavy=True),
            Pair(_("Total"), self.money(total), bold=True, large=True),
        ]
        for tender in s.tenders:
            blocks.append(
                Pair(
                    gettext(TENDER_KINDS.get(TenderKind(tender.kind), tender.kind), self.language),
                    self.money(tender.amount),
                )
            )
            if tender.reference:
                blocks.append(Text(_("Reference {reference}", reference=tender.reference)))
        if s.credit_used:
            blocks.append(Pair(_("Credit used"), self.money(s.credit_used)))
        if s.change:
            blocks.append(Pair(_("Change given"), self.money(s.change), bold=True))
        if s.credit_added:
            blocks.append(Pair(_("Kept as credit"), self.money(s.credit_added)))
        return blocks

    def balances(self) -> list[Block]:
        s, _ = self.doc.summary, self._
        return [
            Rule(),
            Pair(_("Left to pay on the account"), self.money(self.doc.balance_after), bold=True),
            Pair(_("Credit on the account"), self.money(s.credit_balance_after)),
        ]

    def footer(self) -> list[Block]:
        doc, _ = self.doc, self._
        blocks: list[Block] = [Rule()]
        if doc.voided_by and not doc.is_void:
            blocks.append(
                Text(
                    _("Cancelled by receipt {receipt_no}.", receipt_no=doc.voided_by),
                    Align.CENTER,
                    bold=True,
                )
            )
        if doc.hotline:
            blocks.append(Text(_("Customer service: {hotline}", hotline=doc.hotline), Align.CENTER))
        if doc.footer:
            blocks.append(Text(doc.footer, Align.CENTER))
        blocks += [
            Gap(),
            QRCode(doc.proof.text),
            Text(
                _("Signature {signature}", signature=doc.summary.signature[:SIGNATURE_SHOWN]),
                Align.CENTER,
            ),
            Text(_("Keep this receipt."), Align.CENTER),
        ]
        return blocks
