"""Dialogs that take the keyboard the moment they appear.

At the counter the next keystroke after opening a dialog is already on its way;
waiting for the window manager to hand over focus (some do it late, kiosk
sessions may not at all) would send it to the window underneath.
"""

from __future__ import annotations

from ui.qt import QDialog, QShowEvent, QWidget


class KeyboardDialog(QDialog):
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.raise_()
        self.activateWindow()
        target: QWidget | None = self.focusWidget()
        if target is not None:
            target.setFocus()
