"""A clock in words, for the screens and the command line: "3 h 20 min left", "2 d 4 h late"."""

from __future__ import annotations

from app.complaints.clock import MINUTES_PER_DAY, TimeLeft
from app.i18n import N_, gettext
from db.models import CommitmentClock


def duration_text(minutes: int, clock: str | None, language: str | None = None) -> str:
    """``minutes`` on ``clock`` as a reader counts them: days and hours for calendar
    days, hours and minutes otherwise (business hours say so)."""
    _ = lambda message: gettext(message, language)  # noqa: E731
    minutes = abs(minutes)
    days, rest = divmod(minutes, MINUTES_PER_DAY)
    hours, mins = divmod(rest, 60)
    if clock == CommitmentClock.CALENDAR_DAYS and days:
        text = _(N_("{days} d {hours} h")).format(days=days, hours=hours)
    elif clock == CommitmentClock.BUSINESS_HOURS:
        hours, mins = divmod(minutes, 60)
        return _(N_("{time} of opening hours")).format(time=_hours(hours, mins, language))
    elif days:
        text = _(N_("{days} d {hours} h")).format(days=days, hours=hours)
    else:
        text = _hours(hours, mins, language)
    return text


def _hours(hours: int, minutes: int, language: str | None) -> str:
    """``3 h 20 min``, ``3 h`` or ``20 min``."""
    _ = lambda message: gettext(message, language)  # noqa: E731
    if hours and minutes:
        return _(N_("{hours} h {minutes} min")).format(hours=hours, minutes=minutes)
    if hours:
        return _(N_("{hours} h")).format(hours=hours)
    return _(N_("{minutes} min")).format(minutes=minutes)


def left_text(left: TimeLeft, language: str | None = None) -> str:
    """What is left on the clock, or how late it is, or why it stands still."""
    _ = lambda message: gettext(message, language)  # noqa: E731
    if left.clock is None or left.minutes is None:
        return _(N_("no commitment"))
    if left.stopped:
        return _(N_("answered (late)")) if left.breached else _(N_("answered in time"))
    time = duration_text(left.minutes, left.clock, language)
    if left.paused:
        return _(N_("paused, {time} left")).format(time=time)
    if left.minutes < 0 or left.breached:
        return _(N_("{time} late")).format(time=time)
    return _(N_("{time} left")).format(time=time)
