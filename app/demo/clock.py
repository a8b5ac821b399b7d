"""A clock the demo moves by hand, so that past payments carry past dates."""

from __future__ import annotations

from datetime import datetime


class DemoClock:
    """Callable as ``AppContext.clock``; returns whatever instant was last set."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the demo clock needs an aware datetime")
        self.now = now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the demo clock needs an aware datetime")
        self.now = now

    def __call__(self) -> datetime:
        return self.now
