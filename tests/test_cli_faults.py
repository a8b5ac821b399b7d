"""Bad input and faults through the real command line: one clear line, a non-zero exit,
nothing written.

Each case runs ``python main.py`` in a subprocess, as IT would, and checks the
exit code, that standard error holds exactly one message (no traceback), and
that the database is as it was: the same file bytes and modification time for
SQLite, the same row counts in every table, and no file or folder made for a
mistyped path. Permission cases run without the root capabilities that bypass
file permissions, so they hold when the tests run as root (as in CI).
"""

from __future__ import annotations

import base64
import ctypes
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import inspect, text

from app.payments.requests import PaymentRequest, TenderInput
from app.payments.service import take_payment
from db.engine import Database
from db.models import TenderKind
from tests.factories import WORKSTATION, World, add_subscriber, build_world
from tests.fake_postgres import RefusingPostgres

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("GUICHET_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: root ignores file permissions with them.
_PR_CAPBSET_DROP = 24
_PERMISSION_BYPASSING_CAPABILITIES = (1, 2)


def _without_permission_bypass() -> None:
    """In the child, before exec: drop the capabilities, so root obeys chmod like anyone."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in _PERMISSION_BYPASSING_CAPABILITIES:
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run(
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    unprivileged: bool = False,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--language", "en", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        preexec_fn=_without_permission_bypass if unprivileged and os.geteuid() == 0 else None,
    )


def assert_one_error_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for words in expected:
        assert words in lines[0], lines[0]
    return lines[0]


def assert_usage_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """argparse's refusal: the usage, then one line naming the argument; exit 2."""
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("python main.py") and "error:" in last, result.stderr
    for words in expected:
        assert words in last, last


# ---------------------------------------------------------------- the database's state


def row_counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        return {
            table: int(connection.scalar(text(f'SELECT count(*) FROM "{table}"')) or 0)
            for table in tables
        }


@dataclass
class Snapshot:
    """What "nothing was written" means: checked after the command."""

    database: Database
    counts: dict[str, int] = field(default_factory=dict)
    files: dict[Path, tuple[bytes, int]] = field(default_factory=dict)

    @classmethod
    def take(cls, database: Database) -> Snapshot:
        snapshot = cls(database, row_counts(database))
        database.dispose()  # the WAL is checkpointed and gone: the file alone holds the data
        if database.is_sqlite:
            path = Path(str(database.engine.url.database))
            for each in (path, path.with_name(path.name + "-wal")):
                if each.exists():
                    snapshot.files[each] = (each.read_bytes(), each.stat().st_mtime_ns)
        return snapshot

    def assert_unchanged(self) -> None:
        for path, (content, mtime) in self.files.items():
            assert path.read_bytes() == content, f"{path} changed"
            assert path.stat().st_mtime_ns == mtime, f"{path} was written"
        assert row_counts(self.database) == self.counts
        self.database.dispose()


def paid_world(database: Database, tmp_path: Path) -> World:
    """Operator, agency, staff, a subscriber and one payment (receipt ALG01-G01-000001)."""
    world = build_world(database, tmp_path / "keys")
    add_subscriber(world.db, "1000000001", invoices=[("F1", 100000, date(2026, 10, 1))])
    take_payment(
        world.ctx,
        world.agent,
        PaymentRequest(
            "k1", "1000000001", WORKSTATION, (TenderInput(TenderKind.CASH, Decimal("1000")),)
        ),
    )
    return world


@pytest.fixture
def world(database: Database, tmp_path: Path) -> Iterator[World]:
    yield paid_world(database, tmp_path)


@pytest.fixture
def sqlite_world(sqlite_database: Database, tmp_path: Path) -> Iterator[World]:
    yield paid_world(sqlite_database, tmp_path)


def key_of(world: World, tmp_path: Path) -> list[str]:
    return ["--database", world.db.url, "--key-file", str(tmp_path / "keys" / "signing-key.pem")]


# ------------------------------------------------------------- the database URL itself

BAD_URLS = [
    ("", "The database URL is empty"),
    ("guichet.db", "The database URL guichet.db is not valid"),
    ("sqlite:/var/lib/guichet.db", "is not valid"),
    ("postgresql://agent:s3cret@db:notaport/guichet", "postgresql://agent:***@db:notaport"),
    ("mysql://agent@db/guichet", "Guichet runs on SQLite or PostgreSQL"),
    ("postgresql+psycopg2://agent@db/guichet", "Guichet runs on SQLite or PostgreSQL"),
]


@pytest.mark.parametrize(("url", "expected"), BAD_URLS)
def test_a_database_value_that_is_not_a_usable_url(url: str, expected: str) -> None:
    line = assert_one_error_line(run("--database", url, "status"), expected)
    assert "sqlite:///PATH/TO/guichet.db" in line
    assert "s3cret" not in line


# ---------------------------------------------------------------- PostgreSQL faults


def _pg(user: str = "postgres", host: str = "127.0.0.1", port: int = 5432, db: str = "x") -> str:
    return f"postgresql://{user}@{host}:{port}/{db}?connect_timeout=5"


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:  # bound, never listening: the connection is refused
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_answers() -> bool:
    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("closed port", "does not answer (Connection refused)"),
        ("unknown host", "The database server name no-such-host.invalid is not known"),
        ("unknown user", "refused the user no_such_role"),
        ("missing database", "There is no database guichet_nowhere on the server"),
    ],
)
def test_postgres_cannot_be_used(case: str, expected: str) -> None:
    if case in ("unknown user", "missing database") and not _server_answers():
        if os.environ.get("GUICHET_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required but does not answer")
        pytest.skip("no PostgreSQL server")
    url = {
        "closed port": _pg(port=_closed_port()),
        "unknown host": _pg(host="no-such-host.invalid"),
        "unknown user": _pg(user="no_such_role", db="postgres"),
        "missing database": _pg(db="guichet_nowhere"),
    }[case]
    # db upgrade, the one command that may create an SQLite file, creates no PostgreSQL
    # database either: the server's administrator does.
    command = ("db", "upgrade") if case == "missing database" else ("status",)
    assert_one_error_line(run("--database", url, *command), expected)


