"""Applying migrations and refusing to run on a database that lacks them."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.engine import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Alembic is imported only when a migration is listed or applied: importing it costs
# more than a quarter of a second, and every start checks the schema.
_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=]*=\s*(.+?)\s*$", re.MULTILINE)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(database: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _script_heads() -> set[str]:
    """The head revisions, read from the ``revision``/``down_revision`` lines of the files."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            found = ast.literal_eval(value)
            named = {found} if isinstance(found, str) else set(found or ())
            (revisions if name == "revision" else parents).update(named)
    return revisions - parents


def _applied_heads(database: Database) -> set[str] | None:
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            return set(rows.scalars())
    except DBAPIError:  # no version table yet
        return None


def pending_revisions(database: Database) -> list[str]:
    """Revisions not yet applied, oldest first."""
    heads = _script_heads()
    if heads and _applied_heads(database) == heads:
        return []  # the usual answer at start-up, found without alembic
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(database)
    pending = [rev.revision for rev in script.iterate_revisions("heads", current)]
    return list(reversed(pending))


def upgrade(database: Database, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def make_revision(database: Database, message: str) -> None:
    """Developer helper: autogenerate a migration from the models."""
    from alembic import command

    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
