"""How much room a dialog has: the window it opens over (the counter fills the screen),
else the screen; so a dialog sized from it fits at 1366×768 and at 1024×768 alike."""

from __future__ import annotations

from ui.qt import QSize, QWidget


def room(parent: QWidget | None, fallback: QWidget) -> QSize:
    if parent is not None:
        return parent.window().size()
    screen = fallback.screen()
    return screen.availableGeometry().size() if screen is not None else QSize(1024, 768)


def fit(dialog: QWidget, parent: QWidget | None, width: int, height: int | None = None) -> None:
    """Resize ``dialog`` to ``width`` × ``height`` (else its own height), within the room."""
    space = room(parent, dialog)
    wanted = height if height is not None else dialog.sizeHint().height()
    dialog.resize(min(width, space.width() - 16), min(wanted, space.height() - 24))
