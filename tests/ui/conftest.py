"""A counter application on a known world, with background work run synchronously."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.printing.worker import PrintWorker
from app.station import load_station
from db.engine import Database
from tests.factories import World, add_subscriber, build_world
from ui.language import LanguageSwitch
from ui.main_window import MainWindow
from ui.qt import QApplication, Qt, QWidget
from ui.tasks import readable
from ui.theme import apply_theme


@pytest.fixture(autouse=True)
def _no_print_worker_left() -> Iterator[None]:
    """A started print worker would outlive its window and print from a dead test's database."""
    yield
    alive = [t.name for t in threading.enumerate() if t.name.startswith("print-worker-")]
    assert not alive, f"print worker threads left running: {alive}"


class SyncRunner:
    """Runs each task at once on the calling thread: the test sees the result immediately."""

    def __init__(self) -> None:
        self.submitted = 0

    def submit(
        self,
        work: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.submitted += 1
        try:
            result = work()
        except Exception as error:
            on_error(readable(error))
        else:
            on_result(result)


class FakeClock:
    """A monotonic clock the test moves: the payment's Enter debounce without sleeping."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# A person's next key comes this long after the last one (more than the payment
# dialog's 0.3 s debounce); a scanner's or a double press's comes sooner.
HUMAN_PAUSE = 1.0


@dataclass
class Counter:
    world: World
    window: MainWindow
    qtbot: QtBot
    keys: int = 0
    clock: FakeClock = field(default_factory=FakeClock)

    def focus(self) -> QWidget:
        # A person's next key arrives after the event loop has run; let it run.
        QApplication.processEvents()
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def type(self, text: str) -> None:
        widget = self.focus()
        if text.isascii():
            self.qtbot.keyClicks(widget, text)
        else:  # Arabic comes through the input method, committed as text, not as key codes
            widget.insert(text)  # type: ignore[attr-defined]

    def press(
        self,
        key: Qt.Key,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
        *,
        after: float = HUMAN_PAUSE,
    ) -> None:
        """One keystroke to whatever has the focus, ``after`` seconds after the last one."""
        self.keys += 1
        self.clock.advance(after)
        self.qtbot.keyClick(self.focus(), key, modifier)

    def scan(self, code: str) -> None:
        """A barcode scanner: types the code and Enter into the focused field."""
        self.type(code)
        self.qtbot.keyClick(self.focus(), Qt.Key.Key_Return)

    def sign_in(self, login: str = "amina", password: str = "correct horse battery") -> None:
        screen = self.window.sign_in
        screen.login.clear()
        screen.password.clear()
        screen.login.setFocus()
        self.qtbot.keyClicks(screen.login, login)
        self.qtbot.keyClick(screen.login, Qt.Key.Key_Return)
        self.qtbot.keyClicks(screen.password, password)
        self.qtbot.keyClick(screen.password, Qt.Key.Key_Return)


def add_counter_subscribers(world: World) -> None:
    add_subscriber(
        world.db,
        "1000000001",
        phone="+213555123456",
        invoices=[
            ("F1", 180000, date(2026, 9, 15)),
            ("F2", 250000, date(2026, 11, 30)),
        ],
    )
    add_subscriber(
        world.db,
        "1000000002",
        first_name="Hélène",
        last_name="Mansouri",
        name_ar="هيلين منصوري",
        invoices=[("F3", 100000, date(2026, 10, 1))],
    )
    add_subscriber(
        world.db,
        "1000000003",
        first_name="Mohamed",
        last_name="Benali",
        name_ar="مُحَمَّد بن علي",
        invoices=[("F4", 99000, date(2026, 10, 1))],
    )


@contextmanager
def open_counter(
    world: World, qtbot: QtBot, *, worker: PrintWorker | None = None
) -> Iterator[Counter]:
    """The main window on ``world``; ``worker`` is never started here: tests drive it
    with ``run_once()`` and ``check_status()``, so no thread outlives a test."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    switch = LanguageSwitch()
    switch.apply("en")
    window = MainWindow(
        world.ctx, load_station(world.db, "ALG01-G01"), SyncRunner(), switch, worker=worker
    )
    # The supervisor's "dashboard at sign-in" choice: never the developer's own.
    window.preference_file = Path(tempfile.mkdtemp()) / "dashboard-first"
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    clock = FakeClock()
    window.counter.clock = clock
    try:
        yield Counter(world, window, qtbot, clock=clock)
    finally:
        switch.apply("en")
        app.removeEventFilter(window)


@pytest.fixture
def counter_world(sqlite_database: Database, tmp_path: Path) -> World:
    world = build_world(sqlite_database, tmp_path / "keys")
    add_counter_subscribers(world)
    return world


@pytest.fixture
def counter(counter_world: World, qtbot: QtBot) -> Iterator[Counter]:
    with open_counter(counter_world, qtbot) as opened:
        yield opened
