"""A world for complaint tests: the factories' agency and subscriber, and a charter
whose commitments run on each clock (loaded as rows: the charter file has its own tests)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from app.complaints.records import ComplaintRequest, OpenedComplaint, open_complaint
from db.engine import Database
from db.models import (
    Charter,
    CharterCommitment,
    CommitmentClock,
    CompensationRuleKind,
    ComplaintCategory,
    Subscriber,
)
from tests.factories import WORKSTATION, World, add_subscriber, build_world

ACCOUNT = "A2000001"
CONTRACT = f"C{ACCOUNT}"

# (code, categories, clock, target minutes, pauses, needs proof, rule kind, rule, automatic)
COMMITMENTS = [
    (
        "FAULT-8H",
        [ComplaintCategory.NO_SERVICE, ComplaintCategory.SLOW_SERVICE],
        CommitmentClock.BUSINESS_HOURS,
        8 * 60,
        True,
        False,
        CompensationRuleKind.FIXED_AMOUNT,
        {"amount_minor": 50000},
        True,
    ),
    (
        "BILL-10D",
        [ComplaintCategory.BILLING, ComplaintCategory.BILL_NOT_RECEIVED],
        CommitmentClock.CALENDAR_DAYS,
        10 * 1440,
        True,
        False,
        CompensationRuleKind.NONE,
        {},
        False,
    ),
    (
        "HOTLINE-3M",
        [ComplaintCategory.HOTLINE],
        CommitmentClock.REAL_TIME,
        3,
        False,
        False,
        CompensationRuleKind.NONE,
        {},
        False,
    ),
    (
        "SWITCH-PROOF",
        [ComplaintCategory.SWITCHING_FEES],
        CommitmentClock.CALENDAR_DAYS,
        30 * 1440,
        True,
        True,
        CompensationRuleKind.REFUND_ON_PROOF,
        {"cap_minor": 990000},
        True,
    ),
]


def add_charter(database: Database, effective_from: datetime | None = None) -> int:
    with database.write() as session:
        charter = Charter(
            version=1,
            effective_from=effective_from or datetime(2026, 1, 1, tzinfo=UTC),
            title="Charte test",
            loaded_at=datetime(2026, 1, 1, tzinfo=UTC),
            loaded_by="it",
            source_text="{}",
            source_sha256="0" * 64,
        )
        session.add(charter)
        session.flush()
        for position, (
            code,
            categories,
            clock,
            target,
            pauses,
            proof,
            kind,
            rule,
            auto,
        ) in enumerate(COMMITMENTS):
            session.add(
                CharterCommitment(
                    charter_id=charter.id,
                    position=position,
                    code=code,
                    texts=json.dumps(
                        {
                            "fr": {"title": f"Engagement {code}", "text": "Texte"},
                            "en": {"title": f"Commitment {code}", "text": "Text"},
                            "ar": {"title": f"التزام {code}", "text": "نص"},
                        },
                        ensure_ascii=False,
                    ),
                    services=json.dumps(["adsl", "ftth", "fixed_line"]),
                    categories=json.dumps(categories),
                    clock=clock,
                    target_minutes=target,
                    pauses_when_waiting=pauses,
                    needs_proof=proof,
                    rule_kind=kind,
                    rule=json.dumps(rule),
                    automatic=auto,
                    approval_above_minor=None,
                )
            )
        return charter.id


def complaint_world(database: Database, tmp_path: Path) -> tuple[World, int]:
    world = build_world(database, tmp_path)
    subscriber_id = add_subscriber(database, ACCOUNT, phone="+213555000001")
    add_charter(database)
    return world, subscriber_id


def subscriber_language(database: Database, subscriber_id: int, language: str | None) -> None:
    with database.write() as session:
        subscriber = session.get(Subscriber, subscriber_id)
        assert subscriber is not None
        subscriber.language = language


def record(
    world: World,
    subscriber_id: int,
    category: str = ComplaintCategory.NO_SERVICE,
    *,
    description: str = "Plus d'internet depuis hier soir",
    proof: str | None = None,
    contract: str | None = CONTRACT,
) -> OpenedComplaint:
    return open_complaint(
        world.ctx,
        world.agent,
        ComplaintRequest(
            subscriber_id=subscriber_id,
            contract_number=contract,
            category=category,
            description=description,
            proof_reference=proof,
        ),
        workstation=WORKSTATION,
    )
