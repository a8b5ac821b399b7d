"""Each agent's own screen language, kept when they switch and applied at their sign-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth import add_user, authenticate
from app.errors import ConflictError, ValidationError
from app.integrity.verify import verify_database
from app.staff import deactivate_user, set_own_language
from db.engine import Database
from db.models import JournalEvent
from tests.factories import PASSWORD, World, build_world


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path / "keys")


def _events(world: World) -> int:
    with world.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(JournalEvent)) or 0)


def test_an_agent_keeps_their_language_for_the_next_sign_in(world: World) -> None:
    assert world.agent.language is None
    events = _events(world)
    updated = set_own_language(world.ctx, world.agent, "ar")
    assert updated.language == "ar" and updated.login == world.agent.login
    assert authenticate(world.ctx, "amina", PASSWORD, journal_success=False).language == "ar"
    # A preference, not a right: nothing for the journal, and verify stays clean.
    assert _events(world) == events
    assert verify_database(world.db, world.ctx.signer.verifier).ok


def test_only_the_agents_own_row_changes(world: World) -> None:
    set_own_language(world.ctx, world.agent, "en")
    assert authenticate(world.ctx, "karim", PASSWORD, journal_success=False).language is None


def test_an_unknown_language_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        set_own_language(world.ctx, world.agent, "de")
    assert refused.value.field == "language"


def test_a_removed_account_keeps_nothing(world: World) -> None:
    root = add_user(world.ctx, "root", role="admin", password=PASSWORD)
    deactivate_user(world.ctx, root, "amina")
    with pytest.raises(ConflictError):
        set_own_language(world.ctx, world.agent, "fr")
