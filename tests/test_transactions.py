"""A collision with another counter on PostgreSQL is run again, never shown raw."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.errors import ConflictError
from app.transactions import ATTEMPTS, write_transaction
from db.engine import Database
from db.models import ChainHead

pytestmark = pytest.mark.postgres


def _collide(session: Session, sqlstate: str) -> None:
    """What PostgreSQL raises when it ends a transaction that met another one."""
    session.execute(
        text(f"DO $$ BEGIN RAISE EXCEPTION 'collision' USING ERRCODE = '{sqlstate}'; END $$")
    )


def _heads(database: Database) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(ChainHead)) or 0)


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])  # serialization failure, deadlock
def test_a_collision_is_run_again_from_scratch(postgres_database: Database, sqlstate: str) -> None:
    attempts: list[int] = []

    def work(session: Session) -> str:
        attempts.append(1)
        session.add(ChainHead(name=f"try-{len(attempts)}", last_seq=0, last_signature=""))
        session.flush()
        if len(attempts) < 3:
            _collide(session, sqlstate)
        return "done"

    assert write_transaction(postgres_database, work) == "done"
    assert len(attempts) == 3
    with postgres_database.read() as session:
        assert session.scalars(select(ChainHead.name)).all() == ["try-3"]  # the others left nothing


def test_endless_collisions_end_in_one_translated_line(postgres_database: Database) -> None:
    attempts: list[int] = []

    def work(session: Session) -> None:
        attempts.append(1)
        session.add(ChainHead(name=f"try-{len(attempts)}", last_seq=0, last_signature=""))
        session.flush()
        _collide(session, "40P01")

    with pytest.raises(ConflictError) as raised:
        write_transaction(postgres_database, work)
    assert len(attempts) == ATTEMPTS
    assert "Try again" in raised.value.translated("en")
    assert "Réessayez" in raised.value.translated("fr")
    assert _heads(postgres_database) == 0


def test_other_database_errors_are_not_retried(postgres_database: Database) -> None:
    attempts: list[int] = []

    def work(session: Session) -> None:
        attempts.append(1)
        _collide(session, "23505")  # a unique violation: running again changes nothing

    with pytest.raises(DBAPIError):
        write_transaction(postgres_database, work)
    assert len(attempts) == 1
