"""An operator's database (DZD, Algeria, agency ALG01) for the import tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.engine import Database
from tests.factories import World, build_world


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return build_world(database, tmp_path / "keys")
