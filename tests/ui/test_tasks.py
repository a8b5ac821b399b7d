"""The real background runner: results and errors come back on the GUI thread."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from ui.tasks import TaskRunner


def test_many_tasks_come_back_on_the_gui_thread(qtbot: QtBot) -> None:
    """Hundreds of tasks, None among the results: PySide6 once aborted on exactly this."""
    runner = TaskRunner()
    gui_thread = threading.get_ident()
    results: list[object] = []
    errors: list[BaseException] = []
    threads: set[int] = set()

    def collect(value: object) -> None:
        threads.add(threading.get_ident())
        results.append(value)

    def work(i: int) -> object:
        if i % 50 == 49:
            raise ValueError(f"task {i}")
        return None if i % 2 else i

    for i in range(600):
        runner.submit(lambda i=i: work(i), collect, errors.append)
    qtbot.waitUntil(lambda: len(results) + len(errors) == 600, timeout=20_000)
    assert threads == {gui_thread}
    assert len(errors) == 12 and all(isinstance(e, ValueError) for e in errors)
    assert (
        results.count(None) == 300 - 12
    )  # odd tasks return None, but the failing ones are odd too
    assert runner.wait()
