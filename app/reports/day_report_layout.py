"""Drawing a :class:`~app.reports.day_report.DayReport` on A4 pages, in the reader's language.

The report runs over as many pages as its tables need (reportlab's platypus
breaks them and repeats their header rows). Text is drawn as in
:mod:`app.documents.bill_copy_layout`: each line shaped and put in visual order
(:mod:`app.documents.arabic`), and on an Arabic page everything starts at the
right margin: titles, and the tables, whose columns run from right to left.
The per-hour chart is drawn with reportlab's graphics (a vertical bar chart);
its hour axis runs left to right in every language, as clocks and time axes do.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import cast

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from app.closing.till_labels import CLOSED_HOW
from app.compensation.queries import COMPENSATION_KINDS
from app.complaints.labels import CATEGORIES, STATUSES
from app.documents.arabic import isolate, visual
from app.documents.fonts import Fonts, document_fonts
from app.documents.page import Align, Page
from app.i18n import N_, babel_locale, format_count, gettext, is_right_to_left
from app.labels import TENDER_KINDS
from app.money import currency, format_money, to_minor
from app.printing.queue import describe_error
from app.reports.day_report import DayReport

MARGIN = 15 * mm
INK = HexColor("#1a1a1a")
MUTED = HexColor("#5a5a5a")
RULE = HexColor("#b8b8b8")
ACCENT = HexColor("#1f4e79")
MARK = HexColor("#b3261e")
HEADER_FILL = HexColor("#e4ebf2")
BAND = HexColor("#f4f6f9")
BAR = HexColor("#2f6fa8")
WATERMARK = Color(0.7, 0.15, 0.12, alpha=0.06)

TITLE = N_("End-of-day report")
PROVISIONAL = N_("PROVISIONAL")
PRINT_STATUSES = {
    "pending": N_("waiting for another try"),
    "printing": N_("printing"),
    "printed": N_("printed"),
    "failed": N_("failed"),
}
MEDIA = {"thermal": N_("receipt printer"), "pdf": N_("PDF")}


class _Line(Flowable):
    """One line of text, drawn in the page's reading direction."""

    def __init__(
        self,
        text: str,
        font: str,
        size: float,
        *,
        rtl: bool,
        color: Color = INK,
        align: Align = "start",
        space_before: float = 0,
    ) -> None:
        super().__init__()
        self.text, self.font, self.size = text, font, size
        self.rtl, self.color, self.align = rtl, color, align
        self.spaceBefore = space_before
        self.spaceAfter = 0

    def wrap(self, available_width: float, _available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.size * 1.35

    def draw(self) -> None:
        page = Page(self.canv, self.rtl, 0, self.width)
        offset = {"start": 0.0, "end": self.width, "center": self.width / 2}[self.align]
        page.draw(
            self.text,
            offset=offset,
            y=self.size * 0.3,
            font=self.font,
            size=self.size,
            align=self.align,
            color=self.color,
        )


class _Writer:
    """Formats and lays out the report in one language."""

    def __init__(self, report: DayReport, language: str) -> None:
        self.report = report
        self.language = language
        self.rtl = is_right_to_left(language)
        self.fonts: Fonts = document_fonts()
        self.currency = currency(report.currency)
        self.locale = babel_locale(language, report.currency)
        self.width = A4[0] - 2 * MARGIN
        # Measuring only: wrapping a cell needs string widths, not a canvas.
        self.measure = Page(cast(Canvas, None), self.rtl, 0, self.width)

    # -- words and values ------------------------------------------------------------
    def _(self, message: str) -> str:
        return gettext(message, self.language)

    def money(self, amount: Decimal) -> str:
        minor = to_minor(amount, self.currency, allow_zero=True, allow_negative=True)
        return format_money(minor, self.currency, self.language)

    def count(self, value: int) -> str:
        return format_count(value, self.language)

    def time(self, instant: datetime) -> str:
        return format_time(instant.astimezone(self.report.zone), "HH:mm", locale=self.locale)

    def day(self, instant: datetime) -> str:
        return format_date(instant.astimezone(self.report.zone).date(), "long", locale=self.locale)

    # -- blocks ------------------------------------------------------------------------
    def line(
        self,
        text: str,
        *,
        size: float = 9,
        bold: bool = False,
        color: Color = INK,
        align: Align = "start",
        space_before: float = 0,
    ) -> _Line:
        font = self.fonts.bold if bold else self.fonts.regular
        return _Line(
            text, font, size, rtl=self.rtl, color=color, align=align, space_before=space_before
        )

    def heading(self, message: str) -> list[Flowable]:
        space = Spacer(1, 9)
        title = self.line(self._(message), size=11.5, bold=True, color=ACCENT)
        for flowable in (space, title):
            flowable.keepWithNext = True  # never a title alone at the foot of a page
        return [space, title]

    def note(self, text: str) -> _Line:
        """A muted line under a title, kept with what follows it."""
        line = self.line(text, size=8, color=MUTED)
        line.keepWithNext = True
        return line

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        numeric: Sequence[int] = (),
        keep: Sequence[int] = (),
        total: Sequence[str] | None = None,
    ) -> Flowable:
        """A table whose columns run in reading order; ``widths``: shares of the page width,
        ``numeric``: the columns of numbers and amounts (aligned on their last digit),
        ``keep``: other columns never broken (receipt numbers, counters, logins)."""
        if not rows:
            return self.line(self._(N_("None.")), color=MUTED, space_before=2)
        body = [list(header), *(list(row) for row in rows)]
        if total is not None:
            body.append(list(total))
        whole = (*numeric, *keep)
        columns = self._widths(widths, whole, body[1:])
        cells = [
            [
                self.cell(text, columns[i] - 6, bold=r == 0 or (total is not None and r == len(body) - 1),
                          whole=r > 0 and i in whole)
                for i, text in enumerate(row)
            ]
            for r, row in enumerate(body)
        ]  # fmt: skip
        order = list(range(len(columns)))
        if self.rtl:
            order.reverse()
        data = [[row[i] for i in order] for row in cells]
        style = [
            ("FONT", (0, 0), (-1, -1), self.fonts.regular, 8),
            ("FONT", (0, 0), (-1, 0), self.fonts.bold, 8),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, ACCENT),
            ("LINEBELOW", (0, -1), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("ALIGN", (0, 0), (-1, -1), "RIGHT" if self.rtl else "LEFT"),
        ]
        for r in range(2, len(data), 2):
            style.append(("BACKGROUND", (0, r), (-1, r), BAND))
        for column in numeric:
            at = order.index(column)
            style.append(("ALIGN", (at, 0), (at, -1), "RIGHT"))
        if total is not None:
            style += [
                ("FONT", (0, -1), (-1, -1), self.fonts.bold, 8),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, ACCENT),
            ]
        return Table(
            data,
            colWidths=[columns[i] for i in order],
            repeatRows=1,
            style=TableStyle(style),
            hAlign="RIGHT" if self.rtl else "LEFT",
        )

    def _widths(
        self, shares: Sequence[float], whole: Sequence[int], rows: Sequence[Sequence[str]]
    ) -> list[float]:
        """Column widths: a column of amounts (or of references) as wide as its widest
        cell, never broken over two lines; the text columns share what is left."""
        columns = [share * self.width for share in shares]
        for i in whole:
            widest = max(
                (self.measure.text_width(row[i], self.fonts.bold, 8) for row in rows), default=0.0
            )
            columns[i] = max(columns[i], widest + 8)
        text = [i for i in range(len(columns)) if i not in whole]
        room = self.width - sum(columns[i] for i in whole)
        wanted = sum(columns[i] for i in text)
        if text and wanted > room:
            for i in text:
                columns[i] *= room / wanted
        return columns

    def cell(self, text: str, width: float, *, bold: bool = False, whole: bool = False) -> str:
        """A cell's text in visual order, wrapped to its column (logical lines first);
        ``whole``: an amount or a number, never wrapped."""
        font = self.fonts.bold if bold else self.fonts.regular
        if whole or not text:
            return visual(text, right_to_left=self.rtl)
        lines = self.measure.wrap(text, font, 8, width, keep_values=True)
        return "\n".join(visual(line, right_to_left=self.rtl) for line in lines)

    # -- the report --------------------------------------------------------------------
    def story(self) -> list[Flowable]:
        report, _ = self.report, self._
        agency = (report.agency_name_ar if self.rtl else None) or report.agency_name
        operator = (report.operator_name_ar if self.rtl else None) or report.operator_name
        day = format_date(report.day, "full", locale=self.locale)
        story: list[Flowable] = [
            self.line(operator, size=10, bold=True, color=ACCENT),
            self.line(_(TITLE), size=17, bold=True, space_before=4),
            self.line(
                _(N_("Agency {agency} ({code}), business day {day}")).format(
                    agency=isolate(agency), code=isolate(report.agency), day=isolate(day)
                ),
                size=10.5,
                bold=True,
                space_before=2,
            ),
            self.line(
                _(N_("Made on {date} at {time} by {login}; times are those of {zone}.")).format(
                    date=isolate(self.day(report.made_at)),
                    time=isolate(self.time(report.made_at)),
                    login=isolate(report.made_by),
                    zone=isolate(report.timezone),
                ),
                size=8,
                color=MUTED,
                space_before=1,
            ),
            Spacer(1, 6),
        ]
        story += self.status()
        story += self.figures()
        story += self.tenders()
        story += self.compensations()
        story += self.counters()
        story += self.agents()
        story += self.hours()
        story += self.tills()
        story += self.voids()
        story += self.reprints()
        story += self.print_failures()
        story += self.complaints()
        return story

    def status(self) -> list[Flowable]:
        report, _ = self.report, self._
        closing = report.closing
        if closing is None:
            return [
                self.line(_(PROVISIONAL), size=15, bold=True, color=MARK),
                self.line(
                    _(N_("The day is not closed: these figures may still change.")),
                    color=MARK,
                    space_before=1,
                ),
            ]
        return [
            self.line(
                _(N_("Day closed on {date} at {time} by {login}.")).format(
                    date=isolate(self.day(closing.closed_at)),
                    time=isolate(self.time(closing.closed_at)),
                    login=isolate(closing.closed_by),
                ),
                size=10,
                bold=True,
            ),
            Spacer(1, 3),
            self.table(
                (_(N_("The closing")), _(N_("Count")), _(N_("Amount"))),
                (
                    (
                        _(N_("Payments")),
                        self.count(closing.payments),
                        self.money(closing.payments_total),
                    ),
                    (_(N_("Voids")), self.count(closing.voids), self.money(closing.voids_total)),
                    (_(N_("Period total")), "", self.money(closing.period_total)),
                    (_(N_("Perpetual total")), "", self.money(closing.perpetual_total)),
                    (
                        _(N_("Perpetual total, voids in absolute value")),
                        "",
                        self.money(closing.perpetual_absolute),
                    ),
                ),
                (0.55, 0.15, 0.30),
                numeric=(1, 2),
            ),
        ]

    def figures(self) -> list[Flowable]:
        report, _ = self.report, self._
        return [
            *self.heading(N_("The day's figures")),
            self.table(
                ("", _(N_("Count")), _(N_("Amount"))),
                (
                    (
                        _(N_("Payments")),
                        self.count(report.payments),
                        self.money(report.payments_total),
                    ),
                    (_(N_("Voids")), self.count(report.voids), self.money(report.voids_total)),
                    (_(N_("Bills paid")), "", self.money(report.bills_total)),
                    (_(N_("Top-ups sold")), "", self.money(report.topups_total)),
                    (
                        _(N_("Credit kept on accounts, less credit used")),
                        "",
                        self.money(report.credit_total),
                    ),
                ),
                (0.55, 0.15, 0.30),
                numeric=(1, 2),
                total=(_(N_("Takings of the day")), "", self.money(report.period_total)),
            ),
        ]

    def tenders(self) -> list[Flowable]:
        report, _ = self.report, self._
        rows = [
            (_(TENDER_KINDS.get(kind, kind)), self.money(amount))  # type: ignore[call-overload]
            for kind, amount in report.tenders.items()
        ]
        return [
            *self.heading(N_("Per tender")),
            self.note(_(N_("Cash is net of the change given back."))),
            self.table(
                (_(N_("Tender")), _(N_("Amount"))),
                rows,
                (0.55, 0.45),
                numeric=(1,),
                total=(_(N_("Total")), self.money(sum(report.tenders.values(), Decimal(0)))),
            ),
        ]

    def compensations(self) -> list[Flowable]:
        """The charter's compensations of the day, apart from the takings (none: nothing)."""
        report, _ = self.report, self._
        if not report.compensations:
            return []
        rows = [
            (
                _(COMPENSATION_KINDS.get(line.kind, line.kind)),
                self.count(line.count),
                self.money(line.total),
            )
            for line in report.compensations
        ]
        return [
            *self.heading(N_("Compensations")),
            self.note(
                _(N_("What the charter gave customers: not takings, no money in the tills."))
            ),
            self.table(
                (_(N_("Compensation")), _(N_("Count")), _(N_("Amount"))),
                rows,
                (0.55, 0.15, 0.30),
                numeric=(1, 2),
                total=(
                    _(N_("Total")),
                    self.count(sum(line.count for line in report.compensations)),
                    self.money(sum((line.total for line in report.compensations), Decimal(0))),
                ),
            ),
        ]

    def complaints(self) -> list[Flowable]:
        """The complaints opened that day and when the operator must answer each."""
        report, _ = self.report, self._
        if not report.complaints:
            return [*self.heading(N_("Complaints opened")), self.note(_(N_("None.")))]
        rows = [
            (
                isolate(line.number),
                self.time(line.opened_at),
                _(CATEGORIES.get(line.category, line.category)),
                isolate(line.opened_by),
                isolate(line.commitment or "—"),
                self.day(line.due_at) if line.due_at else "—",
                _(STATUSES.get(line.status, line.status)),
            )
            for line in report.complaints
        ]
        return [
            *self.heading(N_("Complaints opened")),
            self.table(
                (
                    _(N_("Complaint")),
                    _(N_("Time")),
                    _(N_("Category")),
                    _(N_("Agent")),
                    _(N_("Commitment")),
                    _(N_("Answer due")),
                    _(N_("Status")),
                ),
                rows,
                (0.2, 0.08, 0.2, 0.11, 0.15, 0.13, 0.13),
            ),
        ]

    def counters(self) -> list[Flowable]:
        report, _ = self.report, self._
        return [
            *self.heading(N_("Per counter")),
            self.table(
                (_(N_("Counter")), _(N_("Payments")), _(N_("Voids")), _(N_("Takings"))),
                [
                    (
                        f"{line.workstation} {line.name}".strip(),
                        self.count(line.payments),
                        self.count(line.voids),
                        self.money(line.total),
                    )
                    for line in report.counters
                ],
                (0.40, 0.15, 0.15, 0.30),
                numeric=(1, 2, 3),
            ),
        ]

    def agents(self) -> list[Flowable]:
        report, _ = self.report, self._
        return [
            *self.heading(N_("Per agent")),
            self.table(
                (_(N_("Agent")), _(N_("Payments")), _(N_("Voids")), _(N_("Takings"))),
                [
                    (
                        f"{line.login} ({line.name})" if line.name else line.login,
                        self.count(line.payments),
                        self.count(line.voids),
                        self.money(line.total),
                    )
                    for line in report.agents
                ],
                (0.40, 0.15, 0.15, 0.30),
                numeric=(1, 2, 3),
            ),
        ]

    def hours(self) -> list[Flowable]:
        report, _ = self.report, self._
        blocks = [*self.heading(N_("Per hour"))]
        if not report.hours:
            return [*blocks, self.line(_(N_("None.")), color=MUTED, space_before=2)]
        blocks.append(
            self.note(_(N_("Takings per hour ({currency})")).format(currency=report.currency))
        )
        blocks.append(self.chart())
        blocks.append(
            self.table(
                (_(N_("Hour")), _(N_("Payments")), _(N_("Voids")), _(N_("Takings"))),
                [
                    (
                        _(N_("{start} to {end}")).format(
                            start=isolate(f"{line.hour:02d}:00"),
                            end=isolate(f"{(line.hour + 1) % 24:02d}:00"),
                        ),
                        self.count(line.payments),
                        self.count(line.voids),
                        self.money(line.total),
                    )
                    for line in report.hours
                ],
                (0.40, 0.15, 0.15, 0.30),
                numeric=(1, 2, 3),
            )
        )
        return blocks

    def chart(self) -> Drawing:
        """Takings per local hour, every hour from the first to the last with a payment."""
        report = self.report
        by_hour = {line.hour: line.total for line in report.hours}
        first, last = min(by_hour), max(by_hour)
        hours = list(range(first, last + 1))
        height = 150.0
        drawing = Drawing(self.width, height)
        chart = VerticalBarChart()
        chart.x, chart.y = 58, 22
        chart.width, chart.height = self.width - 70, height - 34
        # Bar heights are points on the page: a float here is drawing, not money.
        chart.data = [[float(by_hour.get(hour, Decimal(0))) for hour in hours]]
        chart.categoryAxis.categoryNames = [f"{hour:02d}" for hour in hours]
        chart.categoryAxis.labels.fontName = self.fonts.regular
        chart.categoryAxis.labels.fontSize = 7.5
        chart.categoryAxis.labels.dy = -2
        chart.valueAxis.labels.fontName = self.fonts.regular
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = min(0.0, *chart.data[0])  # an hour of voids goes below
        chart.valueAxis.labelTextFormat = self._axis_number
        chart.valueAxis.gridStrokeColor = RULE
        chart.valueAxis.gridStrokeWidth = 0.3
        chart.valueAxis.visibleGrid = True
        chart.bars[0].fillColor = BAR
        chart.bars[0].strokeColor = None
        chart.barSpacing = 1
        chart.groupSpacing = 4
        drawing.add(chart)
        return drawing

    def _axis_number(self, value: float) -> str:
        # Axis steps are round numbers: whole units of the currency are enough.
        return str(format_decimal(round(value), locale=self.locale))

    def tills(self) -> list[Flowable]:
        report, _ = self.report, self._
        rows = []
        for till in report.tills:
            if till.closed_at is None:
                state = _(N_("open"))
            else:
                state = _(CLOSED_HOW.get(till.closed_how or "", N_("closed")))
                if till.close_reason:
                    state += f" ({till.close_reason})"
            if till.reviewed_by is not None:
                why = _(N_("reviewed by {login}")).format(login=isolate(till.reviewed_by))
                if till.reason:
                    why = f"{till.reason}. {why}"
            elif till.counted is not None:
                why = _(N_("not reviewed yet"))
            else:
                why = ""
            rows.append(
                (
                    till.workstation,
                    till.agent,
                    state,
                    self.money(till.counted) if till.counted is not None else "—",
                    self.money(till.expected) if till.expected is not None else "—",
                    self.money(till.difference) if till.difference is not None else "—",
                    why,
                )
            )
        return [
            *self.heading(N_("Tills: counts and differences")),
            self.note(
                _(N_("Every tender as counted, against what the supervisor's review expected."))
            ),
            self.table(
                (
                    _(N_("Counter")),
                    _(N_("Agent")),
                    _(N_("Closed")),
                    _(N_("Counted")),
                    _(N_("Expected")),
                    _(N_("Difference")),
                    _(N_("Reason")),
                ),
                rows,
                (0.11, 0.10, 0.16, 0.14, 0.14, 0.13, 0.22),
                numeric=(3, 4, 5),
                keep=(0, 1),
            ),
        ]

    def voids(self) -> list[Flowable]:
        report, _ = self.report, self._
        return [
            *self.heading(N_("Voids")),
            self.table(
                (
                    _(N_("Time")),
                    _(N_("Void")),
                    _(N_("Cancels")),
                    _(N_("Agent")),
                    _(N_("Approved by")),
                    _(N_("Amount")),
                    _(N_("Reason")),
                ),
                [
                    (
                        self.time(void.at),
                        void.receipt_no,
                        void.original,
                        void.agent,
                        void.approved_by,
                        self.money(void.amount),
                        void.reason,
                    )
                    for void in report.voids_made
                ],
                (0.07, 0.17, 0.17, 0.10, 0.11, 0.15, 0.23),
                numeric=(5,),
                keep=(0, 1, 2, 3, 4),
            ),
        ]

    def reprints(self) -> list[Flowable]:
        report, _ = self.report, self._
        return [
            *self.heading(N_("Reprints")),
            self.table(
                (
                    _(N_("Time")),
                    _(N_("Receipt")),
                    _(N_("Copy")),
                    _(N_("Medium")),
                    _(N_("By")),
                    _(N_("Counter")),
                ),
                [
                    (
                        self.time(copy.at),
                        copy.receipt_no,
                        _(N_("DUPLICATE {number}")).format(number=copy.copy_number),
                        _(MEDIA.get(copy.medium, copy.medium)),
                        copy.issued_by,
                        copy.workstation,
                    )
                    for copy in report.reprints
                ],
                (0.08, 0.22, 0.16, 0.18, 0.14, 0.22),
                keep=(0, 1, 4, 5),
            ),
        ]

    def print_failures(self) -> list[Flowable]:
        report, _ = self.report, self._
        rows = []
        for job in report.print_failures:
            document = job.document
            if job.copy_number:
                document += " · " + _(N_("DUPLICATE {number}")).format(number=job.copy_number)
            rows.append(
                (
                    self.time(job.at),
                    job.workstation,
                    document,
                    self.count(job.attempts),
                    _(PRINT_STATUSES.get(job.status, job.status)),
                    describe_error(job.error, self.language) or "",
                )
            )
        return [
            *self.heading(N_("Print failures")),
            self.table(
                (
                    _(N_("Time")),
                    _(N_("Counter")),
                    _(N_("Document")),
                    _(N_("Attempts")),
                    _(N_("Status")),
                    _(N_("Error")),
                ),
                rows,
                (0.07, 0.11, 0.22, 0.12, 0.16, 0.32),
                numeric=(3,),
                keep=(0, 1),
            ),
        ]

    # -- pages -------------------------------------------------------------------------
    def on_page(self, canvas: Canvas, document: SimpleDocTemplate) -> None:
        report, _ = self.report, self._
        width, height = A4
        page = Page(canvas, self.rtl, MARGIN, width - MARGIN)
        if report.provisional:
            # Across every page, faint: a page torn off still says the day was open.
            text = visual(_(PROVISIONAL), right_to_left=self.rtl)
            canvas.saveState()
            canvas.translate(width / 2, height / 2)
            canvas.rotate(55)
            canvas.setFillColor(WATERMARK)
            canvas.setFont(self.fonts.bold, 78)
            canvas.drawCentredString(0, -26, text)
            canvas.restoreState()
        page.rule(MARGIN - 4, color=RULE)
        footer = _(N_("{agency}, business day {day}")).format(
            agency=isolate(report.agency), day=isolate(report.day.isoformat())
        )
        if report.provisional:
            footer += " · " + _(PROVISIONAL)
        page.draw(footer, offset=0, y=MARGIN - 13, font=self.fonts.regular, size=7, color=MUTED)
        page.draw(
            _(N_("Page {number}")).format(number=document.page),
            offset=page.width,
            y=MARGIN - 13,
            font=self.fonts.regular,
            size=7,
            align="end",
            color=MUTED,
        )


def render_day_report(report: DayReport, language: str) -> bytes:
    writer = _Writer(report, language)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4,
        title=f"{gettext(TITLE, language)} {report.agency} {report.day.isoformat()}",
        author=report.operator_name,
        creator="Guichet",
        lang=language,
        # invariant: no creation time or random id, so the same report gives the same bytes
        invariant=True,
        pageCompression=1,
        initialFontName=writer.fonts.regular,
    )
    document.build(writer.story(), onFirstPage=writer.on_page, onLaterPages=writer.on_page)
    return buffer.getvalue()
