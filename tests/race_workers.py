"""Services run in child processes, as another counter on the same database would.

Each function opens its own engine and key in the child (nothing crosses the
process boundary but plain data) and reports back through a queue:
``("ok", receipt_no)``, ``("refused", error class, translated message)`` or
``("crash", repr)`` for anything that is not a translated service error.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from argon2 import PasswordHasher

import app.auth
from app.auth import Actor
from app.context import AppContext
from app.errors import GuichetError
from app.integrity.keys import load_signer
from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from app.payments.void import VoidRequest, void_payment
from db.engine import Database
from db.models import TenderKind

Outcome = tuple[str, ...]


@dataclass(frozen=True)
class Counter:
    """What a child process needs to act as one counter."""

    url: str
    key_file: str
    actor: Actor


def _context(counter: Counter) -> AppContext:
    # The test cost of argon2, as in the parent (tests/conftest.py): a child that
    # rehashed every supervisor's password at the production cost would only be slow.
    app.auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    database = Database(counter.url)
    return AppContext(database, load_signer(Path(counter.key_file)), lambda: datetime.now(UTC))


def _outcome(action: Callable[[], str]) -> Outcome:
    try:
        return ("ok", action())
    except GuichetError as error:
        return ("refused", type(error).__name__, error.translated("en"))
    except Exception as error:  # the point of these tests: nothing else may escape
        return ("crash", repr(error))


def pay_in_child(counter: Counter, request: PaymentRequest, out: Any) -> None:
    ctx = _context(counter)
    out.put(_outcome(lambda: take_payment(ctx, counter.actor, request).receipt_no))
    ctx.db.dispose()


def void_in_child(counter: Counter, request: VoidRequest, out: Any) -> None:
    ctx = _context(counter)
    out.put(_outcome(lambda: void_payment(ctx, counter.actor, request).receipt_no))
    ctx.db.dispose()


def start(target: Callable[..., None], *args: Any) -> tuple[Any, Any]:
    """Start ``target`` in a fresh (spawned) process; return the process and its queue."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=target, args=(*args, out))
    process.start()
    return process, out


def result(process: Any, out: Any, timeout: float = 60) -> Outcome:
    outcome: Outcome = out.get(timeout=timeout)
    process.join(timeout)
    return outcome


def wait_for_lock_waiters(admin_url: str, database: str, count: int, timeout: float = 30) -> None:
    """Block until ``count`` backends of ``database`` wait on a row or transaction lock."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(admin_url, autocommit=True) as admin:
        while time.monotonic() < deadline:
            waiting = admin.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND wait_event_type = 'Lock'",
                (database,),
            ).fetchone()
            if waiting and waiting[0] >= count:
                return
            time.sleep(0.05)
    raise AssertionError(f"{count} session(s) never waited on a lock")


# -- the randomized race ---------------------------------------------------------------
@dataclass(frozen=True)
class Soldier:
    """One process of the randomized race: its counter, workstation and supervisors."""

    counter: Counter
    workstation: str
    accounts: tuple[str, ...]
    supervisors: tuple[str, ...]
    password: str
    seed: int
    actions: int


def random_counter(soldier: Soldier, out: Any) -> None:
    """Pay, spend credit and void at random; report every outcome."""
    rng = random.Random(soldier.seed)
    ctx = _context(soldier.counter)
    outcomes: list[Outcome] = []
    receipts: list[str] = []
    for index in range(soldier.actions):
        key = f"race-{soldier.seed}-{index}"
        roll = rng.random()
        if roll < 0.35 and receipts:
            target = rng.choice(receipts)
            request = VoidRequest(
                key,
                target,
                soldier.workstation,
                "race",
                rng.choice(soldier.supervisors),
                soldier.password,
            )
            outcomes.append(
                _outcome(lambda r=request: void_payment(ctx, soldier.counter.actor, r).receipt_no)
            )
            continue
        account = rng.choice(soldier.accounts)
        cash = Decimal(rng.choice([0, 50, 100, 250, 400, 1000]))
        pay = PaymentRequest(
            key,
            account,
            soldier.workstation,
            (TenderInput(TenderKind.CASH, cash),) if cash else (),
            amount=Decimal(rng.choice([50, 100, 300])) if rng.random() < 0.5 else None,
            use_credit=rng.random() < 0.8,
            keep_change_as_credit=rng.random() < 0.5,
        )
        outcome = _outcome(lambda p=pay: take_payment(ctx, soldier.counter.actor, p).receipt_no)
        outcomes.append(outcome)
        if outcome[0] == "ok":
            receipts.append(outcome[1])
    ctx.db.dispose()
    out.put((os.getpid(), outcomes))
