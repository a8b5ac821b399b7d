"""Till services run in child processes, as another counter on the same database would.

Built on :mod:`tests.race_workers`: each child opens its own engine and key and
reports ``("ok", text)``, ``("refused", error class, message)`` or ``("crash", repr)``.
"""

from __future__ import annotations

from typing import Any

from app.closing.counts import CountInput
from app.closing.handover import force_close_till
from app.closing.movements import MovementRequest, record_cash_movement
from app.closing.tills import close_till
from tests.race_workers import Counter, _context, _outcome


def move_in_child(counter: Counter, request: MovementRequest, out: Any) -> None:
    ctx = _context(counter)
    out.put(_outcome(lambda: str(record_cash_movement(ctx, counter.actor, request).movement_id)))
    ctx.db.dispose()


def close_in_child(counter: Counter, workstation: str, count: CountInput, out: Any) -> None:
    ctx = _context(counter)
    out.put(_outcome(lambda: str(close_till(ctx, counter.actor, workstation, count).cash)))
    ctx.db.dispose()


def force_close_in_child(counter: Counter, here: str, till: str, out: Any) -> None:
    ctx = _context(counter)
    out.put(_outcome(lambda: str(force_close_till(ctx, counter.actor, here, till, "abandoned"))))
    ctx.db.dispose()
