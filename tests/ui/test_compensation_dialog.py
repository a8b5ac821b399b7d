"""The supervisor's approvals: the compensations waiting, approved with Enter, refused with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.compensation.claims import ClaimProposal, propose_claims
from app.station import load_station
from db.models import (
    ClaimStatus,
    Compensation,
    CompensationClaim,
    CompensationSource,
    Contract,
)
from tests.factories import NOW, TODAY, WORKSTATION, add_subscriber
from tests.ui.conftest import Counter, SyncRunner
from tests.ui.test_screen_sizes import SIZES, cut_texts
from ui.qt import Qt
from ui.supervisor.compensation_dialog import CompensationDialog


class _Commitment:
    code = "OUTAGE"
    charter_id = None
    rule_kind = "days_credit"
    automatic = True
    approval_above_minor = 1000


def _awaiting(counter: Counter) -> None:
    world = counter.world
    for account in ("920001", "920002"):
        add_subscriber(world.db, account)
    with world.db.write() as session:
        proposals = []
        for n, contract in enumerate(
            session.scalars(select(Contract).where(Contract.number.in_(["C920001", "C920002"])))
        ):
            contract.agency_id = 1
            proposals.append(
                ClaimProposal(
                    CompensationSource.OUTAGE,
                    7,
                    contract.subscriber_id,
                    contract.id,
                    48000 + n,
                    "DZD",
                    "credit",
                    basis={"outage": "P-2026-0007", "downtime_minutes": 4000, "days": 3},
                )
            )
        propose_claims(session, world.ctx.signer, _Commitment(), proposals, now=NOW)


def _dialog(counter: Counter) -> CompensationDialog:
    world = counter.world
    station = load_station(world.db, WORKSTATION)
    dialog = CompensationDialog(world.ctx, world.supervisor, station, SyncRunner(), counter.window)
    counter.qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_approve_with_enter_and_refuse_with_a_reason(counter: Counter) -> None:
    _awaiting(counter)
    dialog = _dialog(counter)
    assert dialog.claims.rowCount() == 2
    assert "Outage" in dialog.basis.text() or "3" in dialog.basis.text()
    counter.qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert dialog.claims.rowCount() == 1 and dialog.decided == 1
    with counter.world.db.read() as session:
        entry = session.scalars(select(Compensation)).one()
        assert (entry.amount_minor, entry.agency_id, entry.business_day) == (48000, 1, TODAY)
    dialog.refuse.click()  # no reason: refused in one line, nothing decided
    assert dialog.error.text() and dialog.claims.rowCount() == 1
    dialog.reason.setText("panne non confirmée par le central")
    dialog.refuse.click()
    assert dialog.claims.rowCount() == 0 and dialog.error.text() == ""
    with counter.world.db.read() as session:
        statuses = sorted(session.scalars(select(CompensationClaim.status)))
    assert statuses == [ClaimStatus.APPLIED, ClaimStatus.REFUSED]


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_approvals_fit_and_cut_nothing(
    counter: Counter, language: str, size: tuple[int, int]
) -> None:
    _awaiting(counter)
    counter.window.language.apply(language)
    counter.window.resize(*size)
    dialog = _dialog(counter)
    counter.qtbot.wait(20)
    assert dialog.width() <= size[0] and dialog.height() <= size[1]
    assert not dialog.table.horizontalScrollBar().isVisible()
    # The cause stretches (its commitment's title may be long); the rest is whole.
    cut = [text for text in cut_texts(dialog.table) if "Outage" not in text and "Panne" not in text]
    assert cut == []
