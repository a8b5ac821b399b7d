"""The watched import inbox on SQLite and PostgreSQL: files taken in name order, one
batch each (or per ``PREFIX__`` group), moved to done/ or failed/ with their report;
files still arriving left alone; one watcher and one import at a time."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.cli.main import main
from app.errors import ConflictError
from app.imports import apply, lock
from app.imports import inbox as inbox_module
from app.imports.inbox import ENV_IMPORT_INBOX, Inbox, batch_key, run_once, run_round
from db.engine import Database
from tests.factories import World, build_world
from tests.imports.helpers import EXAMPLES, checksum, write

ROOT = Path(__file__).resolve().parents[2]
REFUSED_OFFER = (
    "contract_number,account_number,offer_code,status,requested_on\n"
    "C-1,IMP-000101,NOPE,active,2024-01-15\n"
)


def drop(inbox: Path, name: str, example: str) -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / name
    shutil.copyfile(EXAMPLES / example, target)
    return target


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def now_once(world: World, inbox: Inbox) -> list[tuple[tuple[str, ...], bool]]:
    found = run_once(world.ctx, inbox, sleep=lambda _s: None)
    return [(batch.files, batch.applied) for batch in found.batches]


def test_files_are_imported_in_name_order_one_batch_each(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    # In name order the contracts come before the offers they need: refused, alone.
    drop(folder, "a-contracts.csv", "contracts.csv")
    drop(folder, "b-offers.csv", "offers.csv")
    drop(folder, "c-subscribers.csv", "subscribers.csv")
    inbox = Inbox(folder, settle=0)
    assert now_once(world, inbox) == [
        (("a-contracts.csv",), False),
        (("b-offers.csv",), True),
        (("c-subscribers.csv",), True),
    ]
    assert names(folder / "done") == [
        "b-offers.csv",
        "b-offers.csv.report.txt",
        "c-subscribers.csv",
        "c-subscribers.csv.report.txt",
    ]
    assert names(folder / "failed") == ["a-contracts.csv", "a-contracts.csv.report.txt"]
    report = (folder / "failed" / "a-contracts.csv.report.txt").read_text(encoding="utf-8")
    assert "refused; nothing was written" in report
    assert "a-contracts.csv, line 2, column offer_code" in report
    assert "applied" in (folder / "done" / "b-offers.csv.report.txt").read_text(encoding="utf-8")
    # Sent again once the offers are in, the contracts import; the name taken gets .2.
    shutil.copyfile(EXAMPLES / "contracts.csv", folder / "a-contracts.csv")
    assert now_once(world, inbox) == [(("a-contracts.csv",), True)]
    assert "a-contracts.csv" in names(folder / "done")
    shutil.copyfile(EXAMPLES / "contracts.csv", folder / "a-contracts.csv")
    assert now_once(world, inbox) == [(("a-contracts.csv",), True)]
    assert "a-contracts.2.csv" in names(folder / "done")
    assert "a-contracts.2.csv.report.txt" in names(folder / "done")
    assert "0 created, 0 updated, 3 unchanged" in (
        folder / "done" / "a-contracts.2.csv.report.txt"
    ).read_text(encoding="utf-8")
    assert names(folder) == [".guichet-inbox.lock", "done", "failed"]


def test_files_sharing_a_prefix_are_one_batch_all_or_nothing(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    for kind in ("contracts", "invoices", "offers", "subscribers"):
        drop(folder, f"2026-12-02__{kind}.csv", f"{kind}.csv")
    write(folder, "2026-12-03__offers.csv", "offer_code,name,service,monthly_fee\nO-1,X,ftth,1\n")
    write(folder, "2026-12-03__contracts.csv", REFUSED_OFFER)
    assert batch_key("2026-12-02__offers.csv") == "2026-12-02__"
    assert batch_key("offers.csv") == "offers.csv"
    inbox = Inbox(folder, settle=0)
    found = run_once(world.ctx, inbox, sleep=lambda _s: None)
    first, second = found.batches
    assert first.applied and first.files == tuple(
        f"2026-12-02__{kind}.csv" for kind in ("contracts", "invoices", "offers", "subscribers")
    )
    assert first.result.counts["invoices"].created == 3
    assert not second.applied
    assert sorted(path.name for path in second.moved) == [
        "2026-12-03__contracts.csv",
        "2026-12-03__offers.csv",
    ]
    # The good file of the refused batch was not written either, and has the report.
    assert all(path.parent.name == "failed" for path in second.moved)
    report = (folder / "failed" / "2026-12-03__offers.csv.report.txt").read_text(encoding="utf-8")
    assert "2026-12-03__contracts.csv, line 2, column offer_code" in report
    with world.db.read() as session:
        assert session.execute(text("SELECT count(*) FROM offers WHERE code = 'O-1'")).scalar() == 0


def test_a_file_still_arriving_is_left_alone(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    drop(folder, "offers.csv.part", "offers.csv")
    drop(folder, "~$subscribers.xlsx", "offers.csv")
    drop(folder, "notes.pdf", "offers.csv")
    growing = write(folder, "x__subscribers.csv", "account_number,last_name\nA-1,Saadi\n")
    drop(folder, "x__contracts.csv.tmp", "contracts.csv")  # its batch is not whole yet
    clock = {"now": 100.0}
    inbox = Inbox(folder, settle=2, clock=lambda: clock["now"])
    assert inbox.look().ready == []  # first sight: nothing has had time to settle
    clock["now"] += 1
    assert inbox.look().ready == []  # too soon
    clock["now"] += 2
    found = inbox.look()
    assert found.ready == []  # its batch waits for the .tmp file
    assert found.arriving == ["offers.csv.part", "x__contracts.csv.tmp", "~$subscribers.xlsx"]
    (folder / "x__contracts.csv.tmp").unlink()
    with growing.open("a", encoding="utf-8") as handle:  # the sender writes more
        handle.write("A-2,Haddad\n")
    clock["now"] += 3
    found = inbox.look()
    assert found.ready == [] and "x__subscribers.csv" in found.arriving
    clock["now"] += 3
    assert inbox.look().ready == [[growing]]
    # Run for real: the .part, the workbook lock file and the PDF stay where they are.
    result = run_once(world.ctx, Inbox(folder, settle=0), sleep=lambda _s: None)
    assert [batch.applied for batch in result.batches] == [True]
    assert set(names(folder)) >= {"offers.csv.part", "~$subscribers.xlsx", "notes.pdf"}


@contextmanager
def import_lock_held(world: World) -> Iterator[None]:
    """Another workstation importing: the core's lock held by someone else."""
    holder = "nadia@counter-3 pid 7 since 2026-12-02 09:00:00"
    if world.db.is_sqlite:
        with lock.lock_sqlite_file(world.db.engine.url.database, holder):
            yield
        return
    with world.db.write() as session:
        lock.lock_postgres(session.connection(), holder)
        yield
        session.rollback()


