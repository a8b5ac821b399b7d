"""Counters starting in child processes, racing for one workstation's lease.

Spawned, as ``tests/race_workers.py`` does: each child opens its own engine and
reports ``("ok", pid)``, ``("refused", translated message)`` or ``("crash", repr)``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.context import AppContext
from app.errors import GuichetError
from app.integrity.keys import load_signer
from app.station_lease import acquire, this_process
from db.engine import Database


def start_counter(url: str, key_file: str, workstation: str, go: Any, out: Any) -> None:
    database = Database(url)
    ctx = AppContext(database, load_signer(Path(key_file)), lambda: datetime.now(UTC))
    with database.engine.connect():
        pass  # connected before the start signal: the race is on the lease, not on connecting
    go.wait(60)
    try:
        lease = acquire(ctx, workstation, this_process())
        out.put(("ok", str(lease.holder.pid)))
    except GuichetError as error:
        out.put(("refused", error.translated("en")))
    except Exception as error:  # the point of the test: nothing else may escape
        out.put(("crash", repr(error)))
    finally:
        database.dispose()