def test_postgres_wrong_password_is_a_refused_user() -> None:
    with RefusingPostgres() as server:
        url = f"postgresql://guichet:wrong@127.0.0.1:{server.port}/guichet?connect_timeout=5"
        result = run("--database", url, "status")
    # The server did ask, and said no (libpq may try twice, with and without SSL).
    assert server.passwords_seen and set(server.passwords_seen) == {"wrong"}
    line = assert_one_error_line(
        result, f"The database server 127.0.0.1:{server.port} refused the user guichet"
    )
    assert "password" in line and "wrong" not in line


# ------------------------------------------------------------------- SQLite files


@pytest.mark.parametrize("command", [("status",), ("verify",), ("user", "add", "a")])
def test_a_mistyped_sqlite_path_creates_nothing(tmp_path: Path, command: tuple[str, ...]) -> None:
    missing = tmp_path / "no-such-folder" / "guichet.db"
    args = ["--database", f"sqlite:///{missing}", *command]
    if command[0] == "user":
        args += ["--role", "agent"]
    result = run(*args, stdin="a long password\n")
    assert_one_error_line(result, f"There is no database {missing}", "python main.py db upgrade")
    assert not missing.parent.exists()


def test_db_upgrade_and_demo_create_the_database(tmp_path: Path) -> None:
    created = tmp_path / "new" / "guichet.db"
    result = run("--database", f"sqlite:///{created}", "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert created.exists()


def _sqlite_snapshot(world: World) -> tuple[Snapshot, Path]:
    snapshot = Snapshot.take(world.db)
    return snapshot, next(iter(snapshot.files))


def test_a_read_only_sqlite_file(sqlite_world: World, tmp_path: Path) -> None:
    snapshot, path = _sqlite_snapshot(sqlite_world)
    path.chmod(0o444)
    try:
        result = run(
            *key_of(sqlite_world, tmp_path),
            "user",
            "add",
            "omar",
            "--role",
            "agent",
            stdin="a long password\n",
            unprivileged=True,
        )
    finally:
        path.chmod(0o644)
    assert_one_error_line(result, f"The database {path} cannot be written", "write access")
    snapshot.assert_unchanged()


@pytest.mark.parametrize("command", [("status",), ("user", "add", "omar", "--role", "agent")])
def test_an_sqlite_file_in_a_read_only_folder(
    sqlite_world: World, tmp_path: Path, command: tuple[str, ...]
) -> None:
    # In WAL mode even a reader needs to create the -shm file beside the database.
    snapshot, path = _sqlite_snapshot(sqlite_world)
    folder = path.parent
    mode = stat.S_IMODE(folder.stat().st_mode)
    folder.chmod(0o555)
    try:
        result = run(
            *key_of(sqlite_world, tmp_path),
            *command,
            stdin="a long password\n",
            unprivileged=True,
        )
    finally:
        folder.chmod(mode)
    assert_one_error_line(result, f"The database {path} cannot be written")
    snapshot.assert_unchanged()


def test_db_upgrade_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked-up"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run(
            "--database", f"sqlite:///{folder / 'g.db'}", "db", "upgrade", unprivileged=True
        )
    finally:
        folder.chmod(0o755)
    assert_one_error_line(result, f"The database file {folder / 'g.db'} cannot be opened")
    assert list(folder.iterdir()) == []


