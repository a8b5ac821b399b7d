"""Starting the counter application."""

from __future__ import annotations

import sys

from app.bootstrap import open_context
from app.i18n import LANGUAGES, set_language
from app.printing.worker import PrintWorker
from app.station import load_station
from ui.language import LanguageSwitch
from ui.main_window import MainWindow
from ui.qt import QApplication
from ui.tasks import TaskRunner
from ui.theme import apply_theme


def run(
    database_url: str | None,
    key_file: str | None,
    workstation: str | None,
    language: str | None,
    idle_minutes: float,
) -> int:
    """Open the configured database (refusing a stale schema or a wrong key) and show the counter."""
    ctx = open_context(database_url, key_file)
    station = load_station(ctx.db, workstation)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Guichet")
    apply_theme(app)
    switch = LanguageSwitch()
    wanted = language or station.default_language
    set_language(wanted if wanted in LANGUAGES else "fr")
    switch.apply(wanted if wanted in LANGUAGES else "fr")
    runner = TaskRunner()
    # One worker prints this workstation's queue, from start-up (receipts left
    # waiting by a previous run come out first) until the window closes.
    worker = PrintWorker(ctx, station.ref)
    worker.start()
    try:
        window = MainWindow(ctx, station, runner, switch, idle_minutes=idle_minutes, worker=worker)
        # The counter owns the screen. Size it ourselves too: without a window manager
        # (kiosk sessions often have none) "maximized" means nothing.
        screen = app.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.availableGeometry())
        window.showMaximized()
        code = app.exec()
        runner.wait()
    finally:
        # A job half sent stays "printing" and goes back to the queue at the next start.
        worker.stop()
    return int(code)
