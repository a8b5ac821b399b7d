"""The X and Z reports of a till laid out as a :class:`Slip`, for the thermal printer and PDF.

One column, as the receipts (:mod:`app.printing.receipt`): who and when, the
receipt numbers, takings per tender, bills against top-ups, voids with who
approved them, reprints, print failures and, for a closed till, the count; the
supervisor's copy adds what the till should have held and the difference.
An agent's copy says the expected figures are the supervisor's instead.

A report printed from the queue is read again when it prints
(:func:`report_job_slip`), so an X shows the figures of that moment and says
when that was. A Z printed again, on paper or as a PDF (:func:`till_report_pdf`),
says DUPLICATE n; every Z print and every report PDF is journaled
(:mod:`app.closing.z_prints`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from app.auth import Actor
from app.closing.till_labels import CLOSED_HOW
from app.context import AppContext
from app.documents.arabic import isolate
from app.i18n import N_, babel_locale, gettext, is_right_to_left
from app.labels import TENDER_KINDS
from app.money import currency, format_money, to_minor
from app.printing.pdf_render import PdfPaper, slip_pdf
from app.printing.queue import ClaimedJob, describe_error
from app.printing.receipt import COPY_MARK
from app.printing.slip import Align, Block, Gap, Mark, Pair, Rule, Slip, Text
from app.reports.till_report import (
    ReportKind,
    TillReport,
    blind_till_report,
    parse_report_ref,
    register_report_pdf,
    report_as,
    till_report,
)
from db.models import TenderKind

X_TITLE = N_("X REPORT")
Z_TITLE = N_("Z REPORT")
# Instead of the expected figures, on an agent's copy (the blind count rule).
WITHHELD = N_("What the till should hold and the difference are for the supervisor.")

_JOB_STATES = {
    "failed": N_("not printed"),
    "pending": N_("waiting to print again"),
    "printing": N_("printing"),
}
_MEDIA = {"thermal": N_("paper"), "pdf": N_("PDF")}


def till_report_slip(report: TillReport, language: str, copy_number: int = 0) -> Slip:
    """The report laid out in ``language``; ``copy_number`` n > 0 prints DUPLICATE n."""
    return _ReportLayout(report, language).slip(copy_number)


def combined_slip(slips: list[Slip]) -> Slip:
    """Several reports (the tills of one day) one after the other, as one slip."""
    if len(slips) == 1:
        return slips[0]
    blocks: list[Block] = []
    for index, slip in enumerate(slips):
        if index:
            blocks += [Gap(), Rule(heavy=True), Gap()]
        blocks += slip.blocks
    first = slips[0]
    return Slip(
        language=first.language,
        right_to_left=first.right_to_left,
        title=" · ".join(slip.title for slip in slips),
        blocks=tuple(blocks),
    )


def report_job_slip(ctx: AppContext, job: ClaimedJob) -> Slip:
    """The slip of a queued report, as its author may read it today.

    Lowest role: system (the print worker; no actor).
    """
    from db.models import PrintJob

    kind, till_id = parse_report_ref(job.document_ref)
    with ctx.db.read() as session:
        row = session.get(PrintJob, job.id)
        author = row.created_by_id if row is not None else None
    report = report_as(ctx, author, till_id, kind)
    return till_report_slip(report, job.language, job.copy_number)


def till_report_pdf(
    ctx: AppContext,
    actor: Actor | None,
    till_ids: list[int],
    kind: ReportKind,
    *,
    language: str,
    paper: PdfPaper = PdfPaper.ROLL_80,
    workstation: str | None = None,
) -> bytes:
    """The X or Z reports of these tills, one after the other, as one PDF; journaled
    (who, which tills, which copy) before it is handed back. A Z's PDF is a copy of
    the Z printed at the close: it says DUPLICATE n.

    ``actor`` None: the command line without a sign-in (no expected figures); a
    supervisor gets them. ``workstation``: where it is written, if at a counter.

    Lowest role: system (the command line); with an actor, what
    :func:`app.reports.till_report.till_report` allows them (an agent, their own tills).
    """
    kind = ReportKind(kind)
    copies = register_report_pdf(
        ctx, actor, till_ids, kind, language=language, workstation=workstation
    )
    slips = []
    for till_id in till_ids:
        report = (
            till_report(ctx, actor, till_id, kind)
            if actor is not None
            else blind_till_report(ctx.db, till_id, kind, now=ctx.now())
        )
        slips.append(till_report_slip(report, language, copies[till_id]))
    return slip_pdf(combined_slip(slips), paper)


class _ReportLayout:
    def __init__(self, report: TillReport, language: str) -> None:
        self.report = report
        self.language = language
        self.cur = currency(report.currency)
        self.locale = babel_locale(language, self.cur.code)
        self.zone = ZoneInfo(report.timezone)

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
        return format_datetime(value.astimezone(self.zone), "short", locale=self.locale)

    def tender(self, kind: str) -> str:
        return gettext(TENDER_KINDS.get(TenderKind(kind), kind), self.language)

    def counted(self, label: str, number: int) -> str:
        """``Cash (12)``: a label and how many lines it totals."""
        return self._("{label} ({count})", label=label, count=number)

    def slip(self, copy_number: int) -> Slip:
        r, _ = self.report, self._
        title = _(X_TITLE if r.kind == ReportKind.X else Z_TITLE)
        blocks: list[Block] = self.header()
        if copy_number:
            blocks.append(Mark(_(COPY_MARK, number=copy_number)))
        blocks.append(Text(title, Align.CENTER, bold=True, large=True))
        blocks.append(
            Text(
                _("Interim report: it closes nothing.")
                if r.kind == ReportKind.X
                else _("Report of the closed till."),
                Align.CENTER,
            )
        )
        blocks += self.identity()
        blocks += self.takings()
        blocks += self.bills_and_topups()
        blocks += self.voids()
        blocks += self.reprints()
        blocks += self.print_failures()
        blocks += self.count()
        blocks += self.footer()
        return Slip(
            language=self.language,
            right_to_left=is_right_to_left(self.language),
            title=f"{title} {r.workstation} #{r.till_id}",
            blocks=tuple(blocks),
            tags=frozenset({"copy"} if copy_number else set()),
        )

    def header(self) -> list[Block]:
        r = self.report
        names = [r.operator_name, r.operator_name_ar]
        if self.language == "ar":
            names.reverse()
        blocks: list[Block] = [
            Text(name, Align.CENTER, bold=index == 0)
            for index, name in enumerate(n for n in names if n)
        ]
        agency = (r.agency_name_ar if self.language == "ar" else None) or r.agency_name
        blocks += [Text(self._("Agency {agency}", agency=agency), Align.CENTER), Rule(heavy=True)]
        return blocks

    def identity(self) -> list[Block]:
        r, _ = self.report, self._
        blocks: list[Block] = [
            Rule(),
            Pair(_("Till"), f"#{r.till_id}", bold=True),
            Pair(_("Counter"), r.workstation),
            Pair(_("Agent"), f"{r.agent_name} ({r.agent_login})"),
            Pair(_("Opened"), self.moment(r.opened_at)),
            Pair(_("Opening float"), self.money(r.opening_float)),
        ]
        if r.closed_at is not None:
            blocks.append(Pair(_("Closed"), self.moment(r.closed_at)))
            how = CLOSED_HOW.get(r.closed_how or "")
            if how:
                blocks.append(Text(gettext(how, self.language), Align.END))
            if r.close_reason:
                blocks.append(Pair(_("Reason"), r.close_reason))
        else:
            blocks.append(Pair(_("Closed"), _("still open")))
        blocks += [
            Pair(_("Figures at"), self.moment(r.generated_at)),
            Pair(_("First receipt"), r.first_receipt or "-"),
            Pair(_("Last receipt"), r.last_receipt or "-"),
        ]
        return blocks

    def takings(self) -> list[Block]:
        r, _ = self.report, self._
        blocks: list[Block] = [
            Rule(),
            Text(_("Takings by tender"), bold=True),
            Pair(self.counted(_("Payments"), r.payments), self.money(r.payments_total)),
        ]
        for line in r.tenders:
            if line.count:
                label = self.counted(self.tender(line.tender), line.count)
                blocks.append(Pair(label, self.money(line.taken)))
                if line.tender == TenderKind.CASH and r.change_given:
                    blocks.append(
                        Text(
                            _("net of {amount} change given", amount=self.money(r.change_given)),
                            Align.END,
                        )
                    )
        if r.voids:
            blocks.append(Pair(self.counted(_("Voids"), r.voids), self.money(-r.voids_total)))
            for line in r.tenders:
                if line.voids:
                    blocks.append(
                        Pair(
                            self.counted(self.tender(line.tender), line.voids),
                            self.money(-line.refunded),
                        )
                    )
        blocks.append(Pair(_("Net taken"), self.money(r.net_total), bold=True, large=True))
        return blocks

    def bills_and_topups(self) -> list[Block]:
        r, _ = self.report, self._
        blocks: list[Block] = [
            Rule(),
            Text(_("Bills and top-ups"), bold=True),
            Pair(self.counted(_("Bills paid"), r.bills_count), self.money(r.bills)),
            Pair(self.counted(_("Top-ups"), r.topups_count), self.money(r.topups)),
        ]
        if r.credit_kept:
            blocks.append(Pair(_("Kept as credit"), self.money(r.credit_kept)))
        if r.credit_used:
            blocks.append(Pair(_("Credit used"), self.money(-r.credit_used)))
        return blocks

    def voids(self) -> list[Block]:
        r, _ = self.report, self._
        if not r.void_lines:
            return []
        blocks: list[Block] = [Rule(), Text(self.counted(_("Voids"), len(r.void_lines)), bold=True)]
        for line in r.void_lines:
            blocks += [
                Pair(line.receipt_no, self.money(-line.amount)),
                Text(_("cancels {receipt_no}", receipt_no=line.original_receipt_no)),
                Text(_("approved by {name}", name=line.approved_by)),
            ]
            if line.reason:
                blocks.append(Text(_("Reason: {reason}", reason=line.reason)))
        return blocks

    def reprints(self) -> list[Block]:
        r, _ = self.report, self._
        if not r.reprints:
            return []
        blocks: list[Block] = [
            Rule(),
            Text(self.counted(_("Receipt copies"), len(r.reprints)), bold=True),
        ]
        for line in r.reprints:
            medium = _MEDIA.get(line.medium)
            blocks.append(Pair(line.receipt_no, self._(COPY_MARK, number=line.copy_number)))
            blocks.append(
                Text(
                    _(
                        "{medium}, {moment}, {login}",
                        medium=gettext(medium, self.language) if medium else line.medium,
                        moment=self.moment(line.at),
                        login=line.issued_by or "-",
                    )
                )
            )
        return blocks

    def print_failures(self) -> list[Block]:
        r, _ = self.report, self._
        if not r.print_failures:
            return []
        blocks: list[Block] = [
            Rule(),
            Text(self.counted(_("Print failures"), len(r.print_failures)), bold=True),
        ]
        for job in r.print_failures:
            state = _JOB_STATES.get(job.status)
            blocks.append(
                Pair(
                    job.document_ref,
                    gettext(state, self.language) if state else job.status,
                )
            )
            reason = describe_error(job.error, self.language)
            blocks.append(
                Text(
                    _(
                        "{attempts} attempt(s): {reason}",
                        attempts=job.attempts,
                        reason=reason or "-",
                    )
                )
            )
        return blocks

    def count(self) -> list[Block]:
        r, _ = self.report, self._
        blocks: list[Block] = [Rule(heavy=True)]
        if r.kind == ReportKind.X and r.review is None:
            blocks.append(Text(_(WITHHELD), Align.CENTER))
            return blocks
        if r.kind == ReportKind.Z or r.count is not None:
            blocks += self.counted_figures()
        if r.review is None:
            if r.count is not None:
                blocks.append(Text(_(WITHHELD)))
            return blocks
        blocks += self.expected()
        return blocks

    def counted_figures(self) -> list[Block]:
        r, _ = self.report, self._
        count = r.count
        if count is None:
            return [Text(_("Not counted."), bold=True)]
        title = _(
            "Count by {login}, {moment}",
            login=count.counted_by,
            moment=self.moment(count.counted_at),
        )
        blocks: list[Block] = [Text(title, bold=True)]
        if r.recounts:
            blocks.append(Text(_("Recount no. {number}", number=r.recounts)))
        if r.review is not None:
            return blocks  # the counted figures come beside the expected ones
        for kind, amount in (
            (TenderKind.CASH, count.cash),
            (TenderKind.CHEQUE, count.cheques),
            (TenderKind.CARD, count.card),
            (TenderKind.POSTAL_TRANSFER, count.postal_transfer),
        ):
            blocks.append(Pair(self.tender(kind), self.money(amount)))
        blocks.append(Pair(_("Total counted"), self.money(count.total), bold=True))
        return blocks

    def expected(self) -> list[Block]:
        r, _ = self.report, self._
        review = r.review
        assert review is not None
        cash = review.cash
        blocks: list[Block] = [
            Rule(),
            Text(_("Expected cash"), bold=True),
            Pair(_("Opening float"), self.money(cash.opening_float)),
            Pair(_("Cash taken"), self.money(cash.cash_tendered)),
            Pair(_("Change given"), self.money(-cash.change_given)),
            Pair(_("Refunded by voids"), self.money(-cash.cash_refunded)),
        ]
        for label, amount, sign in (
            (_("Float top-ups"), cash.top_ups, 1),
            (_("Drops to the safe"), cash.drops, -1),
            (_("Bank deposits"), cash.deposits, -1),
        ):
            if amount:
                blocks.append(Pair(label, self.money(sign * amount)))
        blocks.append(Pair(_("Expected cash"), self.money(cash.expected), bold=True))
        blocks += [Rule(), Text(_("Expected and counted"), bold=True)]
        for line in review.tenders:
            if not line.expected and not line.counted:
                continue  # a tender nobody used nor counted
            blocks.append(Text(self.tender(line.tender), bold=True))
            blocks.append(Pair(_("Expected"), self.money(line.expected)))
            if line.counted is not None and line.difference is not None:
                blocks.append(Pair(_("Counted"), self.money(line.counted)))
                blocks.append(Pair(_("Difference"), self.money(line.difference)))
        if review.difference is not None:
            blocks.append(Pair(_("Total difference"), self.money(review.difference), bold=True))
        for cheque in review.cheques_not_counted:
            blocks.append(
                Text(
                    _(
                        "Cheque {number} ({bank}, {amount}) was not in the count.",
                        number=cheque.number,
                        bank=cheque.bank,
                        amount=self.money(cheque.amount),
                    )
                )
            )
        if review.reviewed_by is not None and review.reviewed_at is not None:
            blocks.append(
                Text(
                    _(
                        "Reviewed by {login}, {moment}",
                        login=review.reviewed_by,
                        moment=self.moment(review.reviewed_at),
                    )
                )
            )
            if review.review_reason:
                blocks.append(Text(_("Reason: {reason}", reason=review.review_reason)))
        elif r.closed_at is not None:
            blocks.append(Text(_("Not reviewed yet.")))
        return blocks

    def footer(self) -> list[Block]:
        _ = self._
        blocks: list[Block] = [Rule()]
        if self.report.kind == ReportKind.Z:
            blocks += [
                Gap(),
                Text(_("Agent's signature"), Align.START),
                Gap(2),
                Text(_("Supervisor's signature"), Align.START),
                Gap(2),
            ]
        blocks.append(Text(_("End of report"), Align.CENTER))
        return blocks