def _truncate(path: Path) -> None:
    with path.open("r+b") as stream:
        stream.truncate(path.stat().st_size // 3)


def _garbage_header(path: Path) -> None:
    with path.open("r+b") as stream:
        stream.write(b"this is not SQLite, just a file that was overwritten")


def _garbage_inside(path: Path) -> None:
    """Overwrite the staff table, deep in an otherwise valid file."""
    with sqlite3.connect(path) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'staff'"
        ).fetchone()
    connection.close()
    with path.open("r+b") as stream:
        stream.seek((root - 1) * page_size)
        stream.write(b"\xa5" * page_size)


@pytest.mark.parametrize(
    ("damage", "command"),
    [
        (_truncate, ("status",)),
        (_garbage_header, ("status",)),
        (_garbage_inside, ("status",)),
        (_garbage_inside, ("verify",)),
        (_garbage_inside, ("user", "add", "x")),
    ],
)
def test_a_damaged_sqlite_file(
    sqlite_world: World,
    tmp_path: Path,
    damage: Callable[[Path], None],
    command: tuple[str, ...],
) -> None:
    sqlite_world.db.dispose()
    path = Path(str(sqlite_world.db.engine.url.database))
    damage(path)
    before = path.read_bytes(), path.stat().st_mtime_ns
    args = [*key_of(sqlite_world, tmp_path), *command]
    if command[0] == "user":
        args += ["--role", "agent"]
    result = run(*args, stdin="a long password\n")
    assert_one_error_line(result, f"The file {path} is not a Guichet database or is damaged")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


