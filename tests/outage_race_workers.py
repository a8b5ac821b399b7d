"""Closing an outage in a child process, as another supervisor's workstation would.

Reports through a queue: ``("ok", created, already there, compensated minor)``,
``("refused", error class, translated message)`` or ``("crash", repr)``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.auth import Actor
from app.context import AppContext
from app.errors import GuichetError
from app.integrity.keys import load_signer
from app.outages.fanout import close_outage
from db.engine import Database


def close_in_child(url: str, key_file: str, actor: Actor, outage_id: int, out: Any) -> None:
    ctx = AppContext(Database(url), load_signer(Path(key_file)), lambda: datetime.now(UTC))
    try:
        outcome = close_outage(ctx, actor, outage_id)
        out.put(("ok", outcome.created, outcome.already_there, outcome.compensated_minor))
    except GuichetError as error:
        out.put(("refused", type(error).__name__, error.translated("en")))
    except Exception as error:  # the point of the test: nothing else may escape
        out.put(("crash", repr(error)))
    finally:
        ctx.db.dispose()
