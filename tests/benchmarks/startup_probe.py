"""Start Guichet, or a bare PySide6 window, and quit at its first paint.

    python tests/benchmarks/startup_probe.py bare
    python tests/benchmarks/startup_probe.py guichet [main.py options]

``guichet`` runs ``main.py`` as a person launches it, with one change: the
sign-in screen quits the application the first time it is painted. Either way
one line is printed: ``painted <t>``, ``t`` read from ``time.monotonic()``
(system-wide on Linux), for the parent to compare with the moment it launched
this process. Used by bench_startup.py and tests/test_startup.py.
"""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _quit_on_first_paint(widget: Any) -> object:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class FirstPaint(QObject):
        seen = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not self.seen:
                self.seen = True
                print(f"painted {time.monotonic()!r}", flush=True)
                QTimer.singleShot(0, QApplication.quit)
            return False

    probe = FirstPaint()
    widget.installEventFilter(probe)
    return probe


def bare() -> int:
    """The floor: PySide6 imported, an application made, one window shown and painted."""
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv[:1])
    window = QLabel("Guichet")
    probe = _quit_on_first_paint(window)
    screen = app.primaryScreen()
    if screen is not None:
        window.setGeometry(screen.availableGeometry())
    window.showMaximized()
    code = app.exec()
    del probe
    return code


def guichet(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    import ui.app

    class ProbedWindow(ui.app.MainWindow):  # type: ignore[misc,name-defined]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._probe = _quit_on_first_paint(self.sign_in)

    ui.app.MainWindow = ProbedWindow  # type: ignore[attr-defined]
    sys.argv = [str(ROOT / "main.py"), *argv]
    try:
        runpy.run_path(str(ROOT / "main.py"), run_name="__main__")
    except SystemExit as done:
        return int(done.code or 0) if not isinstance(done.code, str) else 1
    return 0


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "bare"
    raise SystemExit(bare() if which == "bare" else guichet(sys.argv[2:]))
