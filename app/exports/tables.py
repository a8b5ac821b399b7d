"""Every exported file and its columns, in order, with what each column means.

The column names are identifiers the billing and accounting systems map once:
they are never translated. ``docs/export.md`` lists the same files and columns
(a test keeps the two alike).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection

from app.exports import queries
from app.exports.scope import ExportScope

Rows = Callable[[Connection, ExportScope], Iterator[queries.Row]]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, amount, int, date, instant, bool
    meaning: str


@dataclass(frozen=True)
class ExportTable:
    file: str
    meaning: str
    columns: tuple[Column, ...]
    rows: Rows

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def _c(name: str, kind: str, meaning: str) -> Column:
    return Column(name, kind, meaning)


RECEIPT = _c("receipt_no", "text", "receipt number of the payment or void (AGENCY-WS-NNNNNN)")
KIND = _c("kind", "text", "payment, or void (a reversing entry: its amounts are negative)")
BUSINESS_DAY = _c("business_day", "date", "the agency's business day the entry belongs to")
AGENCY = _c("agency", "text", "agency code")
CURRENCY = _c("currency", "text", "ISO 4217 code (DZD, TND, EUR)")
WORKSTATION = _c("workstation", "text", "counter (AGENCY-WS)")
TILL = _c("till", "int", "the till (cash session) number")
ACCOUNT = _c("subscriber_account", "text", "the subscriber's account number")
LOCAL_DATE = _c("local_date", "date", "the date at the agency when it was made")

TABLES: tuple[ExportTable, ...] = (
    ExportTable(
        "payments.csv",
        "one row per ledger entry: each payment and each void",
        (
            RECEIPT,
            KIND,
            _c("voids_receipt_no", "text", "for a void, the receipt it cancels"),
            BUSINESS_DAY,
            _c("created_at", "instant", "when it was recorded (UTC)"),
            AGENCY,
            WORKSTATION,
            TILL,
            _c("agent", "text", "login of the agent who took it"),
            _c("approved_by", "text", "for a void, login of the approving supervisor"),
            ACCOUNT,
            CURRENCY,
            _c("tendered", "amount", "total of the tenders"),
            _c("change", "amount", "change handed back in cash"),
            _c("takings", "amount", "tendered less change: what stayed in the till"),
            _c("bills", "amount", "paid on invoices (see allocations.csv)"),
            _c("topups", "amount", "prepaid top-ups sold (see topups.csv)"),
            _c("credit_used", "amount", "account credit used"),
            _c("credit_added", "amount", "left on the account as credit"),
            _c("key_id", "text", "id of the key that signed the entry"),
            _c("signature", "text", "the entry's Ed25519 signature (base64)"),
        ),
        queries.payments,
    ),
    ExportTable(
        "allocations.csv",
        "what each payment paid on each invoice (negative for a void: the invoice is open again)",
        (
            RECEIPT,
            KIND,
            BUSINESS_DAY,
            AGENCY,
            ACCOUNT,
            _c("position", "int", "line number within the receipt"),
            _c("invoice_number", "text", "the billing system's invoice number"),
            CURRENCY,
            _c("amount", "amount", "amount cleared on the invoice"),
        ),
        queries.allocations,
    ),
    ExportTable(
        "tenders.csv",
        "how each payment was paid",
        (
            RECEIPT,
            KIND,
            BUSINESS_DAY,
            AGENCY,
            _c("position", "int", "line number within the receipt"),
            _c("tender", "text", "cash, cheque, card or postal_transfer"),
            CURRENCY,
            _c("amount", "amount", "amount of the tender (cash before change)"),
            _c("cheque_number", "text", "cheque number"),
            _c("bank", "text", "bank of the cheque"),
            _c("authorisation_code", "text", "card authorisation code"),
            _c("transfer_reference", "text", "postal transfer (CCP) reference"),
        ),
        queries.tenders,
    ),
    ExportTable(
        "topups.csv",
        "prepaid top-ups sold with a payment",
        (
            RECEIPT,
            KIND,
            BUSINESS_DAY,
            AGENCY,
            _c("position", "int", "line number within the receipt"),
            _c("product", "text", "prepaid product code"),
            _c("target_number", "text", "number credited"),
            _c("quantity", "int", "how many"),
            CURRENCY,
            _c("unit_price", "amount", "price of one"),
            _c("amount", "amount", "quantity times unit price (negative for a void)"),
        ),
        queries.topups,
    ),
    ExportTable(
        "voids.csv",
        "each void with the receipt it cancels and who approved it",
        (
            RECEIPT,
            BUSINESS_DAY,
            _c("created_at", "instant", "when the void was recorded (UTC)"),
            AGENCY,
            WORKSTATION,
            _c("agent", "text", "login of the agent who asked for it"),
            _c("approved_by", "text", "login of the supervisor who approved it"),
            _c("reason", "text", "the reason given"),
            ACCOUNT,
            _c("original_receipt_no", "text", "the receipt it cancels"),
            _c("original_business_day", "date", "business day of the cancelled receipt"),
            CURRENCY,
            _c("takings", "amount", "money handed back (negative)"),
        ),
        queries.voids,
    ),
    ExportTable(
        "cash_movements.csv",
        "cash taken out of a till (drop to the safe, bank deposit) or put in (float top-up)",
        (
            _c("movement_id", "int", "the movement's number"),
            LOCAL_DATE,
            _c("occurred_at", "instant", "when (UTC)"),
            AGENCY,
            WORKSTATION,
            TILL,
            _c("movement", "text", "drop, deposit or top_up"),
            CURRENCY,
            _c("amount", "amount", "always positive; the movement says which way"),
            _c("recorded_by", "text", "login of who recorded it"),
            _c("approved_by", "text", "login of the approving supervisor"),
            _c("reason", "text", "the reason given"),
            _c("reference", "text", "deposit slip or safe bag seal"),
        ),
        queries.cash_movements,
    ),
    ExportTable(
        "till_counts.csv",
        "each count of a till: the float at opening, the blind count at closing, a recount",
        (
            _c("count_id", "int", "the count's number"),
            LOCAL_DATE,
            _c("counted_at", "instant", "when (UTC)"),
            AGENCY,
            WORKSTATION,
            TILL,
            _c("seq", "int", "1, 2, ... within the till"),
            _c("purpose", "text", "opening, closing or recount"),
            _c("counted_by", "text", "login of who counted"),
            CURRENCY,
            _c("cash", "amount", "cash counted"),
            _c("cheque", "amount", "cheques listed"),
            _c("card", "amount", "card slips total"),
            _c("postal_transfer", "amount", "postal transfers total"),
            _c("card_slips", "int", "number of card slips"),
            _c("postal_transfers", "int", "number of postal transfers"),
        ),
        queries.till_counts,
    ),
    ExportTable(
        "till_reviews.csv",
        "the supervisor's review of a closed till: expected against counted",
        (
            TILL,
            LOCAL_DATE,
            _c("reviewed_at", "instant", "when (UTC)"),
            AGENCY,
            WORKSTATION,
            _c("count_id", "int", "the count reviewed (till_counts.csv)"),
            _c("reviewed_by", "text", "login of the supervisor"),
            CURRENCY,
            _c("expected_cash", "amount", "cash the till should have held"),
            _c("expected_cheque", "amount", "cheques it should have held"),
            _c("expected_card", "amount", "card payments it should have held"),
            _c("expected_postal_transfer", "amount", "postal transfers it should have held"),
            _c("difference", "amount", "counted less expected, over every tender"),
            _c("reason", "text", "the supervisor's reason for a difference"),
        ),
        queries.till_reviews,
    ),
    ExportTable(
        "closings.csv",
        "the signed closings (daily, monthly, yearly) whose whole period is in the export",
        (
            AGENCY,
            _c("closing", "text", "daily, monthly or yearly"),
            _c("period_start", "date", "first day of the period"),
            _c("period_end", "date", "last day of the period"),
            _c("closed_at", "instant", "when (UTC)"),
            _c("closed_by", "text", "login of the closing supervisor"),
            _c("automatic", "bool", "an empty day closed with a later one"),
            CURRENCY,
            _c("payments_count", "int", "number of payments"),
            _c("payments_total", "amount", "takings of the payments"),
            _c("voids_count", "int", "number of voids"),
            _c("voids_total", "amount", "money handed back by voids (negative)"),
            _c("bills", "amount", "paid on invoices"),
            _c("topups", "amount", "top-ups sold"),
            _c("credit", "amount", "credit added less credit used"),
            _c("period_total", "amount", "payments total plus voids total"),
            _c("perpetual_total", "amount", "grand total since the agency's first day"),
            _c(
                "perpetual_absolute",
                "amount",
                "grand total with voids counted in absolute value",
            ),
            _c("seq", "int", "place in the agency's chain of closings"),
            _c("key_id", "text", "id of the key that signed the closing"),
            _c("signature", "text", "the closing's Ed25519 signature (base64)"),
        ),
        queries.closings,
    ),
)
