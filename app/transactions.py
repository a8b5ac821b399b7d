"""One user action, one write transaction: started over when the database asks for it.

PostgreSQL may end a transaction that collided with another counter's: a
deadlock, or a serialization failure. Nothing of it was written, so the whole
action can simply run again; after a few tries the person gets a translated
line instead of a database error. SQLite serialises writers with BEGIN
IMMEDIATE and its busy timeout, so there is nothing to retry there.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.errors import ConflictError
from app.i18n import N_
from db.engine import Database

T = TypeVar("T")

ATTEMPTS = 5
# SQLSTATEs that mean "nothing was written, run the transaction again".
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected


def is_transient(error: BaseException) -> bool:
    """A collision with another transaction, after which running again is safe."""
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None) in _TRANSIENT_SQLSTATES


def write_transaction(db: Database, work: Callable[[Session], T], *, attempts: int = ATTEMPTS) -> T:
    """Run ``work`` in one write transaction and commit it, retrying after a collision.

    ``work`` must do all its reading inside the transaction it is given: a retry
    starts from what the database holds then, never from what a failed attempt saw.

    Lowest role: system (the services call it after checking their own caller's role).
    """
    for attempt in range(1, attempts + 1):
        try:
            with db.write() as session:
                return work(session)
        except DBAPIError as error:
            if not is_transient(error):
                raise
            if attempt == attempts:
                raise ConflictError(
                    N_(
                        "Other counters were changing the same account at the same moment and "
                        "nothing was saved. Try again."
                    )
                ) from error
            # A little random wait so that the colliding counters do not meet again.
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
