"""What an import set off beyond its own rows, for its report.

A batch that activates lines late or ends an outage also compensates subscribers in
its own transaction (:mod:`app.compensation.late_activation`, :mod:`app.outages.fanout`).
That money must not be visible only in the journal: the administrator who ran the
import reads in its report how many contracts were compensated, and for how much.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.i18n import N_, format_count, gettext
from app.money import currency, format_amount, from_minor

if TYPE_CHECKING:
    from app.compensation.late_activation import LateActivationOutcome
    from app.outages.fanout import CloseOutcome


@dataclass
class ImportEffects:
    currency: str = ""
    outages_closed: list[CloseOutcome] = field(default_factory=list)
    late: LateActivationOutcome | None = None  # the batch's late activations

    def lines(self, language: str | None = None) -> list[str]:
        """The report's lines about them, translated; none when there were none."""

        def _(message: str) -> str:
            return gettext(message, language)

        def money(minor: int) -> str:
            return format_amount(
                from_minor(minor, currency(self.currency)), self.currency, language
            )

        lines = []
        for outage in self.outages_closed:
            lines.append(
                _(
                    N_(
                        "Outage {number} closed: {affected} contract(s) hit, {compensated} "
                        "compensated for {applied}, {awaiting} awaiting approval for "
                        "{awaiting_amount}."
                    )
                ).format(
                    number=outage.number,
                    affected=format_count(outage.affected, language),
                    # Claims of no money (below the rule's threshold) are not compensations.
                    compensated=format_count(outage.applied, language),
                    applied=money(outage.applied_minor),
                    awaiting=format_count(outage.awaiting_approval, language),
                    awaiting_amount=money(outage.awaiting_minor),
                )
            )
        late = self.late
        if late is not None and late.created:
            lines.append(
                _(
                    N_(
                        "Late activations: {count} contract(s) compensated for {applied}, "
                        "{awaiting} awaiting approval for {awaiting_amount}."
                    )
                ).format(
                    count=format_count(late.applied, language),
                    applied=money(late.applied_minor),
                    awaiting=format_count(late.awaiting_approval, language),
                    awaiting_amount=money(late.awaiting_minor),
                )
            )
        return lines
