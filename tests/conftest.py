"""Fixtures shared by every test.

Each test that asks for ``database`` runs twice: on SQLite (a copy of a migrated
template file) and on PostgreSQL (a database cloned from a migrated template
with CREATE DATABASE ... TEMPLATE, which is much faster than migrating anew).
PostgreSQL tests skip when no server answers, except when
GUICHET_REQUIRE_POSTGRES=1 (as in CI), where a missing server is a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.i18n import set_language
from db import migrate
from db.engine import Database

PG_ADMIN_URL = os.environ.get(
    "GUICHET_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("GUICHET_REQUIRE_POSTGRES") == "1"
_PG_TEMPLATE = f"guichet_tpl_{os.getpid()}"


def _pg_conninfo(dbname: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{dbname}"


def _pg_admin() -> psycopg.Connection:
    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id at a test cost: the production cost is a deliberate ~50 ms per hash."""
    from argon2 import PasswordHasher

    import app.auth

    production = app.auth._hasher
    app.auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    app.auth._hasher = production


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the real user's folders or language."""
    monkeypatch.setenv("GUICHET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GUICHET_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("GUICHET_DATABASE_URL", raising=False)
    monkeypatch.delenv("GUICHET_KEY_FILE", raising=False)
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    try:
        admin = _pg_admin()
    except psycopg.OperationalError as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but does not answer: {error}")
        pytest.skip(f"no PostgreSQL server: {error}")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{_PG_TEMPLATE}"')
        admin.execute(f'CREATE DATABASE "{_PG_TEMPLATE}"')
    database = Database(_pg_conninfo(_PG_TEMPLATE))
    migrate.upgrade(database)
    database.dispose()
    yield _PG_TEMPLATE
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{_PG_TEMPLATE}" WITH (FORCE)')


def make_sqlite_database(template: Path, directory: Path) -> Database:
    path = directory / f"guichet-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(template, path)
    return Database(f"sqlite:///{path}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated, empty database: SQLite and PostgreSQL in turn."""
    if request.param == "sqlite":
        database = make_sqlite_database(request.getfixturevalue("sqlite_template"), tmp_path)
        yield database
        database.dispose()
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_template")) as database:
        yield database


@contextmanager
def fresh_postgres_database(template: str) -> Iterator[Database]:
    """A database cloned from the migrated template, dropped afterwards."""
    name = f"guichet_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    database = Database(_pg_conninfo(name))
    try:
        yield database
    finally:
        database.dispose()
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_database(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """SQLite only, for what is specific to the embedded database."""
    database = make_sqlite_database(sqlite_template, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def postgres_database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """PostgreSQL only, for what several counters on one server do at once."""
    with fresh_postgres_database(request.getfixturevalue("postgres_template")) as database:
        yield database
