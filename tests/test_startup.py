"""Starting leaves nothing behind and does no work that can wait.

Each check runs in a fresh interpreter (what is imported, hashed or written at
start-up only shows there), with its own empty TMPDIR and cache folder. Nothing
here is timed: tests/benchmarks/bench_startup.py measures the start.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from db.engine import Database
from tests.factories import build_world

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "tmp").mkdir()
    env = dict(os.environ)
    env.update(
        TMPDIR=str(tmp_path / "tmp"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
    )
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    return env


def python(code: str, env: dict[str, str]) -> str:
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    return child.stdout


def test_importing_auth_hashes_no_password(fresh_env: dict[str, str]) -> None:
    out = python(
        """
        import argon2
        hashed = []
        real = argon2.PasswordHasher.hash
        argon2.PasswordHasher.hash = lambda self, *a, **k: hashed.append(1) or real(self, *a, **k)
        import app.auth
        print(len(hashed))
        """,
        fresh_env,
    )
    assert out.split() == ["0"]


def test_start_up_imports_no_printer_library(fresh_env: dict[str, str]) -> None:
    """python-escpos (and its capability database) loads when a receipt is first rendered."""
    out = python(
        """
        import sys
        import app.cli.main, ui.app
        print(sorted({"escpos.capabilities", "escpos.escpos", "escpos.printer"} & set(sys.modules)))
        """,
        fresh_env,
    )
    assert out.strip() == "[]"


def test_printer_capabilities_are_cached_once_and_no_temp_folder_is_left(
    fresh_env: dict[str, str], tmp_path: Path
) -> None:
    render = """
        from app.printing.escpos_capabilities import dummy_printer, get_profile, load
        assert get_profile("TM-T20II").profile_data["name"] == "TM-T20II"
        dummy_printer("TM-T20II").text("x")
        print(load().pickle_path, load().full_load)
        """
    first = python(render, fresh_env).split()
    cached = tmp_path / "cache" / "guichet" / "escpos"
    assert Path(first[0]).parent == cached and first[1] == "False"  # written by us, not parsed
    written = Path(first[0]).stat().st_mtime_ns
    second = python(render, fresh_env).split()
    assert second == first and Path(first[0]).stat().st_mtime_ns == written
    assert list((tmp_path / "tmp").iterdir()) == []
    assert [p.name for p in cached.iterdir()] == [Path(first[0]).name]  # no half-written file


def test_a_start_to_the_sign_in_screen_leaves_no_temp_folder(
    fresh_env: dict[str, str], sqlite_database: Database, tmp_path: Path
) -> None:
    build_world(sqlite_database, tmp_path / "keys")
    child = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "benchmarks" / "startup_probe.py"),
            "guichet",
            "--database",
            sqlite_database.url,
            "--key-file",
            str(tmp_path / "keys" / "signing-key.pem"),
            "--workstation",
            "ALG01-G01",
        ],
        env=fresh_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    seen = dict(line.split(maxsplit=1) for line in child.stdout.splitlines())
    assert set(seen) == {"painted", "loaded-before-paint", "ready"}  # the counter came up
    assert seen["loaded-before-paint"] == "-"  # the sign-in is painted before the database layer
    assert float(seen["painted"]) < float(seen["ready"])
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "window"),
    [
        ([], True),
        (["--database", "sqlite:///x.db", "--language=ar"], True),
        (["--idle-minutes", "3", "--workstation", "ALG01-G02"], True),
        (["status"], False),
        (["--database", "sqlite:///x.db", "lookup", "helene"], False),
        (["--help"], False),
        (["-h"], False),
    ],
)
def test_main_tells_a_window_start_from_a_command_before_parsing(
    argv: list[str], window: bool
) -> None:
    import main

    assert main.opens_the_window(argv) is window