_HOLD_THE_WRITE_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
sys.stdin.read()  # until the test closes our standard input
connection.rollback()
"""


def test_an_sqlite_file_held_by_another_writer(sqlite_world: World, tmp_path: Path) -> None:
    snapshot, path = _sqlite_snapshot(sqlite_world)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_THE_WRITE_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        result = run(
            *key_of(sqlite_world, tmp_path),
            "user",
            "add",
            "omar",
            "--role",
            "agent",
            stdin="a long password\n",
            env={"GUICHET_SQLITE_BUSY_TIMEOUT_MS": "300"},
        )
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert_one_error_line(
        result, f"The database {path} is held by another program for more than 0.3 s"
    )
    snapshot.assert_unchanged()


# -------------------------------------------------------------- bad values for commands


def _short_key() -> str:
    return base64.b64encode(b"k" * 16).decode()


@pytest.mark.parametrize(
    ("public_key", "expected"),
    [
        ("!!not base64!!", "is not an Ed25519 public key"),
        ("short-key", "is not an Ed25519 public key"),
        ("folder", "is a folder"),
    ],
)
def test_verify_with_a_bad_public_key(
    sqlite_world: World, tmp_path: Path, public_key: str, expected: str
) -> None:
    value = {"short-key": _short_key(), "folder": str(tmp_path)}.get(public_key, public_key)
    snapshot = Snapshot.take(sqlite_world.db)
    result = run("--database", sqlite_world.db.url, "verify", "--public-key", value)
    assert_one_error_line(result, f"--public-key {value} ", expected)
    snapshot.assert_unchanged()


@pytest.mark.parametrize("command", [("verify",), ("key", "show"), ("user", "add", "omar")])
def test_a_key_file_that_is_a_folder(
    sqlite_world: World, tmp_path: Path, command: tuple[str, ...]
) -> None:
    snapshot = Snapshot.take(sqlite_world.db)
    args = ["--database", sqlite_world.db.url, "--key-file", str(tmp_path), *command]
    if command[0] == "user":
        args += ["--role", "agent"]
    result = run(*args, stdin="a long password\n")
    assert_one_error_line(result, f"The signing key {tmp_path} is a folder")
    snapshot.assert_unchanged()


@pytest.mark.parametrize("limit", ["0", "-3", "many"])
def test_lookup_limit_must_be_positive(sqlite_world: World, limit: str) -> None:
    result = run("--database", sqlite_world.db.url, "lookup", "helene", "--limit", limit)
    assert_usage_error(result, "--limit", f"{limit} is not a whole number of at least 1")


def test_demo_with_an_impossible_date_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "demo" / "guichet.db"
    result = run(
        "--database", f"sqlite:///{target}", "--key-file", str(tmp_path / "k.pem"),
        "demo", "--subscribers", "10", "--today", "2026-13-45",
    )  # fmt: skip
    assert_usage_error(result, "--today", "2026-13-45 is not a date")
    assert not target.parent.exists() and not (tmp_path / "k.pem").exists()


@pytest.mark.parametrize("where", ["missing folder", "a folder", "read-only folder"])
def test_receipt_pdf_to_a_path_that_cannot_be_written(
    sqlite_world: World, tmp_path: Path, where: str
) -> None:
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    out = {
        "missing folder": tmp_path / "no-such-folder" / "copy.pdf",
        "a folder": tmp_path,
        "read-only folder": read_only / "copy.pdf",
    }[where]
    snapshot = Snapshot.take(sqlite_world.db)
    read_only.chmod(0o555)
    try:
        result = run(
            *key_of(sqlite_world, tmp_path),
            "receipt",
            "pdf",
            "ALG01-G01-000001",
            "--out",
            str(out),
            unprivileged=True,
        )
    finally:
        read_only.chmod(0o755)
    assert_one_error_line(result, str(out))
    snapshot.assert_unchanged()  # no DUPLICATA journaled for a PDF never written
    assert not out.with_name(out.name + ".part").exists()


def test_receipt_pdf_still_writes_the_copy(sqlite_world: World, tmp_path: Path) -> None:
    out = tmp_path / "copy.pdf"
    result = run(
        *key_of(sqlite_world, tmp_path), "receipt", "pdf", "ALG01-G01-000001", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF") and not Path(f"{out}.part").exists()


def test_a_very_long_login_is_refused_with_the_limit(world: World, tmp_path: Path) -> None:
    """On SQLite (which would store it) as on PostgreSQL (which would raise)."""
    snapshot = Snapshot.take(world.db)
    result = run(
        *key_of(world, tmp_path),
        "user",
        "add",
        "a" * 10_000,
        "--role",
        "agent",
        stdin="a long password\n",
    )
    assert_one_error_line(result, "A login has at most 64 characters; this one has 10000.")
    snapshot.assert_unchanged()


# ------------------------------------------- the classification, for faults hard to provoke


def _sqlite_error(message: str, code: int) -> sqlite3.Error:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]  # set by sqlite3 when raised
    return error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (psycopg.errors.SerializationFailure("could not serialize"), "Another workstation"),
        (psycopg.errors.DeadlockDetected("deadlock detected"), "Another workstation"),
        (psycopg.errors.ReadOnlySqlTransaction("read-only"), "only allows reading"),
        (psycopg.errors.AdminShutdown("terminating connection"), "was lost"),
        (psycopg.errors.TooManyConnections("too many clients"), "takes no connection for now"),
        (
            psycopg.errors.StringDataRightTruncation("value too long for type varchar(64)"),
            "The database refused the operation (value too long for type varchar(64))",
        ),
        (_sqlite_error("database or disk is full", 13), "The disk holding /srv/g.db is full"),
        (_sqlite_error("disk I/O error", 522), "Reading or writing the database /srv/g.db"),
        (OSError(28, "No space left on device", "/srv/out.pdf"), "holding /srv/out.pdf is full"),
        (IsADirectoryError(21, "Is a directory", "/srv"), "/srv is a folder"),
    ],
)
def test_faults_that_are_hard_to_provoke_read_as_one_line(
    error: BaseException, expected: str
) -> None:
    from app.db_faults import DatabaseFaultError, explain

    told = explain(error, "sqlite:////srv/g.db")
    assert isinstance(told, DatabaseFaultError) and expected in told.translated()
