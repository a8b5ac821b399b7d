"""The slips other than receipts, and turning any print job back into its slip.

A job stores what to print (a receipt number and copy number, an invoice
number, a test page), never the rendered bytes: a job redirected to a printer
with narrower paper or another profile is rendered again for that printer.
"""

from __future__ import annotations

import platform
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from app.context import AppContext
from app.documents.arabic import isolate
from app.documents.bill_copy import BillCopy, load_bill_copy
from app.i18n import babel_locale, gettext, is_right_to_left
from app.printing.escpos_capabilities import get_profile
from app.printing.escpos_render import PrinterModel
from app.printing.queue import ClaimedJob
from app.printing.receipt import load_receipt, receipt_slip
from app.printing.slip import Align, Block, Gap, Mark, Pair, QRCode, Rule, Slip, Text
from app.printing.till_report_slip import report_job_slip
from app.station import load_station
from db.models import PrintJobKind

# Letters and signs a French, English or Arabic receipt uses: the test page prints
# them so IT sees at once whether the code page and the Arabic image are right.
FRENCH_SAMPLE = "àâäçéèêëîïôöùûüÿœæ ÀÉÈÇŒ « » € 0123456789"
ARABIC_SAMPLE = "أبجد هوز حطي كلمن — الدينار الجزائري ١٢٣ 123"


def bill_copy_slip(copy: BillCopy) -> Slip:
    """The duplicate bill on thermal paper: the A5 copy's sections, one column."""
    blocks: list[Block] = [Text(copy.operator_name, Align.CENTER, bold=True, large=True)]
    if copy.operator_name_ar:
        blocks.append(Text(copy.operator_name_ar, Align.CENTER))
    blocks += [Text(copy.agency, Align.CENTER), Rule(heavy=True), Mark(copy.mark)]
    for section in copy.sections:
        blocks.append(Text(section.title, bold=True))
        for field in section.fields:
            first, *rest = field.lines
            blocks.append(Pair(field.label, first, bold=field.strong))
            blocks.extend(Text(line, Align.END) for line in rest)
        blocks.append(Rule())
    blocks.append(Text(copy.printed, Align.CENTER))
    if copy.hotline:
        blocks.append(Text(copy.hotline, Align.CENTER))
    return Slip(
        language=copy.language,
        right_to_left=copy.right_to_left,
        title=copy.title,
        blocks=tuple(blocks),
    )


def test_page_slip(
    *,
    operator_name: str,
    workstation: str,
    printer_uri: str,
    model: PrinterModel,
    language: str,
    timezone: str,
    now: datetime,
) -> Slip:
    """What IT prints to check a printer: who, where, paper, code page, Arabic, QR, cut."""

    def _(message: str, **params: object) -> str:
        text = gettext(message, language)
        return text.format(**{k: isolate(str(v)) for k, v in params.items()}) if params else text

    profile = get_profile(model.profile).profile_data
    moment = format_datetime(
        now.astimezone(ZoneInfo(timezone)), "short", locale=babel_locale(language)
    )
    blocks: list[Block] = [
        Text(operator_name, Align.CENTER, bold=True, large=True),
        Mark(_("TEST PAGE")),
        Pair(_("Counter"), workstation),
        Pair(_("Printer"), printer_uri),
        Pair(_("Model"), f"{model.profile} ({profile.get('name', model.profile)})"),
        Pair(_("Paper"), _("{width} mm, {dots} dots", width=model.paper_width_mm, dots=model.dots)),
        Pair(_("Date"), moment),
        Pair(_("Computer"), platform.node() or "-"),
        Rule(),
        Text(_("French letters:"), bold=True),
        Text(FRENCH_SAMPLE),
        Text(_("Arabic letters:"), bold=True),
        Text(ARABIC_SAMPLE, Align.END),
        Rule(),
        Text(_("Bold, large"), bold=True, large=True),
        Text("|" + "-" * (model.columns - 2) + "|"),
        Gap(),
        QRCode(f"GUICHET-TEST|{workstation}|{printer_uri}"),
        Text(_("If you can read every line above, the printer is ready."), Align.CENTER),
    ]
    return Slip(
        language=language,
        right_to_left=is_right_to_left(language),
        title=_("Test page"),
        blocks=tuple(blocks),
    )


def job_slip(ctx: AppContext, job: ClaimedJob, model: PrinterModel, now: datetime) -> Slip:
    """The slip a print job prints, read again from the database.

    Lowest role: system (the print worker; no actor).
    """
    if job.kind == PrintJobKind.RECEIPT:
        document = load_receipt(ctx.db, ctx.signer, payment_id=job.payment_id)
        return receipt_slip(document, job.language, job.copy_number)
    if job.kind == PrintJobKind.BILL_COPY:
        copy = load_bill_copy(
            ctx.db,
            job.document_ref,
            language=job.language,
            now=now,
            workstation=job.workstation or None,
        )
        return bill_copy_slip(copy)
    if job.kind == PrintJobKind.TILL_REPORT:
        return report_job_slip(ctx, job)
    # Imported here: each capability's slip module imports the printing package itself.
    if job.kind == PrintJobKind.COMPLAINT_SLIP:
        from app.complaints.slip import complaint_job_slip

        return complaint_job_slip(ctx, job)
    if job.kind == PrintJobKind.COMPENSATION_NOTICE:
        from app.compensation.notice import notice_job_slip

        return notice_job_slip(ctx, job)
    station = load_station(ctx.db, job.workstation or None)
    return test_page_slip(
        operator_name=station.operator_name,
        workstation=station.ref,
        printer_uri=job.printer_uri or "-",
        model=model,
        language=job.language,
        timezone=station.timezone,
        now=now,
    )
