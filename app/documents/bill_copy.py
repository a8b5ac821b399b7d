"""The duplicate of a bill, for a subscriber whose bill never arrived.

What goes on the copy is gathered and formatted first (:class:`BillCopy`, plain
translated strings); :mod:`app.documents.bill_copy_layout` then draws it. Every
label is translated in the ``language`` asked for, never the process language:
the counter may print an Arabic copy while its screens are in French.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval, format_time
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.config import data_dir
from app.documents.arabic import isolate
from app.documents.bill_copy_layout import render_bill_copy
from app.errors import NotFoundError
from app.i18n import N_, babel_locale, gettext, is_right_to_left
from app.labels import INVOICE_STATUSES, SERVICES
from app.lookup.normalize import phone_for_display
from app.money import currency, format_money
from app.station import StationInfo, load_station
from db.engine import Database
from db.models import Contract, Invoice, Subscriber

DUPLICATE = N_("DUPLICATE")

_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Field:
    """One label and its value; a value may take several lines (Latin and Arabic name)."""

    label: str
    lines: tuple[str, ...]
    strong: bool = False
    amount: bool = False  # aligned on its last digit with the other amounts


@dataclass(frozen=True)
class Section:
    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class BillCopy:
    """Everything printed on the copy, translated and formatted, in reading order."""

    language: str
    right_to_left: bool
    title: str  # document metadata
    operator_name: str
    operator_name_ar: str | None
    agency: str
    printed: str
    mark: str
    sections: tuple[Section, ...]
    barcode: str
    hotline: str | None


def bill_copy_pdf(
    db: Database,
    invoice_number: str,
    *,
    language: str,
    now: datetime,
    copy_of: str = DUPLICATE,
    workstation: str | None = None,
) -> bytes:
    """The PDF (A5 portrait) of a duplicate of the bill ``invoice_number``.

    ``copy_of`` is the msgid of the big mark across the top (mark it with ``N_``
    where it is defined); ``workstation`` (``ALG01-G01``) names the counter that
    prints, whose agency and timezone appear on the copy; without it, the first
    counter of the database (as the sign-in screen does).
    Raises :class:`NotFoundError` for an unknown invoice number.

    Lowest role: none (a read; no actor).
    """
    content = load_bill_copy(
        db, invoice_number, language=language, now=now, copy_of=copy_of, workstation=workstation
    )
    return render_bill_copy(content)


def save_bill_copy(
    db: Database,
    invoice_number: str,
    *,
    language: str,
    now: datetime,
    workstation: str | None = None,
    directory: Path | None = None,
) -> Path:
    """Write the duplicate to ``directory`` (default: ``documents`` in the data folder).

    The file is named after the invoice and the moment, so copies printed for the
    same bill on different days do not overwrite each other. It is written under a
    temporary name and renamed: a PDF viewer opened on the path never sees half a file.

    Lowest role: system (no actor; the counter goes through issue_bill_copy).
    """
    pdf = bill_copy_pdf(db, invoice_number, language=language, now=now, workstation=workstation)
    folder = directory if directory is not None else data_dir() / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    number = _UNSAFE_IN_FILE_NAME.sub("_", invoice_number.strip()) or "invoice"
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"bill-copy-{number}-{stamp}-{language}.pdf"
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(pdf)
    os.replace(partial, path)
    return path


def load_bill_copy(
    db: Database,
    invoice_number: str,
    *,
    language: str,
    now: datetime,
    copy_of: str = DUPLICATE,
    workstation: str | None = None,
) -> BillCopy:
    """What :func:`bill_copy_pdf` prints, before it is drawn (for the screen, or tests).

    Lowest role: none (a read; no actor).
    """
    station = load_station(db, workstation)
    typed = invoice_number.strip()
    with db.read() as session:
        invoice = session.scalars(
            select(Invoice)
            .where(Invoice.number.in_(list(dict.fromkeys((typed, typed.upper())))))
            .options(
                joinedload(Invoice.subscriber),
                joinedload(Invoice.contract).joinedload(Contract.offer),
            )
        ).first()
        if invoice is None:
            raise NotFoundError(
                N_("No invoice with number {number}."), field="invoice_number", number=typed
            )
        return _bill_copy(invoice, station, language, now, copy_of)


def _bill_copy(
    invoice: Invoice, station: StationInfo, language: str, now: datetime, copy_of: str
) -> BillCopy:
    def _(message: str) -> str:
        return gettext(message, language)

    cur = currency(station.currency)
    locale = babel_locale(language, cur.code)
    arabic = language == "ar"
    printed_at = now.astimezone(ZoneInfo(station.timezone))
    subscriber = invoice.subscriber
    contract = invoice.contract

    def day(value: date) -> str:
        return format_date(value, format="long", locale=locale)

    def money(minor: int) -> str:
        return format_money(minor, cur, language)

    line_label, line_value = _line_or_meter(contract, station.country)
    offer = (contract.offer.name_ar if arabic else None) or contract.offer.name
    agency = (station.agency_name_ar if arabic else None) or station.agency_name
    return BillCopy(
        language=language,
        right_to_left=is_right_to_left(language),
        title=f"{_(copy_of)} {invoice.number}",  # PDF metadata: no bidi processing
        operator_name=station.operator_name,
        operator_name_ar=station.operator_name_ar,
        agency=_("Agency: {agency}").format(agency=isolate(agency)),
        printed=_("Printed on {date} at {time}").format(
            date=isolate(day(printed_at.date())),
            time=isolate(format_time(printed_at, "short", locale=locale)),
        ),
        mark=_(copy_of),
        sections=(
            Section(
                _("Subscriber"),
                (
                    Field(_("Name"), _names(subscriber, arabic)),
                    Field(_("Account number"), (subscriber.account_number,)),
                    Field(_("Address"), _address(subscriber)),
                ),
            ),
            Section(
                _("Contract"),
                (
                    Field(_("Contract number"), (contract.number,)),
                    Field(_("Service"), (_(SERVICES.get(contract.service, contract.service)),)),
                    Field(_(line_label), (line_value,)),
                    Field(_("Offer"), (offer,)),
                ),
            ),
            Section(
                _("Bill"),
                (
                    Field(_("Invoice number"), (invoice.number,), strong=True),
                    Field(
                        _("Period"),
                        (
                            format_interval(
                                invoice.period_start, invoice.period_end, "yMMMMd", locale=locale
                            ),
                        ),
                    ),
                    Field(_("Issue date"), (day(invoice.issue_date),)),
                    Field(_("Due date"), (day(invoice.due_date),), strong=True),
                    Field(_("Status"), (_(INVOICE_STATUSES.get(invoice.status, invoice.status)),)),
                ),
            ),
            Section(
                _("Amounts"),
                (
                    Field(_("Amount"), (money(invoice.amount_minor),), amount=True),
                    Field(_("Late fee"), (money(invoice.late_fee_minor),), amount=True),
                    Field(_("Already paid"), (money(invoice.paid_minor),), amount=True),
                    Field(
                        _("Left to pay"),
                        (money(invoice.outstanding_minor),),
                        strong=True,
                        amount=True,
                    ),
                ),
            ),
        ),
        barcode=invoice.barcode,
        hotline=_("Customer service: {hotline}").format(hotline=isolate(station.hotline))
        if station.hotline
        else None,
    )


def _names(subscriber: Subscriber, arabic: bool) -> tuple[str, ...]:
    # Both scripts when both are known, the reader's own script first.
    names = [subscriber.display_name, subscriber.name_ar]
    if arabic:
        names.reverse()
    return tuple(name for name in names if name)


def _address(subscriber: Subscriber) -> tuple[str, ...]:
    town = " ".join(part for part in (subscriber.postal_code, subscriber.city) if part)
    lines = tuple(part for part in (subscriber.address, town) if part)
    return lines or ("—",)


def _line_or_meter(contract: Contract, country: str) -> tuple[str, str]:
    """The label msgid and the value: a line number for telecoms, a meter otherwise."""
    if contract.line_e164:
        return N_("Line number"), phone_for_display(contract.line_e164, country)
    if contract.meter_number:
        return N_("Meter number"), contract.meter_number
    return N_("Line or meter"), "—"
