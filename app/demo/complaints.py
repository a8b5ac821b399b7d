"""The demo's complaints: recorded at the counters over the last three weeks through the
real services (so each has its commitment, deadline, history, journal and slip), in
every state, some answered late, some past their deadline now (marked breached, with
the charter's automatic compensation).

Called by the demo builder once the charter, the staff and the subscribers exist.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from app.auth import actor_of
from app.complaints.breaches import apply_breaches
from app.complaints.lifecycle import (
    add_note,
    assign_complaint,
    close_complaint,
    resolve_complaint,
    set_status,
)
from app.complaints.records import ComplaintRequest, open_complaint, preview_commitment
from app.context import AppContext
from app.demo.clock import DemoClock
from app.workstations import workstation_ref
from db.models import (
    Agency,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    Contract,
    ContractStatus,
    PrintJob,
    PrintJobKind,
    PrintJobStatus,
    Role,
    Staff,
    Workstation,
    WorkstationKind,
)

# What customers say, per category (French, as most demo agents type it; a few Arabic).
SAYINGS: dict[str, tuple[str, ...]] = {
    ComplaintCategory.NO_SERVICE: (
        "Plus d'internet depuis hier soir, le voyant DSL clignote.",
        "Ligne coupée depuis trois jours, aucune tonalité.",
        "انقطاع الإنترنت منذ يومين",
    ),
    ComplaintCategory.SLOW_SERVICE: (
        "Débit très faible le soir, moins de 1 Mo/s.",
        "La connexion se coupe toutes les dix minutes.",
    ),
    ComplaintCategory.BILLING: (
        "Facture de ce mois deux fois plus élevée que d'habitude.",
        "Option facturée alors qu'elle a été résiliée.",
    ),
    ComplaintCategory.BILL_NOT_RECEIVED: (
        "Facture jamais reçue, pénalité de retard appliquée.",
        "لم أتلق الفاتورة هذا الشهر",
    ),
    ComplaintCategory.UNJUST_CUTOFF: (
        "Ligne suspendue alors que la facture a été payée au guichet.",
    ),
    ComplaintCategory.ACTIVATION_LATE: (
        "Ligne demandée il y a trois semaines, toujours pas activée.",
    ),
    ComplaintCategory.INSTALLATION: ("Le technicien n'est pas venu au rendez-vous.",),
    ComplaintCategory.HOTLINE: ("Attente de plus de vingt minutes au centre d'appels.",),
    ComplaintCategory.SWITCHING_FEES: (
        "Frais de résiliation de l'ancien opérateur à rembourser, facture jointe.",
    ),
    ComplaintCategory.OTHER: ("Changement d'adresse de facturation non pris en compte.",),
}
OUTCOMES = (
    "Ligne rétablie par le technicien, client prévenu par téléphone.",
    "Erreur de facturation corrigée, avoir émis sur la prochaine facture.",
    "Duplicata remis au guichet, pénalité annulée.",
    "Rendez-vous technicien fixé et honoré.",
)
NOTES = (
    "Client rappelé, en attente du passage du technicien.",
    "Dossier transmis au service technique.",
    "Le client doit apporter la facture de l'ancien opérateur.",
)
# The states a demo complaint ends in, with their weights.
ENDINGS = (
    (ComplaintStatus.OPEN, 30),
    (ComplaintStatus.IN_PROGRESS, 20),
    (ComplaintStatus.WAITING_CUSTOMER, 15),
    (ComplaintStatus.RESOLVED, 20),
    (ComplaintStatus.CLOSED, 15),
)
SPAN_DAYS = 21


@dataclass(frozen=True)
class DemoComplaints:
    recorded: int
    by_status: dict[str, int]
    breached: int
    compensations: int


def _needs_proof(
    ctx: AppContext, subscriber_id: int, contract_number: str, category: str, workstation: str
) -> bool:
    """The charter asks this complaint for a proof (the customer brought their bill)."""
    preview = preview_commitment(
        ctx.db,
        subscriber_id=subscriber_id,
        contract_number=contract_number,
        category=category,
        workstation=workstation,
        at=ctx.now(),
        language="en",
    )
    return preview is not None and preview.needs_proof


def add_demo_complaints(
    ctx: AppContext, *, count: int = 60, seed: int = 1, now: datetime | None = None
) -> DemoComplaints:
    """Record ``count`` complaints over the three weeks before ``now`` (default: the
    context's clock), at the agencies' counters, in every state; then mark the
    deadlines passed by ``now``. Their slips are marked printed (they were, at the time).

    Lowest role: system (the demo builder; no actor).
    """
    rng = random.Random(f"{seed}-complaints")
    end = now or ctx.now()
    with ctx.db.read() as session:
        counters = session.execute(
            select(Agency.code, Workstation.code, Agency.timezone)
            .join(Agency, Agency.id == Workstation.agency_id)
            .where(Workstation.kind == WorkstationKind.COUNTER)
            .order_by(Agency.code, Workstation.code)
        ).all()
        staff = session.scalars(select(Staff).where(Staff.active.is_(True))).all()
        contracts = session.execute(
            select(Contract.subscriber_id, Contract.number, Contract.status)
            .where(
                Contract.status.in_(
                    (
                        ContractStatus.ACTIVE,
                        ContractStatus.SUSPENDED,
                        ContractStatus.PENDING_ACTIVATION,
                    )
                )
            )
            .order_by(Contract.id)
            .limit(max(count * 20, 200))
        ).all()
    agents = [actor_of(s) for s in staff if s.role == Role.AGENT] or [actor_of(s) for s in staff]
    supervisors = [actor_of(s) for s in staff if s.role in (Role.SUPERVISOR, Role.ADMIN)]
    if not counters or not contracts or not agents or not supervisors:
        return DemoComplaints(0, {}, 0, 0)
    clock = DemoClock(end)
    at = AppContext(ctx.db, ctx.signer, clock)
    plans = sorted(
        (end - timedelta(days=rng.uniform(0.2, SPAN_DAYS)) for _ in range(count)),
    )
    endings = [status for status, weight in ENDINGS for _ in range(weight)]
    statuses: Counter[str] = Counter()
    for index, when in enumerate(plans):
        agency_code, counter_code, zone = rng.choice(counters)
        local = when.astimezone(ZoneInfo(zone))
        # At the counter during opening hours: between 08:30 and 15:30 local.
        opened = datetime.combine(local.date(), time(8, 30), ZoneInfo(zone)) + timedelta(
            minutes=rng.randint(0, 7 * 60)
        )
        opened = min(opened.astimezone(UTC), end - timedelta(minutes=30))
        subscriber_id, contract_number, contract_status = rng.choice(contracts)
        category = (
            ComplaintCategory.ACTIVATION_LATE
            if contract_status == ContractStatus.PENDING_ACTIVATION
            else rng.choice(ComplaintCategory.ALL)
        )
        clock.set(opened)
        workstation = workstation_ref(agency_code, counter_code)
        opened_complaint = open_complaint(
            at,
            rng.choice(agents),
            ComplaintRequest(
                subscriber_id=subscriber_id,
                contract_number=contract_number,
                category=category,
                description=rng.choice(SAYINGS[category]),
                channel=rng.choice((ComplaintChannel.COUNTER,) * 4 + (ComplaintChannel.PHONE,)),
                proof_reference=f"FACT-{rng.randint(100000, 999999)}"
                if _needs_proof(at, subscriber_id, contract_number, category, workstation)
                else None,
            ),
            workstation=workstation,
        )
        number = opened_complaint.number
        ending = endings[rng.randrange(len(endings))] if index else ComplaintStatus.OPEN
        supervisor = rng.choice(supervisors)
        step = opened

        def later(hours: float) -> datetime:
            nonlocal step
            step = min(step + timedelta(hours=hours), end - timedelta(minutes=5))
            clock.set(step)
            return step

        if ending != ComplaintStatus.OPEN:
            later(rng.uniform(0.5, 24))
            assignee = rng.choice(agents)
            assign_complaint(at, supervisor, number, assignee.login, workstation=workstation)
            set_status(at, assignee, number, ComplaintStatus.IN_PROGRESS, workstation=workstation)
            if rng.random() < 0.5:
                later(rng.uniform(1, 48))
                add_note(at, assignee, number, rng.choice(NOTES), workstation=workstation)
        if ending == ComplaintStatus.WAITING_CUSTOMER:
            later(rng.uniform(1, 24))
            set_status(
                at, assignee, number, ComplaintStatus.WAITING_CUSTOMER, workstation=workstation
            )
        if ending in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED):
            later(rng.uniform(2, 120))  # some answered in time, some late
            resolve_complaint(at, supervisor, number, rng.choice(OUTCOMES), workstation=workstation)
        if ending == ComplaintStatus.CLOSED:
            later(rng.uniform(1, 48))
            close_complaint(at, supervisor, number, workstation=workstation)
        statuses[ending] += 1
    run = apply_breaches(at, end)
    with ctx.db.write() as session:
        # Their slips came out of the printer when they were recorded.
        session.execute(
            update(PrintJob)
            .where(
                PrintJob.kind == PrintJobKind.COMPLAINT_SLIP,
                PrintJob.status == PrintJobStatus.PENDING,
            )
            .values(status=PrintJobStatus.PRINTED, printed_at=PrintJob.created_at)
        )
    return DemoComplaints(count, dict(statuses), run.breached, run.claims)