def test_a_second_watcher_is_refused_while_one_imports(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    drop(folder, "offers.csv", "offers.csv")
    before = checksum(world.db)
    # Two watchers on one folder: the second is refused while the first works.
    first, second = Inbox(folder, settle=0), Inbox(folder, settle=0)
    with (
        first.claimed(),
        pytest.raises(ConflictError, match="Another watcher is working on the inbox"),
    ):
        run_round(world.ctx, second)
    # A watcher of another folder, or the import screen, importing: the core's lock.
    with import_lock_held(world), pytest.raises(ConflictError, match="nadia@counter-3 pid 7"):
        run_once(world.ctx, second, sleep=lambda _s: None)
    assert names(folder) == [".guichet-inbox.lock", "offers.csv"]
    assert checksum(world.db) == before
    assert [
        batch.applied for batch in run_once(world.ctx, second, sleep=lambda _s: None).batches
    ] == [True]


def _watch(world: World, tmp_path: Path, *args: str) -> int:
    key = str(tmp_path / "keys" / "signing-key.pem")
    return main(["--database", world.db.url, "--key-file", key, "import", "watch", *args])


def test_once_exit_codes(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    monkeypatch.delenv(ENV_IMPORT_INBOX, raising=False)
    assert _watch(world, tmp_path, "--once") == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "Error: No import inbox: give the folder with --folder DIR or GUICHET_IMPORT_INBOX."
    ]
    assert _watch(world, tmp_path, "--once", "--folder", str(tmp_path / "nope")) == 2
    assert "is not a folder" in capsys.readouterr().err
    monkeypatch.setenv(ENV_IMPORT_INBOX, str(folder))
    assert _watch(world, tmp_path, "--once", "--settle", "0") == 0
    assert capsys.readouterr().out.strip().endswith("Nothing to import in " + str(folder) + ".")

    drop(folder, "offers.csv", "offers.csv")
    assert _watch(world, tmp_path, "--once", "--settle", "0") == 0
    out = capsys.readouterr().out
    assert "offers: 2 created" in out
    assert f"Moved to {folder / 'done'}: offers.csv" in out

    write(folder, "contracts.csv", REFUSED_OFFER)
    assert _watch(world, tmp_path, "--once", "--settle", "0") == 1
    assert "contracts.csv, line 2, column offer_code" in capsys.readouterr().out
    assert names(folder / "failed") == ["contracts.csv", "contracts.csv.report.txt"]

    drop(folder, "subscribers.csv", "subscribers.csv")
    with import_lock_held(world):
        assert _watch(world, tmp_path, "--once", "--settle", "0") == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "Error: Another import is running (nadia@counter-3 pid 7 since 2026-12-02 09:00:00): "
        "try again when it has finished."
    ]
    assert "subscribers.csv" in names(folder)

    # Options of the watcher alone, or files with watch: one line, exit 2.
    assert _watch(world, tmp_path, "--once", "--check") == 2
    assert main(["import", "--once", "x.csv"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "Error: import watch takes no files and no --check, --kind, --encoding or --separator.",
        "Error: --once, --folder, --settle and --every go with: import watch",
    ]


def test_ctrl_c_rolls_the_batch_back_and_leaves_it_in_the_inbox(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "inbox"
    for kind in ("offers", "subscribers", "contracts"):
        drop(folder, f"b__{kind}.csv", f"{kind}.csv")
    before = checksum(world.db)
    real = apply._write_chunk
    calls = {"n": 0}

    def interrupted(*args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # offers and subscribers written, in the transaction
            raise KeyboardInterrupt
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(apply, "_write_chunk", interrupted)
    assert _watch(world, tmp_path, "--once", "--settle", "0", "--folder", str(folder)) == 130
    assert capsys.readouterr().err.strip().splitlines() == [
        "Import interrupted: everything was rolled back, nothing was written."
    ]
    assert checksum(world.db) == before
    assert names(folder) == [
        ".guichet-inbox.lock",
        "b__contracts.csv",
        "b__offers.csv",
        "b__subscribers.csv",
    ]


def test_watching_imports_as_files_arrive_until_ctrl_c(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    arrivals = iter(["offers.csv", None, "subscribers.csv", None, None])
    sleeps = {"n": 0}

    def sleep(_seconds: float) -> None:
        sleeps["n"] += 1
        arrival = next(arrivals, "stop")
        if arrival == "stop":
            raise KeyboardInterrupt
        if arrival is not None:
            drop(folder, arrival, arrival)

    monkeypatch.setattr("app.cli.import_watch_command.time.sleep", sleep)
    assert _watch(world, tmp_path, "--folder", str(folder), "--settle", "0", "--every", "1") == 130
    captured = capsys.readouterr()
    assert captured.out.startswith(f"Watching the import inbox {folder} every 1 s; Ctrl+C stops.")
    assert "offers: 2 created" in captured.out and "subscribers: 3 created" in captured.out
    assert captured.err.strip().splitlines() == ["Stopped watching the import inbox."]
    assert names(folder / "done") == [
        "offers.csv",
        "offers.csv.report.txt",
        "subscribers.csv",
        "subscribers.csv.report.txt",
    ]


def test_a_ctrl_c_after_the_commit_waits_for_the_batch_to_be_moved_and_reported(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers are set from the main thread only")
    folder = tmp_path / "inbox"
    folder.mkdir()
    drop(folder, "offers.csv", "offers.csv")
    save_reports = inbox_module.save_reports

    def ctrl_c_while_moving(*args: Any) -> Any:
        os.kill(os.getpid(), signal.SIGINT)  # the batch is committed, its files moving
        return save_reports(*args)

    monkeypatch.setattr(inbox_module, "save_reports", ctrl_c_while_moving)
    assert _watch(world, tmp_path, "--folder", str(folder), "--once", "--settle", "0") == 130
    captured = capsys.readouterr()
    # Committed, moved with its report, said: never "rolled back".
    assert "offers: 2 created" in captured.out
    assert captured.err.strip().splitlines() == ["Stopped watching the import inbox."]
    assert names(folder / "done") == ["offers.csv", "offers.csv.report.txt"]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_real_ctrl_c_or_stop_ends_the_watcher_with_130(
    sqlite_database: Database, tmp_path: Path, stop: signal.Signals
) -> None:
    world = build_world(sqlite_database, tmp_path / "keys")
    folder = tmp_path / "inbox"
    folder.mkdir()
    command = [
        sys.executable,
        str(ROOT / "main.py"),
        "--database",
        world.db.url,
        "--key-file",
        str(tmp_path / "keys" / "signing-key.pem"),
        "import",
        "watch",
        "--folder",
        str(folder),
        "--every",
        "0.1",
        "--settle",
        "0",
    ]
    watcher = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert watcher.stdout is not None
        assert watcher.stdout.readline().startswith("Watching the import inbox")
        drop(folder, "offers.csv", "offers.csv")
        deadline = time.monotonic() + 30
        while not (folder / "done" / "offers.csv.report.txt").exists():
            assert time.monotonic() < deadline, "the watcher did not import the file"
            time.sleep(0.05)
        watcher.send_signal(stop)
        out, err = watcher.communicate(timeout=30)
    finally:
        if watcher.poll() is None:
            watcher.kill()
    assert watcher.returncode == 130
    assert "offers: 2 created" in out
    assert err.strip().splitlines() == ["Stopped watching the import inbox."]
