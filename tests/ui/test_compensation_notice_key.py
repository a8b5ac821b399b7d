"""Shift+F4 at the counter prints the notice of the subscriber's latest compensation."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.compensation.claims import ClaimProposal, propose_claims
from db.models import (
    CompensationKind,
    CompensationSource,
    Contract,
    PrintJob,
    PrintJobKind,
    Subscriber,
)
from tests.factories import NOW
from tests.ui.conftest import Counter


@dataclass(frozen=True)
class _Outage:
    code: str = "OUTAGE"
    charter_id: int | None = None
    rule_kind: str = "fixed_amount"
    automatic: bool = True
    approval_above_minor: int | None = None


def _compensate(counter: Counter, account: str) -> None:
    world = counter.world
    with world.db.write() as session:
        contract = session.execute(
            select(Contract.id, Contract.subscriber_id)
            .join(Subscriber, Subscriber.id == Contract.subscriber_id)
            .where(Subscriber.account_number == account)
        ).first()
        assert contract is not None
        propose_claims(
            session,
            world.ctx.signer,
            _Outage(),
            [
                ClaimProposal(
                    source=CompensationSource.OUTAGE,
                    source_id=1,
                    subscriber_id=contract.subscriber_id,
                    contract_id=contract.id,
                    amount_minor=25000,
                    currency="DZD",
                    kind=CompensationKind.CREDIT,
                )
            ],
            now=NOW,
        )


def _notices(counter: Counter) -> list[str]:
    with counter.world.db.read() as session:
        return list(
            session.scalars(
                select(PrintJob.document_ref).where(
                    PrintJob.kind == PrintJobKind.COMPENSATION_NOTICE
                )
            )
        )


def test_shift_f4_prints_the_latest_compensation_notice(counter: Counter) -> None:
    _compensate(counter, "1000000001")
    counter.sign_in()
    counter.scan("1000000001")
    assert counter.window.counter.subscriber is not None
    counter.press(Qt.Key.Key_F4, Qt.KeyboardModifier.ShiftModifier)
    counter.qtbot.waitUntil(lambda: len(_notices(counter)) == 1)
    assert _notices(counter)[0].startswith("K-")


def test_shift_f4_says_when_there_is_none(counter: Counter) -> None:
    counter.sign_in()
    counter.scan("1000000001")
    counter.press(Qt.Key.Key_F4, Qt.KeyboardModifier.ShiftModifier)
    assert _notices(counter) == []
    assert "no compensation" in counter.window.counter.status.text()
