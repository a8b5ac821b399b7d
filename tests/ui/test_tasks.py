"""The real background runner: results and errors come back on the GUI thread."""

from __future__ import annotations

import functools
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.errors import GuichetError
from db.engine import Database
from ui.tasks import TaskRunner


def test_many_tasks_come_back_on_the_gui_thread(qtbot: QtBot) -> None:
    """Hundreds of tasks, None among the results: PySide6 once aborted on exactly this."""
    runner = TaskRunner()
    gui_thread = threading.get_ident()
    results: list[object] = []
    errors: list[BaseException] = []
    threads: set[int] = set()
    worker_threads: set[str] = set()

    def collect(value: object) -> None:
        threads.add(threading.get_ident())
        results.append(value)

    def work(i: int) -> object:
        worker_threads.add(threading.current_thread().name)
        if i % 50 == 49:
            raise ValueError(f"task {i}")
        return None if i % 2 else i

    for i in range(600):
        runner.submit(functools.partial(work, i), collect, errors.append)
    qtbot.waitUntil(lambda: len(results) + len(errors) == 600, timeout=20_000)
    assert threads == {gui_thread}
    assert len(errors) == 12 and all(isinstance(e, ValueError) for e in errors)
    assert (
        results.count(None) == 300 - 12
    )  # odd tasks return None, but the failing ones are odd too
    assert runner.wait()
    assert runner.pending == 0
    assert all(name.startswith("guichet-task") for name in worker_threads)
    runner.close()


def test_a_callback_may_submit_more_work(qtbot: QtBot) -> None:
    runner = TaskRunner()
    seen: list[str] = []

    def first_done(value: str) -> None:
        seen.append(value)
        runner.submit(lambda: "second", seen.append, print)

    runner.submit(lambda: "first", first_done, print)
    qtbot.waitUntil(lambda: seen == ["first", "second"], timeout=5_000)
    runner.close()


def test_closed_runner_calls_nothing_back(qtbot: QtBot) -> None:
    """After the window closes, slow work still running must not call into dead widgets."""
    runner = TaskRunner()
    calls: list[object] = []
    release = threading.Event()
    runner.submit(lambda: release.wait(5), calls.append, calls.append)
    runner.submit(lambda: "never started", calls.append, calls.append)
    release.set()
    assert runner.close()
    runner.submit(lambda: "after close", calls.append, calls.append)
    qtbot.wait(50)
    assert calls == []


# The event loop calls Python (a timer's slot, an overridden virtual) while another
# Python thread runs, as the counter does all day with its print worker and tasks.
# PySide6 6.12.0 gets the reference counts of None/True/False wrong there and the
# process aborts ("deallocating None"), so it runs in a child process.
_BINDING_CHECK = textwrap.dedent(
    """
    import os, threading, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

    app = QCoreApplication([])
    stop = False

    def churn():
        while not stop:
            [None, True, False] * 10

    threads = [threading.Thread(target=churn) for _ in range(2)]
    for thread in threads:
        thread.start()

    class Relay(QObject):
        number = Signal(int)

    relay = Relay()
    calls = []
    relay.number.connect(lambda n: calls.append(n is None))
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: relay.number.emit(1))
    timer.start()
    end = time.monotonic() + {seconds}
    while time.monotonic() < end:
        app.processEvents()
    stop = True
    print(len(calls))
    """
)


def test_the_qt_binding_survives_python_threads_beside_the_event_loop() -> None:
    import PySide6

    start = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-c", _BINDING_CHECK.format(seconds=3)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, (
        f"PySide6 {PySide6.__version__} aborted after {time.monotonic() - start:.1f} s with "
        f"Python threads running beside the event loop:\n{child.stderr[-2000:]}"
    )
    assert int(child.stdout) > 0


def test_a_database_that_broke_mid_task_comes_back_as_one_translated_line(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The counter shows what to do, not a driver's exception text."""
    broken = tmp_path / "guichet.db"
    broken.write_bytes(b"this is not a database" * 100)
    database = Database(f"sqlite:///{broken}")
    runner = TaskRunner()
    runner.database_url = database.url
    errors: list[BaseException] = []

    def work() -> None:
        with database.read() as session:
            session.execute(text("SELECT 1 FROM sqlite_master"))

    runner.submit(work, lambda _result: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    runner.close()
    database.dispose()
    assert isinstance(errors[0], GuichetError)
    line = errors[0].translated("en")
    assert str(broken) in line and "\n" not in line and "sqlite3" not in line
