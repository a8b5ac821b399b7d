"""Running slow work off the GUI thread and getting the answer back on it.

Searches, payments and printing go through a :class:`TaskRunner`; the callback
runs on the GUI thread, so widgets are only ever touched there. Tests swap in a
runner from ``tests/ui`` that runs the same calls synchronously.

The worker threads never call Qt. They are plain Python threads of a
:class:`~concurrent.futures.ThreadPoolExecutor`; the GUI thread looks at the
futures it is waiting for on a short timer that runs only while some are
pending, and calls back from there. No Python object crosses threads through a
Qt signal, no Python ``QRunnable`` is deleted by Qt on a worker thread, and no
``QObject`` is created or destroyed per task: the patterns PySide6 has got
wrong in the past (see ``tests/ui/test_tasks.py`` for the binding check).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import Any, Protocol

from app.errors import GuichetError
from ui.qt import QObject, QTimer

ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]

# How often the GUI thread looks for finished work while some is pending: well
# under what a person notices, and no wake-ups at all when nothing runs.
POLL_MS = 4


def readable(error: BaseException, database_url: str | None = None) -> BaseException:
    """A database that went away or broke mid-task becomes one translated line to show."""
    from app.db_faults import explain, is_fault  # loads psycopg: not at start-up

    return explain(error, database_url) if is_fault(error) else error


class Runner(Protocol):
    def submit(
        self, work: Callable[[], Any], on_result: ResultCallback, on_error: ErrorCallback
    ) -> None: ...


class TaskRunner(QObject):
    """Runs work on a pool of Python threads; callbacks come back on the GUI thread,
    in the order the work finishes."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=max_threads, thread_name_prefix="guichet-task")
        # Insertion-ordered: what was submitted first is looked at first.
        self._pending: dict[Future[Any], tuple[ResultCallback, ErrorCallback]] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._deliver)
        self._closed = False
        # Named in the line shown when the database fails under a task; set once it is open.
        self.database_url: str | None = None

    def submit(
        self, work: Callable[[], Any], on_result: ResultCallback, on_error: ErrorCallback
    ) -> None:
        if self._closed:
            return  # the window is going away: nothing is left to call back
        self._pending[self._pool.submit(work)] = (on_result, on_error)
        if not self._timer.isActive():
            self._timer.start()

    @property
    def pending(self) -> int:
        """Tasks submitted whose callback has not run yet."""
        return len(self._pending)

    def _deliver(self) -> None:
        finished = [future for future in self._pending if future.done()]
        for future in finished:
            on_result, on_error = self._pending.pop(future)
            error = future.exception()
            # The callback may submit more work, or raise: the next tick carries on.
            if error is not None:
                on_error(readable(error, self.database_url))
            else:
                on_result(future.result())
        if not self._pending:
            self._timer.stop()

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for the work already submitted (callbacks are not run); True when all ended."""
        _, not_done = wait_for(list(self._pending), timeout=msecs / 1000)
        return not not_done

    def close(self, msecs: int = 30_000) -> bool:
        """Stop taking work, drop what has not started, wait for what has; no more callbacks."""
        self._closed = True
        self._timer.stop()
        for future in self._pending:
            future.cancel()
        finished = self.wait(msecs)
        self._pending.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
        return finished


def error_text(error: BaseException) -> str:
    """What a screen shows for a refused action: the service's translated line."""
    return error.translated() if isinstance(error, GuichetError) else str(error)
