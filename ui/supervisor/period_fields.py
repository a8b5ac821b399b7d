"""The business days a supervisor types (YYYY-MM-DD), read the same way on every screen.

A date that is not one, or a period that ends before it starts, comes back as the
translated line to show and the field to put the keyboard back in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.i18n import N_, gettext
from ui.formatting import day, isolated, period
from ui.qt import QLineEdit

_ = gettext


@dataclass(frozen=True)
class Refused:
    text: str  # translated
    field: QLineEdit


def read_day(field: QLineEdit) -> date | Refused:
    try:
        return date.fromisoformat(field.text().strip())
    except ValueError:
        return Refused(
            _(N_("{value} is not a date: give it as YYYY-MM-DD, e.g. 2026-03-31")).format(
                value=field.text()
            ),
            field,
        )


def read_period(start_field: QLineEdit, end_field: QLineEdit) -> tuple[date, date] | Refused:
    """From one day to another; the second left empty: that one day."""
    start = read_day(start_field)
    if isinstance(start, Refused):
        return start
    end = read_day(end_field) if end_field.text().strip() else start
    if isinstance(end, Refused):
        return end
    if end < start:
        return Refused(
            _(N_("The period ends on {end}, before it starts on {start}.")).format(
                end=isolated(day(end)), start=isolated(day(start))
            ),
            end_field,
        )
    return start, end


def period_text(start: date, end: date) -> str:
    """One day, or from one day to another, as the reader writes it, kept in its own
    direction inside the sentence around it."""
    return isolated(day(start) if start == end else period(start, end))
