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


@dataclass(frozen=True)
class OutageClosed:
    """One outage the batch closed (amounts in minor units)."""

    number: str
    affected: int  # contracts hit
    compensated: int  # claims written by this close
    applied_minor: int
    awaiting_minor: int
    awaiting: int  # claims left to a supervisor's approval


@dataclass
class ImportEffects:
    currency: str = ""
    outages_closed: list[OutageClosed] = field(default_factory=list)
    late_compensated: int = 0  # late activations compensated by this batch
    late_applied_minor: int = 0
    late_awaiting: int = 0
    late_awaiting_minor: int = 0

    def late_activations(self, outcome: LateActivationOutcome) -> None:
        """What :func:`app.compensation.late_activation.late_activations` wrote."""
        self.late_compensated = outcome.created
        self.late_applied_minor = outcome.applied_minor
        self.late_awaiting = outcome.awaiting_approval
        self.late_awaiting_minor = outcome.awaiting_minor

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
                        "compensated, {applied} applied, {awaiting} awaiting approval "
                        "({awaiting_amount})."
                    )
                ).format(
                    number=outage.number,
                    affected=format_count(outage.affected, language),
                    compensated=format_count(outage.compensated, language),
                    applied=money(outage.applied_minor),
                    awaiting=format_count(outage.awaiting, language),
                    awaiting_amount=money(outage.awaiting_minor),
                )
            )
        if self.late_compensated:
            lines.append(
                _(
                    N_(
                        "Late activations: {count} contract(s) compensated, {applied} applied, "
                        "{awaiting} awaiting approval ({awaiting_amount})."
                    )
                ).format(
                    count=format_count(self.late_compensated, language),
                    applied=money(self.late_applied_minor),
                    awaiting=format_count(self.late_awaiting, language),
                    awaiting_amount=money(self.late_awaiting_minor),
                )
            )
        return lines
