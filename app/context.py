"""What every service needs: the database, the signing key and the clock.

Passing these explicitly (instead of module globals) lets the same services run
against SQLite, PostgreSQL or a frozen clock in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from app.integrity.keys import Signer
from db.engine import Database
from db.types import utcnow


@dataclass
class AppContext:
    db: Database
    signer: Signer
    clock: Callable[[], datetime] = field(default=utcnow)

    def now(self) -> datetime:
        return self.clock()
