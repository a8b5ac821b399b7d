"""Staff sign-in: argon2id, lockout after five failures, roles, journal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth import add_user, authenticate, require_role
from app.errors import (
    AccountLockedError,
    AuthenticationError,
    ConflictError,
    PermissionDeniedError,
    ValidationError,
)
from db.engine import Database
from db.models import JournalEvent, Role, Staff
from tests.factories import PASSWORD, World, build_world


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path / "keys")


def kinds(world: World) -> list[str]:
    with world.db.read() as session:
        return list(session.scalars(select(JournalEvent.kind).order_by(JournalEvent.seq)))


def test_password_is_stored_as_argon2id(world: World) -> None:
    with world.db.read() as session:
        stored = session.scalars(select(Staff.password_hash).where(Staff.login == "amina")).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_sign_in_and_wrong_password(world: World) -> None:
    actor = authenticate(world.ctx, "Amina ", PASSWORD, workstation="ALG01-G01")
    assert actor.login == "amina" and actor.role == Role.AGENT
    with pytest.raises(AuthenticationError, match="Wrong login or password"):
        authenticate(world.ctx, "amina", "nope")
    with pytest.raises(AuthenticationError, match="Wrong login or password"):
        authenticate(world.ctx, "nobody", "nope")
    assert kinds(world)[-3:] == ["auth.login_succeeded", "auth.login_failed", "auth.login_failed"]


def test_five_failures_lock_the_account_for_a_while(world: World) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationError):
            authenticate(world.ctx, "amina", "wrong")
    with pytest.raises(AccountLockedError, match="locked for 15 minutes"):
        authenticate(world.ctx, "amina", "wrong")
    with pytest.raises(AccountLockedError, match="Try again in"):
        authenticate(world.ctx, "amina", PASSWORD)  # even the right password waits
    assert "auth.account_locked" in kinds(world)
    world.ctx.clock.now += timedelta(minutes=16)  # type: ignore[attr-defined]
    assert authenticate(world.ctx, "amina", PASSWORD).login == "amina"


def test_roles_are_checked_in_the_service(world: World) -> None:
    require_role(world.supervisor, Role.AGENT)
    with pytest.raises(PermissionDeniedError):
        require_role(world.agent, Role.SUPERVISOR)
    with pytest.raises(PermissionDeniedError):
        add_user(world.ctx, "newbie", role="agent", password=PASSWORD, added_by=world.supervisor)


def test_add_user_validates_its_input(world: World) -> None:
    with pytest.raises(ValidationError, match="at least 8"):
        add_user(world.ctx, "short", role="agent", password="1234")
    with pytest.raises(ValidationError, match="Unknown role"):
        add_user(world.ctx, "x", role="boss", password=PASSWORD)
    with pytest.raises(ConflictError, match="already taken"):
        add_user(world.ctx, "AMINA", role="agent", password=PASSWORD)


def test_only_the_same_agent_or_a_supervisor_unlocks(world: World) -> None:
    from app.auth import unlock

    assert unlock(world.ctx, world.agent, "amina", PASSWORD).login == "amina"
    assert unlock(world.ctx, world.agent, "karim", PASSWORD).login == "karim"
    with pytest.raises(PermissionDeniedError, match="Only amina or a supervisor"):
        unlock(world.ctx, world.agent, "yacine", PASSWORD)
    with pytest.raises(AuthenticationError):
        unlock(world.ctx, world.agent, "amina", "wrong")
    assert kinds(world).count("auth.screen_unlocked") == 2
