"""Building a whole demo database: operator, agencies, staff, subscribers, a month of payments.

Order of work, and why:

1. the reference data, in the transaction that checks the database is empty;
2. the staff, through :func:`add_user` (argon2 hashes, journal events);
3. subscribers, phones, contracts and invoices, in batches of a few thousand
   subscribers per transaction straight through the driver (see ``bulk``), so
   that memory stays flat and progress can be shown for a million subscribers;
4. the past payments, through the real payment service (see ``history``);
5. the charter's side of the agency: the charter (loaded before the history, in
   force since the year before), a lunar holiday decided by the supervisor, bills
   delivered late, complaints in every state, late activations compensated and a
   closed outage with its compensations, each through its own services.

A failure part-way leaves a partial demo that a new run refuses to extend:
start again from an empty database.
"""

from __future__ import annotations

import random
import time as timer
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from app.auth import Actor, actor_of, add_user
from app.context import AppContext
from app.demo.billing import INVOICE_COLUMNS
from app.demo.bulk import BulkWriter
from app.demo.charter import load_demo_charter
from app.demo.clock import DemoClock
from app.demo.closings import DemoDayCloser
from app.demo.compensations import add_demo_compensations
from app.demo.complaints import add_demo_complaints
from app.demo.history import (
    HISTORY_DAYS,
    PaymentPlanner,
    open_days,
    payment_target,
    take_past_payments,
)
from app.demo.late_bills import add_late_bills
from app.demo.outages import record_demo_outage
from app.demo.population import (
    CONTRACT_COLUMNS,
    PHONE_COLUMNS,
    SUBSCRIBER_COLUMNS,
    Population,
    batches_in_background,
)
from app.demo.profiles import PROFILES, Profile
from app.demo.reference import (
    demo_holiday_decisions,
    ensure_empty,
    public_holidays,
    write_reference,
)
from app.demo.till_counts import DemoTillCounter
from app.errors import ValidationError
from app.i18n import N_
from app.integrity.keys import Signer
from db.engine import Database
from db.models import (
    Contract,
    Invoice,
    PrintJob,
    PrintJobStatus,
    Role,
    Staff,
    Subscriber,
    SubscriberPhone,
    Workstation,
)

ProgressCallback = Callable[[str, int, int], None]

# Subscribers per transaction: about 20 000 to 40 000 rows with their phones,
# contracts and a year of bills; small enough to report progress often.
BATCH_SUBSCRIBERS = 2_000

STAGE_REFERENCE = N_("Operator, agencies and offers")
STAGE_STAFF = N_("Staff accounts")
STAGE_SUBSCRIBERS = N_("Subscribers, contracts and invoices")
STAGE_PAYMENTS = N_("Past counter payments")
STAGE_CHARTER = N_("Complaints, outages and compensation")

_BULK_TABLES = (
    (Subscriber.__tablename__, SUBSCRIBER_COLUMNS),
    (SubscriberPhone.__tablename__, PHONE_COLUMNS),
    (Contract.__tablename__, CONTRACT_COLUMNS),
    (Invoice.__tablename__, INVOICE_COLUMNS),
)


@dataclass(frozen=True)
class DemoLogin:
    login: str
    password: str
    role: str
    full_name: str


@dataclass(frozen=True)
class DemoSummary:
    profile: str
    operator_name: str
    currency: str
    agencies: int
    workstations: tuple[str, ...]
    subscribers: int
    contracts: int
    invoices: int
    payments: int
    logins: tuple[DemoLogin, ...]
    seconds: float


def _profile(key: str) -> Profile:
    profile = PROFILES.get(key.strip().lower())
    if profile is None:
        raise ValidationError(
            N_("Unknown demo profile {profile}; choose one of {choices}."),
            field="profile",
            profile=key,
            choices=", ".join(sorted(PROFILES)),
        )
    return profile


