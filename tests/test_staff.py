"""Staff changes go through the journal, so that `verify` can replay them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

import app.auth
from app.auth import authenticate
from app.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from app.integrity.records import password_fingerprint
from app.integrity.verify import verify_database
from app.staff import change_password, change_role, deactivate_user
from db.engine import Database
from db.models import JournalEvent, Role, Staff
from tests.factories import PASSWORD, World, build_world


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    world = build_world(database, tmp_path / "keys")
    return world


def admin(world: World) -> app.auth.Actor:
    return app.auth.add_user(world.ctx, "root", role="admin", password=PASSWORD)


def journal(world: World) -> list[JournalEvent]:
    with world.db.read() as session:
        return list(session.scalars(select(JournalEvent).order_by(JournalEvent.seq)))


def last_event(world: World) -> JournalEvent:
    return journal(world)[-1]


def stored(world: World, login: str) -> Staff:
    with world.db.read() as session:
        return session.scalars(select(Staff).where(Staff.login == login)).one()


def assert_verifies(world: World) -> None:
    report = verify_database(world.db, world.ctx.signer.verifier)
    assert report.ok, [p.translated() for p in report.problems]


def test_adding_a_user_journals_role_active_and_password_fingerprint(world: World) -> None:
    (event,) = [e for e in journal(world) if e.subject == "yacine"]
    assert event.kind == "staff.user_added"
    assert json.loads(event.details) == {
        "role": "agent",
        "active": True,
        "password": password_fingerprint(stored(world, "yacine").password_hash),
    }


def test_an_admin_changes_a_role_and_it_is_journaled(world: World) -> None:
    root = admin(world)
    actor = change_role(world.ctx, root, "Amina", "supervisor")
    assert actor.role == Role.SUPERVISOR
    event = last_event(world)
    assert (event.kind, event.subject, event.actor_login) == ("staff.role_changed", "amina", "root")
    assert json.loads(event.details)["role"] == "supervisor"
    assert authenticate(world.ctx, "amina", PASSWORD).role == Role.SUPERVISOR
    assert_verifies(world)


def test_only_an_admin_changes_roles_and_never_their_own(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        change_role(world.ctx, world.supervisor, "amina", "supervisor")
    root = admin(world)
    with pytest.raises(ConflictError, match="your own role"):
        change_role(world.ctx, root, "root", "agent")
    with pytest.raises(ValidationError, match="Unknown role"):
        change_role(world.ctx, root, "amina", "boss")
    with pytest.raises(ConflictError, match="already has the role"):
        change_role(world.ctx, root, "amina", "agent")
    with pytest.raises(NotFoundError):
        change_role(world.ctx, root, "nobody", "agent")
    assert stored(world, "amina").role == Role.AGENT


def test_a_removed_account_cannot_sign_in_and_stays_removed(world: World) -> None:
    root = admin(world)
    deactivate_user(world.ctx, root, "yacine")
    event = last_event(world)
    assert event.kind == "staff.user_removed" and json.loads(event.details)["active"] is False
    with pytest.raises(AuthenticationError):
        authenticate(world.ctx, "yacine", PASSWORD)
    with pytest.raises(ConflictError, match="was removed"):
        deactivate_user(world.ctx, root, "yacine")
    with pytest.raises(ConflictError, match="was removed"):
        change_role(world.ctx, root, "yacine", "supervisor")
    with pytest.raises(PermissionDeniedError):
        deactivate_user(world.ctx, world.supervisor, "amina")
    assert_verifies(world)


def test_passwords_change_through_the_journal(world: World) -> None:
    # one's own, with the current password
    change_password(world.ctx, world.agent, "amina", "a new long one", current_password=PASSWORD)
    assert authenticate(world.ctx, "amina", "a new long one").login == "amina"
    event = last_event(world)
    assert event.kind == "auth.login_succeeded"
    with pytest.raises(AuthenticationError, match="current password is wrong"):
        change_password(world.ctx, world.agent, "amina", "another one", current_password="no")
    # another's: an admin only
    with pytest.raises(PermissionDeniedError):
        change_password(world.ctx, world.agent, "karim", "taken over!")
    change_password(world.ctx, admin(world), "karim", "reset by root")
    event = last_event(world)
    assert event.kind == "staff.password_changed" and event.subject == "karim"
    assert json.loads(event.details)["password"] == password_fingerprint(
        stored(world, "karim").password_hash
    )
    with pytest.raises(ValidationError, match="at least 8"):
        change_password(world.ctx, None, "karim", "short")
    assert_verifies(world)


def test_a_rehash_at_sign_in_is_journaled(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    before = stored(world, "karim").password_hash
    monkeypatch.setattr(app.auth, "_hasher", PasswordHasher(time_cost=2, memory_cost=1024))
    authenticate(world.ctx, "karim", PASSWORD)
    after = stored(world, "karim").password_hash
    assert after != before
    with world.db.read() as session:
        kinds = list(session.scalars(select(JournalEvent.kind).order_by(JournalEvent.seq)))
    assert kinds[-2:] == ["staff.password_rehashed", "auth.login_succeeded"]
    assert_verifies(world)


def _cli(world: World, tmp_path: Path, *args: str, stdin: str = "") -> int:
    from app.cli.main import main

    key = str(tmp_path / "keys" / "signing-key.pem")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO(stdin))
        return main(["--database", world.db.url, "--key-file", key, *args])


def test_user_commands(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(world, tmp_path, "user", "role", "amina", "--role", "supervisor") == 0
    assert "amina now has the role Supervisor" in capsys.readouterr().out
    assert _cli(world, tmp_path, "user", "password", "karim", stdin="brand new pass\n") == 0
    assert authenticate(world.ctx, "karim", "brand new pass").login == "karim"
    assert _cli(world, tmp_path, "user", "remove", "yacine") == 0
    assert "yacine is removed" in capsys.readouterr().out
    assert _cli(world, tmp_path, "user", "remove", "yacine") == 2
    assert "was removed" in capsys.readouterr().err
    assert _cli(world, tmp_path, "user", "password", "karim", stdin="short\n") == 2
    assert_verifies(world)
    with world.db.read() as session:
        events = session.scalars(
            select(JournalEvent).where(JournalEvent.kind.like("staff.%")).order_by(JournalEvent.seq)
        ).all()
    assert [(e.kind, e.subject, e.actor_login) for e in events[-3:]] == [
        ("staff.role_changed", "amina", None),
        ("staff.password_changed", "karim", None),
        ("staff.user_removed", "yacine", None),
    ]
