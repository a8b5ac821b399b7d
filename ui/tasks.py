"""Running slow work off the GUI thread and getting the answer back on it.

Searches, payments and printing go through a :class:`TaskRunner`; the callback
runs on the GUI thread, so widgets are only ever touched there. Tests swap in a
runner from ``tests/ui`` that runs the same calls synchronously.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any, Protocol

from ui.qt import QObject, QRunnable, QThreadPool, Signal

ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class Runner(Protocol):
    def submit(
        self, work: Callable[[], Any], on_result: ResultCallback, on_error: ErrorCallback
    ) -> None: ...


class _Relay(QObject):
    """Carries one task's outcome across threads: Qt queues signals to the receiver's thread.

    The outcome travels as a Python attribute, not as a signal argument: PySide6
    mis-counts references of Python objects passed through queued signals
    (a "deallocating None" abort after a few hundred tasks), so the signal
    carries nothing and the GUI thread reads the attribute it announces.
    """

    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.result: Any = None
        self.error: BaseException | None = None


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            self._relay.result = self._work()
        except BaseException as error:  # every failure must reach the screen
            error.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._relay.error = error
        self._relay.done.emit()


class TaskRunner(QObject):
    """Runs work on Qt's thread pool; callbacks come back on the GUI thread."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relays: set[_Relay] = set()

    def submit(
        self, work: Callable[[], Any], on_result: ResultCallback, on_error: ErrorCallback
    ) -> None:
        relay = _Relay()  # created here, so it lives in (and delivers to) the GUI thread
        self._relays.add(relay)

        def done() -> None:
            self._relays.discard(relay)
            if relay.error is not None:
                on_error(relay.error)
            else:
                on_result(relay.result)

        relay.done.connect(done)
        self._pool.start(_Task(work, relay))

    def wait(self, msecs: int = 30_000) -> bool:
        return self._pool.waitForDone(msecs)