def _staff(
    ctx: AppContext, profile: Profile, counters: tuple[str, ...], rng: random.Random
) -> tuple[list[DemoLogin], dict[str, Actor]]:
    """One agent per counter of the first agency, a supervisor and an admin.

    Passwords are fixed and printed: this is demo data, never a real install.
    """
    agency = profile.agencies[0].code
    pool = profile.names
    seats: list[tuple[str, Role, str | None]] = [
        (f"agent{n}", Role.AGENT, station) for n, station in enumerate(counters, start=1)
    ]
    seats += [("superviseur", Role.SUPERVISOR, None), ("admin", Role.ADMIN, None)]
    logins = []
    agents = {}
    for login, role, station in seats:
        first = rng.choice(pool.male if rng.random() < 0.5 else pool.female)[0]
        full_name = f"{first} {rng.choice(pool.last)[0]}"
        password = f"{login}-demo"
        actor = add_user(
            ctx,
            login,
            role=role,
            password=password,
            full_name=full_name,
            agency_code=None if role == Role.ADMIN else agency,
        )
        logins.append(DemoLogin(login, password, str(role), full_name))
        if station is not None:
            agents[station] = actor
    return logins, agents


def build_demo(
    database: Database,
    signer: Signer,
    *,
    profile: str,
    subscribers: int = 5000,
    seed: int = 1,
    today: date | None = None,
    progress: ProgressCallback | None = None,
    charter_side: bool = True,
) -> DemoSummary:
    """Fill an empty, migrated database with a realistic demo operator.

    The same ``profile``, ``subscribers``, ``seed`` and ``today`` give the same
    subscribers, contracts, bills and payments (receipt uids and signatures
    differ: they are random and keyed). ``progress(stage, done, total)`` is
    called after every batch; ``stage`` is an English msgid to translate.
    ``charter_side`` False leaves out the charter and what comes of it (complaints,
    outages, compensations, late bills), for tests that add those themselves.

    Raises ConflictError when the database already has an operator or subscribers.

    Lowest role: system (the demo builder; no actor).
    """
    started = timer.perf_counter()
    spec = _profile(profile)
    if subscribers < 1:
        raise ValidationError(N_("The demo needs at least one subscriber."), field="subscribers")
    zone = ZoneInfo(spec.timezone)
    if today is None:
        today = datetime.now(zone).date()

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    report(STAGE_REFERENCE, 0, 1)
    with database.write() as session:
        ensure_empty(session)
        signer.register(session)
        reference = write_reference(session, spec, today)
    report(STAGE_REFERENCE, 1, 1)

    # Staff accounts exist before the month of history they work in.
    history_start = today - timedelta(days=HISTORY_DAYS + 1)
    clock = DemoClock(datetime.combine(history_start, time(7), zone).astimezone(UTC))
    ctx = AppContext(database, signer, clock)
    report(STAGE_STAFF, 0, 1)
    logins, agents = _staff(ctx, spec, reference.first_counters, random.Random(f"{seed}-staff"))
    report(STAGE_STAFF, 1, 1)
    if charter_side:
        load_demo_charter(ctx, spec.key)

    # Who pays at the counter is drawn from its own stream, so that the number
    # of payments never changes the subscribers themselves.
    payment_rng = random.Random(f"{seed}-payments")
    target = payment_target(subscribers)
    picks = payment_rng.sample(range(subscribers), min(subscribers, 3 * target + 20))
    population = Population(
        spec,
        reference.offer_ids,
        today,
        random.Random(seed),
        {index: order for order, index in enumerate(picks)},
    )
    _load(database, population, subscribers, report)

    days = open_days(spec, today, set(public_holidays(spec, today)))
    planner = PaymentPlanner(spec, days, reference.first_counters, payment_rng)
    candidates = sorted(population.candidates.values(), key=lambda c: c.order)
    planned = planner.plan(candidates, target)
    report(STAGE_PAYMENTS, 0, len(planned))
    supervisor = _supervisor(database)
    closer = DemoDayCloser(ctx, clock, supervisor, spec.agencies[0].code, spec.timezone)
    count_out = DemoTillCounter(
        ctx,
        agents,
        supervisor,
        rng=random.Random(f"{seed}-counts"),
        language=spec.default_language,
    )
    payments = take_past_payments(
        ctx,
        clock,
        spec,
        agents,
        planned,
        seed=seed,
        progress=lambda done, total: report(STAGE_PAYMENTS, done, total),
        day_closed=closer,
        count_out=count_out,
    )
    closer.finish(today)
    if charter_side:
        report(STAGE_CHARTER, 0, 1)
        _charter_side(ctx, clock, spec, today, supervisor, seed)
        report(STAGE_CHARTER, 1, 1)
    mark_history_printed(database)

    return DemoSummary(
        profile=spec.key,
        operator_name=spec.operator_name,
        currency=spec.currency,
        agencies=len(spec.agencies),
        workstations=reference.workstations,
        subscribers=population.subscribers,
        contracts=population.contracts,
        invoices=population.invoices.count,
        payments=payments,
        logins=tuple(logins),
        seconds=timer.perf_counter() - started,
    )


