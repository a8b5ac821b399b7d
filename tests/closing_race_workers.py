"""Closings and payments in child processes, as other supervisors and counters would.

Same conventions as :mod:`tests.race_workers`: each child opens its own engine and
key, runs on the real clock and reports ``("ok", ...)``, ``("refused", class,
message)`` or ``("crash", repr)`` through its queue.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.cash import open_cash_session
from app.closing.closings import close_day
from app.payments.requests import PaymentRequest
from app.payments.service import take_payment
from tests.race_workers import Counter, _context, _outcome


def close_day_in_child(counter: Counter, agency: str, day: date, out: Any) -> None:
    ctx = _context(counter)
    out.put(_outcome(lambda: close_day(ctx, counter.actor, agency, day).closed_by))
    ctx.db.dispose()


def open_and_pay_in_child(counter: Counter, request: PaymentRequest, out: Any) -> None:
    """Open the till at the request's counter, then take the payment there."""
    ctx = _context(counter)

    def act() -> str:
        open_cash_session(ctx, counter.actor, request.workstation, Decimal("1000"))
        return take_payment(ctx, counter.actor, request).receipt_no

    out.put(_outcome(act))
    ctx.db.dispose()
