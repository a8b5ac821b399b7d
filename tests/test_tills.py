"""Tills: who may close which, and what the journal keeps of each session."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.closing.tills import close_cash_session, current_cash_session, open_cash_session
from app.errors import ConflictError, PermissionDeniedError
from app.integrity.canonical import instant
from app.integrity.verify import verify_database
from db.engine import Database
from db.models import CashSession, JournalEvent
from tests.factories import NOW, WORKSTATION, World, build_world


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path / "keys")


def events(world: World, kind: str) -> list[JournalEvent]:
    with world.db.read() as session:
        return list(
            session.scalars(
                select(JournalEvent).where(JournalEvent.kind == kind).order_by(JournalEvent.seq)
            )
        )


def test_opening_and_closing_journal_the_whole_session(world: World) -> None:
    opened = events(world, "cash.session_opened")[0]
    till = current_cash_session(world.db, WORKSTATION)
    assert till is not None
    assert json.loads(opened.details) == {
        "session": till.session_id,
        "workstation": "ALG01-G01",
        "float": 500000,
        "opened_by": "amina",
        "opened_at": instant(NOW),
    }
    close_cash_session(world.ctx, world.agent, WORKSTATION)
    closed = events(world, "cash.session_closed")[0]
    assert json.loads(closed.details) == {
        "session": till.session_id,
        "workstation": "ALG01-G01",
        "closed_by": "amina",
        "closed_at": instant(NOW),
    }
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_an_agent_closes_only_their_own_counters_till(world: World) -> None:
    with pytest.raises(PermissionDeniedError, match=r"own counter \(ALG01-G01\)"):
        close_cash_session(world.ctx, world.agent, WORKSTATION, till="ALG01-G02")
    assert current_cash_session(world.db, "ALG01-G02") is not None
    # their own counter's till, even opened by someone else
    close_cash_session(world.ctx, world.agent, WORKSTATION)
    open_cash_session(world.ctx, world.other_agent, WORKSTATION, Decimal("100"))
    close_cash_session(world.ctx, world.agent, WORKSTATION, till="ALG01-G01")
    assert current_cash_session(world.db, WORKSTATION) is None
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_a_supervisor_closes_any_till(world: World) -> None:
    close_cash_session(world.ctx, world.supervisor, WORKSTATION, till="ALG01-G02")
    assert current_cash_session(world.db, "ALG01-G02") is None
    closed = events(world, "cash.session_closed")[0]
    assert closed.actor_login == "karim" and closed.workstation == "ALG01-G01"
    assert json.loads(closed.details)["workstation"] == "ALG01-G02"
    with pytest.raises(ConflictError, match="No cash session is open at ALG01-G02"):
        close_cash_session(world.ctx, world.supervisor, WORKSTATION, till="ALG01-G02")
    with world.db.read() as session:
        assert (
            session.scalar(
                select(CashSession.closed_by_id).where(CashSession.closed_at.is_not(None))
            )
            == world.supervisor.staff_id
        )
    assert verify_database(world.db, world.ctx.signer.verifier).ok
