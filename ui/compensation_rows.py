"""The subscriber's compensations at the counter, on the card, beside the credit.

One line (wrapped if it must) in the card's free row: the latest compensations,
each with its day, cause (and the charter's commitment), amount, credit or
waiver, and status when it is not applied (awaiting a supervisor's approval in
amber, refused in red), and how many more there are. It takes no bill's row:
the open bills, the reason the customer came, keep the room.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from app.compensation.queries import CLAIM_STATUSES, COMPENSATION_SOURCES, ClaimLine
from app.i18n import N_, format_count, gettext, ngettext
from db.models import ClaimStatus, CompensationKind
from ui.formatting import day, isolated, money
from ui.qt import QLabel, Qt, QWidget

_ = gettext
SHOWN = 2  # compensations named; the rest are counted

_HOW = {
    CompensationKind.CREDIT: N_("{amount} credited"),
    CompensationKind.WAIVER: N_("{amount} waived on bill {invoice}"),
}
_COLOURS = {ClaimStatus.AWAITING_APPROVAL: "#b56a00", ClaimStatus.REFUSED: "#b00020"}


def compensation_text(line: ClaimLine) -> str:
    """One compensation in a few words, in the current language (plain text)."""
    cause = _(COMPENSATION_SOURCES.get(line.source, line.source))
    if line.commitment_title and line.commitment_title != line.commitment_code:
        cause = f"{cause} ({line.commitment_title})"
    how = _(_HOW.get(line.kind, _HOW[CompensationKind.CREDIT])).format(
        amount=isolated(money(line.amount, line.currency)),
        invoice=isolated(line.invoice_number or "-"),
    )
    text = _(N_("{day}, {cause}: {how}")).format(
        day=isolated(day(line.created_at.date())), cause=cause, how=how
    )
    if line.status != ClaimStatus.APPLIED:
        text += " — " + _(CLAIM_STATUSES.get(line.status, line.status))
    return text


class CompensationsStrip(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("subscriber_compensations")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.rows: tuple[ClaimLine, ...] = ()
        self.hide()

    def show_rows(self, rows: Sequence[ClaimLine]) -> None:
        self.rows = tuple(rows)
        self.retranslate()

    def plain_text(self) -> str:
        """What the strip says, without its colours (tests, a screen reader)."""
        parts = [compensation_text(line) for line in self.rows[:SHOWN]]
        more = len(self.rows) - SHOWN
        if more > 0:
            parts.append(
                ngettext("and {count} more", "and {count} more", more).format(
                    count=format_count(more)
                )
            )
        return _(N_("Compensations: {list}")).format(list=" · ".join(parts)) if parts else ""

    def retranslate(self) -> None:
        if not self.rows:
            self.clear()
            self.hide()
            return
        parts = []
        for line in self.rows[:SHOWN]:
            text = html.escape(compensation_text(line))
            colour = _COLOURS.get(line.status)
            parts.append(f'<span style="color:{colour}">{text}</span>' if colour else text)
        more = len(self.rows) - SHOWN
        if more > 0:
            parts.append(
                html.escape(
                    ngettext("and {count} more", "and {count} more", more).format(
                        count=format_count(more)
                    )
                )
            )
        self.setText(
            html.escape(_(N_("Compensations: {list}"))).replace("{list}", " · ".join(parts))
        )
        self.setAccessibleName(self.plain_text())
        self.show()