def _charter_side(
    ctx: AppContext, clock: DemoClock, spec: Profile, today: date, supervisor: Actor, seed: int
) -> None:
    """What the charter brings to a fresh demo, as of this morning at the agencies."""
    morning = datetime.combine(today, time(10), ZoneInfo(spec.timezone)).astimezone(UTC)
    clock.set(max(clock(), morning))
    with ctx.db.write() as session:
        demo_holiday_decisions(session, spec, today, supervisor.staff_id)
    add_late_bills(ctx.db, today=today)
    add_demo_complaints(ctx, seed=seed)
    add_demo_compensations(ctx, seed=seed)
    record_demo_outage(ctx, supervisor)


def _supervisor(database: Database) -> Actor:
    """The demo's supervisor, who closes its past days."""
    with database.read() as session:
        staff = session.scalars(select(Staff).where(Staff.role == Role.SUPERVISOR)).first()
        assert staff is not None  # made by _staff
        return actor_of(staff)


def mark_history_printed(database: Database) -> None:
    """The month of past payments had their receipts printed at the time: their jobs
    must not come out of the demo counter's printer when it starts.

    Lowest role: system (the demo builder; no actor).
    """
    with database.write() as session:
        session.execute(
            update(PrintJob)
            .where(PrintJob.status == PrintJobStatus.PENDING)
            .values(
                status=PrintJobStatus.PRINTED,
                printed_at=PrintJob.created_at,
                printed_on=select(Workstation.printer_uri)
                .where(Workstation.id == PrintJob.workstation_id)
                .scalar_subquery(),
            )
        )


def _load(
    database: Database,
    population: Population,
    subscribers: int,
    report: Callable[[str, int, int], None],
) -> None:
    """Draw and write the subscribers batch by batch, one transaction per batch."""
    report(STAGE_SUBSCRIBERS, 0, subscribers)
    with database.engine.connect() as connection:
        writer = BulkWriter(connection)
        # Pragmas first, outside any transaction: the connection is fresh from
        # the pool and SQLAlchemy has not begun one yet.
        writer.tune()
        batches = (
            batches_in_background(population, subscribers, BATCH_SUBSCRIBERS)
            if writer.dialect == "postgresql"
            else population.batches(subscribers, BATCH_SUBSCRIBERS)
        )
        try:
            # closing(): after an error the drawing thread stops at once, not
            # whenever the generator happens to be collected.
            with closing(batches):
                done = 0
                for batch in batches:
                    with connection.begin():
                        for (table, columns), rows in zip(
                            _BULK_TABLES,
                            (batch.subscribers, batch.phones, batch.contracts, batch.invoices),
                            strict=True,
                        ):
                            writer.insert(table, columns, rows)
                    done += len(batch.subscribers)
                    report(STAGE_SUBSCRIBERS, done, subscribers)
            with connection.begin():
                writer.after_load([table for table, _ in _BULK_TABLES])
        finally:
            if connection.in_transaction():
                connection.rollback()
            writer.untune()
