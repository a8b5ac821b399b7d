"""Start Guichet, or a bare PySide6 window, and quit at its first paint.

    python tests/benchmarks/startup_probe.py bare
    python tests/benchmarks/startup_probe.py guichet [main.py options]

``guichet`` runs ``main.py`` as a person launches it, with one change: the
application quits once the counter window is painted. Lines printed:
``painted <t>`` at the first paint of the sign-in screen (of the bare window),
and for Guichet ``ready <t>`` at the counter window's; ``t`` is read from
``time.monotonic()`` (system-wide on Linux), for the parent to compare with the
moment it launched this process. Used by bench_startup.py and tests/test_startup.py.
"""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# What the sign-in screen does not need: loaded after it is painted.
HEAVY = ("sqlalchemy", "db.models", "alembic", "psycopg", "reportlab", "escpos.capabilities")


def _on_paint(widget: Any, when: Any) -> object:
    """Calls ``when(widget)`` at each paint of ``widget`` until it returns True."""
    from PySide6.QtCore import QEvent, QObject

    class Paints(QObject):
        done = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not self.done:
                self.done = bool(when(widget))
            return False

    probe = Paints()
    widget.installEventFilter(probe)
    return probe


def _report(label: str, *, quit: bool) -> bool:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    print(f"{label} {time.monotonic()!r}", flush=True)
    if quit:
        QTimer.singleShot(0, QApplication.quit)
    return True


def bare() -> int:
    """The floor: PySide6 imported, an application made, one window shown and painted."""
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv[:1])
    window = QLabel("Guichet")
    probe = _on_paint(window, lambda _w: _report("painted", quit=True))
    screen = app.primaryScreen()
    if screen is not None:
        window.setGeometry(screen.availableGeometry())
    window.showMaximized()
    code = app.exec()
    del probe
    return code


def guichet(argv: list[str]) -> int:
    """``painted`` at the sign-in screen's first paint; ``ready`` when it is painted
    again inside the counter's main window (database open, every screen built)."""
    sys.path.insert(0, str(ROOT))
    import ui.sign_in  # light: what main.py paints first

    real_init = ui.sign_in.SignInScreen.__init__
    state = {"painted": False}

    def paint(screen: Any) -> bool:
        if not state["painted"]:
            state["painted"] = _report("painted", quit=False)
            heavy = sorted(name for name in HEAVY if name in sys.modules)
            print(f"loaded-before-paint {','.join(heavy) or '-'}", flush=True)
        if screen.window().objectName() == "main_window":
            return _report("ready", quit=True)
        return False

    def probed(self: Any, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        self._probe = _on_paint(self, paint)

    ui.sign_in.SignInScreen.__init__ = probed  # type: ignore[method-assign]
    sys.argv = [str(ROOT / "main.py"), *argv]
    try:
        runpy.run_path(str(ROOT / "main.py"), run_name="__main__")
    except SystemExit as done:
        return int(done.code or 0) if not isinstance(done.code, str) else 1
    return 0


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "bare"
    raise SystemExit(bare() if which == "bare" else guichet(sys.argv[2:]))
