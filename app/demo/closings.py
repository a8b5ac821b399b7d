"""The demo's past days closed by its supervisor, so a fresh demo has closings to show.

Each day of history is closed in the evening, once its tills are closed (the
empty days between, a Friday or a holiday, are closed with the next one); the
days up to yesterday are then closed, and every month already over. Through
the real closing service: signed, gapless, with their perpetual totals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.auth import Actor
from app.closing.closings import close_day, close_month
from app.context import AppContext
from app.demo.clock import DemoClock

CLOSING_HOUR = time(19)  # local: after the agencies' last opening interval


class DemoDayCloser:
    """Called with each day of history once its tills are closed; ``finish`` at the end."""

    def __init__(
        self, ctx: AppContext, clock: DemoClock, supervisor: Actor, agency: str, timezone: str
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.supervisor = supervisor
        self.agency = agency
        self.zone = ZoneInfo(timezone)
        self.first: date | None = None
        self.last: date | None = None
        self.closings = 0

    def _evening(self, day: date) -> None:
        evening = datetime.combine(day, CLOSING_HOUR, self.zone).astimezone(UTC)
        self.clock.set(max(evening, self.ctx.now() + timedelta(minutes=5)))

    def __call__(self, day: date) -> None:
        self._evening(day)
        info = close_day(self.ctx, self.supervisor, self.agency, day)
        self.closings += 1 + len(info.gap_days)
        self.first = self.first or min((day, *info.gap_days))
        self.last = day

    def finish(self, today: date) -> int:
        """Close the days up to yesterday and the months already over; returns how many
        closings the demo made."""
        yesterday = today - timedelta(days=1)
        if self.last is None or self.first is None:
            return self.closings  # no history: nothing to close
        if self.last < yesterday:
            self(yesterday)
        month = date(self.first.year, self.first.month, 1)
        while month < date(today.year, today.month, 1):
            close_month(self.ctx, self.supervisor, self.agency, month.year, month.month)
            self.closings += 1
            month = (month + timedelta(days=32)).replace(day=1)
        return self.closings
