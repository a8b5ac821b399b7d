"""`export` and `archive make|verify` as IT and scripts run them: real processes, exit codes,
one line per refusal or finding, no traceback."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db.engine import Database
from tests.factories import PASSWORD, World, build_world
from tests.test_exports import build_day

ROOT = Path(__file__).resolve().parent.parent
PERIOD = ("--from", "2026-11-21", "--to", "2026-11-21")


def run(*args: str, stdin: str = PASSWORD + "\n") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--language", "en", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        cwd=ROOT,
    )


def one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


class Cli:
    def __init__(self, world: World, key: Path) -> None:
        self.world, self.key = world, key

    def __call__(self, *args: str, **kwargs: str) -> subprocess.CompletedProcess[str]:
        return run("--database", self.world.db.url, "--key-file", str(self.key), *args, **kwargs)

    @property
    def public_key(self) -> str:
        raw = self.world.ctx.signer.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode("ascii")


def _cli(database: Database, tmp_path: Path) -> Cli:
    world = build_day(build_world(database, tmp_path / "keys"))
    return Cli(world, tmp_path / "keys" / "signing-key.pem")


@pytest.fixture
def cli(sqlite_database: Database, tmp_path: Path) -> Cli:
    return _cli(sqlite_database, tmp_path)


def test_export_and_archive_through_the_command_line(database: Database, tmp_path: Path) -> None:
    cli = _cli(database, tmp_path)
    out = tmp_path / "export"
    done = cli("export", *PERIOD, "--out", str(out), "--bom", "--supervisor", "karim")
    assert done.returncode == 0, done.stderr
    assert "  payments.csv: 3 row(s)" in done.stdout
    assert f"Exported 2026-11-21 to 2026-11-21 (every agency) into {out}: 9 files." in done.stdout
    assert (out / "payments.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not list(out.glob("*.part"))

    archive = tmp_path / "a.zip"
    made = cli(
        "archive",
        "make",
        *PERIOD,
        "--agency",
        "ALG01",
        "--out",
        str(archive),
        "--supervisor",
        "karim",
    )
    assert made.returncode == 0, made.stderr
    assert f"Archive {archive}: 2026-11-21 to 2026-11-21 (ALG01), 9 files" in made.stdout
    checked = run("archive", "verify", str(archive), "--public-key", cli.public_key)
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr
    assert "OK: " in checked.stdout and "from 2026-11-21 to 2026-11-21" in checked.stdout
    # Without --public-key, the public half of this machine's key file.
    assert cli("archive", "verify", str(archive)).returncode == 0
    # Days not closed yet are written as they stand, with a warning.
    later = cli(
        "export",
        "--from",
        "2026-11-21",
        "--to",
        "2026-11-22",
        "--out",
        str(tmp_path / "l"),
        "--supervisor",
        "karim",
    )
    assert later.returncode == 0
    assert later.stderr.strip() == (
        "Warning: ALG01 has days up to 2026-11-22 not closed yet (last closed: 2026-11-21); "
        "they are written as they stand now."
    )
    # Exporting and archiving leave the signed chains whole.
    assert cli("verify").returncode == 0


def test_bad_input_is_one_line_and_exit_2(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "never"
    one_line(
        cli(
            "export",
            "--from",
            "2026-13-45",
            "--to",
            "2026-11-21",
            "--out",
            str(out),
            "--supervisor",
            "karim",
        ),
        2,
        "Error: 2026-13-45 is not a date",
    )
    one_line(
        cli(
            "export",
            "--from",
            "2026-11-21",
            "--to",
            "2026-11-01",
            "--out",
            str(out),
            "--supervisor",
            "karim",
        ),
        2,
        "ends on 2026-11-01, before it starts on 2026-11-21",
    )
    one_line(
        cli(
            "export", *PERIOD, "--out", str(out), "--supervisor", "karim", stdin="wrong password\n"
        ),
        2,
        "Wrong login or password",
    )
    one_line(
        cli("export", *PERIOD, "--out", str(out), "--supervisor", "amina"), 2, "supervisor role"
    )
    one_line(
        cli("export", *PERIOD, "--agency", "XYZ", "--out", str(out), "--supervisor", "karim"),
        2,
        "Unknown agency XYZ",
    )
    assert not out.exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    one_line(
        cli("export", *PERIOD, "--out", str(blocker / "sub"), "--supervisor", "karim"),
        2,
        "Cannot write",
    )
    one_line(
        cli("archive", "make", *PERIOD, "--out", str(blocker / "a.zip"), "--supervisor", "karim"),
        2,
        "Cannot write",
    )
    one_line(
        cli("archive", "make", *PERIOD, "--out", str(blocker), "--supervisor", "karim"),
        2,
        "already exists: an archive is never overwritten",
    )


def test_archive_verify_names_each_finding(cli: Cli, tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    assert (
        cli("archive", "make", *PERIOD, "--out", str(archive), "--supervisor", "karim").returncode
        == 0
    )
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(forged, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "payments.csv":
                content = content.replace(b"2000.00", b"200.00")
            if name != "voids.csv":
                target.writestr(name, content)
        target.writestr("notes.txt", b"hello")
    result = run("archive", "verify", str(forged), "--public-key", cli.public_key)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "FAILED: payments.csv was modified: its SHA-256 or its number of rows is not the manifest's.",
        "FAILED: voids.csv is missing from the archive, though the manifest lists it.",
        "FAILED: notes.txt was added to the archive: the manifest does not list it.",
    ]
    stranger = base64.b64encode(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).decode()
    one_line(
        run("archive", "verify", str(archive), "--public-key", stranger),
        1,
        "not with the given public key",
    )
    text = tmp_path / "notes.zip"
    text.write_text("not a zip")
    one_line(
        run("archive", "verify", str(text), "--public-key", cli.public_key),
        2,
        "not a readable ZIP file",
    )
    one_line(
        run("archive", "verify", str(tmp_path / "gone.zip"), "--public-key", cli.public_key),
        2,
        "does not exist",
    )
    one_line(
        run("archive", "verify", str(archive), "--public-key", "nonsense"),
        2,
        "is not an Ed25519 public key",
    )
    # No key given and no key file here: refused, never the archive's own say-so.
    one_line(run("archive", "verify", str(archive)), 2, "Give the public key")
