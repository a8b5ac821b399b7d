"""Starting the counter application: the sign-in screen first, everything else after.

The agent sits down and types a login. So the sign-in screen is painted as soon
as Qt and the translations are loaded (``main.py`` calls :func:`show_sign_in`
before it even reads the command line), and only then come the database layer,
the schema and key checks, the counter screen and the print worker. What the
agent types meanwhile stays: the same screen moves into the main window. A
database or key that is wrong still stops the start with the same message.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_cache_dir

from app.i18n import LANGUAGES, set_language
from ui.language import LanguageSwitch
from ui.qt import QApplication, QEvent, QMainWindow, QObject, QTimer, QWidget
from ui.sign_in import SignInScreen
from ui.tasks import TaskRunner
from ui.theme import apply_theme

if TYPE_CHECKING:
    from app.context import AppContext
    from app.station import StationInfo
    from app.station_lease import Lease

# The print worker starts once the counter is on screen: receipts left from the last
# run print a moment later, and the start does not share the processor with them.
WORKER_START_DELAY_MS = 1000


@dataclass
class _Started:
    app: QApplication
    switch: LanguageSwitch
    runner: TaskRunner
    sign_in: SignInScreen
    window: QMainWindow


_started: _Started | None = None


def has_display() -> bool:
    """Whether a window can open here: without one, Qt aborts the process, and a
    wrong database must be reported in words first (IT over SSH, for one)."""
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _language_file() -> Path:
    return Path(user_cache_dir("guichet", appauthor=False)) / "sign-in-language"


def _remembered_language() -> str | None:
    """The language this counter's sign-in showed last time (the station's own is only
    known once the database is open)."""
    try:
        language = _language_file().read_text(encoding="ascii").strip()
    except (OSError, UnicodeError):
        return None
    return language if language in LANGUAGES else None


def _remember_language(language: str) -> None:
    if _remembered_language() == language:
        return
    try:
        _language_file().parent.mkdir(parents=True, exist_ok=True)
        _language_file().write_text(language, encoding="ascii")
    except OSError:
        pass  # the next start paints in French first, then switches: nothing worse


def _fill_screen(app: QApplication, window: QWidget) -> None:
    # The counter owns the screen. Size it ourselves too: without a window manager
    # (kiosk sessions often have none) "maximized" means nothing.
    screen = app.primaryScreen()
    if screen is not None:
        window.setGeometry(screen.availableGeometry())
    window.showMaximized()


class _Painted(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.seen = True
        return False


def _paint_now(app: QApplication, widget: QWidget, timeout: float = 2.0) -> None:
    """Let Qt show and paint ``widget`` before the long imports that follow hold the thread."""
    painted = _Painted()
    widget.installEventFilter(painted)
    deadline = time.monotonic() + timeout
    while not painted.seen and time.monotonic() < deadline:
        app.processEvents()
        if not painted.seen:
            time.sleep(0.002)  # waiting for the window system to map the window
    widget.removeEventFilter(painted)


def show_sign_in(language: str | None = None) -> _Started:
    """The sign-in screen, on screen now, before the database is open. Idempotent."""
    global _started
    if _started is not None:
        return _started
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Guichet")
    apply_theme(app)
    switch = LanguageSwitch()
    wanted = language if language in LANGUAGES else _remembered_language() or "fr"
    set_language(wanted)
    switch.apply(wanted)
    runner = TaskRunner()
    sign_in = SignInScreen(None, None, runner, switch)
    window = QMainWindow()
    window.setWindowTitle("Guichet")
    window.setCentralWidget(sign_in)
    _fill_screen(app, window)
    sign_in.login.setFocus()
    _paint_now(app, window)
    _started = _Started(app, switch, runner, sign_in, window)
    return _started


def _open(
    database_url: str | None, key_file: str | None, workstation: str | None
) -> tuple[AppContext, StationInfo, Lease]:
    from app.bootstrap import open_context
    from app.station import load_station
    from app.station_lease import acquire, this_process

    ctx = open_context(database_url, key_file)
    station = load_station(ctx.db, workstation)
    # Before anyone signs in: a second counter on this workstation stops here.
    return ctx, station, acquire(ctx, station.ref, this_process())


def run(
    database_url: str | None,
    key_file: str | None,
    workstation: str | None,
    language: str | None,
    idle_minutes: float,
) -> int:
    """Open the configured database (refusing a stale schema or a wrong key) and show the counter."""
    global _started
    opened = None
    if _started is None and not has_display():
        # Qt would abort for want of a display: say first what is wrong with the database.
        opened = _open(database_url, key_file, workstation)
    started = show_sign_in(language)
    # Below, the heavy imports: the sign-in screen is already on screen.
    from app.printing.worker import PrintWorker
    from ui.main_window import MainWindow
    from ui.station_lease import LeaseKeeper, printer_state_of, release_quietly

    app, switch, runner = started.app, started.switch, started.runner
    try:
        ctx, station, lease = opened or _open(database_url, key_file, workstation)
    except BaseException as error:
        from ui.station_lease import refuse_in_window

        refuse_in_window(error, started.window)
        started.window.close()
        _started = None
        raise
    runner.database_url = ctx.db.url
    wanted = language or station.default_language
    wanted = wanted if wanted in LANGUAGES else "fr"
    switch.apply(wanted)
    _remember_language(wanted)
    # One worker prints this workstation's queue (receipts left waiting by a previous
    # run come out first) until the window closes.
    worker = PrintWorker(ctx, station.ref)
    try:
        typing_in = QApplication.focusWidget()
        window = MainWindow(
            ctx,
            station,
            runner,
            switch,
            idle_minutes=idle_minutes,
            worker=worker,
            sign_in=started.sign_in,
        )
        _fill_screen(app, window)
        started.window.close()
        started.window.deleteLater()
        if typing_in is not None and typing_in.window() is window:
            typing_in.setFocus()
        _started = None
        keeper = LeaseKeeper(
            ctx, lease, runner, lambda: window.actor, window, printer=printer_state_of(worker)
        )
        window.sign_in.signed_in.connect(lambda _actor: keeper.renew_now())
        keeper.start()
        QTimer.singleShot(WORKER_START_DELAY_MS, worker.start)
        code = app.exec()
        runner.close()
    finally:
        # A job half sent stays "printing" and goes back to the queue at the next start.
        worker.stop()
        release_quietly(ctx, lease)  # the next start on this workstation need not wait
    return int(code)
