"""The kinds of file the billing system sends: their columns, natural key and cells.

A kind is recognised from its header (or forced with ``--kind``): the kind whose
required columns are all there, the most specific first. Column names are matched
without case, blanks or accents' worth of difference (``Account Number`` and
``account_number`` are the same column). The README documents every column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.i18n import N_
from app.imports.values import (
    ValueProblem,
    parse_amount,
    parse_choice,
    parse_code,
    parse_date,
    parse_flag,
    parse_moment,
    parse_phone,
    parse_places,
    parse_text,
)
from db.models import ContractStatus, OutageScope, OutsidePaymentChannel, ServiceType


@dataclass(frozen=True)
class Terms:
    """What a cell's meaning depends on: the operator's currency and country."""

    digits: int
    country: str
    timezone: str = "UTC"  # the operator's: a date and time without offset is read in it


Parser = Callable[[str, Terms], Any]


def _code(limit: int) -> Parser:
    return lambda text, _terms: parse_code(text, limit)


def _text(limit: int) -> Parser:
    return lambda text, _terms: parse_text(text, limit)


def _amount(text: str, terms: Terms) -> int:
    return parse_amount(text, terms.digits)


def _positive_amount(text: str, terms: Terms) -> int:
    value = parse_amount(text, terms.digits)
    if value < 0:
        raise ValueProblem(N_("negative"))
    return value


def _date(text: str, _terms: Terms) -> Any:
    return parse_date(text)


def _phone(text: str, terms: Terms) -> str:
    return parse_phone(text, terms.country)


def _moment(text: str, terms: Terms) -> Any:
    return parse_moment(text, terms.timezone)


def _places(text: str, _terms: Terms) -> tuple[str, ...]:
    return parse_places(text)


# Guichet numbers the outages a supervisor records INT-<year>-<n>: a reference of the
# network system in that shape would pass for one of them (and upset their numbering).
GUICHET_OUTAGE_PREFIX = "INT-"


def _outage_ref(text: str, _terms: Terms) -> str:
    ref = parse_code(text, 32).upper()
    if ref.startswith(GUICHET_OUTAGE_PREFIX):
        raise ValueProblem(
            N_("INT- is how Guichet numbers its own outages: give the network system's reference")
        )
    return ref


def _choice(choices: tuple[str, ...]) -> Parser:
    return lambda text, _terms: parse_choice(text, choices)


def _flag(text: str, _terms: Terms) -> bool:
    return parse_flag(text)


def _language(text: str, _terms: Terms) -> str:
    return parse_choice(text, ("fr", "ar", "en"))


SERVICES = tuple(service.value for service in ServiceType)
STATUSES = tuple(status.value for status in ContractStatus)


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = False


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # msgid, plural noun ("subscribers")
    key: str  # the natural key's column
    columns: tuple[Column, ...]
    # Kinds whose records this kind refers to: they are applied first.
    order: int = 0
    # Update-only kinds change records another kind created; they create nothing.
    update_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)


def _req(name: str, parse: Parser) -> Column:
    return Column(name, parse, required=True)


OFFERS = Kind(
    "offers",
    N_("offers"),
    "offer_code",
    (
        _req("offer_code", _code(32)),
        _req("name", _text(200)),
        Column("name_ar", _text(200)),
        _req("service", _choice(SERVICES)),
        _req("monthly_fee", _positive_amount),
    ),
    order=1,
)
PRODUCTS = Kind(
    "products",
    N_("prepaid products"),
    "product_code",
    (
        _req("product_code", _code(32)),
        _req("name", _text(200)),
        Column("name_ar", _text(200)),
        _req("service", _choice(SERVICES)),
        _req("face_value", _positive_amount),
        Column("active", _flag),
    ),
    order=1,
)
SUBSCRIBERS = Kind(
    "subscribers",
    N_("subscribers"),
    "account_number",
    (
        _req("account_number", _code(32)),
        _req("last_name", _text(150)),
        Column("first_name", _text(100)),
        Column("name_ar", _text(200)),
        Column("address", _text(300)),
        Column("city", _text(100)),
        Column("postal_code", _text(16)),
        Column("email", _text(200)),
        Column("language", _language),
        Column("mobile", _phone),
        Column("phone", _phone),
        Column("created_on", _date),
    ),
    order=2,
)
CONTRACTS = Kind(
    "contracts",
    N_("contracts"),
    "contract_number",
    (
        _req("contract_number", _code(32)),
        _req("account_number", _code(32)),
        _req("offer_code", _code(32)),
        _req("status", _choice(STATUSES)),
        _req("requested_on", _date),
        Column("service", _choice(SERVICES)),
        Column("line", _phone),
        Column("meter_number", _code(32)),
        Column("confirmed_on", _date),
        Column("activated_on", _date),
        Column("suspended_on", _date),
        Column("terminated_on", _date),
        Column("agency_code", _code(16)),
        Column("commune", _text(100)),
        Column("exchange_code", _code(32)),
    ),
    order=3,
)
INVOICES = Kind(
    "invoices",
    N_("invoices"),
    "invoice_number",
    (
        _req("invoice_number", _code(32)),
        _req("contract_number", _code(32)),
        _req("period_start", _date),
        _req("period_end", _date),
        _req("issue_date", _date),
        _req("due_date", _date),
        _req("amount", _positive_amount),
        _req("barcode", _code(64)),
        Column("delivery_date", _date),
        Column("late_fee", _positive_amount),
    ),
    order=4,
)
DELIVERIES = Kind(
    "deliveries",
    N_("delivery dates"),
    "invoice_number",
    (_req("invoice_number", _code(32)), _req("delivery_date", _date)),
    order=5,
    update_only=True,
)
STATUS_CHANGES = Kind(
    "statuses",
    N_("contract status changes"),
    "contract_number",
    (
        _req("contract_number", _code(32)),
        _req("status", _choice(STATUSES)),
        _req("effective_on", _date),
    ),
    order=5,
    update_only=True,
)
PAYMENTS = Kind(
    "payments",
    N_("outside payments"),
    "payment_reference",
    (
        _req("payment_reference", _code(64)),
        _req("invoice_number", _code(32)),
        _req("amount", _amount),
        _req("channel", _choice(OutsidePaymentChannel.ALL)),
        _req("paid_on", _date),
    ),
    order=6,
)
# Outages reported by the network system: closed (their contracts compensated) in the
# import's transaction once they have an end (app.imports.outages).
OUTAGES = Kind(
    "outages",
    N_("outages"),
    "outage_ref",
    (
        _req("outage_ref", _outage_ref),
        _req("service", _choice(SERVICES)),
        _req("scope", _choice(OutageScope.ALL)),
        _req("where", _places),
        _req("started_at", _moment),
        Column("ended_at", _moment),
        Column("description", _text(2000)),
    ),
    order=7,
)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        OFFERS,
        PRODUCTS,
        SUBSCRIBERS,
        CONTRACTS,
        INVOICES,
        DELIVERIES,
        STATUS_CHANGES,
        PAYMENTS,
        OUTAGES,
    )
}


def column_name(text: str) -> str:
    """A header cell as a column name: ``Account Number`` -> ``account_number``."""
    # A BOM left by a forced "utf-8" (not "utf-8-sig") is not part of the name.
    cleaned = text.replace("\ufeff", "").strip().lower()
    return "_".join(cleaned.replace("-", " ").replace("_", " ").split())


def recognise(header: list[str]) -> tuple[Kind | None, Kind]:
    """The kind the header is of (None if none fits), and the closest kind.

    A kind fits when all its required columns are there; among those that fit the
    one with most required columns wins (``invoice_number, delivery_date`` alone is
    a delivery file, with the bill's other columns an invoice file).
    """
    names = {column_name(cell) for cell in header}
    fitting = [kind for kind in KINDS.values() if set(kind.required) <= names]
    closest = max(
        KINDS.values(),
        key=lambda kind: (len(set(kind.required) & names), -len(kind.required)),
    )
    if not fitting:
        return None, closest
    return max(fitting, key=lambda kind: len(kind.required)), closest
